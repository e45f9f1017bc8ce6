// Payloads with a code point and the data length packed in one 16-bit word:
// * PKE, the envelope data payload (RFC 3830 §6.3): C (2 bits) | Data len (14 bits), Data (the
//   encrypted envelope key). C 3 is unassigned (RFC 6309 §2: C 0–3); kept as received, only
//   roles reject it.
// * SIGN, the signature payload (RFC 3830 §6.5; RFC 6509 §4.3): S type (4 bits) | Signature len
//   (12 bits), Signature. SIGN has no Next payload field and is always last (message.cc).
#include "codec/payloads.h"

namespace mikey::codec {

namespace {
constexpr Packed kCData{{"c", 0xc0}, 14, "data_len", "data"};
constexpr Packed kSTypeSignature{{"s_type", 0xf0}, 12, "signature_len", "signature"};
}  // namespace

MIKEY_SHAPED_BODY(Pke, packed, kCData, cache, data)
MIKEY_SHAPED_BODY(Sign, packed, kSTypeSignature, type, signature)

}  // namespace mikey::codec
