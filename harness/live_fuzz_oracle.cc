#include "harness/live_fuzz.h"

namespace mikeyconf::harness {

std::string_view to_string(Oracle o) noexcept {
  switch (o) {
    case Oracle::server_error:
      return "server_error";
    case Oracle::closed:
      return "closed";
    case Oracle::timeout:
      return "timeout";
    case Oracle::unparsable_answer:
      return "unparsable_answer";
    case Oracle::unauthenticated_success:
      return "unauthenticated_success";
    case Oracle::sut_dead:
      return "sut_dead";
  }
  return "unknown";
}

}  // namespace mikeyconf::harness
