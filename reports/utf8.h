// One UTF-8 sequence (RFC 3629) at the start of a string, for the writers that keep their output
// ASCII (JSON \u escapes, XML character references) while showing text we wrote — messages with
// "—" or "§" — as what it says. Internal to mikey_reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mikeyconf::reports {

// The length of the valid UTF-8 sequence `s` starts with (2 to 4 bytes; its code point in `cp`),
// or 0 when it starts with ASCII, a stray byte, an overlong form, a surrogate or a cut sequence.
inline std::size_t utf8_sequence(std::string_view s, std::uint32_t& cp) noexcept {
  if (s.empty()) return 0;
  const auto lead = static_cast<unsigned char>(s[0]);
  const std::size_t n = lead >= 0xf5   ? 0
                        : lead >= 0xf0 ? 4
                        : lead >= 0xe0 ? 3
                        : lead >= 0xc2 ? 2
                                       : 0;
  if (n == 0 || s.size() < n) return 0;
  cp = n == 4 ? lead & 0x07u : n == 3 ? lead & 0x0fu : lead & 0x1fu;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[k]);
    if ((b & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3fu);
  }
  const std::uint32_t min = n == 4 ? 0x10000 : n == 3 ? 0x800 : 0x80;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

}  // namespace mikeyconf::reports
