#include "roles/failure.h"

#include <array>
#include <string_view>

namespace mikey::roles {

namespace {

struct Row {
  Failure failure;
  std::string_view name;
  codec::ErrorNo error_no;
  FailureScope scope;
  std::string_view message;
  std::string_view requirements;
};

constexpr auto kRows = std::to_array<Row>({
#define X(name, no, sc, msg, reqs) \
  {Failure::name, #name, codec::ErrorNo::no, FailureScope::sc, msg, reqs},
    MIKEY_ROLE_FAILURES(X)
#undef X
});

constexpr auto kAll = [] {
  std::array<Failure, kRows.size()> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a.at(i) = kRows.at(i).failure;
  return a;
}();

const Row& row(Failure f) noexcept {
  const auto i = static_cast<std::size_t>(f);
  return i < kRows.size() ? kRows.at(i)
                          : kRows.at(static_cast<std::size_t>(Failure::internal_error));
}

}  // namespace

std::string_view to_string(Failure f) noexcept { return row(f).name; }
std::string_view message(Failure f) noexcept { return row(f).message; }
std::string_view requirement_ids(Failure f) noexcept { return row(f).requirements; }
codec::ErrorNo default_error_no(Failure f) noexcept { return row(f).error_no; }
FailureScope scope(Failure f) noexcept { return row(f).scope; }
std::span<const Failure> all_failures() noexcept { return kAll; }

codec::ErrorNo error_no(Failure f, const ErrorPolicy& policy) noexcept {
  switch (f) {
    case Failure::malformed_message:
      return policy.malformed;
    case Failure::ticket_not_yet_valid:
    case Failure::ticket_expired:
      return policy.ticket_validity;
    case Failure::responder_not_authorized:
      return policy.unauthorized_responder;
    default:
      return default_error_no(f);
  }
}

}  // namespace mikey::roles
