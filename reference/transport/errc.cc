#include "transport/errc.h"

#include <string>

#include "wire/error_category.h"

namespace mikey::transport {

std::string_view to_string(Errc e) noexcept {
  switch (e) {
    case Errc::ok:
      return "ok";
#define X(name, msg) \
  case Errc::name:   \
    return #name;
      MIKEY_TRANSPORT_ERRORS(X)
#undef X
  }
  return "unknown";
}

std::string_view message(Errc e) noexcept {
  switch (e) {
    case Errc::ok:
      return "success";
#define X(name, msg) \
  case Errc::name:   \
    return msg;
      MIKEY_TRANSPORT_ERRORS(X)
#undef X
  }
  return "unknown transport error";
}

const std::error_category& transport_category() noexcept {
  static const wire::EnumErrorCategory<Errc, &message> category("mikey.transport");
  return category;
}

}  // namespace mikey::transport
