// Random number sources: OpenSSL's CSPRNG for real runs, a seeded generator for tests and fuzzing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/secure_bytes.h"
#include "wire/bytes.h"

namespace mikey::crypto {

// Source of random bytes for RANDs, CSB IDs, keys. fill() cannot fail: a source that cannot
// deliver aborts the process (see OpenSslRng). bytes() and secret() allocate; running out of
// memory there terminates the process (they are noexcept).
class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(std::span<std::uint8_t> out) noexcept = 0;

  // n random bytes.
  Bytes bytes(std::size_t n) noexcept;
  // n random bytes for key material.
  SecureBytes secret(std::size_t n) noexcept;
  // A random 32-bit value (four bytes of the stream, big-endian).
  std::uint32_t u32() noexcept;
};

// RAND_bytes from OpenSSL's default DRBG. Aborts if it fails (e.g. no entropy source): every
// value it would return protects keys or replay state, and no fallback is secure.
class OpenSslRng final : public Rng {
 public:
  void fill(std::span<std::uint8_t> out) noexcept override;
};

// splitmix64 (Steele, Lea, Flood 2014; Vigna's public-domain splitmix64.c) keyed by a seed: the
// same seed gives the same byte stream, whatever the sizes of the fill() calls. NOT for
// production: predictable by design. Tests and fuzz targets use it so runs replay exactly.
// Each 64-bit output contributes its 8 bytes least significant first.
class DeterministicRng final : public Rng {
 public:
  explicit DeterministicRng(std::uint64_t seed) noexcept : state_(seed) {}
  void fill(std::span<std::uint8_t> out) noexcept override;

 private:
  std::uint64_t next() noexcept;

  std::uint64_t state_;
  std::uint64_t pending_ = 0;      // the current output word
  std::size_t pending_bytes_ = 0;  // bytes of pending_ not handed out yet
};

}  // namespace mikey::crypto
