// RAND (RFC 3830 §6.11) and RANDR, RAND with role (RFC 6043 §6.8).
#include "codec/payloads.h"

namespace mikey::codec {

ParseError parse_body(FieldReader& r, Rand& out) noexcept {
  std::uint8_t len = 0;
  if (!r.u8("rand_len", len) || !r.bytes("rand", len, out.rand)) return r.error();
  return {};
}

void serialize_body(FieldWriter& w, const Rand& in) {
  w.length("rand_len", in.rand.size(), 1);
  w.bytes("rand", in.rand);
}

ParseError parse_body(FieldReader& r, RandWithRole& out) noexcept {
  std::uint8_t len = 0;
  if (!r.code("rand_role", out.role) || !r.u8("rand_length", len) ||
      !r.bytes("rand", len, out.rand)) {
    return r.error();
  }
  return {};
}

void serialize_body(FieldWriter& w, const RandWithRole& in) {
  w.code("rand_role", in.role);
  w.length("rand_length", in.rand.size(), 1);
  w.bytes("rand", in.rand);
}

}  // namespace mikey::codec
