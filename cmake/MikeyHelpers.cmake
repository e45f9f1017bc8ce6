# Include roots (docs/layers.md). Every library exports a directory of its own in the build tree
# holding one symbolic link, named like the include prefix, to its sources:
#   build/include/mikey_wire/wire -> reference/wire       ("wire/reader.h")
#   build/include/mikey_harness/harness -> harness        ("harness/engine.h")
# so a library sees its own headers and those of the libraries it links, and nothing else: an
# include of a higher layer ("tools/..." from reports/, "harness/..." from reference/) does not
# compile.

# mikey_export_include_root(TARGET PREFIX SOURCE_DIR)
#   Makes SOURCE_DIR reachable from TARGET and its dependants as "PREFIX/...".
function(mikey_export_include_root target prefix source_dir)
  set(root ${PROJECT_BINARY_DIR}/include/${target})
  file(MAKE_DIRECTORY ${root})
  if(NOT EXISTS ${root}/${prefix})
    file(CREATE_LINK ${source_dir} ${root}/${prefix} SYMBOLIC)
  endif()
  target_include_directories(${target} PUBLIC ${root})
endfunction()

# mikey_add_library(NAME SOURCES... [DEPS ...])
#   A static library of reference/<dir>/; its headers are included as "<dir>/reader.h".
function(mikey_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  get_filename_component(prefix ${CMAKE_CURRENT_SOURCE_DIR} NAME)
  mikey_export_include_root(${name} ${prefix} ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# The definitions every test translation unit sees (and the precompiled header was built with).
function(mikey_test_definitions target)
  target_compile_definitions(${target} PRIVATE MIKEY_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                               MIKEY_BINARY_DIR="${PROJECT_BINARY_DIR}")
endfunction()

# mikey_test_pch()
#   One precompiled header of GoogleTest and the standard headers most tests include, built once
#   and reused by every test executable: parsing gtest.h is about a quarter of a test file's
#   compile time, and the sanitizer build that CI starts from a fresh clone compiles ~170 of them.
function(mikey_test_pch)
  if(TARGET mikey_test_pch)
    return()
  endif()
  add_library(mikey_test_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/test_pch.cc)
  target_link_libraries(mikey_test_pch PRIVATE GTest::gtest)
  mikey_test_definitions(mikey_test_pch)
  target_precompile_headers(mikey_test_pch PRIVATE <gtest/gtest.h> <algorithm> <cstdint>
                            <functional> <map> <memory> <optional> <string> <string_view>
                            <utility> <vector>)
endfunction()

# mikey_add_test(NAME SOURCES... [DEPS ...] [LABELS ...])
#   A GoogleTest executable; each TEST becomes its own ctest test (gtest_discover_tests).
#   Tests run with the source tree as working directory so data files resolve the same way
#   from every build directory.
function(mikey_add_test name)
  if(NOT MIKEY_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  mikey_test_pch()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  mikey_test_definitions(${name})
  target_precompile_headers(${name} REUSE_FROM mikey_test_pch)
  include(GoogleTest)
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()

# mikey_add_fuzzer(NAME SOURCES... [DEPS ...] [DEFINES ...] [NO_REPLAY])
#   The sources define LLVMFuzzerTestOneInput. With MIKEY_BUILD_FUZZERS it links the fuzzing
#   engine, MIKEY_FUZZ_ENGINE (fuzz_NAME; libFuzzer unless OSS-Fuzz names another). With
#   MIKEY_BUILD_TESTS (and without NO_REPLAY, for a target with no corpus) every file of
#   fuzz/corpus/NAME/ is replayed as a ctest test labelled fuzz-replay, so every seed and past
#   crash is checked in every build, sanitizers included: by fuzz_NAME itself with -runs=0
#   (libFuzzer runs the corpus once and stops; new units would go to a scratch folder, never the
#   checked-in corpus) when it is built, else by NAME_replay, a plain main over the same files.
function(mikey_add_fuzzer name)
  cmake_parse_arguments(ARG "NO_REPLAY" "" "SOURCES;DEPS;DEFINES" ${ARGN})
  if(MIKEY_BUILD_FUZZERS)
    add_executable(fuzz_${name} ${ARG_SOURCES})
    target_link_libraries(fuzz_${name} PRIVATE ${ARG_DEPS})
    target_compile_definitions(fuzz_${name} PRIVATE ${ARG_DEFINES})
    # Last on the link line, where OSS-Fuzz puts $LIB_FUZZING_ENGINE (it may be a library).
    separate_arguments(engine UNIX_COMMAND "${MIKEY_FUZZ_ENGINE}")
    target_link_libraries(fuzz_${name} PRIVATE ${engine})
  endif()
  if(MIKEY_BUILD_TESTS AND NOT ARG_NO_REPLAY)
    if(MIKEY_BUILD_FUZZERS)
      set(scratch ${CMAKE_CURRENT_BINARY_DIR}/replay_scratch/${name})
      file(MAKE_DIRECTORY ${scratch})
      add_test(NAME fuzz_replay.${name}
               COMMAND fuzz_${name} -runs=0 -rss_limit_mb=2048 ${scratch}
                       ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name})
    else()
      add_executable(${name}_replay ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cc)
      target_link_libraries(${name}_replay PRIVATE ${ARG_DEPS})
      target_compile_definitions(${name}_replay PRIVATE ${ARG_DEFINES})
      add_test(NAME fuzz_replay.${name}
               COMMAND ${name}_replay ${PROJECT_SOURCE_DIR}/fuzz/corpus/${name})
    endif()
    set_tests_properties(fuzz_replay.${name} PROPERTIES LABELS fuzz-replay)
  endif()
endfunction()
