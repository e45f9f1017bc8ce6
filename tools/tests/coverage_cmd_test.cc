// `mikeyconf coverage` run in-process on small case directories made by each test.
#include "tools/coverage_cmd.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include "tools/tests/command_run.h"

namespace mikeyconf::tools {
namespace {

namespace fs = std::filesystem;

CommandRun run(const std::vector<std::string>& args) {
  return run_in_process(&coverage_main, args);
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A cases directory: two requirements, one case citing the first, a reason for the second.
class CoverageCmdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mikeyconf_coverage_cmd_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "kms");
    std::ofstream(dir_ / "requirements.csv") << "id,source,role,level,summary\n"
                                                "A-1,TS 1,KMS,SHALL,the KMS answers 200\n"
                                                "A-2,TS 1,Initiator,SHALL,the UE posts\n";
    std::ofstream(dir_ / "kms" / "ok.yaml") << "id: kms.ok\ntitle: t\nrequirements: [A-1]\n"
                                               "level: SHALL\nsut_role: kms\nsteps:\n"
                                               "  - send: REQUEST_INIT_PSK\n"
                                               "  - expect: {http.status: 200}\n";
    write_reasons("A-2: {category: not-yet-covered, reason: no Initiator driver}\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write_reasons(const std::string& text) { std::ofstream(dir_ / "not-covered.yaml") << text; }
  void write_registry(const std::string& text) {
    std::ofstream(dir_ / "mutation-registry.yaml") << text;
  }
  std::string cases() const { return dir_.string(); }
  std::string md() const { return (dir_ / "COVERAGE.md").string(); }

  fs::path dir_;
};

TEST_F(CoverageCmdTest, PrintsTheMarkdown) {
  const CommandRun r = run({"--cases", cases()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("# Requirement coverage\n", 0), 0u) << r.out;
  // A KMS SHALL row cited by a kms case, without a mutation variant: cited-only.
  EXPECT_NE(r.out.find("| A-1 | SHALL | the KMS answers 200 | cited-only | `kms.ok` — no mutation "
                       "variant for this role in mutation-registry.yaml yet |"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("| A-2 | SHALL | the UE posts | not-covered | *not-yet-covered*: no "
                       "Initiator driver |"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(CoverageCmdTest, WriteThenCheckPassesAndAnEditFailsWithAHint) {
  CommandRun r = run({"--cases", cases(), "--write", md()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(slurp(md()), run({"--cases", cases()}).out);
  r = run({"--cases", cases(), "--check", md()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");

  std::ofstream(md(), std::ios::app) << "hand edit\n";
  r = run({"--cases", cases(), "--check", md()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("out of date: expected (end of file), found 'hand edit'"), std::string::npos)
      << r.err;
  EXPECT_NE(
      r.err.find("regenerate with: mikeyconf coverage --cases " + cases() + " --write " + md()),
      std::string::npos)
      << r.err;
}

TEST_F(CoverageCmdTest, CheckFailsOnAMissingRowEvenWhenTheFileMatches) {
  write_reasons("{}\n");
  ASSERT_EQ(run({"--cases", cases(), "--write", md()}).code, 0);
  const CommandRun r = run({"--cases", cases(), "--check", md()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("requirements.csv:3:1: A-2 (Initiator, SHALL) is cited by no case"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("1 coverage problem(s)"), std::string::npos) << r.err;
}

TEST_F(CoverageCmdTest, TheRegistryVariantMakesARowCovered) {
  write_registry("- {row: A-1, role: kms, variant: answers-500}\n");
  const CommandRun r = run({"--cases", cases()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("| A-1 | SHALL | the KMS answers 200 | covered | `kms.ok` (variant "
                       "`answers-500`) |"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(CoverageCmdTest, ACitationByAnotherRoleWarnsAndDoesNotCount) {
  std::ofstream(dir_ / "kms" / "ue.yaml") << "id: kms.ue\ntitle: t\nrequirements: [A-1, A-2]\n"
                                             "level: SHALL\nsut_role: kms\nsteps:\n"
                                             "  - send: REQUEST_INIT_PSK\n"
                                             "  - expect: {http.status: 200}\n";
  write_reasons("{}\n");
  ASSERT_EQ(run({"--cases", cases(), "--write", md()}).code, 0);
  const CommandRun r = run({"--cases", cases(), "--check", md()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("warning: kms.ue (sut_role kms) cites A-2, a requirement of Initiator: the "
                       "citation does not count"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("A-2 (Initiator, SHALL) is cited only by kms.ue, whose sut_role is not one "
                       "of its and has no entry in"),
            std::string::npos)
      << r.err;
}

TEST_F(CoverageCmdTest, ARegistryThatDoesNotLoadExitsTwo) {
  write_registry("- {row: A-1, role: kms}\n");
  const CommandRun r = run({"--cases", cases()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("mutation-registry.yaml:1:3: an entry has exactly one of variant and "
                       "not_violable_alone"),
            std::string::npos)
      << r.err;
}

TEST_F(CoverageCmdTest, CheckFailsOnAStaleReason) {
  write_registry("- {row: A-1, role: kms, variant: answers-500}\n");
  write_reasons(
      "A-2: {category: not-yet-covered, reason: x}\n"
      "A-1: {category: not-on-the-wire, reason: y}\n");
  ASSERT_EQ(run({"--cases", cases(), "--write", md()}).code, 0);
  const CommandRun r = run({"--cases", cases(), "--check", md()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not-covered.yaml:2:1: A-1 is now covered by kms.ok: remove its entry"),
            std::string::npos)
      << r.err;
}

TEST_F(CoverageCmdTest, WriteWarnsAboutProblemsButSucceeds) {
  write_reasons("{}\n");
  const CommandRun r = run({"--cases", cases(), "--write", md()});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.err.find("warning: "), std::string::npos) << r.err;
  EXPECT_NE(slurp(md()).find("**missing**"), std::string::npos);
}

TEST_F(CoverageCmdTest, ACheckOfAnAbsentFileFails) {
  const CommandRun r = run({"--cases", cases(), "--check", (dir_ / "absent.md").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cannot be read"), std::string::npos) << r.err;
}

TEST_F(CoverageCmdTest, LoadErrorsExitTwoWithTheirPosition) {
  write_reasons("A-2: {category: someday, reason: x}\n");
  CommandRun r = run({"--cases", cases(), "--check", md()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not-covered.yaml:1:17: unknown category 'someday'"), std::string::npos)
      << r.err;

  write_reasons("{}\n");
  std::ofstream(dir_ / "kms" / "bad.yaml") << "id: kms.bad\ntitle: t\nrequirements: [Q-1]\n";
  r = run({"--cases", cases()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("bad.yaml:3:"), std::string::npos) << r.err;
}

TEST_F(CoverageCmdTest, UsageErrors) {
  EXPECT_EQ(run({"--frob"}).code, 2);
  EXPECT_EQ(run({"--cases"}).code, 2);
  const CommandRun both = run({"--write", "a", "--check", "b"});
  EXPECT_EQ(both.code, 2);
  EXPECT_NE(both.err.find("exclude each other"), std::string::npos);
  const CommandRun help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_EQ(help.out.rfind("usage: mikeyconf coverage", 0), 0u);
  EXPECT_EQ(run({"--cases", (dir_ / "nothing").string()}).code, 2);
}

}  // namespace
}  // namespace mikeyconf::tools
