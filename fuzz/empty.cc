// fuzz_empty: a target that does nothing, compiled and linked with the very same flags as every
// other target. scripts/fuzz-rate measures each target's speed relative to it, which factors out
// the machine and libFuzzer's own per-input cost.
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
