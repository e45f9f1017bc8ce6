# All project options in one place, prefixed MIKEY_.
option(MIKEY_BUILD_TESTS "Build the GoogleTest suites and register them with ctest" ON)
option(MIKEY_BUILD_FUZZERS "Build libFuzzer targets (clang only)" OFF)
option(MIKEY_BUILD_BENCHMARKS "Build Google Benchmark programs" ON)
option(MIKEY_WERROR "Treat warnings as errors" OFF)
set(MIKEY_SANITIZE "" CACHE STRING "Sanitizers to enable, e.g. address,undefined")
# The fuzzing engine, OSS-Fuzz style: MIKEY_FUZZ_ENGINE is what the fuzz executables link (OSS-Fuzz
# passes $LIB_FUZZING_ENGINE: -fsanitize=fuzzer, or an engine library for AFL++ or honggfuzz);
# MIKEY_FUZZ_INSTRUMENT is what every object is compiled with so the engine sees its coverage.
# OSS-Fuzz and ClusterFuzzLite put the instrumentation and the sanitizers in CFLAGS/CXXFLAGS
# themselves, so their build (.clusterfuzzlite/build.sh) sets MIKEY_FUZZ_INSTRUMENT and
# MIKEY_SANITIZE empty and the build adds no -fsanitize of its own.
set(MIKEY_FUZZ_ENGINE "-fsanitize=fuzzer" CACHE STRING "Link flags of the fuzz targets")
set(MIKEY_FUZZ_INSTRUMENT "-fsanitize=fuzzer-no-link" CACHE STRING
    "Compile flags instrumenting all code for the fuzzing engine (empty: CFLAGS bring them)")
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
  # Instrument everything for coverage; only fuzz executables link the engine's main.
  separate_arguments(mikey_fuzz_instrument UNIX_COMMAND "${MIKEY_FUZZ_INSTRUMENT}")
  add_compile_options(${mikey_fuzz_instrument})
  # The libFuzzer / OSS-Fuzz convention: boundaries that catch every exception (so a server
  # survives a bug in one request) trap instead in such a build (reference/wire/fuzzing.h).
  add_compile_definitions(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
endif()
