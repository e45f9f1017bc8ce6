// SIGN, the signature payload (RFC 3830 §6.5; RFC 6509 §4.3): S type (4 bits) | Signature len
// (12 bits), Signature. SIGN has no Next payload field and is always last (message.cc).
#include "codec/payloads.h"

namespace mikey::codec {

namespace {
constexpr std::uint16_t kSignatureLenMask = 0x0fff;  // RFC 3830 §6.5: 12-bit Signature len
constexpr BitField kSType{"s_type", 0xf0};
}  // namespace

ParseError parse_body(FieldReader& r, Sign& out) noexcept {
  std::uint16_t type_len = 0;
  if (!r.bits16(type_len, {kSType}, "signature_len")) return r.error();
  out.type = static_cast<SignType>(type_len >> 12);
  if (!r.bytes("signature", type_len & kSignatureLenMask, out.signature)) return r.error();
  return {};
}

void serialize_body(FieldWriter& w, const Sign& in) {
  if (raw(in.type) > 0x0f) return w.fail(Errc::inconsistent_model);  // does not fit 4 bits
  if (in.signature.size() > kSignatureLenMask) return w.fail(Errc::field_too_large);
  w.bits16(static_cast<std::uint16_t>((raw(in.type) << 12) | in.signature.size()), {kSType},
           "signature_len");
  w.bytes("signature", in.signature);
}

}  // namespace mikey::codec
