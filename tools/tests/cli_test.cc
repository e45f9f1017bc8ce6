// The real `mikeyconf` binary run as a subprocess: subcommand dispatch, standard input and
// output, exit codes (tools/README.md).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "tools/tests/run_binary.h"

namespace {

using Result = mikeyconf::tools::test_support::Outcome;
using mikeyconf::tools::test_support::slurp;

// Runs `mikeyconf <args>` through the shell with `stdin_file` as standard input.
Result run(const std::string& args, const std::string& stdin_file = "/dev/null") {
  // One file pair per test: ctest runs the tests of this file in parallel processes.
  const std::string base = ::testing::TempDir() + "cli_test_" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name();
  return mikeyconf::tools::test_support::run_mikeyconf(args, stdin_file, base);
}

const std::string kData = std::string(MIKEYCONF_TOOLS_DIR) + "/tests/data/";

TEST(CliTest, VersionAndHelpExitZero) {
  Result r = run("--version");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("mikeyconf ", 0), 0u) << r.out;
  r = run("help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("  decode"), std::string::npos) << r.out;
  r = run("help decode");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("usage: mikeyconf decode"), std::string::npos) << r.out;
  r = run("--help");
  EXPECT_EQ(r.code, 0);
}

TEST(CliTest, UnknownOrMissingSubcommandIsAUsageError) {
  Result r = run("frobnicate");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown command 'frobnicate'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("usage: mikeyconf"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  r = run("");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("usage: mikeyconf"), std::string::npos) << r.err;
  r = run("help frobnicate");
  EXPECT_EQ(r.code, 2);
}

TEST(CliTest, DecodesAFileAndStandardInput) {
  Result from_file = run("decode " + kData + "error.hex");
  EXPECT_EQ(from_file.code, 0) << from_file.err;
  EXPECT_NE(from_file.out.find("error_no"), std::string::npos) << from_file.out;
  EXPECT_NE(from_file.out.find("Invalid TS"), std::string::npos) << from_file.out;
  Result from_stdin = run("decode -", kData + "error.hex");
  EXPECT_EQ(from_stdin.code, 0);
  EXPECT_EQ(from_stdin.out, from_file.out);
  Result implicit_stdin = run("decode --json", kData + "error.hex");
  EXPECT_EQ(implicit_stdin.code, 0);
  EXPECT_EQ(implicit_stdin.out.rfind("{\n  \"valid\": true,", 0), 0u) << implicit_stdin.out;
}

TEST(CliTest, MalformedMessageExitsOneAndUsageErrorsTwo) {
  const std::string cut = ::testing::TempDir() + "cli_test_cut.hex";
  {
    std::ofstream f(cut);
    f << "01 06 05 00 12345678 00 00 0c 00 e7d2a3b5\n";  // T value cut short
  }
  Result r = run("decode " + cut);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("error: truncated at offset 12 in T"), std::string::npos) << r.out;
  std::remove(cut.c_str());
  r = run("decode /nonexistent.hex");
  EXPECT_EQ(r.code, 2);
  r = run("decode --bogus " + kData + "error.hex");
  EXPECT_EQ(r.code, 2);
}

TEST(CliTest, WritesAPcap) {
  const std::string pcap = ::testing::TempDir() + "cli_test.pcap";
  Result r = run("decode --pcap " + pcap + " " + kData + "error.hex");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string bytes = slurp(pcap);
  ASSERT_EQ(bytes.size(), 24u + 16 + 50);  // error.hex is 50 bytes
  EXPECT_EQ(bytes.substr(0, 4), std::string("\xd4\xc3\xb2\xa1", 4));
  EXPECT_EQ(bytes.substr(20, 4), std::string("\x93\0\0\0", 4));
  EXPECT_EQ(bytes.substr(40, 3), std::string("\x01\x06\x05", 3));
  std::remove(pcap.c_str());
}

}  // namespace
