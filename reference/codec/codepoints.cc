#include "codec/codepoints.h"

#include <iterator>
#include <vector>

namespace mikey::codec {

#define MIKEY_CASE(name, value, text) \
  case value:                         \
    return text;
#define MIKEY_KNOWN(name, value, text) \
  case value:                          \
    return true;
#define MIKEY_DEFINE_REGISTRY(Enum, Under, LIST) \
  std::string_view to_string(Enum v) noexcept {  \
    switch (static_cast<Under>(v)) {             \
      LIST(MIKEY_CASE)                           \
      default:                                   \
        return "";                               \
    }                                            \
  }                                              \
  bool is_known(Enum v) noexcept {               \
    switch (static_cast<Under>(v)) {             \
      LIST(MIKEY_KNOWN)                          \
      default:                                   \
        return false;                            \
    }                                            \
  }
MIKEY_REGISTRIES(MIKEY_DEFINE_REGISTRY)
#undef MIKEY_DEFINE_REGISTRY

#define MIKEY_ROW(name, value, text) CodePoint{kRegistry, text, value, kWidth},
#define MIKEY_APPEND(Enum, Under, LIST)                      \
  {                                                          \
    constexpr std::string_view kRegistry = #Enum;            \
    constexpr std::uint8_t kWidth = sizeof(Under);           \
    const CodePoint rows[] = {LIST(MIKEY_ROW)};              \
    out.insert(out.end(), std::begin(rows), std::end(rows)); \
  }

std::span<const CodePoint> all_code_points() noexcept {
  static const std::vector<CodePoint> all = [] {
    std::vector<CodePoint> out;
    MIKEY_REGISTRIES(MIKEY_APPEND)
    return out;
  }();
  return all;
}
#undef MIKEY_APPEND
#undef MIKEY_ROW

}  // namespace mikey::codec
