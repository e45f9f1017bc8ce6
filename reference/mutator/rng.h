// The mutators' deterministic generator (a mutant must be reproducible from its seed).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mikey::mutator {

// splitmix64 (Steele, Lea, Flood 2014): small, fast, and good enough to pick operators.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); 0 when n == 0.
  std::size_t below(std::size_t n) noexcept { return n == 0 ? 0 : next() % n; }
  // True with probability 1/n.
  bool one_in(std::size_t n) noexcept { return below(n) == 0; }
  template <class T, std::size_t N>
  T pick(const T (&items)[N]) noexcept {
    return items[below(N)];
  }

 private:
  std::uint64_t state_;
};

}  // namespace mikey::mutator
