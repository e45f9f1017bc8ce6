// `mikeyconf run --write-baseline` and `mikeyconf diff` as subprocesses: a run with a failure
// written as a baseline and run again with it (every former fail is xfail, exit 0).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "harness/profile.h"
#include "inspect/json.h"
#include "tests/support/run_binary.h"

namespace mikeyconf::tools {
namespace {

namespace fs = std::filesystem;
using inspect::Json;
using test_support::Outcome;
using test_support::slurp;

const std::string kCases = std::string(MIKEY_SOURCE_DIR) + "/cases";

// The reference KMS without its type-2 ticket key refuses the type-2 ticket request (RFC 6043
// §6.10 Ticket Policy; TS 33.328 §6.2.3.4.2) that this case expects to be granted.
constexpr char kTypeTwoKey[] =
    "    - id: tpk-2\n"
    "      format: type2\n"
    "      tpk: a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n";
constexpr char kFailingCase[] = "kms.three-party.type2-provisional";

fs::path scratch() {
  const fs::path dir =
      fs::path(::testing::TempDir()) /
      ("run_tools_test_" +
       std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Outcome mikeyconf(const std::string& args, const fs::path& dir) {
  return test_support::run_mikeyconf(args, "/dev/null", (dir / "std").string());
}

// id → verdict of a results.json.
std::map<std::string, std::string> verdicts_in(const fs::path& results_json) {
  std::map<std::string, std::string> out;
  auto json = inspect::parse_json(slurp(results_json));
  if (!json || inspect::find_member(*json, "cases") == nullptr) return out;
  for (const Json& c : json->at("cases")) out[c.at("id")] = c.at("verdict");
  return out;
}

// A profile of the embedded reference KMS that lacks the type-2 ticket key.
fs::path faulty_profile(const fs::path& dir) {
  std::string text = slurp(kCases + "/profiles/reference.yaml");
  const auto at = text.find(kTypeTwoKey);
  EXPECT_NE(at, std::string::npos) << "cases/profiles/reference.yaml no longer holds the key";
  if (at != std::string::npos) text.erase(at, std::string(kTypeTwoKey).size());
  const fs::path profile = dir / "no-type2-key.yaml";
  std::ofstream(profile) << text;
  return profile;
}

TEST(WriteBaseline, AFailedRunWrittenAsBaselineRunsGreenWithIt) {
  const fs::path dir = scratch();
  const std::string run = "run --cases " + kCases + " --embedded --sut " +
                          faulty_profile(dir).string() +
                          " --filter 'kms.three-party.*' --no-progress --out ";
  const fs::path baseline = dir / "b.yaml";
  const Outcome first =
      mikeyconf(run + (dir / "first").string() + " --write-baseline " + baseline.string(), dir);
  ASSERT_EQ(first.code, 1) << first.out << first.err;  // the exit status stays the run's
  EXPECT_NE(first.out.find("baseline written: " + baseline.string() +
                           " (1 expected failures, 1 new; 0 disabled)"),
            std::string::npos)
      << first.out;
  const auto before = verdicts_in(dir / "first" / "results.json");
  ASSERT_EQ(before.at(kFailingCase), "fail");

  auto written = harness::load_baseline(baseline);
  ASSERT_TRUE(written.ok()) << written.error().to_string();
  EXPECT_EQ(written->sut, "reference");
  ASSERT_EQ(written->expected_failures.size(), 1u);
  EXPECT_EQ(written->expected_failures[0].id, kFailingCase);
  EXPECT_NE(written->expected_failures[0].reason.find("expected granted"), std::string::npos);
  EXPECT_EQ(written->expected_failures[0].since.size(), 10u);

  const Outcome second =
      mikeyconf(run + (dir / "second").string() + " --baseline " + baseline.string() +
                    " --write-baseline " + (dir / "again.yaml").string(),
                dir);
  ASSERT_EQ(second.code, 0) << second.out << second.err;
  const auto after = verdicts_in(dir / "second" / "results.json");
  ASSERT_EQ(after.size(), before.size());
  for (const auto& [id, verdict] : before) {
    EXPECT_EQ(after.at(id), verdict == "fail" ? "xfail" : verdict) << id;
  }
  // Written again from the green run, the baseline is the same file.
  EXPECT_EQ(slurp(dir / "again.yaml"), slurp(baseline));
}

TEST(WriteBaseline, AnUnwritableFileIsExitThreeAfterTheReports) {
  const fs::path dir = scratch();
  std::ofstream(dir / "file") << "x";
  const Outcome r = mikeyconf("run --cases " + kCases + " --case kms.sanity --no-progress --out " +
                                  (dir / "out").string() + " --write-baseline " +
                                  (dir / "file" / "b.yaml").string(),
                              dir);
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("cannot write the baseline"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_regular_file(dir / "out" / "results.json"));
}

}  // namespace
}  // namespace mikeyconf::tools
