#include "crypto/rng.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

namespace mikey::crypto {

Bytes Rng::bytes(std::size_t n) noexcept {
  Bytes out(n);
  fill(out);
  return out;
}

SecureBytes Rng::secret(std::size_t n) noexcept {
  SecureBytes out(n);
  fill(out.span());
  return out;
}

std::uint32_t Rng::u32() noexcept {
  std::uint8_t b[4];
  fill(b);
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

void OpenSslRng::fill(std::span<std::uint8_t> out) noexcept {
  while (!out.empty()) {
    const std::size_t n = std::min<std::size_t>(out.size(), INT_MAX);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
      // Without entropy no RAND, key or CSB ID this harness makes would be secure, and there
      // is no error to return from fill(): stop rather than continue with weak values.
      std::abort();
    }
    out = out.subspan(n);
  }
}

std::uint64_t DeterministicRng::next() noexcept {
  // splitmix64 step and output mix, constants from the reference implementation.
  state_ += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void DeterministicRng::fill(std::span<std::uint8_t> out) noexcept {
  for (std::uint8_t& byte : out) {
    if (pending_bytes_ == 0) {
      pending_ = next();
      pending_bytes_ = 8;
    }
    byte = static_cast<std::uint8_t>(pending_);
    pending_ >>= 8;
    --pending_bytes_;
  }
}

}  // namespace mikey::crypto
