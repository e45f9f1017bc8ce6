#include "reports/decoded.h"

#include "codec/field_names.h"
#include "codec/message.h"
#include "harness/names.h"
#include "roles/error_message.h"
#include "wire/hex.h"

namespace mikeyconf::reports {

namespace codec = mikey::codec;

namespace {

// The field's value as a number: big-endian, masked and shifted down for a bit field (the
// convention of codec::code_point_name). Only code-point fields (at most 4 bytes) are read.
std::uint32_t field_value(mikey::ByteView bytes, const codec::FieldRange& f) {
  std::uint32_t v = 0;
  for (std::uint32_t i = 0; i < f.length && i < 4; ++i) v = (v << 8) | bytes[f.offset + i];
  if (f.mask != 0xff && f.mask != 0 && f.length == 1) {
    v &= f.mask;
    for (std::uint8_t m = f.mask; (m & 1) == 0; m >>= 1) v >>= 1;
  }
  return v;
}

DecodedField decode_field(mikey::ByteView bytes, const codec::FieldRange& f) {
  DecodedField out;
  out.path = f.path;
  out.offset = f.offset;
  out.length = f.length;
  out.mask = f.mask;
  out.hex = mikey::wire::to_hex(bytes.subspan(f.offset, f.length));
  if (f.length >= 1 && f.length <= 4 && codec::is_code_point_field(f.path)) {
    out.value_name = std::string(codec::code_point_name(f.path, field_value(bytes, f)));
  }
  return out;
}

}  // namespace

std::string data_type_label(mikey::ByteView bytes) {
  if (bytes.size() < 2) return "";
  const std::string_view name = harness::code_point_name("DataType", bytes[1]);
  return name.empty() ? "data type " + std::to_string(bytes[1]) : std::string(name);
}

DecodedMessage decode_message(mikey::ByteView bytes) {
  DecodedMessage d;
  d.hex = mikey::wire::to_hex(bytes);
  const codec::ParseOutcome p = codec::parse_message(bytes);
  d.parses = p.ok();
  if (!p.ok()) {
    d.parse_error = std::string(codec::to_string(p.error.code));
    d.parse_error_offset = p.error.offset;
  }
  if (bytes.size() >= 2) {
    d.data_type = bytes[1];
    d.data_type_name = std::string(harness::code_point_name("DataType", bytes[1]));
  }
  for (const codec::Payload& pl : p.message.payloads) {
    const std::string_view n = codec::to_string(pl.type);
    d.payloads.push_back(n.empty() ? std::to_string(codec::raw(pl.type)) : std::string(n));
  }
  d.is_error_message = p.message.hdr.data_type == codec::DataType::error;
  if (d.is_error_message) {
    for (codec::ErrorNo e : mikey::roles::error_numbers(p.message)) {
      d.error_numbers.push_back(codec::raw(e));
    }
  }
  for (const codec::Deviation& dev : p.deviations) {
    d.deviations.push_back({std::string(codec::to_string(dev.kind)), dev.offset, dev.detail});
  }
  for (const codec::FieldRange& f : p.layout.fields()) {
    if (f.offset > bytes.size() || f.length > bytes.size() - f.offset) continue;
    d.fields.push_back(decode_field(bytes, f));
  }
  return d;
}

}  // namespace mikeyconf::reports
