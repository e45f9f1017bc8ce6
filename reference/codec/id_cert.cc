// ID and CERT (RFC 3830 §6.7; RFC 6043 §6.5): ID Type / Cert Type, a 16-bit length, then the
// ID data / Certificate (one DER certificate per CERT payload).
#include "codec/payloads.h"

namespace mikey::codec {

ParseError parse_body(FieldReader& r, Id& out) noexcept {
  std::uint16_t len = 0;
  if (!r.code("id_type", out.id_type) || !r.u16("id_len", len) ||
      !r.bytes("id_data", len, out.data)) {
    return r.error();
  }
  return {};
}

void serialize_body(FieldWriter& w, const Id& in) {
  w.code("id_type", in.id_type);
  w.length("id_len", in.data.size(), 2);
  w.bytes("id_data", in.data);
}

ParseError parse_body(FieldReader& r, Cert& out) noexcept {
  std::uint16_t len = 0;
  if (!r.code("cert_type", out.cert_type) || !r.u16("cert_len", len) ||
      !r.bytes("certificate", len, out.data)) {
    return r.error();
  }
  return {};
}

void serialize_body(FieldWriter& w, const Cert& in) {
  w.code("cert_type", in.cert_type);
  w.length("cert_len", in.data.size(), 2);
  w.bytes("certificate", in.data);
}

}  // namespace mikey::codec
