// IDR, ID with role (RFC 6043 §6.6): ID Role, ID Type, ID len (16 bits), ID Data.
#include "codec/payloads.h"

namespace mikey::codec {

ParseError parse_body(FieldReader& r, IdWithRole& out) noexcept {
  std::uint16_t len = 0;
  if (!r.code("id_role", out.role) || !r.code("id_type", out.id_type) || !r.u16("id_len", len) ||
      !r.bytes("id_data", len, out.data)) {
    return r.error();
  }
  return {};
}

void serialize_body(FieldWriter& w, const IdWithRole& in) {
  w.code("id_role", in.role);
  w.code("id_type", in.id_type);
  w.length("id_len", in.data.size(), 2);
  w.bytes("id_data", in.data);
}

}  // namespace mikey::codec
