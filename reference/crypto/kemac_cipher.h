// KEMAC encryption (RFC 3830 §4.2.3, §6.2; RFC 6043 §6.2): AES-CM-128/256, AES-KW-128, NULL.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/errc.h"
#include "crypto/secure_bytes.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::crypto {

// KEMAC Encr alg code points (RFC 3830 §6.2; RFC 6043 §6.2 adds AES-CM-256).
#define MIKEY_ENCR_ALGS(X)       \
  X(null, 0, "NULL")             \
  X(aes_cm_128, 1, "AES-CM-128") \
  X(aes_kw_128, 2, "AES-KW-128") \
  X(aes_cm_256, 3, "AES-CM-256")

// to_string gives the RFC name, or "unknown" for a value outside the table.
MIKEY_DECLARE_CODE_POINTS(EncrAlg, std::uint8_t, MIKEY_ENCR_ALGS)

// encr_key length to derive: AES-CM-128 16, AES-KW-128 16, AES-CM-256 32, NULL 0 bytes
// (RFC 3830 §4.2.3, RFC 6043 §6.2). Returns unsupported_algorithm for any other value.
Result<std::size_t, Error> encr_key_length(EncrAlg alg) noexcept;
// salt_key length to derive: AES-CM-128/256 14 (the 112-bit S of the IV; 256 per RFC 6043 §6.2
// changes only the key), AES-KW-128 8 (the key-wrap IV), NULL 0. Returns unsupported_algorithm
// for any other value.
Result<std::size_t, Error> salt_key_length(EncrAlg alg) noexcept;

inline constexpr std::size_t kAesCmSaltBytes = 14;
inline constexpr std::size_t kAesKwIvBytes = 8;
// RFC 3830 §4.2.3: at most 2^23 bits under one IV (the 16-bit block counter).
inline constexpr std::size_t kAesCmMaxBytes = std::size_t{1} << 20;
// RFC 3394 §2.2.3.1 default IV; MIKEY uses the salt instead (RFC 3830 §4.2.3).
inline constexpr std::array<std::uint8_t, kAesKwIvBytes> kAesKwDefaultIv = {0xA6, 0xA6, 0xA6, 0xA6,
                                                                            0xA6, 0xA6, 0xA6, 0xA6};

using AesCmIv = std::array<std::uint8_t, 16>;

// RFC 3830 §4.2.3: IV = (S XOR (0x0000 || CSB ID || T)) || 0x0000, S the 112-bit salt_key, T the
// 64-bit timestamp. Which T (and how a 32-bit one is widened) is the codec's and role's choice
// (RFC 3830 §6.6, RFC 6043 §6.3; readings (a)/(b): the T of the message
// carrying the KEMAC or of the exchange's initial message, neither confirmed). Returns bad_length
// if salt is not 14 bytes.
Result<AesCmIv, Error> aes_cm_iv(ByteView salt, std::uint32_t csb_id, std::uint64_t t64) noexcept;

// AES in counter mode as in SRTP (RFC 3711 §4.1.1): keystream block j = AES(key, IV + j),
// XORed with data; encryption and decryption are the same operation. alg is aes_cm_128
// (16-byte key) or aes_cm_256 (32-byte key). The output is not cleansed; decrypt_kemac is the
// call for secrets. Returns unsupported_algorithm for another alg, bad_key_length, bad_length
// for more than kAesCmMaxBytes, openssl_failure, out_of_memory.
Result<Bytes, Error> aes_cm_crypt(EncrAlg alg, ByteView key, const AesCmIv& iv,
                                  ByteView data) noexcept;

// RFC 3394 §2.2.1 key wrap with a caller IV (8 bytes; MIKEY passes the 64-bit salt_key). The
// KEK may be 16, 24 or 32 bytes (RFC 3394 defines all three; AES-KW-128 uses 16). key_data must
// be a multiple of 8 bytes and at least 16: MIKEY defines no padding, so other lengths are
// refused, never padded (RFC 3394 §2, RFC 3830 §4.2.3; still open). Returns bad_key_length,
// bad_length (IV not 8 bytes), not_multiple_of_8, openssl_failure, out_of_memory.
Result<Bytes, Error> aes_kw_wrap(ByteView kek, ByteView iv, ByteView key_data) noexcept;

// RFC 3394 §2.2.2 unwrap and §2.2.3 integrity check against `iv`. wrapped must be a multiple of
// 8 bytes and at least 24. Returns integrity_failure if the recovered IV differs (wrong key,
// wrong IV or altered ciphertext), otherwise the errors of aes_kw_wrap.
Result<SecureBytes, Error> aes_kw_unwrap(ByteView kek, ByteView iv, ByteView wrapped) noexcept;

// Encrypts the KEMAC Encr data (the Key data sub-payload chain) with encr_key and salt_key:
// NULL copies (key and salt ignored), AES-CM uses aes_cm_iv(salt, csb_id, t64), AES-KW-128
// wraps with salt as IV (csb_id and t64 unused). Returns unsupported_algorithm for an unknown
// alg, bad_key_length if the key does not fit alg, bad_length for a wrong salt length, and the
// errors of the cipher.
Result<Bytes, Error> encrypt_kemac(EncrAlg alg, ByteView encr_key, ByteView salt,
                                   std::uint32_t csb_id, std::uint64_t t64,
                                   ByteView plaintext) noexcept;

// The inverse of encrypt_kemac; the plaintext (keys) comes back in a SecureBytes. AES-KW-128
// returns integrity_failure when the unwrap check fails; AES-CM cannot detect a wrong key (the
// MAC or V payload does).
Result<SecureBytes, Error> decrypt_kemac(EncrAlg alg, ByteView encr_key, ByteView salt,
                                         std::uint32_t csb_id, std::uint64_t t64,
                                         ByteView ciphertext) noexcept;

}  // namespace mikey::crypto
