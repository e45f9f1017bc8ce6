// The messages of report.html, loaded lazily: each case's transcript as compact JSON data in a
// <script type="application/json"> block, which the page's script turns into hex dumps and
// decode trees only when the reader opens an exchange. A passing run's page stays small (every
// byte is in results.json anyway) and the page shows nothing a SUT sent as markup: the data is
// JSON with '<', '>' and '&' escaped, and its HTML parts went through html_text.h.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "harness/results.h"
#include "inspect/decode.h"
#include "inspect/json.h"
#include "reports/sequence_diagram.h"

namespace mikeyconf::reports {

// The data blocks of a page. Field rows repeat across the messages of a run (the same path,
// offset, length and value), so each distinct row is written once, in the page's table block
// ("tables"), and a message lists its fields by row index.
class MessageData {
 public:
  // One case: {"e": [per transcript entry {"m": [messages built and sent], "h": the HTTP
  // exchange, "rm": the message received}]}. A message: {"t": title, "b": base64 of at most
  // kHtmlHexDumpLimit bytes, "n": size, "d": data type, "s": parse status, "p": payload chain,
  // "r": remarks (Error numbers, deviations, identities), "f": row indexes, "c": fields
  // cut}. The HTTP exchange: "q" request, "te" transport error, "hd" status line and headers,
  // "b" body, "mp" why the body is not an Annex A answer; each [text, size] with the text cut at
  // the page's limits and its bytes marked as html_bytes marks them ("\r", "\xHH", "\\").; a body
  // that is the base64 of a message in the data is left out and put back by the page's script: "qm"
  // (the request's body is message "m"[qm]) and "bm" (the response's body is "rm").
  // "q": the sequence diagram (sequence_diagram.h) the page's script draws: {"l": [[lifeline,
  // users]], "a": [[step, from column, to column, text, title, ArrowKind]]}.
  std::string case_json(const harness::CaseResult& c, const SequenceModel& sequence);
  // {"p": [paths], "r": [rows]}: a row is [path index, offset, length] plus, when the page's
  // script cannot derive it from the bytes (the decimal value of a byte-aligned field of at most
  // 6 bytes), its value text, then its mask when it is a bit field.
  std::string tables_json() const;

 private:
  std::size_t path_index(const std::string& path);
  std::size_t row_index(const std::string& row);
  // "t" of a message; the page's script names it.
  enum class MessageTitle { built, sent, mutated, received };
  inspect::Json message(MessageTitle title, mikey::ByteView bytes);
  inspect::Json entry(const harness::TranscriptEntry& e);

  std::map<std::string, std::size_t, std::less<>> path_index_, row_index_;
  std::vector<std::string> paths_, rows_;
};

// A field's value as the report shows it: a bit field as its value under the mask, a code point
// by its RFC name, identity data as text when it is printable UTF-8, else the integer value.
std::string field_value_text(const inspect::DecodedField& f);

}  // namespace mikeyconf::reports
