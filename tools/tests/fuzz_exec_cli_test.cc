// `mikeyconf fuzz --exec` as a user runs it: the real binary against a parser with a planted crash
// and a planted hang (tests/planted_parser.cc), against `mikeyconf decode`, and with command
// lines that are usage or setup errors.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "inspect/json.h"
#include "tests/support/run_binary.h"
#include "tests/support/test_support.h"

namespace mikeyconf::tools {
namespace {

namespace fs = std::filesystem;
using inspect::Json;
using test_support::Outcome;
using test_support::run_mikeyconf;
using test_support::slurp;

Json load_json(const fs::path& p) {
  auto j = inspect::parse_json(slurp(p));
  EXPECT_TRUE(j) << p;
  return j ? *j : Json();
}

class FuzzExecTest : public ::testing::Test {
 protected:
  Outcome fuzz(const std::string& args) {
    return run_mikeyconf("fuzz --exec --no-progress --out '" + out() + "' " + args, "/dev/null",
                         dir_.file("run"));
  }
  std::string out() const { return dir_.file("out"); }

  // The finding folders of the campaign, by kind.
  std::vector<fs::path> findings(const std::string& kind) const {
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(out()) / "findings", ec)) {
      if (e.path().filename().string().starts_with(kind + "-")) dirs.push_back(e.path());
    }
    return dirs;
  }

  mikey::transport::testing::TempDir dir_;
};

void expect_finding_files(const fs::path& d, const std::string& kind) {
  for (const char* f : {"input.bin", "input.hex", "finding.json"}) {
    EXPECT_TRUE(fs::is_regular_file(d / f)) << d / f;
  }
  const Json j = load_json(d / "finding.json");
  EXPECT_EQ(j.value("kind", ""), kind);
  EXPECT_EQ(j.value("id", ""), d.filename().string());
  const std::size_t size = fs::file_size(d / "input.bin");
  EXPECT_EQ(j.value("input_length", std::size_t{0}), size);
  EXPECT_LT(size, j.value("original_length", std::size_t{0})) << "not minimised: " << d;
  EXPECT_TRUE(j.value("reproduced", false));
  ASSERT_TRUE(j.contains("decoded"));
  EXPECT_TRUE(j["decoded"].contains("fields")) << "no decoded tree in " << d;
  EXPECT_EQ(j["command"], Json::array({PLANTED_PARSER}));
}

// The acceptance run: both planted bugs found within the time given, each written once.
TEST_F(FuzzExecTest, FindsThePlantedCrashAndHang) {
  const Outcome r = fuzz("--time 30 --timeout-ms 200 -- " PLANTED_PARSER);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  const auto crashes = findings("crash");
  const auto hangs = findings("hang");
  ASSERT_EQ(crashes.size(), 1u) << r.out;
  ASSERT_EQ(hangs.size(), 1u) << r.out;
  expect_finding_files(crashes.front(), "crash");
  expect_finding_files(hangs.front(), "hang");
  EXPECT_EQ(load_json(crashes.front() / "finding.json").value("signal", ""), "SIGABRT");
  EXPECT_EQ(load_json(hangs.front() / "finding.json").value("timeout_ms", 0), 200);
  const Json c = load_json(fs::path(out()) / "campaign.json");
  EXPECT_EQ(c.value("stop_reason", ""), "time");
  EXPECT_EQ(c["findings"].size(), 2u);
  EXPECT_NE(r.out.find("replay: " PLANTED_PARSER " < "), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(fs::path(out()) / "work"));
}

// Exit statuses are the parser's verdicts, not findings: decode exits 1 on malformed input.
TEST_F(FuzzExecTest, FindsNothingInMikeyconfDecode) {
  const Outcome r = fuzz("--time 10 -- " MIKEYCONF_BINARY " decode --binary --json '{input}'");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const Json c = load_json(fs::path(out()) / "campaign.json");
  EXPECT_EQ(c.value("input_via", ""), "file");
  EXPECT_TRUE(c["findings"].empty());
  EXPECT_GT(c["execs"].value("mutants", 0), 10);
  // Both sides of the parser were exercised: valid seeds and malformed mutants.
  EXPECT_TRUE(c["exit_codes"].contains("0")) << c.dump();
  EXPECT_TRUE(c["exit_codes"].contains("1")) << c.dump();
}

TEST_F(FuzzExecTest, RunsBoundTheCampaign) {
  const Outcome r = fuzz("--runs 20 --seed 3 -- cat");
  ASSERT_EQ(r.code, 0) << r.err;
  const Json c = load_json(fs::path(out()) / "campaign.json");
  EXPECT_EQ(c["execs"].value("mutants", 0), 20);
  EXPECT_EQ(c.value("stop_reason", ""), "runs");
  EXPECT_EQ(c.value("seed", 0), 3);
}

// A sanitizer report followed by a non-zero exit is a crash, one finding per report's top frames
// although every run reports other addresses (here: the shell's pid).
TEST_F(FuzzExecTest, SanitizerReportWithNonZeroExitIsOneCrash) {
  const std::string script = dir_.file("asan-like.sh");
  {
    std::ofstream f(script);
    f << "#!/bin/sh\n"
         "[ -s \"$1\" ] || exit 0\n"
         "[ \"$(head -c 1 \"$1\" | od -An -tx1 | tr -d ' \\n')\" = 01 ] && exit 0\n"
         "echo \"==$$==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x$$ at pc 0x1\" "
         ">&2\n"
         "echo \"    #0 0x$$ in parse_hdr /src/hdr.c:10:2\" >&2\n"
         "echo \"    #1 0x$$ in main /src/main.c:3:4\" >&2\n"
         "exit 1\n";
  }
  fs::permissions(script, fs::perms::owner_all);
  const Outcome r = fuzz("--time 10 -- " + script + " {input}");
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  const auto crashes = findings("crash");
  ASSERT_EQ(crashes.size(), 1u) << r.out;
  const Json j = load_json(crashes.front() / "finding.json");
  EXPECT_TRUE(j["signal"].is_null());
  EXPECT_EQ(j.value("exit_code", 0), 1);
  EXPECT_EQ(j["sanitizer"].value("summary", ""), "AddressSanitizer: heap-buffer-overflow");
  EXPECT_EQ(j["sanitizer"]["frames"],
            Json::array({"parse_hdr /src/hdr.c:10:2", "main /src/main.c:3:4"}));
  EXPECT_EQ(j.value("input_via", ""), "file");
  EXPECT_EQ(j.value("input_length", 0), 1);  // one byte, not version 1
}

// Without --time and --runs the campaign runs until stopped; stopped, it still sums up.
TEST_F(FuzzExecTest, SigtermStopsTheCampaignWithItsSummary) {
  const std::string cmd = std::string("'") + MIKEYCONF_BINARY +
                          "' fuzz --exec --no-progress --out '" + out() +
                          "' -- cat >/dev/null 2>&1 & pid=$!; sleep 2; kill -TERM $pid; wait $pid";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const Json c = load_json(fs::path(out()) / "campaign.json");
  EXPECT_EQ(c.value("stop_reason", ""), "interrupted");
  EXPECT_TRUE(c["runs"].is_null());
}

TEST_F(FuzzExecTest, UsageErrorsExit2) {
  for (const char* args : {"--runs 5 --", "--runs 5", "--bogus -- cat", "--timeout-ms 0 -- cat",
                           "--runs many -- cat", "--corpus /nonexistent/dir -- cat"}) {
    const Outcome r = fuzz(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find("usage: mikeyconf fuzz --exec"), std::string::npos) << args;
  }
}

TEST_F(FuzzExecTest, CommandThatCannotStartExits3) {
  const Outcome r = fuzz("--runs 5 -- /nonexistent/mikey-parser");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("cannot start '/nonexistent/mikey-parser'"), std::string::npos) << r.err;
  EXPECT_TRUE(findings("crash").empty());
}

// A command that fails on every input is a setup problem, not thousands of findings.
TEST_F(FuzzExecTest, CommandFailingOnEveryInputExits3) {
  Outcome r = fuzz("--runs 5 -- sh -c 'kill -SEGV $$'");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("crashes (SIGSEGV) on the valid seed"), std::string::npos) << r.err;
  EXPECT_TRUE(findings("crash").empty());

  r = fuzz("--runs 5 --timeout-ms 100 -- sleep 5");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("does not finish within 100 ms"), std::string::npos) << r.err;

  r = fuzz("--runs 5 -- sh -c 'echo no such option >&2; exit 2'");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("exits with status 2 on every valid seed (\"no such option\")"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace mikeyconf::tools
