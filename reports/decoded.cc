#include "reports/decoded.h"

#include "codec/message.h"
#include "harness/names.h"
#include "harness/reference_names.h"
#include "roles/error_message.h"
#include "wire/hex.h"

namespace mikeyconf::reports {

std::string data_type_label(mikey::ByteView bytes) {
  if (bytes.size() < 2) return "";
  const std::string_view name = harness::code_point_name("DataType", bytes[1]);
  return name.empty() ? "data type " + std::to_string(bytes[1]) : std::string(name);
}

DecodedMessage decode_message(mikey::ByteView bytes) {
  return describe_message(inspect::decode_message(bytes));
}

DecodedMessage describe_summary(const inspect::DecodeResult& r) {
  const mikey::ByteView bytes = r.bytes;
  DecodedMessage d;
  d.hex = mikey::wire::to_hex(bytes);
  // Whether the message itself parses; an embedded structure that does not (context set) is
  // shown as far as it was read, like in `mikeyconf decode`.
  d.parses = !r.error || !r.error->context.empty();
  if (!d.parses) {
    d.parse_error = std::string(codec::to_string(r.error->error.code));
    d.parse_error_offset = r.error->error.offset;
  }
  if (bytes.size() >= 2) {
    d.data_type = bytes[1];
    d.data_type_name = std::string(harness::code_point_name("DataType", bytes[1]));
  }
  for (const codec::Payload& pl : r.message.payloads) {
    const std::string_view n = codec::to_string(pl.type);
    d.payloads.push_back(n.empty() ? std::to_string(codec::raw(pl.type)) : std::string(n));
  }
  d.is_error_message = r.message.hdr.data_type == codec::DataType::error;
  if (d.is_error_message) {
    for (codec::ErrorNo e : mikey::roles::error_numbers(r.message)) {
      d.error_numbers.push_back(codec::raw(e));
    }
  }
  return d;
}

DecodedMessage describe_message(const inspect::DecodeResult& r) {
  const mikey::ByteView bytes = r.bytes;
  DecodedMessage d = describe_summary(r);
  for (const codec::Deviation& dev : r.deviations) {
    d.deviations.push_back({std::string(codec::to_string(dev.kind)), dev.offset, dev.detail});
  }
  for (const inspect::DecodedField& f : r.fields) {
    if (f.offset > bytes.size() || f.length > bytes.size() - f.offset) continue;
    d.fields.push_back(f);
  }
  return d;
}

}  // namespace mikeyconf::reports
