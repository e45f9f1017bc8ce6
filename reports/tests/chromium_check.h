// Renders a page in headless Chromium (--dump-dom) and reports what an auditor's browser would
// show wrong: any console message or uncaught exception, a missing readiness marker
// (data-ready="1" set by the page's script when it finished), a crash or a hang.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mikeyconf::reports::testing {

struct BrowserCheck {
  std::string failure;               // empty: rendered cleanly
  std::string dom;                   // the DOM after scripts ran
  std::vector<std::string> console;  // every console line Chromium logged
};

// `work_dir` receives a fresh Chromium profile and the logs. A missing Chromium is a failure
// naming scripts/bootstrap, not a skip.
BrowserCheck render_in_chromium(const std::filesystem::path& html,
                                const std::filesystem::path& work_dir, int timeout_s = 90);

}  // namespace mikeyconf::reports::testing
