#include "reports/decoded_json.h"

#include <string>
#include <utility>

#include "inspect/render.h"
#include "reports/decoded.h"

namespace mikeyconf::reports {

using inspect::Json;

Json decoded_message_json(const inspect::DecodeResult& r) {
  const DecodedMessage d = describe_summary(r);
  Json tree = inspect::render_json(r);
  Json j = Json::object();
  j["hex"] = d.hex;
  j["length"] = static_cast<std::uint64_t>(r.bytes.size());
  // valid: nothing failed to decode; parses: the message itself does, though an embedded
  // structure (error.context set) may not.
  j["valid"] = r.valid();
  j["parses"] = d.parses;
  j["error"] = std::move(tree["error"]);
  // HDR data type (RFC 3830 §6.1): null for fewer than two bytes; its name null when unassigned.
  j["data_type"] = d.data_type ? Json(static_cast<std::uint64_t>(*d.data_type)) : Json();
  j["data_type_name"] = d.data_type_name.empty() ? Json() : Json(d.data_type_name);
  j["payloads"] = d.payloads;
  // Error no of each ERR payload of an Error message (RFC 3830 §6.12); empty otherwise.
  j["error_numbers"] = d.error_numbers;
  j["deviations"] = std::move(tree["deviations"]);
  j["notes"] = std::move(tree["notes"]);
  j["fields"] = std::move(tree["fields"]);
  j["message"] = std::move(tree["message"]);
  return j;
}

Json decoded_message_json(mikey::ByteView bytes) {
  return decoded_message_json(inspect::decode_message(bytes));
}

}  // namespace mikeyconf::reports
