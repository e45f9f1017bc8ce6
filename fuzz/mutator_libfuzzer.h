// What the structure-aware custom mutators (fuzz/mutator_*.cc) share: libFuzzer's own mutator,
// the measurement switch and copying a mutant into libFuzzer's buffer.
//
// MIKEY_FUZZ_MUTATOR=plain in the environment makes every custom mutator hand each input to
// libFuzzer's own mutator (LLVMFuzzerMutate) and cross over bytes only, so one binary measures
// the structure-aware mutator against plain libFuzzer (docs/fuzzing.md).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "wire/bytes.h"

// libFuzzer's own mutator. Weak: the replay builds (plain main, no libFuzzer) link the same
// sources and never call the custom mutators.
extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size)
    __attribute__((weak));

namespace mikey::fuzz {

inline bool plain_mutator() {
  static const bool plain = [] {
    const char* v = std::getenv("MIKEY_FUZZ_MUTATOR");
    return v != nullptr && std::string_view(v) == "plain";
  }();
  return plain;
}

inline std::size_t libfuzzer_mutate(std::uint8_t* data, std::size_t size, std::size_t max_size) {
  if (LLVMFuzzerMutate == nullptr) return size;
  return LLVMFuzzerMutate(data, size, max_size);
}

// `mutant` into libFuzzer's buffer (at most max_size bytes); its size.
inline std::size_t emit(ByteView mutant, std::uint8_t* out, std::size_t max_size) {
  const std::size_t n = std::min(mutant.size(), max_size);
  if (n > 0) std::memcpy(out, mutant.data(), n);
  return n;
}

// A prefix of one input, then a suffix of the other (the byte-level cross-over).
inline std::size_t splice_bytes(ByteView a, ByteView b, std::uint8_t* out, std::size_t max_size,
                                unsigned seed) {
  const std::size_t cut_a = a.empty() ? 0 : seed % (a.size() + 1);
  const std::size_t cut_b = b.empty() ? 0 : (seed / 7919) % (b.size() + 1);
  Bytes joined(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(cut_a));
  joined.insert(joined.end(), b.begin() + static_cast<std::ptrdiff_t>(cut_b), b.end());
  return emit(joined, out, max_size);
}

}  // namespace mikey::fuzz
