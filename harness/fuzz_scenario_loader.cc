// libFuzzer target for the scenario loader (parse_scenario_text): any input yields a Scenario
// or a LoadError with a position inside the input, never a crash, hang or escaped exception.
// Built by the project's mikey_add_fuzzer (fuzz_scenario_loader / scenario_loader_replay).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "harness/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  auto r = mikeyconf::harness::parse_scenario_text(text, "fuzz");
  if (r.ok()) {
    // A scenario the loader accepts is complete.
    if (r->id.empty() || r->steps.empty() || r->requirements.empty()) std::abort();
  } else if (r.error().line < 0 || r.error().column < 0 || r.error().message.empty()) {
    std::abort();
  }
  return 0;
}
