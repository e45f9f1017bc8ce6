#include "crypto/kemac_cipher.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <new>

#include <algorithm>
#include <array>
#include <climits>
#include <functional>
#include <memory>

#include "crypto/mac.h"

namespace mikey::crypto {

MIKEY_DEFINE_CODE_POINTS(EncrAlg, std::uint8_t, MIKEY_ENCR_ALGS, "unknown")

// Listed by EncrAlg value: NULL, AES-CM-128, AES-KW-128, AES-CM-256.
Result<std::size_t, Error> encr_key_length(EncrAlg alg) noexcept {
  return length_by_value(alg, {0, 16, 16, 32});
}
Result<std::size_t, Error> salt_key_length(EncrAlg alg) noexcept {
  return length_by_value(alg, {0, kAesCmSaltBytes, kAesKwIvBytes, kAesCmSaltBytes});
}

namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// A failed OpenSSL call leaves entries on the thread's error queue; a later SSL_get_error on
// the same thread (the HTTPS transport) would misread them, so drop them here.
Error openssl_error(Errc code = Errc::openssl_failure) noexcept {
  ERR_clear_error();
  return Error{code};
}

// The ciphers MIKEY uses: AES-CM as AES-CTR (RFC 3830 §4.2.3) and AES key wrap (RFC 3394).
enum class Cipher : std::uint8_t { ctr128, ctr256, wrap128, wrap192, wrap256, count };

Cipher aes_ctr(std::size_t key_bytes) noexcept {
  return key_bytes == 16 ? Cipher::ctr128 : Cipher::ctr256;
}

Cipher aes_wrap(std::size_t key_bytes) noexcept {
  return key_bytes == 16 ? Cipher::wrap128 : key_bytes == 24 ? Cipher::wrap192 : Cipher::wrap256;
}

// Fetched once for the life of the process (a fetch is a provider lookup).
const EVP_CIPHER* fetched(Cipher c) noexcept {
  static const std::array<EVP_CIPHER*, static_cast<std::size_t>(Cipher::count)> ciphers = {
      EVP_CIPHER_fetch(nullptr, "AES-128-CTR", nullptr),
      EVP_CIPHER_fetch(nullptr, "AES-256-CTR", nullptr),
      EVP_CIPHER_fetch(nullptr, "AES-128-WRAP", nullptr),
      EVP_CIPHER_fetch(nullptr, "AES-192-WRAP", nullptr),
      EVP_CIPHER_fetch(nullptr, "AES-256-WRAP", nullptr)};
  return ciphers.at(static_cast<std::size_t>(c));
}

// This thread's slot for a context of cipher `c`.
CipherCtxPtr& thread_slot(Cipher c) noexcept {
  thread_local std::array<CipherCtxPtr, static_cast<std::size_t>(Cipher::count)> contexts;
  return contexts.at(static_cast<std::size_t>(c));
}

// This thread's context for cipher `c`, its cipher set once. A new context per call allocated the
// context and the provider's cipher state every time; a KMS request seals a ticket's KEMAC and
// the response's (RFC 6043 §4.2.1.5), so each thread keeps one context per cipher and only
// re-keys it (EVP_CipherInit_ex2 with no cipher keeps the one set). The context is touched by
// this thread alone; it holds the key schedule of this thread's last key until the next call
// re-keys it, a failure drops it, or the thread ends (EVP_CIPHER_CTX_free cleanses it then).
// nullptr when OpenSSL fails.
EVP_CIPHER_CTX* thread_cipher_ctx(Cipher c) noexcept {
  CipherCtxPtr& slot = thread_slot(c);
  if (slot != nullptr) return slot.get();
  const EVP_CIPHER* cipher = fetched(c);
  if (cipher == nullptr) return nullptr;
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return nullptr;
  // Needed by the legacy EVP wrap path; harmless for CTR and for provider ciphers.
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_CipherInit_ex2(ctx.get(), cipher, nullptr, nullptr, 1, nullptr) != 1) return nullptr;
  slot = std::move(ctx);
  return slot.get();
}

// Frees this thread's context for `c` after a failure, so that no half-used state is re-keyed.
void drop_thread_cipher_ctx(Cipher c) noexcept { thread_slot(c).reset(); }

// One EVP cipher pass over `in` into `out` (out.size() >= what the cipher can write). Returns
// the number of bytes written; a failed update/final is reported as `update_error` (the unwrap
// integrity check fails there).
Result<std::size_t, Error> run_cipher(Cipher c, ByteView key, ByteView iv, ByteView in,
                                      std::span<std::uint8_t> out, bool encrypt,
                                      Errc update_error) noexcept {
  if (in.size() > INT_MAX) return Error{Errc::bad_length};
  EVP_CIPHER_CTX* ctx = thread_cipher_ctx(c);
  if (ctx == nullptr) return openssl_error();
  auto fail = [c](Errc code) noexcept {
    drop_thread_cipher_ctx(c);
    return openssl_error(code);
  };
  if (EVP_CipherInit_ex2(ctx, nullptr, key.data(), iv.data(), encrypt ? 1 : 0, nullptr) != 1) {
    return fail(Errc::openssl_failure);
  }
  int written = 0;
  if (EVP_CipherUpdate(ctx, out.data(), &written, in.data(), static_cast<int>(in.size())) != 1) {
    return fail(update_error);
  }
  int final_written = 0;
  if (EVP_CipherFinal_ex(ctx, out.subspan(static_cast<std::size_t>(written)).data(),
                         &final_written) != 1) {
    return fail(update_error);
  }
  return static_cast<std::size_t>(written) + static_cast<std::size_t>(final_written);
}

bool is_aes_kw_kek_length(std::size_t n) noexcept { return n == 16 || n == 24 || n == 32; }

}  // namespace

Result<AesCmIv, Error> aes_cm_iv(ByteView salt, std::uint32_t csb_id, std::uint64_t t64) noexcept {
  if (salt.size() != kAesCmSaltBytes) return Error{Errc::bad_length};
  // 0x0000 || CSB ID || T, 14 bytes, big-endian.
  std::array<std::uint8_t, kAesCmSaltBytes> x{};
  int shift = 24;
  for (std::uint8_t& b : std::span(x).subspan(2, 4)) {
    b = static_cast<std::uint8_t>(csb_id >> shift);
    shift -= 8;
  }
  shift = 56;
  for (std::uint8_t& b : std::span(x).subspan(6, 8)) {
    b = static_cast<std::uint8_t>(t64 >> shift);
    shift -= 8;
  }
  AesCmIv iv{};  // the last two bytes stay 0x0000: the block counter
  std::transform(salt.begin(), salt.end(), x.begin(), iv.begin(), std::bit_xor<>());
  return iv;
}

namespace {

// AES-CM of `data` into `out` (same size). Shared by aes_cm_crypt (Bytes) and decrypt_kemac
// (SecureBytes, so the plaintext keys never sit in an uncleansed buffer).
Error aes_cm_into(EncrAlg alg, ByteView key, const AesCmIv& iv, ByteView data,
                  std::span<std::uint8_t> out) noexcept {
  std::size_t key_bytes = 0;
  switch (alg) {
    case EncrAlg::aes_cm_128:
      key_bytes = 16;
      break;
    case EncrAlg::aes_cm_256:
      key_bytes = 32;  // RFC 6043 §6.2: "a 256-bit key SHALL be used"
      break;
    default:
      return Error{Errc::unsupported_algorithm};
  }
  if (key.size() != key_bytes) return Error{Errc::bad_key_length};
  // RFC 3830 §4.2.3: at most 2^23 bits per IV; beyond it the 16-bit counter would wrap.
  if (data.size() > kAesCmMaxBytes) return Error{Errc::bad_length};
  if (out.size() != data.size()) return Error{Errc::bad_length};
  if (data.empty()) return Error{};
  // EVP's CTR adds j to the whole 128-bit block, which is RFC 3711's IV + j; with the
  // trailing 0x0000 and at most 2^16 blocks only the last 16 bits ever change.
  auto n = run_cipher(aes_ctr(key_bytes), key, iv, data, out, true, Errc::openssl_failure);
  if (!n.ok()) return n.error();
  if (n.value() != data.size()) return Error{Errc::openssl_failure};
  return Error{};
}

// The checks both directions of RFC 3394 §2 make: the KEK length, the 8-byte IV, and an input of
// whole 64-bit blocks, at least `min` and at most `max` bytes.
Error check_aes_kw(ByteView kek, ByteView iv, std::size_t input, std::size_t min,
                   std::size_t max) noexcept {
  if (!is_aes_kw_kek_length(kek.size())) return Error{Errc::bad_key_length};
  if (iv.size() != kAesKwIvBytes) return Error{Errc::bad_length};
  if (input % 8 != 0 || input < min) return Error{Errc::not_multiple_of_8};
  if (input > max) return Error{Errc::bad_length};
  return Error{};
}

}  // namespace

Result<Bytes, Error> aes_cm_crypt(EncrAlg alg, ByteView key, const AesCmIv& iv,
                                  ByteView data) noexcept {
  try {
    Bytes out(data.size() <= kAesCmMaxBytes ? data.size() : 0);
    if (Error e = aes_cm_into(alg, key, iv, data, out); e.code != Errc::ok) return e;
    return out;
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

Result<Bytes, Error> aes_kw_wrap(ByteView kek, ByteView iv, ByteView key_data) noexcept {
  // RFC 3394 §2: n >= 2 64-bit blocks; no padding (RFC 5649 padding is not what MIKEY names).
  if (Error e = check_aes_kw(kek, iv, key_data.size(), 16, kAesCmMaxBytes); e.code != Errc::ok) {
    return e;
  }
  try {
    Bytes out(key_data.size() + 8);
    auto n = run_cipher(aes_wrap(kek.size()), kek, iv, key_data, out, true, Errc::openssl_failure);
    if (!n.ok()) return n.error();
    if (n.value() != out.size()) return Error{Errc::openssl_failure};
    return out;
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

Result<SecureBytes, Error> aes_kw_unwrap(ByteView kek, ByteView iv, ByteView wrapped) noexcept {
  if (Error e = check_aes_kw(kek, iv, wrapped.size(), 24, kAesCmMaxBytes + 8); e.code != Errc::ok) {
    return e;
  }
  try {
    // OpenSSL sizes its output check as input + 8 whatever the direction; give it that room.
    SecureBytes buffer(wrapped.size() + 8);
    // Every length was checked above, so a failing update is the §2.2.3 IV check.
    auto n = run_cipher(aes_wrap(kek.size()), kek, iv, wrapped, buffer.span(), false,
                        Errc::integrity_failure);
    if (!n.ok()) return n.error();
    if (n.value() != wrapped.size() - 8) return Error{Errc::openssl_failure};
    return SecureBytes(buffer.view().first(n.value()));
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

namespace {

// Shared checks of encrypt_kemac / decrypt_kemac: the key and salt lengths alg needs.
Error check_kemac_keys(EncrAlg alg, ByteView encr_key, ByteView salt) noexcept {
  auto key_len = encr_key_length(alg);
  if (!key_len.ok()) return key_len.error();
  if (alg == EncrAlg::null) return Error{};  // RFC 3830 §4.2.3 NULL: no key, no salt
  if (encr_key.size() != key_len.value()) return Error{Errc::bad_key_length};
  if (salt.size() != salt_key_length(alg).value()) return Error{Errc::bad_length};
  return Error{};
}

}  // namespace

Result<Bytes, Error> encrypt_kemac(EncrAlg alg, ByteView encr_key, ByteView salt,
                                   std::uint32_t csb_id, std::uint64_t t64,
                                   ByteView plaintext) noexcept {
  if (Error e = check_kemac_keys(alg, encr_key, salt); e.code != Errc::ok) return e;
  switch (alg) {
    case EncrAlg::null:
      try {
        return Bytes(plaintext.begin(), plaintext.end());
      } catch (const std::bad_alloc&) {  // allocation failure only
        return Error{Errc::out_of_memory};
      }
    case EncrAlg::aes_cm_128:
    case EncrAlg::aes_cm_256: {
      auto iv = aes_cm_iv(salt, csb_id, t64);
      if (!iv.ok()) return iv.error();
      return aes_cm_crypt(alg, encr_key, iv.value(), plaintext);
    }
    case EncrAlg::aes_kw_128:
      // RFC 3830 §4.2.3: the 64-bit salt is the key-wrap IV.
      return aes_kw_wrap(encr_key, salt, plaintext);
  }
  return Error{Errc::unsupported_algorithm};
}

Result<SecureBytes, Error> decrypt_kemac(EncrAlg alg, ByteView encr_key, ByteView salt,
                                         std::uint32_t csb_id, std::uint64_t t64,
                                         ByteView ciphertext) noexcept {
  if (Error e = check_kemac_keys(alg, encr_key, salt); e.code != Errc::ok) return e;
  try {
    switch (alg) {
      case EncrAlg::null:
        return SecureBytes(ciphertext);
      case EncrAlg::aes_cm_128:
      case EncrAlg::aes_cm_256: {
        auto iv = aes_cm_iv(salt, csb_id, t64);
        if (!iv.ok()) return iv.error();
        SecureBytes out(ciphertext.size() <= kAesCmMaxBytes ? ciphertext.size() : 0);
        Error e = aes_cm_into(alg, encr_key, iv.value(), ciphertext, out.span());
        if (e.code != Errc::ok) return e;
        return out;
      }
      case EncrAlg::aes_kw_128:
        return aes_kw_unwrap(encr_key, salt, ciphertext);
    }
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
  return Error{Errc::unsupported_algorithm};
}

}  // namespace mikey::crypto
