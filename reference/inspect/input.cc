#include "inspect/input.h"

#include <fmt/format.h>

#include "wire/base64.h"
#include "wire/enum_table.h"
#include "wire/hex.h"

namespace mikeyconf::inspect {

using mikey::ByteView;

MIKEY_DEFINE_ENUM_TEXT(to_string, InputFormat, "?", "auto", "hex", "base64", "binary")

namespace {

bool is_ascii_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_hex_digit(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_base64_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

// Replaces '#' comments (to the end of the line) and ':' byte separators (Wireshark's
// "c2:dd:e4") with spaces, so offsets stay those of `raw`.
std::string blank_comments(std::string_view raw) {
  std::string out(raw);
  bool comment = false;
  for (char& c : out) {
    if (c == '\n') {
      comment = false;
    } else if (c == '#' || comment) {
      comment = true;
      c = ' ';
    } else if (c == ':') {
      c = ' ';
    }
  }
  return out;
}

std::string describe_char(std::string_view raw, std::size_t offset) {
  if (offset >= raw.size()) return "end of input";
  auto c = static_cast<unsigned char>(raw[offset]);
  if (c >= 0x21 && c <= 0x7e) return fmt::format("'{}'", static_cast<char>(c));
  return fmt::format("byte 0x{:02x}", c);
}

}  // namespace

InputFormat detect_format(std::string_view raw) noexcept {
  bool hex = true;
  bool any_hex = false;
  bool comment = false;
  for (char c : raw) {
    if (c == '\n') comment = false;
    if (comment || is_ascii_space(c) || c == ':') continue;
    if (c == '#') {
      comment = true;
    } else if (is_hex_digit(c)) {
      any_hex = true;
    } else {
      hex = false;
      break;
    }
  }
  if (hex && any_hex) return InputFormat::hex;
  // Whitespace other than CR/LF is accepted here so that decode_input() can point at it.
  bool any_b64 = false;
  for (char c : raw) {
    if (is_ascii_space(c)) continue;
    if (!is_base64_char(c)) return InputFormat::binary;
    any_b64 = true;
  }
  return any_b64 ? InputFormat::base64 : InputFormat::binary;
}

std::optional<DecodedInput> decode_input(std::string_view raw, InputFormat format,
                                         InputError& error) {
  if (raw.empty()) {
    error.message = "empty input";
    return std::nullopt;
  }
  DecodedInput out;
  out.format = format == InputFormat::automatic ? detect_format(raw) : format;
  switch (out.format) {
    case InputFormat::automatic:  // not returned by detect_format
    case InputFormat::hex: {
      auto r = mikey::wire::from_hex(blank_comments(raw));
      if (!r) {
        error.message = fmt::format("bad hex input at offset {} ({}): {}", r.error().offset,
                                    describe_char(raw, r.error().offset),
                                    mikey::wire::to_string(r.error().code));
        return std::nullopt;
      }
      out.bytes = std::move(r).value();
      break;
    }
    case InputFormat::base64: {
      std::size_t lead = 0;
      while (lead < raw.size() && is_ascii_space(raw[lead])) ++lead;
      std::size_t end = raw.size();
      while (end > lead && is_ascii_space(raw[end - 1])) --end;
      std::string_view body = raw.substr(lead, end - lead);
      auto r = mikey::wire::base64_decode(body, mikey::wire::Base64Mode::lenient);
      if (!r) {
        std::size_t at = lead + r.error().offset;
        error.message = fmt::format("bad base64 input at offset {} ({}): {}", at,
                                    describe_char(raw, at), mikey::wire::to_string(r.error().code));
        return std::nullopt;
      }
      out.bytes = std::move(r).value();
      break;
    }
    case InputFormat::binary: {
      ByteView v = mikey::as_bytes(raw);
      out.bytes.assign(v.begin(), v.end());
      break;
    }
  }
  if (out.bytes.empty()) {
    error.message = fmt::format("empty input (no bytes after {} decoding)", to_string(out.format));
    return std::nullopt;
  }
  return out;
}

}  // namespace mikeyconf::inspect
