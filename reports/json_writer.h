// A small streaming JSON writer (RFC 8259 escaping; no dependency beyond the standard library),
// shared by results.json, transcript.json and bundle.json. Internal to mikey_reports.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "reports/utf8.h"

namespace mikeyconf::reports {

class JsonWriter {
 public:
  std::string str() && { return std::move(out_); }

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  JsonWriter& key(std::string_view k) {
    sep();
    string_literal(k);
    out_ += ':';
    first_ = true;  // the value follows without a comma
    return *this;
  }
  JsonWriter& value(std::string_view s) {
    sep();
    string_literal(s);
    return *this;
  }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b) {
    sep();
    out_ += b ? "true" : "false";
    return *this;
  }
  JsonWriter& value(std::uint64_t n) {
    sep();
    out_ += std::to_string(n);
    return *this;
  }
  JsonWriter& value(int n) {
    sep();
    out_ += std::to_string(n);
    return *this;
  }
  JsonWriter& value(double d) {
    sep();
    std::array<char, 32> buf{};
    const int n = std::snprintf(buf.data(), buf.size(), "%.3f", d);
    out_.append(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
    return *this;
  }
  JsonWriter& null() {
    sep();
    out_ += "null";
    return *this;
  }
  template <class T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  JsonWriter& strings(std::string_view k, const std::vector<std::string>& v) {
    key(k).begin_array();
    for (const std::string& s : v) value(s);
    return end_array();
  }

 private:
  JsonWriter& open(char c) {
    sep();
    out_ += c;
    first_ = true;
    return *this;
  }
  JsonWriter& close(char c) {
    out_ += c;
    first_ = false;
    return *this;
  }
  void sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  void string_literal(std::string_view s) {
    out_ += '"';
    for (std::size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (c >= 0x80) {
            i += utf8_escape(s.substr(i));
            continue;
          }
          if (c < 0x20 || c == 0x7f) {
            escape(c);
          } else {
            out_ += static_cast<char>(c);
          }
      }
      ++i;
    }
    out_ += '"';
  }

  void escape(std::uint32_t unit) {
    constexpr std::string_view kHex = "0123456789abcdef";
    out_ += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out_ += kHex[(unit >> shift) & 15];
  }

  // The output stays ASCII: a valid UTF-8 sequence becomes its \u escape (a surrogate pair above
  // U+FFFF, RFC 8259 §7); any other byte is escaped alone as U+00XX (every byte-exact value is
  // also given in hex). Returns the bytes consumed.
  std::size_t utf8_escape(std::string_view s) {
    std::uint32_t cp = 0;
    const std::size_t n = utf8_sequence(s, cp);
    if (n == 0) {
      escape(static_cast<unsigned char>(s[0]));
      return 1;
    }
    if (cp > 0xffff) {
      escape(0xd800 + ((cp - 0x10000) >> 10));
      escape(0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else {
      escape(cp);
    }
    return n;
  }

  std::string out_;
  bool first_ = true;
};

}  // namespace mikeyconf::reports
