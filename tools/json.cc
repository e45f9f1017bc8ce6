#include "tools/json.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace mikeyconf::tools {

std::int64_t Json::as_int() const {
  if (const auto* u = std::get_if<std::uint64_t>(&v_)) return static_cast<std::int64_t>(*u);
  if (const auto* d = std::get_if<double>(&v_)) return static_cast<std::int64_t>(*d);
  return std::get<std::int64_t>(v_);
}

std::uint64_t Json::as_uint() const {
  if (const auto* i = std::get_if<std::int64_t>(&v_)) return static_cast<std::uint64_t>(*i);
  if (const auto* d = std::get_if<double>(&v_)) return static_cast<std::uint64_t>(*d);
  return std::get<std::uint64_t>(v_);
}

double Json::as_double() const {
  if (const auto* i = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&v_)) return static_cast<double>(*u);
  return std::get<double>(v_);
}

bool Json::operator==(const Json& o) const {
  if (is_number() && o.is_number()) {
    if (is_integer() && o.is_integer()) {
      return is_negative_integer() == o.is_negative_integer() && as_uint() == o.as_uint();
    }
    return as_double() == o.as_double();
  }
  return v_ == o.v_;
}

Json& Json::set(std::string key, Json value) {
  Object& o = as_object();
  for (auto& [k, v] : o) {
    if (k == key) {
      v = std::move(value);
      return v;
    }
  }
  o.emplace_back(std::move(key), std::move(value));
  return o.back().second;
}

const Json* Json::find(std::string_view key) const noexcept {
  const auto* o = std::get_if<Object>(&v_);
  if (o == nullptr) return nullptr;
  for (const auto& [k, v] : *o) {
    if (k == key) return &v;
  }
  return nullptr;
}

Json* Json::find(std::string_view key) noexcept {
  return const_cast<Json*>(static_cast<const Json*>(this)->find(key));  // NOLINT
}

Json& Json::push(Json value) {
  Array& a = as_array();
  a.push_back(std::move(value));
  return a.back();
}

std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  std::size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return n;
}

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t n = utf8_sequence(s, i);
      if (n == 0) {
        out.append("\\ufffd");
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out.append(fmt::format("\\u{:04x}", c));
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

namespace {

void dump_value(const Json& j, std::string& out, int indent, int inline_width, int depth);

bool is_scalar(const Json& j) { return !j.is_array() && !j.is_object(); }

void dump_number(const Json& j, std::string& out) {
  if (j.is_integer()) {
    out.append(j.is_negative_integer() ? std::to_string(j.as_int()) : std::to_string(j.as_uint()));
    return;
  }
  double d = j.as_double();
  if (!std::isfinite(d)) {
    out.append("null");  // JSON has no NaN or infinity
    return;
  }
  out.append(fmt::format("{}", d));  // shortest text that reads back as the same double
}

void newline(std::string& out, int indent, int depth) {
  out.push_back('\n');
  out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(depth), ' ');
}

void dump_value(const Json& j, std::string& out, int indent, int inline_width, int depth) {
  if (j.is_null()) {
    out.append("null");
  } else if (j.is_bool()) {
    out.append(j.as_bool() ? "true" : "false");
  } else if (j.is_number()) {
    dump_number(j, out);
  } else if (j.is_string()) {
    append_json_string(out, j.as_string());
  } else {
    const bool is_obj = j.is_object();
    const std::size_t n = is_obj ? j.as_object().size() : j.as_array().size();
    out.push_back(is_obj ? '{' : '[');
    if (n == 0) {
      out.push_back(is_obj ? '}' : ']');
      return;
    }
    // Short all-scalar containers stay on one line in pretty mode.
    bool one_line = indent < 0;
    if (!one_line && inline_width > 0) {
      bool scalars = true;
      if (is_obj) {
        for (const auto& [k, v] : j.as_object()) scalars = scalars && is_scalar(v);
      } else {
        for (const Json& v : j.as_array()) scalars = scalars && is_scalar(v);
      }
      if (scalars) {
        std::string flat;
        dump_value(j, flat, -1, 0, 0);
        one_line =
            flat.size() + static_cast<std::size_t>(indent) * static_cast<std::size_t>(depth) <=
            static_cast<std::size_t>(inline_width);
        if (one_line) {
          out.pop_back();
          out.append(flat);
          return;
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) out.push_back(',');
      if (one_line) {
        if (i > 0 && indent >= 0) out.push_back(' ');
      } else {
        newline(out, indent, depth + 1);
      }
      if (is_obj) {
        const auto& [k, v] = j.as_object()[i];
        append_json_string(out, k);
        out.append(indent < 0 ? ":" : ": ");
        dump_value(v, out, indent, inline_width, depth + 1);
      } else {
        dump_value(j.as_array()[i], out, indent, inline_width, depth + 1);
      }
    }
    if (!one_line) newline(out, indent, depth);
    out.push_back(is_obj ? '}' : ']');
  }
}

// A strict recursive-descent parser over RFC 8259's grammar.
class Parser {
 public:
  explicit Parser(std::string_view t) : t_(t) {}

  std::optional<Json> run(std::size_t* error_offset) {
    std::optional<Json> v = value(0);
    skip_ws();
    if (v && pos_ == t_.size()) return v;
    if (error_offset != nullptr) *error_offset = pos_;
    return std::nullopt;
  }

 private:
  static constexpr int kMaxDepth = 256;

  void skip_ws() {
    while (pos_ < t_.size() &&
           (t_[pos_] == ' ' || t_[pos_] == '\t' || t_[pos_] == '\n' || t_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    skip_ws();
    if (pos_ < t_.size() && t_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool literal(std::string_view word) {
    if (t_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  std::optional<Json> value(int depth) {
    if (depth > kMaxDepth) return std::nullopt;
    skip_ws();
    if (pos_ >= t_.size()) return std::nullopt;
    char c = t_[pos_];
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') {
      std::optional<std::string> s = string();
      if (!s) return std::nullopt;
      return Json(std::move(*s));
    }
    if (literal("true")) return Json(true);
    if (literal("false")) return Json(false);
    if (literal("null")) return Json(nullptr);
    return number();
  }

  std::optional<Json> object(int depth) {
    ++pos_;  // '{'
    Json out = Json::object();
    if (eat('}')) return out;
    do {
      skip_ws();
      if (pos_ >= t_.size() || t_[pos_] != '"') return std::nullopt;
      std::optional<std::string> key = string();
      if (!key || !eat(':')) return std::nullopt;
      std::optional<Json> v = value(depth + 1);
      if (!v) return std::nullopt;
      out.as_object().emplace_back(std::move(*key), std::move(*v));
    } while (eat(','));
    if (!eat('}')) return std::nullopt;
    return out;
  }

  std::optional<Json> array(int depth) {
    ++pos_;  // '['
    Json out = Json::array();
    if (eat(']')) return out;
    do {
      std::optional<Json> v = value(depth + 1);
      if (!v) return std::nullopt;
      out.push(std::move(*v));
    } while (eat(','));
    if (!eat(']')) return std::nullopt;
    return out;
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool hex4(std::uint32_t& v) {
    if (pos_ + 4 > t_.size()) return false;
    v = 0;
    for (int k = 0; k < 4; ++k) {
      int d = hex_digit(t_[pos_++]);
      if (d < 0) return false;
      v = (v << 4) | static_cast<std::uint32_t>(d);
    }
    return true;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  std::optional<std::string> string() {
    ++pos_;  // opening quote
    std::string out;
    while (pos_ < t_.size()) {
      auto c = static_cast<unsigned char>(t_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c < 0x20) return std::nullopt;  // control characters must be escaped
      if (c >= 0x80) {
        std::size_t n = utf8_sequence(t_, pos_);
        if (n == 0) return std::nullopt;
        out.append(t_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      ++pos_;
      if (c != '\\') {
        out.push_back(static_cast<char>(c));
        continue;
      }
      if (pos_ >= t_.size()) return std::nullopt;
      char e = t_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return std::nullopt;
          if (cp >= 0xd800 && cp <= 0xdbff) {  // a high surrogate needs its low half
            std::uint32_t lo = 0;
            if (!literal("\\u") || !hex4(lo) || lo < 0xdc00 || lo > 0xdfff) return std::nullopt;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return std::nullopt;
          }
          append_utf8(out, cp);
          break;
        }
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::optional<Json> number() {
    std::size_t start = pos_;
    auto digits = [&] {
      std::size_t from = pos_;
      while (pos_ < t_.size() && t_[pos_] >= '0' && t_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    bool negative = pos_ < t_.size() && t_[pos_] == '-';
    if (negative) ++pos_;
    if (pos_ < t_.size() && t_[pos_] == '0') {
      ++pos_;
    } else if (digits() == 0) {
      return std::nullopt;
    }
    bool integral = true;
    if (pos_ < t_.size() && t_[pos_] == '.') {
      ++pos_;
      integral = false;
      if (digits() == 0) return std::nullopt;
    }
    if (pos_ < t_.size() && (t_[pos_] == 'e' || t_[pos_] == 'E')) {
      ++pos_;
      integral = false;
      if (pos_ < t_.size() && (t_[pos_] == '+' || t_[pos_] == '-')) ++pos_;
      if (digits() == 0) return std::nullopt;
    }
    const std::string text(t_.substr(start, pos_ - start));
    if (integral) {
      errno = 0;
      if (negative) {
        const long long i = std::strtoll(text.c_str(), nullptr, 10);
        if (errno == 0) return Json(static_cast<std::int64_t>(i));
      } else {
        const unsigned long long u = std::strtoull(text.c_str(), nullptr, 10);
        if (errno == 0) return Json(static_cast<std::uint64_t>(u));
      }
    }
    // Integers beyond 64 bits and non-integers: a double.
    return Json(std::strtod(text.c_str(), nullptr));
  }

  std::string_view t_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string Json::dump(int indent, int inline_width) const {
  std::string out;
  dump_value(*this, out, indent, inline_width, 0);
  return out;
}

std::optional<Json> parse_json(std::string_view text, std::size_t* error_offset) {
  return Parser(text).run(error_offset);
}

}  // namespace mikeyconf::tools
