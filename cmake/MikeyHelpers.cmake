# Include root of every library: headers are included as "wire/reader.h", "codec/message.h".
set(MIKEY_REFERENCE_DIR ${CMAKE_CURRENT_LIST_DIR}/../reference)

# mikey_add_library(NAME SOURCES... [DEPS ...])
#   A static library whose public include root is reference/ (includes read "wire/reader.h").
function(mikey_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${MIKEY_REFERENCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
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
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE MIKEY_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                             MIKEY_BINARY_DIR="${PROJECT_BINARY_DIR}")
  include(GoogleTest)
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()

# mikey_add_fuzzer(NAME SOURCES... [DEPS ...])
#   The sources define LLVMFuzzerTestOneInput. With MIKEY_BUILD_FUZZERS it links libFuzzer
#   (fuzz_NAME). With MIKEY_BUILD_TESTS every file of fuzz/corpus/NAME/ is replayed as a ctest
#   test labelled fuzz-replay, so every seed and past crash is checked in every build, sanitizers
#   included: by fuzz_NAME itself with -runs=0 (libFuzzer runs the corpus once and stops; new
#   units would go to a scratch folder, never the checked-in corpus) when it is built, else by
#   NAME_replay, a plain main over the same files.
function(mikey_add_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;DEFINES" ${ARGN})
  if(MIKEY_BUILD_FUZZERS)
    add_executable(fuzz_${name} ${ARG_SOURCES})
    target_link_libraries(fuzz_${name} PRIVATE ${ARG_DEPS})
    target_compile_definitions(fuzz_${name} PRIVATE ${ARG_DEFINES})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  endif()
  if(MIKEY_BUILD_TESTS)
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
