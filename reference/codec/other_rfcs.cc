// Payloads of other MIKEY RFCs, decoded only so that real traffic parses past them
// (RFC 3830 §6.1 Table 6.1.b and later registrations; not used by
// MIKEY-TICKET):
// * IBAKE (22) and ESK (23), RFC 6267 §6.1.1/§6.1.2: Encr data len (16 bits), Encr data. The
//   SK/ECCPT sub-payloads inside stay opaque.
// * SAKKE (26), RFC 6509 §4.2: SAKKE params, ID scheme, SAKKE data length (16 bits), SAKKE data.
#include "codec/payloads.h"

namespace mikey::codec {

namespace {
constexpr Counted kEncrData{"encr_data_len", "encr_data", 2};
constexpr Counted kSakkeData{"sakke_data_length", "sakke_data", 2};
}  // namespace

ParseError parse_body(FieldReader& r, OpaqueEncrData& out) noexcept {
  return r.result(r.counted(kEncrData, out.encr_data));
}

void serialize_body(FieldWriter& w, const OpaqueEncrData& in) {
  w.counted(kEncrData, in.encr_data);
}

ParseError parse_body(FieldReader& r, Sakke& out) noexcept {
  return r.result(r.u8("sakke_params", out.params) && r.u8("id_scheme", out.id_scheme) &&
                  r.counted(kSakkeData, out.data));
}

void serialize_body(FieldWriter& w, const Sakke& in) {
  w.u8("sakke_params", in.params);
  w.u8("id_scheme", in.id_scheme);
  w.counted(kSakkeData, in.data);
}

}  // namespace mikey::codec
