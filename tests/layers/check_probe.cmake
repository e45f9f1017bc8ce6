# Builds one layer probe (tests/layers/CMakeLists.txt) and checks the outcome:
#   cmake -DBUILD_DIR=... -DTARGET=... -DHEADER=... -DEXPECT=missing|compiles -P check_probe.cmake
# EXPECT=missing passes only if the build fails because HEADER is not found; any other failure
# (a syntax error, a missing library) fails the test, so a broken probe cannot pass by accident.
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(EXPECT STREQUAL "compiles")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${TARGET} should compile but does not:\n${out}")
  endif()
  message(STATUS "${TARGET} compiles, as it should")
  return()
endif()
if(rc EQUAL 0)
  message(FATAL_ERROR "${TARGET} compiled: \"${HEADER}\" is reachable across a layer")
endif()
string(FIND "${out}" "'${HEADER}' file not found" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${TARGET} failed, but not because \"${HEADER}\" is not found:\n${out}")
endif()
message(STATUS "${TARGET}: \"${HEADER}\" not found, as it should be")
