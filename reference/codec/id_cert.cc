// ID and CERT (RFC 3830 §6.7; RFC 6043 §6.5): ID Type / Cert Type, a 16-bit length, then the
// ID data / Certificate (one DER certificate per CERT payload).
#include "codec/payloads.h"

namespace mikey::codec {

namespace {
constexpr Typed kId{"id_type", {"id_len", "id_data", 2}};
constexpr Typed kCert{"cert_type", {"cert_len", "certificate", 2}};
}  // namespace

MIKEY_SHAPED_BODY(Id, typed, kId, id_type, data)
MIKEY_SHAPED_BODY(Cert, typed, kCert, cert_type, data)

}  // namespace mikey::codec
