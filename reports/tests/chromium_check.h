// Renders a page in headless Chromium (--dump-dom, a 1280×800 window) and reports what an
// auditor's browser would show wrong: any console message or uncaught exception, a missing
// readiness marker (data-ready="1" set by the page's script when it finished), a crash or a
// hang; and takes a screenshot of the first screen.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mikeyconf::reports::testing {

struct BrowserCheck {
  std::string failure;               // empty: rendered cleanly
  std::string dom;                   // the DOM after scripts ran
  std::vector<std::string> console;  // every console line Chromium logged
  // report.html's script measures its summary (#summary) in the window: its bottom edge in CSS
  // pixels and whether that is within the window's height (seen without scrolling). -1 / false
  // when the page set no such marker.
  int summary_bottom = -1;
  bool summary_visible = false;
};

inline constexpr int kWindowWidth = 1280;
inline constexpr int kWindowHeight = 800;

// `work_dir` receives a fresh Chromium profile and the logs. A missing Chromium is a failure
// naming scripts/bootstrap, not a skip.
BrowserCheck render_in_chromium(const std::filesystem::path& html,
                                const std::filesystem::path& work_dir, int timeout_s = 90);

// A PNG of the first kWindowWidth × kWindowHeight screen of the page at `png`
// (chromium --screenshot, as reports/README.md documents); "" or what went wrong.
std::string screenshot_in_chromium(const std::filesystem::path& html,
                                   const std::filesystem::path& png,
                                   const std::filesystem::path& work_dir, int timeout_s = 90);

}  // namespace mikeyconf::reports::testing
