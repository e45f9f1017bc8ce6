// The real `mikeyconf` binary run as a subprocess: subcommand dispatch, standard input and
// output, exit codes (tools/README.md).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <string>

#include "tests/support/run_binary.h"

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
  // The one shape of a decoded message (reports/README.md "Decoded message").
  EXPECT_EQ(implicit_stdin.out.rfind("{\n  \"hex\": \"", 0), 0u) << implicit_stdin.out;
  EXPECT_NE(implicit_stdin.out.find("\n  \"valid\": true,\n"), std::string::npos)
      << implicit_stdin.out;
  EXPECT_NE(implicit_stdin.out.find("\n  \"data_type_name\": \"Error\",\n"), std::string::npos)
      << implicit_stdin.out;
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

// `kms` and `request-init` on the shared command line (cli.h): their own usage errors, the
// shared ones, and an option given again replacing the earlier value.
TEST(CliTest, KmsAndRequestInitCommandLines) {
  const std::string config = std::string(MIKEYCONF_TOOLS_DIR) + "/../configs/kms.yaml";
  struct Case {
    std::string args;
    std::string message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"kms", "mikeyconf kms: --config FILE is required"},
           {"kms --config " + config + " --tls-cert x", "--tls-cert and --tls-key go together"},
           {"kms --config " + config + " --threads 0", "--threads: expected 1 to 64"},
           {"kms --config " + config + " --link-max-in-flight 0",
            "--link-max-in-flight: expected 1 to 256"},
           {"kms --config " + config + " --link-timeout-ms 2s",
            "--link-timeout-ms: expected 1 to 600000"},
           {"kms --config " + config + " --header-timeout-ms 0",
            "--header-timeout-ms: expected 1 to 3600000"},
           {"kms --config " + config + " --max-connections-per-address x",
            "--max-connections-per-address: expected 0 to 1000000"},
           {"kms --config", "--config needs a value"},
           {"kms --bogus", "unknown option '--bogus'"},
           {"request-init --config " + config, "--config FILE and --user ID are required"},
           {"request-init --config " + config + " --user x --ticket-type 3",
            "--ticket-type: expected 1 or 2"},
           {"request-init --config " + config + " --user x --suite 1",
            "--suite: expected 128 or 256"},
           {"request-init --config " + config + " --user x --lifetime 0",
            "--lifetime: expected seconds"},
           {"request-init --forking=yes", "--forking takes no value"},
           {"request-init --config " + config + " --user sip:nobody@example.org",
            "has no user 'sip:nobody@example.org'"}}) {
    Result r = run(c.args);
    EXPECT_EQ(r.code, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
  }
  Result r = run("request-init --help");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("usage: mikeyconf request-init", 0), 0u) << r.out;
  r = run("request-init --config " + config +
          " --user sip:nobody@example.org --user sip:alice@example.org --forking --forking");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("AQ", 0), 0u) << r.out;  // base64 of a MIKEY message, version 1
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
