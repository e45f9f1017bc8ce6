// Base64, RFC 4648 §4 (standard alphabet, '=' padding), as used for application/mikey bodies
// in TS 33.328 Annex A. The encoder never wraps lines.
#pragma once

#include <string>
#include <string_view>

#include "wire/bytes.h"
#include "wire/errc.h"
#include "wire/result.h"

namespace mikey::wire {

enum class Base64Mode : std::uint8_t {
  strict,   // every character must be alphabet or final padding
  lenient,  // CR and LF anywhere are skipped (wrapped bodies); everything else as strict
};

std::string base64_encode(ByteView data);

// Decodes `text`. On failure the error offset is the index in `text` of the first offending
// character (bad_base64_char, bad_base64_padding, nonzero_base64_bits) or text.size() for
// bad_base64_length. Decoded size is bounded by `max_output` (limit_exceeded).
Result<Bytes, Error> base64_decode(std::string_view text, Base64Mode mode = Base64Mode::strict,
                                   std::size_t max_output = 16u << 20) noexcept;

}  // namespace mikey::wire
