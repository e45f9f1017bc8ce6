// Fuzzing builds define FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION for every library (the
// libFuzzer / OSS-Fuzz convention; cmake/MikeyOptions.cmake when MIKEY_BUILD_FUZZERS is ON).
// A boundary that must survive a bug in one request (a server session, a handler call) catches
// everything; in such a build it traps instead, so that the fuzzer reports the bug rather than
// an error answer hiding it.
#pragma once

namespace mikey::wire {

inline void trap_when_fuzzing() noexcept {
#if defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
  __builtin_trap();
#endif
}

}  // namespace mikey::wire
