#include "transport/errc.h"

#include <string>

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

namespace {
class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mikey.transport"; }
  std::string message(int ev) const override {
    return std::string(transport::message(static_cast<Errc>(ev)));
  }
};
}  // namespace

const std::error_category& transport_category() noexcept {
  static const Category category;
  return category;
}

}  // namespace mikey::transport
