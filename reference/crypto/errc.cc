#include "crypto/errc.h"

#include <string>

#include "wire/error_category.h"

namespace mikey::crypto {

std::string_view to_string(Errc e) noexcept {
  switch (e) {
    case Errc::ok:
      return "ok";
#define X(name, msg) \
  case Errc::name:   \
    return msg;
      MIKEY_CRYPTO_ERRORS(X)
#undef X
  }
  return "unknown crypto error";
}

const std::error_category& crypto_category() noexcept {
  static const wire::EnumErrorCategory<Errc, &to_string> c("mikey.crypto");
  return c;
}

}  // namespace mikey::crypto
