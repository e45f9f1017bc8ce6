# All project options in one place, prefixed MIKEY_.
option(MIKEY_BUILD_TESTS "Build the GoogleTest suites and register them with ctest" ON)
option(MIKEY_BUILD_FUZZERS "Build libFuzzer targets (clang only)" OFF)
option(MIKEY_BUILD_BENCHMARKS "Build Google Benchmark programs" ON)
option(MIKEY_WERROR "Treat warnings as errors" OFF)
set(MIKEY_SANITIZE "" CACHE STRING "Sanitizers to enable, e.g. address,undefined")
# Fuzzer mode (BoringSSL's): the compile definition MIKEY_FUZZER_MODE makes the roles ignore
# MAC mismatches so fuzzers reach the logic behind them. Only the mikey_roles_fuzzmode twin
# library (reference/roles/CMakeLists.txt) is built with it; mikeyconf never links it.

add_compile_options(-Wall -Wextra -Wpedantic)
if(MIKEY_WERROR)
  add_compile_options(-Werror)
endif()
if(MIKEY_SANITIZE)
  add_compile_options(-fsanitize=${MIKEY_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${MIKEY_SANITIZE} -fno-sanitize-recover=all)
endif()
if(MIKEY_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "MIKEY_BUILD_FUZZERS needs clang (libFuzzer)")
  endif()
  # Instrument everything for coverage; only fuzz executables link the libFuzzer main.
  add_compile_options(-fsanitize=fuzzer-no-link)
  # The libFuzzer / OSS-Fuzz convention: boundaries that catch every exception (so a server
  # survives a bug in one request) trap instead in such a build (reference/wire/fuzzing.h).
  add_compile_definitions(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
endif()
