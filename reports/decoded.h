// One MIKEY message as the reports show it: hex, whether it parses (and where not), the data
// type, the payload chain, Error numbers, codec deviations and the fields of the decode tree
// (inspect/decode.h: the layout map plus the structures embedded in it) with their bytes and,
// for code points, the RFC name. report.html reads it; its JSON form (decoded_json.h), which
// results.json, transcript.json and `mikeyconf decode --json` write, is built from it too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inspect/decode.h"
#include "wire/bytes.h"

namespace mikeyconf::reports {

struct DecodedDeviation {
  std::string kind;
  std::uint32_t offset = 0;
  std::string detail;
};

struct DecodedMessage {
  std::string hex;
  bool parses = false;
  std::string parse_error;  // codec::Errc name when it does not parse
  std::uint32_t parse_error_offset = 0;
  std::optional<std::uint8_t> data_type;  // HDR byte 1, when present (RFC 3830 §6.1)
  std::string data_type_name;             // "" when unassigned
  std::vector<std::string> payloads;      // names, or the number when unassigned
  bool is_error_message = false;
  std::vector<std::uint64_t> error_numbers;  // of an Error message's ERR payloads
  std::vector<DecodedDeviation> deviations;
  std::vector<inspect::DecodedField> fields;  // ranges outside the message are dropped
};

// Never fails: any byte string yields a description (parse_message is total).
DecodedMessage decode_message(mikey::ByteView bytes);
// The same from a decode already made (its bytes are r.bytes).
DecodedMessage describe_message(const inspect::DecodeResult& r);
// describe_message without `deviations` and `fields` (a summary; decoded_json.h takes those
// from the decode tree instead).
DecodedMessage describe_summary(const inspect::DecodeResult& r);

// "REQUEST_RESP", or "data type N" when unassigned, or "" for fewer than two bytes.
std::string data_type_label(mikey::ByteView bytes);

}  // namespace mikeyconf::reports
