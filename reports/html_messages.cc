#include "reports/html_messages.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "harness/names.h"
#include "inspect/json.h"
#include "reports/decoded.h"
#include "reports/html_text.h"
#include "wire/base64.h"

namespace mikeyconf::reports {

using harness::CaseResult;
using harness::TranscriptEntry;
using inspect::Json;

namespace {

std::string_view leaf(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

std::string_view parent(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : path.substr(0, dot);
}

// RFC 3830 §6.6 / RFC 6043 §6.6: the identity a payload's ID data names, when readable.
bool is_identity_data(const inspect::DecodedField& f) {
  return leaf(f.path) == "id_data" && !f.text.empty();
}

// "IDRi sip:alice@example.org", one per ID/IDR payload whose data is printable.
std::vector<std::string> identities(const std::vector<inspect::DecodedField>& fields) {
  std::map<std::string_view, std::string_view> roles;
  for (const inspect::DecodedField& f : fields) {
    if (leaf(f.path) == "id_role" && !f.name.empty()) roles[parent(f.path)] = f.name;
  }
  std::vector<std::string> out;
  for (const inspect::DecodedField& f : fields) {
    if (!is_identity_data(f)) continue;
    const auto role = roles.find(parent(f.path));
    out.push_back((role == roles.end() ? std::string(parent(f.path)) : std::string(role->second)) +
                  " " + f.text);
  }
  return out;
}

// The remarks of a message: Error numbers, codec deviations and identities (the page's script
// adds the flags from the bit fields).
Json remarks(const DecodedMessage& d) {
  Json r = Json::array();
  if (d.is_error_message) {
    std::string errors = "Error numbers:";
    for (std::uint64_t e : d.error_numbers) {
      const std::string_view n = harness::code_point_name("ErrorNo", static_cast<std::uint32_t>(e));
      errors += " " + std::to_string(e) + (n.empty() ? "" : " (" + std::string(n) + ")");
    }
    r.push_back(errors);
  }
  for (const DecodedDeviation& dev : d.deviations) {
    r.push_back("deviation " + dev.kind + " at offset " + std::to_string(dev.offset) + ": " +
                dev.detail);
  }
  const std::vector<std::string> ids = identities(d.fields);
  if (!ids.empty()) {
    std::string line = "identities:";
    for (const std::string& id : ids) line += (line.size() > 11 ? "; " : " ") + id;
    r.push_back(line);
  }
  return r;
}

// Whether the page's script computes the value itself: the big-endian integer of the field's
// bytes, for a byte-aligned field of at most 6 bytes without a name or a text.
bool derivable(const inspect::DecodedField& f, mikey::ByteView bytes) {
  if (f.mask != 0xff || !f.value || f.length == 0 || f.length > 6 || !f.name.empty() ||
      !f.text.empty()) {
    return false;
  }
  std::uint64_t v = 0;
  for (std::uint32_t i = 0; i < f.length; ++i) v = (v << 8) | bytes[f.offset + i];
  return v == *f.value;
}

std::string js_safe(const std::string& json) {
  // Inside <script type="application/json"> nothing may close the element or look like markup:
  // the ASCII JSON carries '<', '>' and '&' only inside strings, where \uXXXX means the same.
  std::string safe;
  safe.reserve(json.size());
  for (const char ch : json) {
    if (ch == '<') {
      safe += "\\u003c";
    } else if (ch == '>') {
      safe += "\\u003e";
    } else if (ch == '&') {
      safe += "\\u0026";
    } else {
      safe += ch;
    }
  }
  return safe;
}

// Bytes as the page shows them, at most `limit`: printable ASCII, \n and \t as they are, a
// backslash doubled, CR as "\r" and every other byte as "\xHH"; the page's script marks the
// escapes (html_text.h html_bytes does the same on the server side).
std::string marked(std::string_view bytes, std::size_t limit) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (const char c : bytes.substr(0, std::min(limit, bytes.size()))) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if ((u >= 0x20 && u < 0x7f) || c == '\n' || c == '\t') {
      out += c;
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

// A text of the exchange: [shown, total size].
Json shown(std::string_view bytes, std::size_t limit = kHtmlTextLimit) {
  return Json::array({marked(bytes, limit), bytes.size()});
}

// The length of the base64 of `message` when `text` ends with it (TS 33.328 Annex A: the HTTP
// body carries the MIKEY message in base64) and the data has all of the message's bytes; else 0.
std::size_t carried_length(std::string_view text, mikey::ByteView message) {
  if (message.empty() || message.size() > kHtmlHexDumpLimit) return 0;
  const std::string b64 = mikey::wire::base64_encode(message);
  const bool carried = text.size() >= b64.size() && text.substr(text.size() - b64.size()) == b64;
  return carried ? b64.size() : 0;
}

// The exchange; a body that is the base64 of a message in the data is left out ("qm": the index
// of that message in "m", "bm": the received one) and put back by the page's script.
Json http(const TranscriptEntry& e, const Json& sent) {
  Json h = Json::object();
  const mikey::ByteView sent_bytes = e.mikey_sent.empty() ? e.mikey_built : e.mikey_sent;
  const std::size_t body = !sent.empty() && e.request.size() <= kHtmlBodyLimit
                               ? carried_length(e.request, sent_bytes)
                               : 0;
  if (body != 0) {
    h["q"] = Json::array(
        {marked(std::string_view(e.request).substr(0, e.request.size() - body), kHtmlBodyLimit),
         e.request.size()});
    h["qm"] = sent.size() - 1;
  } else {
    h["q"] = shown(e.request, kHtmlBodyLimit);
  }
  if (!e.transport_error.empty()) {
    h["te"] = shown(e.transport_error);
    return h;
  }
  std::string head = std::to_string(e.status) + " " + marked(e.reason, kHtmlTextLimit) + "\n";
  for (const auto& [n, v] : e.headers) {
    head += marked(n, kHtmlTextLimit) + ": " + marked(v, kHtmlTextLimit) + "\n";
  }
  h["hd"] = Json::array({head, 0});
  if (e.response_mikey && !e.body.empty() && e.body.size() <= kHtmlBodyLimit &&
      carried_length(e.body, *e.response_mikey) == e.body.size()) {
    h["b"] = Json::array({"", e.body.size()});
    h["bm"] = 1;
  } else {
    h["b"] = shown(e.body, kHtmlBodyLimit);
  }
  if (!e.mikey_problem.empty()) h["mp"] = shown(e.mikey_problem);
  return h;
}

}  // namespace

std::string field_value_text(const inspect::DecodedField& f) {
  if (is_identity_data(f)) return f.text;
  std::string out;
  if (f.value && (f.mask != 0xff || f.length <= 8)) out = std::to_string(*f.value);
  if (!f.name.empty()) out += (out.empty() ? "" : " ") + std::string(f.name);
  if (!f.text.empty() && f.name.empty()) out += (out.empty() ? "" : " ") + f.text;
  return out;
}

std::size_t MessageData::path_index(const std::string& path) {
  const auto [it, added] = path_index_.emplace(path, paths_.size());
  if (added) paths_.push_back(path);
  return it->second;
}

std::size_t MessageData::row_index(const std::string& row) {
  const auto [it, added] = row_index_.emplace(row, rows_.size());
  if (added) rows_.push_back(row);
  return it->second;
}

Json MessageData::message(MessageTitle title, mikey::ByteView bytes) {
  const DecodedMessage d = decode_message(bytes);
  Json m = Json::object();
  m["t"] = static_cast<int>(title);
  m["b"] = mikey::wire::base64_encode(bytes.first(std::min(bytes.size(), kHtmlHexDumpLimit)));
  m["n"] = bytes.size();
  m["d"] = d.data_type ? data_type_label(bytes) : std::string("too short for a HDR");
  m["s"] = d.parses ? std::string("parses")
                    : "does not parse: " + d.parse_error + " at offset " +
                          std::to_string(d.parse_error_offset);
  m["p"] = d.payloads;
  m["r"] = remarks(d);
  Json f = Json::array();
  const std::size_t count = std::min(d.fields.size(), kHtmlFieldLimit);
  for (std::size_t i = 0; i < count; ++i) {
    const inspect::DecodedField& x = d.fields[i];
    Json row = Json::array({path_index(x.path), x.offset, x.length});
    if (!derivable(x, bytes)) row.push_back(field_value_text(x));
    if (x.mask != 0xff) row.push_back(x.mask);
    f.push_back(row_index(inspect::dump_json(row, -1, /*ascii=*/true)));
  }
  m["f"] = std::move(f);
  m["c"] = d.fields.size() - count;
  return m;
}

Json MessageData::entry(const TranscriptEntry& e) {
  Json m = Json::array();
  if (!e.mikey_built.empty()) {
    const bool changed = !e.mikey_sent.empty() && e.mikey_sent != e.mikey_built;
    m.push_back(message(changed ? MessageTitle::built : MessageTitle::sent, e.mikey_built));
    if (changed) m.push_back(message(MessageTitle::mutated, e.mikey_sent));
  }
  Json j = Json{{"m", std::move(m)}};
  if (e.kind == "http") j["h"] = http(e, j["m"]);
  if (e.response_mikey) j["rm"] = message(MessageTitle::received, *e.response_mikey);
  return j;
}

std::string MessageData::case_json(const CaseResult& c, const SequenceModel& sequence) {
  Json entries = Json::array();
  for (const TranscriptEntry& e : c.transcript) entries.push_back(entry(e));
  Json lifelines = Json::array(), arrows = Json::array();
  std::map<std::string, std::size_t> column;
  for (const Lifeline& l : sequence.lifelines) {
    std::string users;
    for (const std::string& u : l.users) users += (users.empty() ? "" : ", ") + u;
    column[l.name] = lifelines.size();
    lifelines.push_back(Json::array({l.name, users}));
  }
  for (const Arrow& a : sequence.arrows) {
    arrows.push_back(Json::array(
        {a.step, column[a.from], column[a.to], a.text, a.title, static_cast<int>(a.kind)}));
  }
  const Json j{{"e", std::move(entries)}, {"q", Json{{"l", lifelines}, {"a", arrows}}}};
  return js_safe(inspect::dump_json(j, -1, /*ascii=*/true));
}

std::string MessageData::tables_json() const {
  std::string rows = "[";
  for (const std::string& r : rows_) rows += (rows.size() > 1 ? "," : "") + r;
  return js_safe("{\"p\":" + inspect::dump_json(Json(paths_), -1, /*ascii=*/true) +
                 ",\"r\":" + rows + "]}");
}

}  // namespace mikeyconf::reports
