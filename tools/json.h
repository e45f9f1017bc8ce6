// A small JSON value with an order-preserving object, a writer with proper string escaping
// (RFC 8259 §7) and a strict parser (used by tests and by tools that read our own output).
// No dependency beyond the standard library.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mikeyconf::tools {

class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;  // keeps insertion order

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool b) : v_(b) {}
  Json(int i) : v_(static_cast<std::int64_t>(i)) {}
  Json(std::int64_t i) : v_(i) {}
  Json(std::uint64_t u) : v_(u) {}
  Json(std::uint32_t u) : v_(static_cast<std::uint64_t>(u)) {}
  Json(double d) : v_(d) {}
  Json(const char* s) : v_(std::string(s)) {}
  Json(std::string s) : v_(std::move(s)) {}
  Json(std::string_view s) : v_(std::string(s)) {}
  Json(Array a) : v_(std::move(a)) {}
  Json(Object o) : v_(std::move(o)) {}

  static Json object() { return Json(Object{}); }
  static Json array() { return Json(Array{}); }

  bool is_null() const noexcept { return v_.index() == 0; }
  bool is_bool() const noexcept { return v_.index() == 1; }
  bool is_integer() const noexcept { return v_.index() == 2 || v_.index() == 3; }
  bool is_negative_integer() const noexcept {
    return v_.index() == 2 && std::get<std::int64_t>(v_) < 0;
  }
  bool is_number() const noexcept { return is_integer() || v_.index() == 4; }
  bool is_string() const noexcept { return v_.index() == 5; }
  bool is_array() const noexcept { return v_.index() == 6; }
  bool is_object() const noexcept { return v_.index() == 7; }

  // Accessors; calling the wrong one is a programming error (asserted by std::get).
  bool as_bool() const { return std::get<bool>(v_); }
  std::int64_t as_int() const;
  std::uint64_t as_uint() const;
  double as_double() const;
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  const Object& as_object() const { return std::get<Object>(v_); }
  Object& as_object() { return std::get<Object>(v_); }

  // Object access. set() replaces an existing key or appends; find() returns nullptr when the
  // key is absent or this is not an object.
  Json& set(std::string key, Json value);
  const Json* find(std::string_view key) const noexcept;
  Json* find(std::string_view key) noexcept;
  // Array append.
  Json& push(Json value);

  // Serialises. indent < 0: compact on one line; otherwise pretty-printed with `indent` spaces.
  // Objects and arrays whose members are all scalars and that fit in `inline_width` columns are
  // kept on one line in pretty mode (inline_width 0 disables that).
  std::string dump(int indent = -1, int inline_width = 0) const;

  // Numbers compare by value whatever their representation (Json(1) == parse_json("1")).
  bool operator==(const Json& o) const;

 private:
  std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string, Array,
               Object>
      v_ = nullptr;
};

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid (overlongs,
// surrogates and code points above U+10FFFF are invalid, RFC 3629 §4).
std::size_t utf8_sequence(std::string_view s, std::size_t i);

// Appends `s` as a quoted JSON string: ", \ and control characters escaped; valid UTF-8 is kept
// as is; each byte of an invalid UTF-8 sequence becomes U+FFFD.
void append_json_string(std::string& out, std::string_view s);

// Parses one JSON text (RFC 8259, no extensions; surrounding whitespace allowed). Returns
// nullopt on any syntax error; `error_offset` (if given) receives the offending byte offset.
// Duplicate object keys are kept in order.
std::optional<Json> parse_json(std::string_view text, std::size_t* error_offset = nullptr);

}  // namespace mikeyconf::tools
