#include "reports/tests/chromium_check.h"

#include <sstream>

#include "reports/file_util.h"
#include "reports/tests/test_run.h"

namespace mikeyconf::reports::testing {

namespace fs = std::filesystem;

namespace {

// Chromium logs page console messages as
//   [pid:tid:MMDD/hhmmss.uuuuuu:INFO:CONSOLE:LINE] "message", source: URL (LINE)
// (older releases: "...:INFO:CONSOLE(LINE)] ..."). console.error, console.log and uncaught
// exceptions ("Uncaught Error: ...") all come at INFO level, so the level cannot tell an error
// from a log line; the report never logs, so every console line counts as an error.
std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find(":CONSOLE");
    if (at == std::string::npos || at + 8 >= line.size()) continue;
    if (line[at + 8] == ':' || line[at + 8] == '(') out.push_back(line);
  }
  return out;
}

// `name="N"` in the DOM as a number, or -1.
int attribute_number(const std::string& dom, std::string_view name) {
  const std::string key = std::string(name) + "=\"";
  const auto at = dom.find(key);
  if (at == std::string::npos) return -1;
  int v = 0;
  bool any = false;
  for (std::size_t i = at + key.size(); i < dom.size() && dom[i] >= '0' && dom[i] <= '9'; ++i) {
    v = v * 10 + (dom[i] - '0');
    any = true;
  }
  return any ? v : -1;
}

// The command line shared by the DOM dump and the screenshot: a fresh profile under `work_dir`,
// nothing fetched, a fixed window.
std::string chromium_command(const std::string& chromium, const fs::path& work_dir, int timeout_s) {
  const fs::path profile = work_dir / "chromium-profile";
  fs::remove_all(profile);
  fs::create_directories(profile);
  return "timeout -k 5 " + std::to_string(timeout_s) + " " + quote(chromium) +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
         " --disable-background-networking --disable-component-update --disable-sync"
         " --hide-scrollbars --window-size=" +
         std::to_string(kWindowWidth) + "," + std::to_string(kWindowHeight) +
         " --user-data-dir=" + quote(profile);
}

}  // namespace

BrowserCheck render_in_chromium(const fs::path& html, const fs::path& work_dir, int timeout_s) {
  BrowserCheck r;
  const std::string chromium = find_chromium();
  if (chromium.empty()) {
    r.failure =
        "chromium is not installed (scripts/bootstrap installs the Debian package chromium)";
    return r;
  }
  const fs::path dom = work_dir / "dom.html", log = work_dir / "chromium.log";
  const std::string command = chromium_command(chromium, work_dir, timeout_s) +
                              " --enable-logging=stderr --v=0 --dump-dom " + quote(file_url(html)) +
                              " > " + quote(dom) + " 2> " + quote(log);
  const int rc = run_command(command);
  r.dom = read(dom);
  const std::string log_text = read(log);
  r.console = console_lines(log_text);
  r.summary_bottom = attribute_number(r.dom, "data-summary-bottom");
  r.summary_visible = r.dom.find("data-summary-visible=\"1\"") != std::string::npos;
  if (rc == 124 || rc == 137) {
    r.failure = "chromium did not finish within " + std::to_string(timeout_s) + " s";
  } else if (rc != 0) {
    r.failure = "chromium exited with " + std::to_string(rc) + ":\n" +
                log_text.substr(log_text.size() > 4000 ? log_text.size() - 4000 : 0);
  } else if (!r.console.empty()) {
    r.failure = "console output (errors or uncaught exceptions):";
    for (const std::string& l : r.console) r.failure += "\n  " + l;
  } else if (r.dom.find("data-ready=\"1\"") == std::string::npos) {
    r.failure = "the page's script did not finish (no data-ready=\"1\" in the rendered DOM)";
  }
  return r;
}

std::string screenshot_in_chromium(const fs::path& html, const fs::path& png,
                                   const fs::path& work_dir, int timeout_s) {
  const std::string chromium = find_chromium();
  if (chromium.empty()) return "chromium is not installed (scripts/bootstrap installs it)";
  fs::remove(png);
  const fs::path log = work_dir / "screenshot.log";
  const int rc = run_command(chromium_command(chromium, work_dir, timeout_s) +
                             " --screenshot=" + quote(fs::absolute(png)) + " " +
                             quote(file_url(html)) + " > " + quote(log) + " 2>&1");
  if (rc != 0) return "chromium exited with " + std::to_string(rc) + ":\n" + read(log);
  return fs::exists(png) ? "" : "chromium wrote no screenshot";
}

}  // namespace mikeyconf::reports::testing
