#include "crypto/mac.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <new>

#include <array>
#include <memory>

#include "crypto/secure_bytes.h"

namespace mikey::crypto {

namespace {

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// A failed OpenSSL call leaves entries on the thread's error queue; a later SSL_get_error on
// the same thread (the HTTPS transport) would misread them, so drop them here.
Error openssl_error() noexcept {
  ERR_clear_error();
  return Error{Errc::openssl_failure};
}

// Fetched once and kept for the life of the process: a fetch is a provider lookup, and HMAC is
// called several times per key derivation.
EVP_MAC* hmac_algorithm() noexcept {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

// This thread's HMAC context for `digest` (sha1 or sha256), its digest set once. EVP_MAC_init
// with a digest parameter fetches the digest again on every call (a provider lookup under a
// lock) and a new context allocates four; a KMS request runs a few dozen HMACs (the PRF's
// P-hash chain), so each thread keeps one context per digest and only re-keys it. The context
// is touched by this thread alone; it holds the state keyed by this thread's last key until the
// next call re-keys it or the thread ends (EVP_MAC_CTX_free cleanses it then). nullptr when
// OpenSSL fails.
EVP_MAC_CTX* thread_hmac_ctx(Digest digest) noexcept {
  thread_local std::array<MacCtxPtr, 2> contexts;
  MacCtxPtr& slot = contexts.at(digest == Digest::sha1 ? 0 : 1);
  if (slot != nullptr) return slot.get();
  EVP_MAC* mac = hmac_algorithm();
  if (mac == nullptr) return nullptr;
  MacCtxPtr ctx(EVP_MAC_CTX_new(mac));
  if (ctx == nullptr) return nullptr;
  // OSSL_PARAM takes a mutable char* (OpenSSL only reads it), hence local arrays.
  std::array<char, 5> sha1_name{"SHA1"};
  std::array<char, 7> sha256_name{"SHA256"};
  char* name = digest == Digest::sha1 ? sha1_name.data() : sha256_name.data();
  std::array<OSSL_PARAM, 2> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name, 0), OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(ctx.get(), params.data()) != 1) return nullptr;
  slot = std::move(ctx);
  return slot.get();
}

}  // namespace

Result<std::size_t, Error> hmac_into(Digest digest, ByteView key, std::span<const ByteView> parts,
                                     std::span<std::uint8_t> out) noexcept {
  if (digest != Digest::sha1 && digest != Digest::sha256) {
    return Error{Errc::unsupported_algorithm};
  }
  const std::size_t length = digest_length(digest);
  if (out.size() < length) return Error{Errc::bad_length};

  EVP_MAC_CTX* ctx = thread_hmac_ctx(digest);
  if (ctx == nullptr) return openssl_error();
  // A null key pointer means "keep the previous key" to EVP_MAC_init, so an empty key still
  // needs a valid pointer. No parameters: the digest was set when the context was made.
  static const std::uint8_t kEmpty = 0;
  const std::uint8_t* key_data = key.empty() ? &kEmpty : key.data();
  if (EVP_MAC_init(ctx, key_data, key.size(), nullptr) != 1) return openssl_error();
  for (ByteView part : parts) {
    if (!part.empty() && EVP_MAC_update(ctx, part.data(), part.size()) != 1) {
      return openssl_error();
    }
  }
  std::size_t written = 0;
  if (EVP_MAC_final(ctx, out.data(), &written, out.size()) != 1 || written != length) {
    return openssl_error();
  }
  return written;
}

Result<Bytes, Error> hmac(Digest digest, ByteView key, ByteView data) noexcept {
  try {
    Bytes out(32);
    auto n = hmac_into(digest, key, {data}, out);
    if (!n.ok()) return n.error();
    out.resize(n.value());
    return out;
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

MIKEY_DEFINE_CODE_POINTS(MacAlg, std::uint8_t, MIKEY_MAC_ALGS, "unknown")

// NULL 0, HMAC-SHA-1-160 20, HMAC-SHA-256-256 32.
Result<std::size_t, Error> mac_length(MacAlg alg) noexcept {
  return length_by_value(alg, {0, 20, 32});
}

Result<std::size_t, Error> auth_key_length(MacAlg alg) noexcept {
  // RFC 3830 §4.2.4 / RFC 6043 §6.2: the auth_key is as long as the MAC for both HMACs.
  return mac_length(alg);
}

Result<Bytes, Error> compute_mac(MacAlg alg, ByteView key,
                                 std::span<const ByteView> parts) noexcept {
  if (alg == MacAlg::null) return Bytes{};
  // Listed by MacAlg value; NULL (0) returned above.
  const auto digest = wire::by_value(alg, {Digest::sha1, Digest::sha1, Digest::sha256});
  if (!digest) return Error{Errc::unsupported_algorithm};
  try {
    Bytes out(digest_length(*digest));
    auto n = hmac_into(*digest, key, parts, out);
    if (!n.ok()) return n.error();
    return out;
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

Result<Verified, Error> verify_mac(MacAlg alg, ByteView key, std::span<const ByteView> parts,
                                   ByteView received) noexcept {
  auto expected = compute_mac(alg, key, parts);
  if (!expected.ok()) return expected.error();
  if (!constant_time_equal(expected.value(), received)) return Error{Errc::integrity_failure};
  return Verified{};
}

}  // namespace mikey::crypto
