#include "mutator/mutator.h"

#include <algorithm>

namespace mikey::mutator {

namespace {

// splitmix64: a small deterministic generator (the mutants must be reproducible from the seed).
std::uint64_t next(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

Bytes mutate(ByteView input, std::uint64_t seed, const Options& options) {
  Bytes out(input.begin(), input.begin() + std::min(input.size(), options.max_size));
  if (out.empty()) return Bytes{0};
  std::uint64_t state = seed;
  out[next(state) % out.size()] ^= static_cast<std::uint8_t>(1u << (next(state) % 8));
  return out;
}

Bytes cross_over(ByteView a, ByteView b, std::uint64_t seed, const Options& options) {
  std::uint64_t state = seed;
  const std::size_t cut_a = a.empty() ? 0 : next(state) % a.size();
  const std::size_t cut_b = b.empty() ? 0 : next(state) % b.size();
  Bytes out(a.begin(), a.begin() + cut_a);
  out.insert(out.end(), b.begin() + cut_b, b.end());
  if (out.size() > options.max_size) out.resize(options.max_size);
  return out;
}

}  // namespace mikey::mutator
