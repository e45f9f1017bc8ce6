// The MIKEY PRF (RFC 3830 §4.1.2) and its PRF-HMAC-SHA-256 variant (RFC 6043 §6.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/errc.h"
#include "crypto/secure_bytes.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::crypto {

// HDR / Ticket Policy "PRF func" code points (RFC 3830 §6.1; RFC 6043 §6.1 adds value 1). The
// field is 7 bits; any other value is carried as a number and rejected by prf().
#define MIKEY_PRF_FUNCS(X) \
  X(mikey_1, 0, "MIKEY-1") \
  X(hmac_sha256, 1, "PRF-HMAC-SHA-256")

// to_string gives the RFC name, or "unknown" for a value outside the table.
MIKEY_DECLARE_CODE_POINTS(PrfFunc, std::uint8_t, MIKEY_PRF_FUNCS)

// Harness limits, not RFC limits: every MIKEY key is far shorter, and they bound the work a
// fuzzed key length can cause (32 chunks x 52 HMAC pairs at most).
inline constexpr std::size_t kMaxPrfInkeyBytes = 1024;
inline constexpr std::size_t kMaxPrfOutkeyBytes = 1024;

// PRF(inkey, label, outkey_len) of RFC 3830 §4.1.2: inkey is split into 256-bit chunks
// s_1..s_n (the last may be shorter), each chunk gives P(s_j, label, m) with
// m = ceil(outkey_len / B), the P outputs are XORed and the first outkey_bytes returned.
// P is the HMAC feedback construction A_0 = label, A_i = HMAC(s, A_(i-1)),
// P = HMAC(s, A_1 || label) || ... || HMAC(s, A_m || label), with HMAC-SHA-1 and B = 160 bits
// for MIKEY-1, HMAC-SHA-256 and B = 256 bits for PRF-HMAC-SHA-256 (RFC 6043 §6.1).
// Lengths are in bytes (every MIKEY key is a whole number of bytes). outkey_bytes = 0 gives an
// empty result.
// Returns unsupported_algorithm for an unknown PRF func, bad_key_length for an empty inkey or
// one longer than kMaxPrfInkeyBytes, bad_length for outkey_bytes > kMaxPrfOutkeyBytes,
// openssl_failure, out_of_memory.
Result<SecureBytes, Error> prf(PrfFunc func, ByteView inkey, ByteView label,
                               std::size_t outkey_bytes) noexcept;

}  // namespace mikey::crypto
