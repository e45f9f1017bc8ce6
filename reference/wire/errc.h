// Errors of the wire layer (byte cursors, hex, base64), one message each.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

#include "wire/enum_table.h"

namespace mikey::wire {

#define MIKEY_WIRE_ERRORS(X)                                            \
  X(truncated, "input ends before the field does")                      \
  X(length_overflow, "a length does not fit its field")                 \
  X(limit_exceeded, "a length exceeds the configured limit")            \
  X(bad_hex_digit, "character is not a hexadecimal digit")              \
  X(odd_hex_length, "hexadecimal input has an odd number of digits")    \
  X(bad_base64_char, "character is not in the base64 alphabet")         \
  X(bad_base64_padding, "base64 padding is misplaced or missing")       \
  X(bad_base64_length, "base64 input length is not a multiple of four") \
  X(nonzero_base64_bits, "base64 final quantum has non-zero unused bits")

MIKEY_DECLARE_ERRC(MIKEY_WIRE_ERRORS, wire_category)

// A wire-layer failure: what went wrong and where (offset into the input).
struct Error {
  Errc code = Errc::ok;
  std::uint32_t offset = 0;
  bool operator==(const Error&) const = default;
};

}  // namespace mikey::wire

template <>
struct std::is_error_code_enum<mikey::wire::Errc> : std::true_type {};
