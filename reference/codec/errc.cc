#include "codec/errc.h"

#include "wire/error_category.h"

namespace mikey::codec {

std::string_view to_string(Errc e) noexcept {
  switch (e) {
    case Errc::ok:
      return "ok";
#define X(name, msg) \
  case Errc::name:   \
    return msg;
      MIKEY_CODEC_ERRORS(X)
#undef X
  }
  return "unknown codec error";
}

std::string_view to_string(DeviationKind d) noexcept {
  switch (d) {
#define X(name, msg)        \
  case DeviationKind::name: \
    return msg;
    MIKEY_DEVIATIONS(X)
#undef X
  }
  return "unknown deviation";
}

const std::error_category& codec_category() noexcept {
  static const wire::EnumErrorCategory<Errc, &to_string> c("mikey.codec");
  return c;
}

}  // namespace mikey::codec
