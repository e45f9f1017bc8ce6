#include "codec/codepoints.h"

#include <iterator>
#include <vector>

namespace mikey::codec {

#define MIKEY_DEFINE_REGISTRY(Enum, Under, LIST) MIKEY_DEFINE_CODE_POINTS(Enum, Under, LIST, "")
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
