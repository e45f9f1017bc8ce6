// One std::error_category for every layer's Errc enum (Beast's error.hpp pattern): the name
// and the enum's message function are all that differ between layers.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace mikey::wire {

template <class E, std::string_view (*Message)(E) noexcept>
class EnumErrorCategory final : public std::error_category {
 public:
  explicit constexpr EnumErrorCategory(const char* name) noexcept : name_(name) {}
  const char* name() const noexcept override { return name_; }
  std::string message(int ev) const override { return std::string(Message(static_cast<E>(ev))); }

 private:
  const char* name_;
};

}  // namespace mikey::wire

// Defines a layer's `const std::error_category& category()` named `name`, its messages from
// `text_fn(Errc)`.
#define MIKEY_DEFINE_ERRC_CATEGORY(category, text_fn, name)                \
  const std::error_category& category() noexcept {                         \
    static const ::mikey::wire::EnumErrorCategory<Errc, &text_fn> c(name); \
    return c;                                                              \
  }
