// ERR, the error payload (RFC 3830 §6.12; RFC 6043 §6.9): Error no and two reserved bytes.
#include "codec/payloads.h"

namespace mikey::codec {

ParseError parse_body(FieldReader& r, Err& out) noexcept {
  std::size_t reserved_at = r.offset() + 1;
  if (!r.code("error_no", out.error_no) || !r.u16("reserved", out.reserved)) return r.error();
  if (out.reserved != 0) {
    r.deviate(DeviationKind::reserved_bits_set, reserved_at, "ERR reserved bytes not zero");
  }
  return {};
}

void serialize_body(FieldWriter& w, const Err& in) {
  w.code("error_no", in.error_no);
  w.u16("reserved", in.reserved);
}

}  // namespace mikey::codec
