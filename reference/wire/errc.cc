#include "wire/errc.h"

#include <string>

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

namespace {
class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mikey.wire"; }
  std::string message(int ev) const override {
    return std::string(to_string(static_cast<Errc>(ev)));
  }
};
}  // namespace

const std::error_category& wire_category() noexcept {
  static const Category c;
  return c;
}

}  // namespace mikey::wire
