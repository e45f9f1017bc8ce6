#include "tools/report_cmd.h"

#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "harness/exec_fuzz_process.h"
#include "reports/file_util.h"

namespace mikeyconf::tools {

namespace fs = std::filesystem;

const std::string_view kReportUsage =
    "usage: mikeyconf report --pdf [--out FILE] DIR\n"
    "\n"
    "Prints DIR/report.html (written by 'mikeyconf run --out DIR') to PDF with headless\n"
    "Chromium, using the page's print layout: the executive summary, the failures, the\n"
    "per-requirement view and the cases that did not pass.\n"
    "\n"
    "  DIR         a run's output folder\n"
    "  --pdf       write a PDF (the only output so far)\n"
    "  --out FILE  the PDF to write (default DIR/report.pdf)\n"
    "\n"
    "Chromium is found as $MIKEYCONF_CHROMIUM, else chromium, chromium-browser or\n"
    "google-chrome on PATH.\n"
    "\n"
    "exit status: 0 written, 2 usage error, 3 no report.html in DIR, Chromium missing or\n"
    "it wrote no PDF\n";

namespace {

constexpr auto kChromiumLimit = std::chrono::seconds(120);

void define(CLI::App& app) {
  flag_option(app, "--pdf");
  value_option(app, "--out");
  positional(app, "DIR");
}

// Runs argv (output kept only up to a small cap, never shown); the exit status, or -1 when it
// could not start, died of a signal or ran longer than kChromiumLimit (then its whole process
// group, renderer and GPU processes included, is killed).
int run_quietly(const std::vector<std::string>& argv) {
  const auto limit_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kChromiumLimit);
  const harness::ProcessRun r =
      harness::run_process(argv, {}, static_cast<std::uint32_t>(limit_ms.count()), 4096);
  return r.end == harness::ProcessRun::End::exited ? r.exit_code : -1;
}

bool is_pdf(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  char head[4] = {};
  return in.read(head, 4) && std::string_view(head, 4) == "%PDF";
}

int run(const ParsedArgs& args, Io& io) {
  if (!args.flag("--pdf") || args.positional.empty()) {
    return command_usage_error(io, "report", "give --pdf and the run's output folder DIR",
                               kReportUsage);
  }
  const fs::path dir = args.positional[0];
  const fs::path html = dir / "report.html";
  std::error_code ec;
  if (!fs::is_regular_file(html, ec)) {
    io.err << "mikeyconf report: no report.html in " << dir.string()
           << " (write one with 'mikeyconf run --out " << dir.string() << "')\n";
    return kExitSetup;
  }
  const std::string chromium = reports::find_chromium();
  if (chromium.empty()) {
    io.err << "mikeyconf report: Chromium not found (install the chromium package, or set "
              "MIKEYCONF_CHROMIUM to its path)\n";
    return kExitSetup;
  }
  const fs::path out =
      args.value("--out") != nullptr ? fs::path(*args.value("--out")) : dir / "report.pdf";
  std::string profile_template = (fs::temp_directory_path() / "mikeyconf-pdf-XXXXXX").string();
  if (::mkdtemp(profile_template.data()) == nullptr) {
    io.err << "mikeyconf report: cannot make a temporary Chromium profile folder\n";
    return kExitSetup;
  }
  const fs::path profile = profile_template;
  fs::remove(out, ec);
  const int rc = run_quietly(
      {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--user-data-dir=" + profile.string(), "--no-pdf-header-footer",
       "--print-to-pdf=" + fs::absolute(out).string(), reports::file_url(html)});
  fs::remove_all(profile, ec);
  if (rc != 0 || !is_pdf(out)) {
    io.err << "mikeyconf report: " << chromium << " did not write a PDF to " << out.string()
           << (rc == 0 ? "" : " (exit status " + std::to_string(rc) + ")") << "\n";
    return kExitSetup;
  }
  io.out << "wrote " << out.string() << " (" << fs::file_size(out, ec) << " bytes)\n";
  return kExitOk;
}

}  // namespace

int report_main(std::span<const std::string_view> args, Io& io) {
  static const Command kCommand{"report", kReportUsage, &define, &run};
  return run_command(kCommand, args, io);
}

}  // namespace mikeyconf::tools
