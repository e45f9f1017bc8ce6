#include "crypto/prf.h"

#include <algorithm>
#include <array>
#include <new>

#include "crypto/mac.h"

namespace mikey::crypto {

MIKEY_DEFINE_CODE_POINTS(PrfFunc, std::uint8_t, MIKEY_PRF_FUNCS, "unknown")

namespace {

// RFC 3830 §4.1.2: the inkey is cut into 256-bit pieces (half the SHA-1 input block), for both
// PRFs.
constexpr std::size_t kChunkBytes = 32;

// XORs P(s, label, m) into `t` (t.size() = m * B); returns Errc::ok or the HMAC error. The A_i
// chain values are secret-derived and live in cleansed buffers. Allocates, so it may throw
// std::bad_alloc (caught by prf()).
Error xor_p_hash(Digest digest, ByteView s, ByteView label, std::span<std::uint8_t> t) {
  const std::size_t block = digest_length(digest);
  // a = A_(i-1) (A_0 = label, then the previous HMAC), out = H(s, A_i || label).
  SecureBytes a_buf(block);
  SecureBytes out_buf(block);
  ByteView a = label;
  for (std::size_t offset = 0; offset < t.size(); offset += block) {
    // A_i = H(s, A_(i-1)). Input and output may be the same buffer: the whole input is
    // absorbed by EVP_MAC_update before EVP_MAC_final writes.
    auto n = hmac_into(digest, s, {a}, a_buf.span());
    if (!n.ok()) return n.error();
    a = a_buf.view();
    n = hmac_into(digest, s, {a, label}, out_buf.span());  // H(s, A_i || label)
    if (!n.ok()) return n.error();
    for (std::size_t k = 0; k < block; ++k) t[offset + k] ^= out_buf.view()[k];
  }
  return Error{};
}

}  // namespace

Result<SecureBytes, Error> prf(PrfFunc func, ByteView inkey, ByteView label,
                               std::size_t outkey_bytes) noexcept {
  // MIKEY-1 HMAC-SHA-1, PRF-HMAC-SHA-256 HMAC-SHA-256 (RFC 6043 §6.1).
  const auto digest = wire::by_value(func, {Digest::sha1, Digest::sha256});
  if (!digest) return Error{Errc::unsupported_algorithm};
  if (inkey.empty() || inkey.size() > kMaxPrfInkeyBytes) return Error{Errc::bad_key_length};
  if (outkey_bytes > kMaxPrfOutkeyBytes) return Error{Errc::bad_length};
  try {
    const std::size_t block = digest_length(*digest);
    const std::size_t m = (outkey_bytes + block - 1) / block;
    SecureBytes t(m * block);  // zero: the XOR accumulator
    for (std::size_t offset = 0; offset < inkey.size(); offset += kChunkBytes) {
      ByteView s = inkey.subspan(offset, std::min(kChunkBytes, inkey.size() - offset));
      if (Error e = xor_p_hash(*digest, s, label, t.span()); e.code != Errc::ok) return e;
    }
    // "the outkey_len most significant bits of T"
    return SecureBytes(t.view().first(outkey_bytes));
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

}  // namespace mikey::crypto
