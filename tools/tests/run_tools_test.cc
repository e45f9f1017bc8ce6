// `mikeyconf run --write-baseline` as a subprocess: a run with a failure written as a baseline
// and run again with it (every former fail is xfail, exit 0). `mikeyconf diff` in-process on
// synthesized results.json files: every category, the exit codes, input that is not a run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "harness/profile.h"
#include "inspect/json.h"
#include "tests/support/run_binary.h"
#include "tools/diff_cmd.h"
#include "tools/tests/command_run.h"
#include "tools/tests/suite_test_support.h"

namespace mikeyconf::tools {
namespace {

namespace fs = std::filesystem;
using inspect::Json;
using test_support::Outcome;
using test_support::slurp;

const std::string kCases = std::string(MIKEY_SOURCE_DIR) + "/cases";

using test_support::kFailingCase;
using test_support::kTypeTwoKey;

fs::path scratch() { return test_support::scratch_dir("run_tools_test_"); }

Outcome mikeyconf(const std::string& args, const fs::path& dir) {
  return test_support::mikeyconf_in(args, dir);
}

using test_support::verdicts;

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
  const auto before = verdicts(dir / "first" / "results.json");
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
  const auto after = verdicts(dir / "second" / "results.json");
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

// ---- mikeyconf diff ----

// A results.json holding only what diff reads, with these id → verdict pairs.
std::string results_with(const std::vector<std::pair<std::string, std::string>>& cases,
                         const std::string& extra = "") {
  Json list = Json::array();
  for (const auto& [id, verdict] : cases) {
    list.push_back(Json{{"id", id}, {"verdict", verdict}, {"reason", "why " + id}});
  }
  Json doc = {{"schema", "mikeyconf.results/1"},
              {"tool_version", "0.1.0"},
              {"sut", {{"name", "lab-kms"}, {"role", "kms"}, {"base_url", "http://kms:8080"}}},
              {"run", {{"seed", 7}, {"started_utc", "2026-12-07T10:00:00Z"}}},
              {"summary", {{"total", cases.size()}}},
              {"cases", list}};
  if (!extra.empty()) doc["suite"] = Json{{"digest", extra}, {"matches_shipped", true}};
  return doc.dump();
}

CommandRun diff(const fs::path& dir, const std::string& a, const std::string& b,
                bool json = false) {
  std::ofstream(dir / "a.json") << a;
  std::ofstream(dir / "b.json") << b;
  const std::string pa = (dir / "a.json").string();
  const std::string pb = (dir / "b.json").string();
  std::vector<std::string_view> args = {pa, pb};
  if (json) args.insert(args.begin(), "--json");
  return run_in_process(&diff_main, args);
}

std::vector<std::string> ids_of(const Json& list) {
  std::vector<std::string> out;
  for (const Json& e : list) out.push_back(e.at("id"));
  return out;
}

const std::vector<std::pair<std::string, std::string>> kBefore = {
    {"p2f", "pass"}, {"x2e", "xfail"}, {"s2x", "skipped"}, {"f2p", "fail"},
    {"p2i", "pass"}, {"gone", "pass"}, {"same", "pass"}};
const std::vector<std::pair<std::string, std::string>> kAfter = {
    {"p2f", "fail"},         {"x2e", "error"}, {"s2x", "xpass"},     {"f2p", "pass"},
    {"p2i", "inconclusive"}, {"same", "pass"}, {"new-fail", "fail"}, {"new-pass", "pass"}};

TEST(DiffCommand, SortsEveryChangeIntoItsCategory) {
  const fs::path dir = scratch();
  const CommandRun r = diff(dir, results_with(kBefore), results_with(kAfter, "d1g35t"), true);
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  const auto doc = inspect::parse_json(r.out);
  ASSERT_TRUE(doc) << r.out;
  EXPECT_EQ(ids_of(doc->at("new_failures")),
            (std::vector<std::string>{"p2f", "x2e", "s2x", "new-fail"}));
  EXPECT_EQ(doc->at("new_failures")[3].at("a"), "absent");
  EXPECT_EQ(doc->at("new_failures")[0].at("reason"), "why p2f");
  EXPECT_EQ(ids_of(doc->at("fixes")), (std::vector<std::string>{"f2p"}));
  EXPECT_EQ(ids_of(doc->at("changed")), (std::vector<std::string>{"p2i"}));
  EXPECT_EQ(ids_of(doc->at("added")), (std::vector<std::string>{"new-fail", "new-pass"}));
  EXPECT_EQ(ids_of(doc->at("removed")), (std::vector<std::string>{"gone"}));
  EXPECT_TRUE(doc->at("a").at("suite_digest").is_null());  // not recorded: tolerated
  EXPECT_EQ(doc->at("b").at("suite_digest"), "d1g35t");
  EXPECT_EQ(doc->at("b").at("seed"), 7);
  EXPECT_EQ(doc->at("exit_code"), 1);

  const CommandRun text = diff(dir, results_with(kBefore), results_with(kAfter, "d1g35t"));
  EXPECT_EQ(text.code, 1);
  for (const char* line :
       {"new failures (4):\n  p2f  pass -> fail\n      why p2f\n", "  new-fail  absent -> fail\n",
        "fixes (1):\n  f2p  fail -> pass\n",
        "other verdict changes (1):\n  p2i  pass -> inconclusive",
        "added in B (2):\n  new-fail  (fail)\n  new-pass  (pass)\n",
        "removed in B (1):\n  gone  (pass)\n", "suite digest d1g35t", "suite digest (not recorded)",
        "SUT lab-kms (kms) http://kms:8080, seed 7", "4 regressions, 1 fix\n"}) {
    EXPECT_NE(text.out.find(line), std::string::npos) << line << "\n" << text.out;
  }
}

TEST(DiffCommand, NoRegressionIsExitZero) {
  const fs::path dir = scratch();
  EXPECT_EQ(diff(dir, results_with(kBefore), results_with(kBefore)).code, 0);
  // B fixes f2p, drops a case and changes nothing else: no regression.
  auto fixed = kBefore;
  fixed[3].second = "pass";
  fixed.pop_back();
  const CommandRun r = diff(dir, results_with(kBefore), results_with(fixed));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("no regression, 1 fix\n"), std::string::npos) << r.out;
  // Backwards, f2p is a new failure.
  EXPECT_EQ(diff(dir, results_with(fixed), results_with(kBefore)).code, 1);
}

TEST(DiffCommand, InputThatIsNoRunIsExitTwoNamingTheFile) {
  const fs::path dir = scratch();
  const std::string good = results_with(kBefore);
  const std::string b_file = (dir / "b.json").string();
  const std::vector<std::pair<std::string, std::string>> problems = {
      {R"({"schema": "mikeyconf.results/1", "cases": [{"id": "x", "verdict": "passed"}]})",
       ": cases[0].verdict 'passed' is not a verdict"},
      {good.substr(0, good.size() / 2), ": not JSON (byte "},
      {R"({"schema": "mikeyconf.results/1", "cases": [{"id": 3, "verdict": "pass"}]})",
       ": cases[0] has no \"id\" string"},
      {R"({"schema": "mikeyconf.results/1"})", ": no \"cases\" list"},
      {R"({"schema": "other/1", "cases": []})", ": not a results.json (schema 'other/1'"},
      {R"([1, 2])", ": not a results.json (not a JSON object)"},
      {"\xff\xfe\x00garbage", ": not JSON (byte 0)"}};
  for (const auto& [text, message] : problems) {
    const CommandRun r = diff(dir, good, text);
    EXPECT_EQ(r.code, 2) << text;
    EXPECT_NE(r.err.find("mikeyconf diff: " + b_file + message), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  const std::string missing = (dir / "missing.json").string();
  const CommandRun absent = run_in_process(&diff_main, std::vector<std::string>{missing, b_file});
  EXPECT_EQ(absent.code, 2);
  EXPECT_NE(absent.err.find("cannot read " + missing), std::string::npos) << absent.err;
  const CommandRun one = run_in_process(&diff_main, std::vector<std::string>{b_file});
  EXPECT_EQ(one.code, 2);
  EXPECT_NE(one.err.find("usage: mikeyconf diff"), std::string::npos) << one.err;
}

}  // namespace
}  // namespace mikeyconf::tools
