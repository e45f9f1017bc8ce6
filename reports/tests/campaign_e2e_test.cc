// The files of a fuzz campaign: a Campaign built by hand whose finding is a shipped case run
// against the embedded reference KMS; every file written must parse, the finding's repro bundle
// must replay with `mikeyconf replay`, and the regression folder must run with `mikeyconf run`.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/live_fuzz.h"
#include "harness/loader.h"
#include "harness/profile.h"
#include "harness/scenario_writer.h"
#include "harness/setup.h"
#include "inspect/json.h"
#include "reports/campaign.h"
#include "reports/reports.h"
#include "reports/tests/test_run.h"
#include "tests/support/run_binary.h"

namespace mikeyconf::reports {
namespace {

namespace fs = std::filesystem;
using inspect::Json;

constexpr std::string_view kCase = "kms.robustness.hdr-version-reprotected";
constexpr std::string_view kRegressionId = "fuzz.closed.0123abcd";
constexpr std::string_view kFindingId = "closed-0123abcd";

fs::path cases() { return testing::repo_dir() / "cases"; }
fs::path profile_file() { return cases() / "profiles" / "reference.yaml"; }

const harness::RequirementTable& table() {
  static const harness::RequirementTable t =
      harness::load_requirements(cases() / "requirements.csv").value();
  return t;
}

harness::Scenario load(const fs::path& file) {
  auto s = harness::load_scenario(file, &table());
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  return s.ok() ? std::move(s).value() : harness::Scenario{};
}

// The case run against the embedded reference KMS, as the finding's `result`.
harness::CaseResult run_on_reference(std::uint64_t seed) {
  harness::SuiteConfig config;
  config.cases_dir = cases();
  config.embedded = true;
  config.options.seed = seed;
  config.options.only = {std::string(kCase)};
  auto run = harness::run_configured_suite(config);
  EXPECT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run.ok() ? run->cases.size() : 0u, 1u);
  return run.ok() && !run->cases.empty() ? run->cases.front() : harness::CaseResult{};
}

harness::Campaign make_campaign() {
  harness::Finding f;
  f.id = kFindingId;
  f.oracle = harness::Oracle::closed;
  f.signature = "closed|REQUEST_INIT_PSK|flip_bit hdr.version";
  f.detail = "closed the connection <script>alert(1)</script> \x01\xff";
  f.regression = load(cases() / "kms" / "robustness" / "hdr-version-reprotected.yaml");
  f.regression.id = kRegressionId;
  f.result = run_on_reference(7);
  f.result.id = kRegressionId;
  f.seed = f.result.seed;
  f.hits = 3;
  f.first_exec = 17;
  harness::Campaign c;
  c.profile_file = profile_file().string();
  c.seed = 7;
  c.execs = 1234;
  c.seconds = 2.5;
  c.stop_reason = "runs";
  c.answers = {{"200", 1000}, {"400", 233}, {"closed", 1}};
  c.findings.push_back(std::move(f));
  return c;
}

// A finding whose case the loader rejects: a header value with CR LF (TS 33.328 Annex A requests
// are HTTP/1.1, whose field values hold no line break, RFC 9110 §5.5).
harness::Finding unreadable_finding(const harness::Finding& like) {
  harness::Finding f = like;
  f.id = "server_error-deadbeef";
  f.oracle = harness::Oracle::server_error;
  f.regression.id = "fuzz.server-error.deadbeef";
  std::get<harness::SendStep>(f.regression.steps.front().body)
      .http.headers.emplace_back("X-Split", "a\r\nInjected: b");
  return f;
}

class CampaignTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::fresh_dir("campaign"); }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  tools::test_support::Outcome mikeyconf(const std::string& args) {
    testing::write(dir_ / "stdin", "");
    return tools::test_support::run_mikeyconf(args, (dir_ / "stdin").string(),
                                              (dir_ / "cmd").string());
  }
  fs::path dir_;
};

TEST_F(CampaignTest, EveryFileParsesTheBundleReplaysAndTheRegressionSuiteRuns) {
  harness::Campaign campaign = make_campaign();
  campaign.findings.push_back(unreadable_finding(campaign.findings.front()));
  ASSERT_FALSE(campaign.findings[0].result.transcript.empty());
  const harness::Scenario sanity = load(cases() / "kms" / "sanity.yaml");
  const auto profile = harness::load_profile(profile_file().string());
  ASSERT_TRUE(profile.ok()) << profile.error().to_string();
  const fs::path out = dir_ / "out";
  auto written = write_campaign(campaign, sanity, profile.value(), out);
  ASSERT_TRUE(written.ok()) << written.error();
  for (const fs::path& f : written.value()) EXPECT_TRUE(fs::is_regular_file(out / f)) << f;
  const fs::path finding = out / "findings" / std::string(kFindingId);
  for (const fs::path& f :
       {out / "campaign.json", out / "campaign.html", finding / "case.yaml",
        finding / "bundle" / "bundle.json", out / "regression" / "kms.sanity.yaml",
        out / "regression" / "fuzz.closed.0123abcd.yaml"}) {
    EXPECT_TRUE(fs::is_regular_file(f)) << f;
  }

  auto doc = inspect::parse_json(testing::read(out / "campaign.json"));
  ASSERT_TRUE(doc && doc->is_object());
  EXPECT_EQ((*doc)["schema"], "mikeyconf.fuzz-campaign/1");
  EXPECT_EQ((*doc)["execs"], 1234);
  EXPECT_EQ((*doc)["answers"]["400"], 233);
  EXPECT_DOUBLE_EQ((*doc)["execs_per_s"].get<double>(), 1234 / 2.5);
  Json& fj = (*doc)["findings"].at(0);
  EXPECT_EQ(fj["id"].get<std::string>(), kFindingId);
  EXPECT_EQ(fj["oracle"], "closed");
  EXPECT_EQ(fj["hits"], 3);
  EXPECT_EQ(fj["case_file"], "findings/closed-0123abcd/case.yaml");
  EXPECT_EQ(fj["bundle"], "findings/closed-0123abcd/bundle");
  EXPECT_EQ(fj["result"]["id"].get<std::string>(), kRegressionId);
  EXPECT_FALSE(fj["result"]["transcript"].empty());
  EXPECT_NE(fj["replay"].get<std::string>().find("mikeyconf replay "), std::string::npos);
  EXPECT_TRUE(fj["case_problem"].is_null());
  // The rejected case is kept to be looked at, with the loader's error, and nothing runs it.
  Json& bad = (*doc)["findings"].at(1);
  EXPECT_NE(bad["case_problem"].get<std::string>().find("CR or LF"), std::string::npos) << bad;
  EXPECT_TRUE(bad["bundle"].is_null());
  EXPECT_TRUE(bad["run"].is_null());
  const fs::path rejected = out / "findings" / "server_error-deadbeef";
  EXPECT_NE(testing::read(rejected / "case.yaml").find("CR or LF"), std::string::npos);
  EXPECT_FALSE(fs::exists(rejected / "bundle"));
  EXPECT_FALSE(fs::exists(out / "regression" / "fuzz.server-error.deadbeef.yaml"));

  // The case file reads back to the finding's case; the folder is a suite of two.
  const harness::Scenario back = load(finding / "case.yaml");
  EXPECT_EQ(back.id, kRegressionId);
  EXPECT_EQ(harness::to_yaml(back), harness::to_yaml(campaign.findings[0].regression));
  auto suite = harness::load_scenarios(out / "regression", table());
  ASSERT_TRUE(suite.ok()) << suite.error().to_string();
  EXPECT_EQ(suite->size(), 2u);

  const std::string html = testing::read(out / "campaign.html");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)"), std::string::npos);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(html.find("<svg class=\"seq\""), std::string::npos);

  auto bundle = load_bundle(finding / "bundle");
  ASSERT_TRUE(bundle.ok()) << bundle.error();
  EXPECT_EQ(bundle->case_id, kRegressionId);
  const auto replay = mikeyconf("replay " + testing::quote(finding / "bundle") + " --sut " +
                                testing::quote(bundle->profile) + " --embedded --out " +
                                testing::quote(dir_ / "replay") + " --no-progress");
  EXPECT_EQ(replay.code, 0) << replay.out << replay.err;
  EXPECT_NE(replay.out.find(std::string(kRegressionId)), std::string::npos) << replay.out;
  const auto run =
      mikeyconf("run --sut " + testing::quote(profile_file()) + " --embedded --cases " +
                testing::quote(out / "regression") + " --no-baseline --out " +
                testing::quote(dir_ / "run") + " --no-progress");
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  auto results = inspect::parse_json(testing::read(dir_ / "run" / "results.json"));
  ASSERT_TRUE(results.has_value());
  EXPECT_EQ((*results)["cases"].size(), 2u);
}

TEST_F(CampaignTest, NoFindingStillWritesTheSanitySuiteAndAStaleFindingGoes) {
  harness::Campaign c = make_campaign();
  const harness::Scenario sanity = load(cases() / "kms" / "sanity.yaml");
  const auto profile = harness::load_profile(profile_file().string());
  ASSERT_TRUE(profile.ok());
  const fs::path out = dir_ / "out";
  ASSERT_TRUE(write_campaign(c, sanity, profile.value(), out).ok());
  c.findings.clear();
  c.sut_dead = true;
  c.setup_error = "setup: no answer";
  auto written = write_campaign(c, sanity, profile.value(), out);
  ASSERT_TRUE(written.ok()) << written.error();
  EXPECT_FALSE(fs::exists(out / "findings" / std::string(kFindingId)));
  auto suite = harness::load_scenarios(out / "regression", table());
  ASSERT_TRUE(suite.ok()) << suite.error().to_string();
  EXPECT_EQ(suite->size(), 1u);
  auto doc = inspect::parse_json(testing::read(out / "campaign.json"));
  ASSERT_TRUE(doc.has_value());
  EXPECT_TRUE((*doc)["findings"].empty());
  EXPECT_EQ((*doc)["sut_dead"], true);
  EXPECT_EQ((*doc)["setup_error"], "setup: no answer");
}

TEST_F(CampaignTest, ASanityCaseWithoutItsSuiteIsAnError) {
  harness::Scenario sanity = load(cases() / "kms" / "sanity.yaml");
  sanity.file = (dir_ / "nowhere" / "sanity.yaml").string();
  const auto profile = harness::load_profile(profile_file().string());
  ASSERT_TRUE(profile.ok());
  auto written = write_campaign(harness::Campaign{}, sanity, profile.value(), dir_ / "out");
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.error().find("requirements.csv"), std::string::npos) << written.error();
}

TEST(ShellWord, QuotesWhatTheShellWouldRead) {
  EXPECT_EQ(shell_word("out/findings/a-1/bundle"), "out/findings/a-1/bundle");
  EXPECT_EQ(shell_word("a b"), "'a b'");
  EXPECT_EQ(shell_word("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_word(""), "''");
}

}  // namespace
}  // namespace mikeyconf::reports
