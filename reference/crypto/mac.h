// HMAC and the MIKEY MAC algorithms (RFC 3830 §4.2.4, RFC 6043 §6.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "crypto/errc.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::crypto {

// Hash functions this layer uses under HMAC.
enum class Digest : std::uint8_t { sha1, sha256 };

constexpr std::size_t digest_length(Digest d) noexcept { return d == Digest::sha1 ? 20 : 32; }

// HMAC(key, part0 || part1 || ...) written to the front of `out`; returns the number of bytes
// written (digest_length). Any key length is accepted, including empty. Returns bad_length if
// `out` is shorter than the digest, unsupported_algorithm for an unknown Digest value,
// openssl_failure if OpenSSL fails. Nothing is allocated, so secrets can go straight into a
// SecureBytes.
Result<std::size_t, Error> hmac_into(Digest digest, ByteView key, std::span<const ByteView> parts,
                                     std::span<std::uint8_t> out) noexcept;
inline Result<std::size_t, Error> hmac_into(Digest digest, ByteView key,
                                            std::initializer_list<ByteView> parts,
                                            std::span<std::uint8_t> out) noexcept {
  return hmac_into(digest, key, std::span<const ByteView>(parts.begin(), parts.size()), out);
}

// The length a code point implies (listed by value), unsupported_algorithm for another value.
template <class E>
Result<std::size_t, Error> length_by_value(E e,
                                           std::initializer_list<std::size_t> lengths) noexcept {
  if (auto n = wire::by_value(e, lengths)) return *n;
  return Error{Errc::unsupported_algorithm};
}

// HMAC(key, data). Errors as hmac_into, plus out_of_memory.
Result<Bytes, Error> hmac(Digest digest, ByteView key, ByteView data) noexcept;

// KEMAC Mac alg / V payload Auth alg code points (RFC 3830 §6.2, §6.9; RFC 6043 §6.2 adds 2).
#define MIKEY_MAC_ALGS(X)               \
  X(null, 0, "NULL")                    \
  X(hmac_sha1_160, 1, "HMAC-SHA-1-160") \
  X(hmac_sha256_256, 2, "HMAC-SHA-256-256")

// to_string gives the RFC name, or "unknown" for a value outside the table.
MIKEY_DECLARE_CODE_POINTS(MacAlg, std::uint8_t, MIKEY_MAC_ALGS)

// MAC field length in bytes: NULL 0, HMAC-SHA-1-160 20, HMAC-SHA-256-256 32.
// Returns unsupported_algorithm for any other value.
Result<std::size_t, Error> mac_length(MacAlg alg) noexcept;

// auth_key length to derive: 20 bytes for HMAC-SHA-1-160 (RFC 3830 §4.2.4 SHOULD), 32 for
// HMAC-SHA-256-256 (RFC 6043 §6.2 SHALL), 0 for NULL. Returns unsupported_algorithm otherwise.
Result<std::size_t, Error> auth_key_length(MacAlg alg) noexcept;

// The MAC over part0 || part1 || ... (the caller assembles the coverage of RFC 3830 §5.2 /
// RFC 6043 §5.5 from spans: message without MAC, identities, the initial message...). NULL
// gives an empty MAC. The key length is not checked: auth_key_length says what to derive, and a
// harness must be able to MAC with other keys. Returns unsupported_algorithm for an unknown
// algorithm, openssl_failure, out_of_memory.
Result<Bytes, Error> compute_mac(MacAlg alg, ByteView key,
                                 std::span<const ByteView> parts) noexcept;
inline Result<Bytes, Error> compute_mac(MacAlg alg, ByteView key,
                                        std::initializer_list<ByteView> parts) noexcept {
  return compute_mac(alg, key, std::span<const ByteView>(parts.begin(), parts.size()));
}

// Success marker of verify_mac.
struct Verified {};

// Recomputes the MAC and compares it with `received` in constant time. A received MAC of the
// wrong length, or different bytes, gives integrity_failure (for NULL, any non-empty `received`).
// Other errors as compute_mac.
Result<Verified, Error> verify_mac(MacAlg alg, ByteView key, std::span<const ByteView> parts,
                                   ByteView received) noexcept;
inline Result<Verified, Error> verify_mac(MacAlg alg, ByteView key,
                                          std::initializer_list<ByteView> parts,
                                          ByteView received) noexcept {
  return verify_mac(alg, key, std::span<const ByteView>(parts.begin(), parts.size()), received);
}

}  // namespace mikey::crypto
