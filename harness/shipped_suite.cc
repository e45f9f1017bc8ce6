// The shipped suite's digest, generated at build time from the source cases/ folder
// (harness/CMakeLists.txt: re-generated whenever a case file changes).
#include "harness/suite_digest.h"

#include <utility>

#include "shipped_suite_digest.h"

namespace mikeyconf::harness {

std::string_view shipped_suite_digest() noexcept { return MIKEY_SHIPPED_SUITE_DIGEST; }

SuiteIdentity identify_suite(const std::filesystem::path& cases_dir) {
  SuiteIdentity id;
  if (auto digest = suite_digest(cases_dir)) {
    id.digest = std::move(*digest);
    id.matches_shipped = id.digest == shipped_suite_digest();
  }
  return id;
}

}  // namespace mikeyconf::harness
