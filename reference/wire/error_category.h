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
