// `mikeyconf report --pdf`: a run's report.html printed to PDF by headless Chromium; the errors
// when Chromium is missing, DIR has no report, or --pdf is not given.
#include "tools/report_cmd.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include "tools/tests/command_run.h"

namespace mikeyconf::tools {
namespace {

namespace fs = std::filesystem;

CommandRun report(std::vector<std::string_view> args) { return run_in_process(&report_main, args); }

class ReportCmdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mikey-report-cmd-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    ::unsetenv("MIKEYCONF_CHROMIUM");
    if (!HasFailure()) fs::remove_all(dir_);
  }
  // A real run's output: the sanity case against the embedded reference KMS.
  void write_run() {
    const std::string command = std::string(MIKEYCONF_BINARY) +
                                " run --embedded --no-progress --case kms.sanity --out " +
                                dir_.string() + " > /dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  fs::path dir_;
};

bool chromium_installed() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (::access(p, X_OK) == 0) return true;
  return false;
}

TEST_F(ReportCmdTest, PrintsTheReportToPdf) {
  // scripts/bootstrap installs Chromium: its absence is a broken set-up, not a reason to skip.
  ASSERT_TRUE(chromium_installed()) << "chromium is not installed: run scripts/bootstrap";
  write_run();
  const CommandRun r = report({"--pdf", dir_.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream pdf(dir_ / "report.pdf", std::ios::binary);
  std::string head(5, '\0');
  pdf.read(head.data(), 5);
  EXPECT_EQ(head, "%PDF-");
  EXPECT_GT(fs::file_size(dir_ / "report.pdf"), 10'000u);
  EXPECT_NE(r.out.find("report.pdf"), std::string::npos);
  const CommandRun to_file = report({"--pdf", "--out", (dir_ / "x.pdf").string(), dir_.string()});
  EXPECT_EQ(to_file.code, 0) << to_file.err;
  EXPECT_TRUE(fs::exists(dir_ / "x.pdf"));
}

TEST_F(ReportCmdTest, SaysWhatIsMissing) {
  fs::create_directories(dir_);
  CommandRun r = report({"--pdf", dir_.string()});
  EXPECT_EQ(r.code, kExitSetup);
  EXPECT_NE(r.err.find("no report.html in"), std::string::npos) << r.err;
  std::ofstream(dir_ / "report.html") << "<!DOCTYPE html><p>x</p>";
  ::setenv("MIKEYCONF_CHROMIUM", (dir_ / "no-such-chromium").c_str(), 1);
  r = report({"--pdf", dir_.string()});
  EXPECT_EQ(r.code, kExitSetup);
  EXPECT_NE(r.err.find("Chromium not found"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "report.pdf"));
  r = report({dir_.string()});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("give --pdf"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mikeyconf::tools
