// Message bytes from what a person pastes or a file holds: hex text (Wireshark's "c2:dd:e4",
// '#' comments), base64 (a TS 33.328 Annex A HTTP body) or the binary message itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire/bytes.h"

namespace mikeyconf::inspect {

enum class InputFormat : std::uint8_t { automatic, hex, base64, binary };
std::string_view to_string(InputFormat f) noexcept;

// Guesses the format of `raw`: text of hex digits, whitespace and ':' separators ('#' starts a
// comment that runs to the end of the line) → hex; text of the base64 alphabet, '=' and whitespace
// → base64 (an HTTP body of TS 33.328 Annex A is exactly that); anything else → binary.
InputFormat detect_format(std::string_view raw) noexcept;

struct InputError {
  std::string message;  // says what is wrong and, for hex/base64, at which input offset
};

struct DecodedInput {
  mikey::Bytes bytes;
  InputFormat format = InputFormat::binary;  // the format actually used
};

// Converts `raw` to message bytes in `format` (automatic: detect_format). Hex skips whitespace,
// ':' and '#' comments; base64 is decoded in lenient mode (CR/LF skipped: a KMS body may be
// wrapped), surrounding whitespace ignored. Errors: bad hex/base64 (with the offset of the bad
// character in `raw`), empty input.
std::optional<DecodedInput> decode_input(std::string_view raw, InputFormat format,
                                         InputError& error);

}  // namespace mikeyconf::inspect
