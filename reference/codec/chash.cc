// Payloads whose data length a code point implies (an unknown code point makes them
// unparseable):
// * CHASH, the certificate hash payload (RFC 3830 §6.8; RFC 6043 §6.7): Hash func, then a Hash
//   (SHA-1 20, MD5 16, SHA-256 32 bytes).
// * V, the verification payload (RFC 3830 §6.9): Auth alg, then a MAC whose length the algorithm
//   implies.
#include "codec/payloads.h"

namespace mikey::codec {

namespace {
constexpr Implied<HashFunc> kHash{"hash_func", "hash", &hash_length, Errc::unknown_hash_func};
constexpr Implied<MacAlg> kMac{"auth_alg", "mac", &mac_length, Errc::unknown_mac_alg};
}  // namespace

MIKEY_SHAPED_BODY(Chash, implied, kHash, hash_func, hash)
MIKEY_SHAPED_BODY(Verification, implied, kMac, auth_alg, mac)

}  // namespace mikey::codec
