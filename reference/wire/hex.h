// Hexadecimal encoding. The decoder is strict about digits but skips ASCII whitespace, so
// test-data files may wrap and group bytes; the error offset counts input characters.
#pragma once

#include <string>
#include <string_view>

#include "wire/bytes.h"
#include "wire/errc.h"
#include "wire/result.h"

namespace mikey::wire {

std::string to_hex(ByteView data);
// Returns bad_hex_digit (offset of the character) or odd_hex_length (offset = input size).
Result<Bytes, Error> from_hex(std::string_view text) noexcept;

}  // namespace mikey::wire
