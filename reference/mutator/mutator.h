// Structure-aware mutation of MIKEY messages (RFC 3830 §6, RFC 6043 §6): one call returns one
// mutant of its input, deterministic in `seed`. An input that does not parse as a MIKEY message
// still gets a byte-level mutation, so any input yields a mutant.
#pragma once

#include <cstddef>
#include <cstdint>

#include "wire/bytes.h"

namespace mikey::mutator {

struct Options {
  std::size_t max_size = 4096;  // a mutant is never longer
};

// One mutant of `input`.
Bytes mutate(ByteView input, std::uint64_t seed, const Options& options = {});
// A mutant combining `a` and `b` (payloads of one spliced into the chain of the other).
Bytes cross_over(ByteView a, ByteView b, std::uint64_t seed, const Options& options = {});

}  // namespace mikey::mutator
