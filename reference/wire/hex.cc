#include "wire/hex.h"

#include <new>

namespace mikey::wire {

std::string to_hex(ByteView data) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (std::uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

namespace {
int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
}  // namespace

Result<Bytes, Error> from_hex(std::string_view text) noexcept {
  try {
    Bytes out;
    out.reserve(text.size() / 2);
    int high = -1;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (is_space(text[i])) continue;
      int v = hex_value(text[i]);
      if (v < 0) return Error{Errc::bad_hex_digit, static_cast<std::uint32_t>(i)};
      if (high < 0) {
        high = v;
      } else {
        out.push_back(static_cast<std::uint8_t>((high << 4) | v));
        high = -1;
      }
    }
    if (high >= 0) return Error{Errc::odd_hex_length, static_cast<std::uint32_t>(text.size())};
    return out;
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::limit_exceeded, 0};
  }
}

}  // namespace mikey::wire
