#include "harness/names.h"

#include "codec/codepoints.h"

namespace mikeyconf::harness {

namespace {

char fold(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  if (c == '_') return ' ';
  return c;
}

bool same_name(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (fold(a[i]) != fold(b[i])) return false;
  return true;
}

}  // namespace

std::optional<std::uint32_t> code_point_value(std::string_view registry,
                                              std::string_view name) noexcept {
  for (const mikey::codec::CodePoint& cp : mikey::codec::all_code_points()) {
    if (cp.registry == registry && same_name(cp.name, name)) return cp.value;
  }
  return std::nullopt;
}

std::string_view code_point_name(std::string_view registry, std::uint32_t value) noexcept {
  for (const mikey::codec::CodePoint& cp : mikey::codec::all_code_points()) {
    if (cp.registry == registry && cp.value == value) return cp.name;
  }
  return {};
}

}  // namespace mikeyconf::harness
