// T, the timestamp payload (RFC 3830 §6.6; RFC 6043 §6.3), and TR, the timestamp with role
// (RFC 6043 §6.4), which adds a TS Role byte in front of the same TS type / TS value.
#include "codec/payloads.h"

namespace mikey::codec {

namespace {

ParseError parse_ts_value(FieldReader& r, TsType type, std::uint64_t& value) {
  std::size_t type_at = r.offset() - 1;
  std::optional<std::size_t> len = ts_value_length(type);
  if (!len) return r.fail(Errc::unknown_ts_type, type_at);
  if (*len == 8) {
    if (!r.u64("ts_value", value)) return r.error();
  } else {
    std::uint32_t v32 = 0;
    if (!r.u32("ts_value", v32)) return r.error();
    value = v32;
  }
  return {};
}

void serialize_ts_value(FieldWriter& w, TsType type, std::uint64_t value) {
  std::optional<std::size_t> len = ts_value_length(type);
  if (!len || (*len == 4 && value > 0xffffffffu)) return w.fail(Errc::inconsistent_model);
  if (*len == 8) {
    w.u64("ts_value", value);
  } else {
    w.u32("ts_value", static_cast<std::uint32_t>(value));
  }
}

}  // namespace

ParseError parse_body(FieldReader& r, Timestamp& out) noexcept {
  if (!r.code("ts_type", out.ts_type)) return r.error();
  return parse_ts_value(r, out.ts_type, out.value);
}

void serialize_body(FieldWriter& w, const Timestamp& in) {
  w.code("ts_type", in.ts_type);
  serialize_ts_value(w, in.ts_type, in.value);
}

ParseError parse_body(FieldReader& r, TimestampWithRole& out) noexcept {
  if (!r.code("ts_role", out.role) || !r.code("ts_type", out.ts_type)) return r.error();
  return parse_ts_value(r, out.ts_type, out.value);
}

void serialize_body(FieldWriter& w, const TimestampWithRole& in) {
  w.code("ts_role", in.role);
  w.code("ts_type", in.ts_type);
  serialize_ts_value(w, in.ts_type, in.value);
}

}  // namespace mikey::codec
