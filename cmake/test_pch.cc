// The translation unit the tests' precompiled header is built from (cmake/MikeyHelpers.cmake
// mikey_test_pch); it has no code of its own.
