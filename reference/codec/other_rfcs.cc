// Payloads of other MIKEY RFCs, decoded only so that real traffic parses past them
// (mikey-base.md §2.2; not used by MIKEY-TICKET):
// * IBAKE (22) and ESK (23), RFC 6267 §6.1.1/§6.1.2: Encr data len (16 bits), Encr data. The
//   SK/ECCPT sub-payloads inside stay opaque.
// * SAKKE (26), RFC 6509 §4.2: SAKKE params, ID scheme, SAKKE data length (16 bits), SAKKE data.
#include "codec/payloads.h"

namespace mikey::codec {

ParseError parse_body(FieldReader& r, OpaqueEncrData& out) noexcept {
  std::uint16_t len = 0;
  if (!r.u16("encr_data_len", len) || !r.bytes("encr_data", len, out.encr_data)) {
    return r.error();
  }
  return {};
}

void serialize_body(FieldWriter& w, const OpaqueEncrData& in) {
  w.length("encr_data_len", in.encr_data.size(), 2);
  w.bytes("encr_data", in.encr_data);
}

ParseError parse_body(FieldReader& r, Sakke& out) noexcept {
  std::uint16_t len = 0;
  if (!r.u8("sakke_params", out.params) || !r.u8("id_scheme", out.id_scheme) ||
      !r.u16("sakke_data_length", len) || !r.bytes("sakke_data", len, out.data)) {
    return r.error();
  }
  return {};
}

void serialize_body(FieldWriter& w, const Sakke& in) {
  w.u8("sakke_params", in.params);
  w.u8("id_scheme", in.id_scheme);
  w.length("sakke_data_length", in.data.size(), 2);
  w.bytes("sakke_data", in.data);
}

}  // namespace mikey::codec
