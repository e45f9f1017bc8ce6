// Errors of the crypto layer, one message each (Beast's error.hpp shape, s2n's error table).
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

#include "wire/enum_table.h"

namespace mikey::crypto {

#define MIKEY_CRYPTO_ERRORS(X)                                                            \
  X(bad_key_length, "key length does not fit the algorithm")                              \
  X(bad_length, "a length is outside what the algorithm or the label field can carry")    \
  X(bad_parameter, "a parameter value is outside its defined range")                      \
  X(unsupported_algorithm, "algorithm code point is not supported")                       \
  X(openssl_failure, "an OpenSSL call failed")                                            \
  X(not_multiple_of_8, "AES key wrap input is not a multiple of 8 bytes or is too short") \
  X(integrity_failure, "integrity check failed (AES key unwrap or MAC verification)")     \
  X(out_of_memory, "memory allocation failed")

MIKEY_DECLARE_ERRC(MIKEY_CRYPTO_ERRORS, crypto_category)

// A crypto-layer failure. No offset: crypto inputs are whole fields, the caller knows which.
struct Error {
  Errc code = Errc::ok;
  bool operator==(const Error&) const = default;
};

}  // namespace mikey::crypto

template <>
struct std::is_error_code_enum<mikey::crypto::Errc> : std::true_type {};
