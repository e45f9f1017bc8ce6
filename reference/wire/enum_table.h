// Enums generated from X-macro tables (s2n's technique): a layer's error codes from
// X(name, "message") rows, a registry's code points from X(name, value, "RFC name") rows. The
// tables stay with their layer; what each generates is written once here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <system_error>

namespace mikey::wire {

// table[e], or `unknown` for a value past the end of the table.
template <class E, std::size_t N>
constexpr std::string_view enum_text(E e, const std::string_view (&table)[N],
                                     std::string_view unknown) noexcept {
  const auto i = static_cast<std::size_t>(e);
  return i < N ? table[i] : unknown;
}

// The enumerator of E whose text(e) is `s`, for enums numbered 0 .. N-1: the parser that goes
// with a MIKEY_DEFINE_ENUM_TEXT table.
template <class E, std::size_t N, class Text>
constexpr std::optional<E> enum_from_text(std::string_view s, Text text) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (text(static_cast<E>(i)) == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

// values[e], or nothing for a value past the end of the list: what a code point implies
// (a length, a digest), listed by code point value.
template <class T, class E>
constexpr std::optional<T> by_value(E e, std::initializer_list<T> values) noexcept {
  const auto i = static_cast<std::size_t>(e);
  if (i >= values.size()) return std::nullopt;
  return values.begin()[i];
}

}  // namespace mikey::wire

// Row adaptors for X(name, "message") error tables.
#define MIKEY_ERRC_ENUMERATOR(name, msg) name,
#define MIKEY_ERRC_NAME(name, msg) #name,
#define MIKEY_ERRC_MESSAGE(name, msg) msg,

// A layer's `enum class Errc` (ok = 0, then the rows of LIST), its text and its
// std::error_category (defined with MIKEY_DEFINE_ERRC_CATEGORY, wire/error_category.h).
#define MIKEY_DECLARE_ERRC(LIST, category)                                \
  enum class Errc : std::uint8_t { ok = 0, LIST(MIKEY_ERRC_ENUMERATOR) }; \
  std::string_view to_string(Errc e) noexcept;                            \
  const std::error_category& category() noexcept;                         \
  inline std::error_code make_error_code(Errc e) noexcept {               \
    return {static_cast<int>(e), category()};                             \
  }

// `std::string_view fn(E)`: the entries (the remaining arguments) indexed by enumerator value,
// `unknown` for any other value.
#define MIKEY_DEFINE_ENUM_TEXT(fn, E, unknown, ...)            \
  std::string_view fn(E e) noexcept {                          \
    static constexpr std::string_view kText[] = {__VA_ARGS__}; \
    return ::mikey::wire::enum_text(e, kText, unknown);        \
  }

// Row adaptors for X(name, value, "RFC name") code-point tables.
#define MIKEY_CODE_POINT_ENUMERATOR(name, value, text) name = value,
#define MIKEY_CODE_POINT_CASE(name, value, text) \
  case value:                                    \
    return text;
#define MIKEY_CODE_POINT_KNOWN(name, value, text) \
  case value:                                     \
    return true;

// A registry's `enum class Enum : Under` (any received value is kept as its number), its
// to_string (the RFC name) and is_known.
#define MIKEY_DECLARE_CODE_POINTS(Enum, Under, LIST)             \
  enum class Enum : Under { LIST(MIKEY_CODE_POINT_ENUMERATOR) }; \
  std::string_view to_string(Enum v) noexcept;                   \
  bool is_known(Enum v) noexcept;

// Defines what MIKEY_DECLARE_CODE_POINTS declares; to_string gives `unknown` for a value outside
// the table.
#define MIKEY_DEFINE_CODE_POINTS(Enum, Under, LIST, unknown) \
  std::string_view to_string(Enum v) noexcept {              \
    switch (static_cast<Under>(v)) {                         \
      LIST(MIKEY_CODE_POINT_CASE)                            \
      default:                                               \
        return unknown;                                      \
    }                                                        \
  }                                                          \
  bool is_known(Enum v) noexcept {                           \
    switch (static_cast<Under>(v)) {                         \
      LIST(MIKEY_CODE_POINT_KNOWN)                           \
      default:                                               \
        return false;                                        \
    }                                                        \
  }
