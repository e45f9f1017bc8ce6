// KEMAC, key data transport (RFC 3830 §6.2; RFC 6043 §6.2): Encr alg, Encr data len (16 bits),
// Encr data, Mac alg, MAC (length implied by Mac alg). The Encr data is opaque here; the key
// data sub-payload chain inside it is read by parse_key_data_chain() once decrypted.
#include "codec/payloads.h"

namespace mikey::codec {

namespace {
// RFC 3830 §6.13: the total KEMAC size MUST NOT exceed 2^16 bytes. The 16-bit Encr data len
// alone allows 4 + 65535 + 1 + 32 bytes, so the cap is its own check.
constexpr std::size_t kMaxKemacSize = 1u << 16;
}  // namespace

ParseError parse_body(FieldReader& r, Kemac& out) noexcept {
  std::size_t start = r.offset() - 1;  // the Next payload byte
  std::uint16_t len = 0;
  if (!r.code("encr_alg", out.encr_alg) || !r.u16("encr_data_len", len) ||
      !r.bytes("encr_data", len, out.encr_data) || !r.code("mac_alg", out.mac_alg)) {
    return r.error();
  }
  std::optional<std::size_t> mac_len = mac_length(out.mac_alg);
  if (!mac_len) return r.fail(Errc::unknown_mac_alg, r.offset() - 1);
  if (4 + std::size_t{len} + 1 + *mac_len > kMaxKemacSize) {
    return r.fail(Errc::kemac_too_large, start);
  }
  if (!r.bytes("mac", *mac_len, out.mac)) return r.error();
  return {};
}

void serialize_body(FieldWriter& w, const Kemac& in) {
  std::optional<std::size_t> mac_len = mac_length(in.mac_alg);
  if (!mac_len || *mac_len != in.mac.size()) return w.fail(Errc::inconsistent_model);
  if (4 + in.encr_data.size() + 1 + *mac_len > kMaxKemacSize) return w.fail(Errc::kemac_too_large);
  w.code("encr_alg", in.encr_alg);
  w.length("encr_data_len", in.encr_data.size(), 2);
  w.bytes("encr_data", in.encr_data);
  w.code("mac_alg", in.mac_alg);
  w.bytes("mac", in.mac);
}

}  // namespace mikey::codec
