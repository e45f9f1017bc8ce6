// What every report says about what a run's verdicts rest on: the setup error (shown first, the
// exit code 3, no bundles) and what the run did not test (the profile's capabilities, levels and
// latitude, the skipped cases by reason).
#include <gtest/gtest.h>

#include "inspect/json.h"
#include "reports/html_report.h"
#include "reports/junit.h"
#include "reports/reports.h"
#include "reports/results_json.h"
#include "reports/tests/test_run.h"

namespace mikeyconf::reports {
namespace {

using harness::CaseResult;
using harness::RunResult;
using harness::Verdict;
using inspect::Json;

const Json& at(const Json& j, std::string_view key) {
  static const Json kNull;
  const Json* v = inspect::find_member(j, key);
  return v != nullptr ? *v : kNull;
}

Json parsed(const RunResult& run) {
  auto doc = inspect::parse_json(results_json(run));
  EXPECT_TRUE(doc);
  return doc ? *doc : Json{};
}

// Three skipped cases for two reasons, and what the profile declared.
RunResult scoped_run() {
  RunResult run = testing::make_run();
  run.capabilities = {"psk", "suite:128"};
  run.levels = {"SHALL", "SHALL NOT"};
  run.latitude = {{"auth-failure-answer", "http-4xx"}};
  run.cases[4].reason = "the SUT profile does not declare: mode:3";  // kms.case.skipped
  CaseResult more = testing::make_case("kms.case.level", Verdict::skipped);
  more.reason = "level SHOULD runs with --strict or when the profile lists it under levels";
  run.cases.push_back(more);
  CaseResult again = testing::make_case("kms.case.mode3", Verdict::skipped);
  again.reason = run.cases[4].reason;
  run.cases.push_back(again);
  return run;
}

// Every case not run because the profile does not match the SUT.
RunResult setup_error_run() {
  RunResult run = testing::make_run();
  run.setup_error =
      "user 'bob' cannot authenticate to the KMS: MIKEY Error 0 Auth failure for its "
      "REQUEST_INIT_PSK — check users.bob.psk and users.bob.psk_id (and kms_identity)";
  harness::SetupProbe ok{"alice", "REQUEST_INIT_PSK", true, "", {}};
  harness::SetupProbe bad{"bob", "REQUEST_INIT_PSK", false,
                          "MIKEY Error 0 Auth failure for its REQUEST_INIT_PSK",
                          testing::make_case("setup.probe", Verdict::fail)};
  run.setup_probes = {ok, bad};
  run.health.clear();
  for (CaseResult& c : run.cases) {
    c.verdict = Verdict::error;
    c.original_verdict.reset();
    c.reason = "not run: setup: " + run.setup_error;
  }
  return run;
}

TEST(ScopeTest, ResultsJsonStatesTheProfileAndWhatItExcluded) {
  const Json doc = parsed(scoped_run());
  const Json& profile = at(doc, "profile");
  ASSERT_EQ(at(profile, "capabilities").size(), 2u);
  EXPECT_EQ(at(profile, "capabilities")[1].get<std::string>(), "suite:128");
  EXPECT_EQ(at(profile, "levels")[1].get<std::string>(), "SHALL NOT");
  EXPECT_EQ(at(at(profile, "latitude"), "auth-failure-answer").get<std::string>(), "http-4xx");
  const auto& excluded = at(doc, "excluded");
  ASSERT_EQ(excluded.size(), 3u);
  // Grouped by reason: both mode:3 cases first (its first appearance), then the level.
  EXPECT_EQ(at(excluded[0], "id").get<std::string>(), "kms.case.skipped");
  EXPECT_EQ(at(excluded[1], "id").get<std::string>(), "kms.case.mode3");
  EXPECT_EQ(at(excluded[1], "reason").get<std::string>(),
            "the SUT profile does not declare: mode:3");
  EXPECT_EQ(at(excluded[2], "id").get<std::string>(), "kms.case.level");
  EXPECT_EQ(at(at(doc, "setup"), "error").get<std::string>(), "");
}

TEST(ScopeTest, ResultsJsonCarriesTheSetupErrorAndItsProbes) {
  const Json doc = parsed(setup_error_run());
  const Json& setup = at(doc, "setup");
  EXPECT_NE(at(setup, "error").get<std::string>().find("users.bob.psk"), std::string::npos);
  // Text we wrote keeps its UTF-8 ("—") through the \u escapes.
  EXPECT_NE(at(setup, "error").get<std::string>().find("REQUEST_INIT_PSK \xe2\x80\x94 check"),
            std::string::npos);
  const auto& probes = at(setup, "probes");
  ASSERT_EQ(probes.size(), 2u);
  EXPECT_FALSE(at(probes[1], "ok").get<bool>());
  EXPECT_EQ(at(probes[1], "user").get<std::string>(), "bob");
  EXPECT_EQ(at(at(probes[1], "result"), "verdict").get<std::string>(), "fail");
  EXPECT_EQ(at(at(doc, "run"), "exit_code").get<std::int64_t>(), 3);
}

TEST(ScopeTest, JunitShowsTheSetupErrorAsItsFirstTestCase) {
  const std::string xml = junit_xml(setup_error_run());
  const auto setup = xml.find("<testcase classname=\"mikeyconf\" name=\"setup\"");
  ASSERT_NE(setup, std::string::npos) << xml;
  EXPECT_LT(setup, xml.find("<testcase classname=\"kms.case\""));
  EXPECT_NE(xml.find("<error message=\"setup: user &apos;bob&apos; cannot authenticate"),
            std::string::npos);
  EXPECT_NE(xml.find("&#x2014; check users.bob.psk"), std::string::npos);  // "—", ASCII file
  EXPECT_NE(xml.find("FAIL REQUEST_INIT_PSK as bob: MIKEY Error 0"), std::string::npos);
  EXPECT_NE(xml.find("tests=\"8\" failures=\"0\" errors=\"8\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<property name=\"setup_error\""), std::string::npos);
}

TEST(ScopeTest, TheHtmlReportShowsTheSetupErrorAboveEverythingAndTheScope) {
  const std::string html = report_html(setup_error_run(), nullptr);
  const auto banner = html.find("<section id=\"setup\" class=\"setup-error\">");
  ASSERT_NE(banner, std::string::npos);
  EXPECT_LT(banner, html.find("<section id=\"summary\">"));
  EXPECT_NE(html.find("check users.bob.psk"), std::string::npos);
  EXPECT_NE(html.find("(setup error: the profile does not match the SUT)"), std::string::npos);

  const std::string scoped = report_html(scoped_run(), nullptr);
  EXPECT_EQ(scoped.find("id=\"setup\""), std::string::npos);
  const auto scope = scoped.find("<section id=\"scope\"><h2>What this run did not test</h2>");
  ASSERT_NE(scope, std::string::npos);
  EXPECT_NE(scoped.find("<td>the SUT profile does not declare: mode:3</td><td>2</td>", scope),
            std::string::npos);
  EXPECT_NE(scoped.find("auth-failure-answer", scope), std::string::npos);
  EXPECT_NE(scoped.find("psk, suite:128", scope), std::string::npos);
}

TEST(ScopeTest, NoBundlesAfterASetupError) {
  RunResult run = setup_error_run();
  run.health = testing::make_run().health;  // put_suite_on_disk names the sanity case's file
  const auto dir = testing::fresh_dir("scope_no_bundles");
  testing::put_suite_on_disk(run, dir / "suite");
  ReportOptions options;
  options.out_dir = dir / "out";
  auto written = write_all_reports(run, options);
  ASSERT_TRUE(written.ok()) << written.error();
  for (const auto& f : written->files) {
    EXPECT_NE(f.begin()->string(), "bundles") << f;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "out" / "bundles"));
}

}  // namespace
}  // namespace mikeyconf::reports
