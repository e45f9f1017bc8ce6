#include "wire/errc.h"

#include <string>

#include "wire/error_category.h"

namespace mikey::wire {

std::string_view to_string(Errc e) noexcept {
  switch (e) {
    case Errc::ok:
      return "ok";
#define X(name, msg) \
  case Errc::name:   \
    return msg;
      MIKEY_WIRE_ERRORS(X)
#undef X
  }
  return "unknown wire error";
}

const std::error_category& wire_category() noexcept {
  static const wire::EnumErrorCategory<Errc, &to_string> c("mikey.wire");
  return c;
}

}  // namespace mikey::wire
