#include "reports/html_text.h"

#include <algorithm>

#include "reports/utf8.h"

namespace mikeyconf::reports {

namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";
constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD

bool append_entity(std::string& out, char c) {
  switch (c) {
    case '&':
      out += "&amp;";
      return true;
    case '<':
      out += "&lt;";
      return true;
    case '>':
      out += "&gt;";
      return true;
    case '"':
      out += "&quot;";
      return true;
    case '\'':
      out += "&#39;";
      return true;
    default:
      return false;
  }
}

void append_hex_byte(std::string& out, unsigned char c) {
  out += kHexDigits[c >> 4];
  out += kHexDigits[c & 15];
}

}  // namespace

std::string cut_note(std::size_t hidden) {
  return "<span class=\"cut\">… " + std::to_string(hidden) +
         " more bytes not shown (results.json has every byte)</span>";
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (append_entity(out, c)) {
      ++i;
    } else if (u < 0x80) {
      if (u >= 0x20 && u != 0x7f) {
        out += c;
      } else if (c == '\n' || c == '\t') {
        out += c;
      } else {
        out += kReplacement;
      }
      ++i;
    } else if (std::uint32_t cp = 0; const std::size_t n = utf8_sequence(text.substr(i), cp)) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

std::string html_bytes(std::string_view bytes, std::size_t limit) {
  const std::string_view shown = bytes.substr(0, std::min(limit, bytes.size()));
  std::string out;
  out.reserve(shown.size() + 16);
  for (const char c : shown) {
    const auto u = static_cast<unsigned char>(c);
    if (append_entity(out, c)) continue;
    if ((u >= 0x20 && u < 0x7f) || c == '\n' || c == '\t') {
      out += c;
    } else if (c == '\r') {
      out += "<span class=\"nb\">\\r</span>";
    } else {
      out += "<span class=\"nb\">\\x";
      append_hex_byte(out, u);
      out += "</span>";
    }
  }
  if (shown.size() < bytes.size()) out += "\n" + cut_note(bytes.size() - shown.size());
  return out;
}

}  // namespace mikeyconf::reports
