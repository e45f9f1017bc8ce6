#include "crypto/errc.h"

#include <string>

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

namespace {
class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mikey.crypto"; }
  std::string message(int ev) const override {
    return std::string(to_string(static_cast<Errc>(ev)));
  }
};
}  // namespace

const std::error_category& crypto_category() noexcept {
  static const Category c;
  return c;
}

}  // namespace mikey::crypto
