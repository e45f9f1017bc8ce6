// IDR, ID with role (RFC 6043 §6.6): ID Role, ID Type, ID len (16 bits), ID Data.
#include "codec/payloads.h"

namespace mikey::codec {

namespace {
constexpr Typed kId{"id_type", {"id_len", "id_data", 2}};
}  // namespace

ParseError parse_body(FieldReader& r, IdWithRole& out) noexcept {
  if (!r.code("id_role", out.role)) return r.error();
  return r.typed(kId, out.id_type, out.data);
}

void serialize_body(FieldWriter& w, const IdWithRole& in) {
  w.code("id_role", in.role);
  w.typed(kId, in.id_type, in.data);
}

}  // namespace mikey::codec
