#include "codec/errc.h"

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

namespace {
class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mikey.codec"; }
  std::string message(int ev) const override {
    return std::string(to_string(static_cast<Errc>(ev)));
  }
};
}  // namespace

const std::error_category& codec_category() noexcept {
  static const Category c;
  return c;
}

}  // namespace mikey::codec
