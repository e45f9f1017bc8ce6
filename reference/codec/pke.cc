// PKE, the envelope data payload (RFC 3830 §6.3): C (2 bits) | Data len (14 bits), Data (the
// encrypted envelope key).
#include "codec/payloads.h"

namespace mikey::codec {

namespace {
constexpr std::uint16_t kDataLenMask = 0x3fff;  // RFC 3830 §6.3: 14-bit Data len
constexpr BitField kC{"c", 0xc0};
}  // namespace

ParseError parse_body(FieldReader& r, Pke& out) noexcept {
  std::uint16_t c_len = 0;
  if (!r.bits16(c_len, {kC}, "data_len")) return r.error();
  // C 3 is unassigned (RFC 6309 §2: C 0–3); kept as received, only roles reject it.
  out.cache = static_cast<PkeCache>(c_len >> 14);
  if (!r.bytes("data", c_len & kDataLenMask, out.data)) return r.error();
  return {};
}

void serialize_body(FieldWriter& w, const Pke& in) {
  if (raw(in.cache) > 3) return w.fail(Errc::inconsistent_model);  // does not fit 2 bits
  if (in.data.size() > kDataLenMask) return w.fail(Errc::field_too_large);
  w.bits16(static_cast<std::uint16_t>((raw(in.cache) << 14) | in.data.size()), {kC}, "data_len");
  w.bytes("data", in.data);
}

}  // namespace mikey::codec
