// SRTP master key and master salt per crypto session (RFC 6043 §5.1.3; P.1-7): from a TGK, TGK'
// (forked; SHALL be used with forking) or GTGK with the label
//   constant || CS ID || 0xFFFFFFFF || 0x03 || len(RANDRi) || [RANDRi] || len(RANDRr) || [RANDRr]
// (RANDRi iff H = 1, RANDRr iff G = 1) and the HDR PRF; or a TEK used directly. A salt carried in
// the key data (+SALT types) is used and none derived (§5.1.3). A plain TEK has no salt to derive
// (RFC 3830 §4.1.3 derives salts from TGKs only): its master salt stays empty.
#pragma once

#include <cstdint>
#include <vector>

#include "codec/payloads.h"
#include "crypto/secure_bytes.h"
#include "roles/failure.h"
#include "roles/types.h"
#include "wire/result.h"

namespace mikey::roles {

struct SrtpKeys {
  std::uint8_t cs_id = 0;
  crypto::SecureBytes master_key;
  crypto::SecureBytes master_salt;
  Bytes spi;  // SPI/MKI of the key the CS uses
};

// SRTP defaults when the security policy does not say (RFC 3711: AES-CM-128 with a 112-bit salt).
inline constexpr std::size_t kDefaultSrtpKeyLength = 16;
inline constexpr std::size_t kDefaultSrtpSaltLength = 14;

struct SessionKeyInputs {
  codec::PrfFunc prf = codec::PrfFunc::mikey_1;                  // HDR PRF of the Ticket Transfer
  const std::vector<codec::GenericIdEntry>* sessions = nullptr;  // the GENERIC-ID map
  const std::vector<codec::SecurityPolicy>* policies = nullptr;  // SPs both sides sent
  const KeySet* keys = nullptr;  // TEK/TGK/GTGK, TGKs already forked when I = 1
  bool h = false;                // RANDRi enters the label
  bool g = false;                // RANDRr enters the label
  ByteView randri;
  ByteView randrr;
};

// One SrtpKeys per crypto session. The key of a CS is the one whose SPI equals the CS's SPI, or
// else the first session key. Key and salt lengths come from the CS's security policy (SRTP
// parameters 1 and 4, bytes by convention: INTERPRETATION, RFC 3830 §6.10.1
// gives no unit) or the defaults. Fails with
// unsupported_security_policy (a CS that is not SRTP), missing_payload (no session key),
// unsupported_prf, internal_error.
Result<std::vector<SrtpKeys>, Failure> derive_srtp_keys(const SessionKeyInputs& in) noexcept;

// Whether a key data type carries session keys (not an MPK).
bool is_session_key(codec::KeyDataType t) noexcept;

}  // namespace mikey::roles
