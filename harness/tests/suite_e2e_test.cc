// The whole cases/ suite against the embedded reference KMS (roles::Kms behind
// transport::KmsServer on 127.0.0.1, port 0, configured from cases/profiles/reference.yaml), and
// the engine's suite-level behaviour: seeds, baselines, health checks, timeouts.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "harness/embedded_kms.h"
#include "harness/engine.h"
#include "harness/explain.h"
#include "harness/loader.h"
#include "harness/tests/test_support.h"

namespace mikeyconf::harness {
namespace {

std::string summary_of(const RunResult& run) {
  std::string out;
  for (const CaseResult& c : run.cases) {
    if (c.verdict != Verdict::pass) {
      out += "  " + c.id + ": " + std::string(to_string(c.verdict)) + " — " + c.reason + "\n";
    }
  }
  return out;
}

class SuiteE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto kms = EmbeddedKms::start(testing::reference_profile());
    ASSERT_TRUE(kms.ok()) << kms.error();
    kms_ = std::move(kms).value();
    ASSERT_NE(kms_->port(), 0);
  }
  void TearDown() override {
    if (kms_) kms_->stop();
  }
  std::unique_ptr<EmbeddedKms> kms_;
};

TEST_F(SuiteE2ETest, TheReferenceKmsPassesEveryCase) {
  KmsDriver driver(kms_->profile());
  RunOptions options;
  options.seed = 20261129;
  options.strict = true;
  const auto start = std::chrono::steady_clock::now();
  RunResult run = run_suite(testing::suite(), kms_->profile(), driver, nullptr, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Summary s = run.summary();
  std::printf(
      "[ suite    ] %zu cases against the embedded reference KMS in %.2f s: %zu pass, "
      "%zu fail, %zu error, %zu inconclusive, %zu skipped\n",
      s.total, seconds, s.pass, s.fail, s.error, s.inconclusive, s.skipped);
  // Every case for a KMS under test ran (the suite also holds the other roles' cases).
  const auto kms_cases =
      std::count_if(testing::suite().begin(), testing::suite().end(),
                    [](const Scenario& c) { return c.sut_role == SutRole::kms; });
  EXPECT_EQ(s.total, static_cast<std::size_t>(kms_cases));
  EXPECT_EQ(s.fail, 0u) << summary_of(run);
  EXPECT_EQ(s.error, 0u) << summary_of(run);
  EXPECT_EQ(s.inconclusive, 0u) << summary_of(run);
  EXPECT_EQ(s.skipped, 0u) << summary_of(run);
  EXPECT_EQ(s.pass, s.total);
  EXPECT_EQ(run.exit_code(), 0);
  ASSERT_EQ(run.health.size(), 2u);  // start and end only: nothing failed
  EXPECT_EQ(run.health[0].when, "start");
  EXPECT_EQ(run.health[1].when, "end");
  EXPECT_TRUE(run.health[1].ok);
  EXPECT_EQ(run.cases.front().id, "kms.sanity");
  for (const CaseResult& c : run.cases) {
    EXPECT_FALSE(c.transcript.empty()) << c.id;
    EXPECT_NE(c.replay.find("--case " + c.id), std::string::npos);
  }
}

TEST_F(SuiteE2ETest, ASeedRepeatsTheCaseExactlyExceptTimestamps) {
  KmsDriver driver(kms_->profile());
  const Scenario* basic = nullptr;
  for (const Scenario& s : testing::suite())
    if (s.id == "kms.three-party.basic") basic = &s;
  ASSERT_NE(basic, nullptr);
  const std::uint64_t seed = case_seed(5, basic->id);
  EXPECT_EQ(seed, case_seed(5, basic->id));
  EXPECT_NE(seed, case_seed(6, basic->id));
  CaseResult a = run_case(*basic, kms_->profile(), driver, seed);
  CaseResult b = run_case(*basic, kms_->profile(), driver, seed);
  ASSERT_EQ(a.verdict, Verdict::pass) << a.reason;
  ASSERT_EQ(b.verdict, Verdict::pass) << b.reason;
  ASSERT_EQ(a.transcript.size(), b.transcript.size());
  const mikey::Bytes& x = a.transcript[0].mikey_sent;
  const mikey::Bytes& y = b.transcript[0].mikey_sent;
  ASSERT_EQ(x.size(), y.size());
  // HDR (CSB ID) and RANDRi are equal; T (bytes 12..19) and the MAC follow the clock.
  EXPECT_EQ(mikey::Bytes(x.begin(), x.begin() + 10), mikey::Bytes(y.begin(), y.begin() + 10));
  EXPECT_EQ(mikey::Bytes(x.begin() + 20, x.begin() + 39),
            mikey::Bytes(y.begin() + 20, y.begin() + 39));
  CaseResult c = run_case(*basic, kms_->profile(), driver, seed + 1);
  EXPECT_NE(
      mikey::Bytes(c.transcript[0].mikey_sent.begin() + 4, c.transcript[0].mikey_sent.begin() + 8),
      mikey::Bytes(x.begin() + 4, x.begin() + 8));
}

TEST_F(SuiteE2ETest, BaselineTurnsPassIntoXpassAndDisablesCases) {
  KmsDriver driver(kms_->profile());
  auto baseline = parse_baseline_text(
      "sut: reference\n"
      "expected_failures:\n"
      "  - {id: kms.http.wrong-method, reason: pretend it fails}\n"
      "  - {id: kms.no.such.case, reason: stale entry}\n"
      "disabled:\n"
      "  - {id: kms.errors.expired-ticket, reason: slow}\n",
      "baseline.yaml");
  ASSERT_TRUE(baseline.ok()) << baseline.error().to_string();
  RunOptions options;
  options.only = {"kms.http.*", "kms.errors.expired-ticket"};
  RunResult run = run_suite(testing::suite(), kms_->profile(), driver, &baseline.value(), options);
  std::map<std::string, Verdict> v;
  for (const CaseResult& c : run.cases) v[c.id] = c.verdict;
  EXPECT_EQ(v.at("kms.http.wrong-method"), Verdict::xpass);
  EXPECT_EQ(v.at("kms.errors.expired-ticket"), Verdict::skipped);
  EXPECT_EQ(v.count("kms.sanity"), 0u);  // not selected, but still run as the health probe
  EXPECT_FALSE(run.health.empty());
  EXPECT_EQ(run.exit_code(), 1);
  ASSERT_EQ(run.warnings.size(), 1u);
  EXPECT_NE(run.warnings[0].find("kms.no.such.case"), std::string::npos);
}

TEST_F(SuiteE2ETest, LevelsAndNeedsSkipCases) {
  KmsDriver driver(kms_->profile());
  SutProfile p = kms_->profile();
  p.levels = {Level::shall};
  p.capabilities = {"psk"};
  RunOptions options;
  options.only = {"kms.mode3.resolve", "kms.request.unexpected-payload-ignored", "kms.sanity"};
  RunResult run = run_suite(testing::suite(), p, driver, nullptr, options);
  ASSERT_EQ(run.cases.size(), 3u);
  EXPECT_EQ(run.cases[0].verdict, Verdict::pass);
  for (std::size_t i = 1; i < 3; ++i) EXPECT_EQ(run.cases[i].verdict, Verdict::skipped);
  EXPECT_NE(run.cases[1].reason.find("does not declare: mode:3"), std::string::npos)
      << run.cases[1].reason;
  EXPECT_NE(run.cases[2].reason.find("level SHOULD"), std::string::npos) << run.cases[2].reason;
}

TEST_F(SuiteE2ETest, ACaseOverItsTimeLimitIsAnError) {
  KmsDriver driver(kms_->profile());
  auto s = parse_scenario_text(
      "id: kms.slow\ntitle: waits too long\nrequirements: [A.2-10]\nlevel: SHALL\nsut_role: kms\n"
      "timeout_ms: 100\nsteps:\n  - send: REQUEST_INIT_PSK\n  - wait_ms: 500\n"
      "  - expect: {http.status: 200}\n",
      "slow.yaml", &testing::requirements());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  CaseResult r = run_case(s.value(), kms_->profile(), driver, 1);
  EXPECT_EQ(r.verdict, Verdict::error);
  EXPECT_EQ(r.reason, "step 2: waiting 500 ms would exceed the case limit of 100 ms");
}

TEST_F(SuiteE2ETest, HarnessProblemsAreErrorsNotFailures) {
  KmsDriver driver(kms_->profile());
  auto s = parse_scenario_text(
      "id: kms.nouser\ntitle: t\nrequirements: [A.2-10]\nlevel: SHALL\nsut_role: kms\nsteps:\n"
      "  - send: REQUEST_INIT_PSK\n    set: {as: mallory}\n  - expect: {http.status: 200}\n",
      "nouser.yaml", &testing::requirements());
  ASSERT_TRUE(s.ok());
  CaseResult r = run_case(s.value(), kms_->profile(), driver, 1);
  EXPECT_EQ(r.verdict, Verdict::error);
  EXPECT_NE(r.reason.find("no user 'mallory'"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("(line 8)"), std::string::npos) << r.reason;
}

TEST_F(SuiteE2ETest, AnUnreachableSutIsAnError) {
  // Port 1 (tcpmux) on loopback: nothing listens there, the connection is refused.
  const SutProfile p = kms_->profile().with_port(1);
  KmsDriver driver(p);
  CaseResult r = run_case(*find_sanity(testing::suite(), SutRole::kms), p, driver, 1);
  EXPECT_EQ(r.verdict, Verdict::error);
  EXPECT_NE(r.reason.find("could not be reached"), std::string::npos) << r.reason;
}

TEST(SuiteConfigTest, RunConfiguredSuiteUsesTheEmbeddedKmsByDefault) {
  SuiteConfig config;
  config.cases_dir = testing::cases_dir();
  config.options.only = {"kms.sanity", "kms.http.wrong-method"};
  auto run = run_configured_suite(config);
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->exit_code(), 0) << summary_of(run.value());
  EXPECT_EQ(run->cases.size(), 2u);
  EXPECT_NE(
      run->cases[1].replay.find("mikeyconf run --embedded --seed 1 --case kms.http.wrong-method"),
      std::string::npos)
      << run->cases[1].replay;
  config.profile = testing::cases_dir() / "profiles" / "missing.yaml";
  auto bad = run_configured_suite(config);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().exit_code, 2);
}

TEST(ExplainTest, ListsAndExplainsCases) {
  const std::string list = list_text(testing::suite());
  EXPECT_NE(list.find("kms.sanity"), std::string::npos);
  const Scenario* s = nullptr;
  for (const Scenario& x : testing::suite())
    if (x.id == "kms.errors.wrong-responder") s = &x;
  ASSERT_NE(s, nullptr);
  const std::string text = explain_text(*s, &testing::requirements());
  EXPECT_NE(text.find("T-12.5-1 (SHALL, KMS; RFC 6043 §12.5)"), std::string::npos) << text;
  EXPECT_NE(text.find("set: as: carol, to: bob"), std::string::npos) << text;
  EXPECT_NE(text.find("refused: authenticated: MIKEY Error [7 Invalid ID, 0 Auth failure]"),
            std::string::npos)
      << text;
  for (const Scenario& x : testing::suite())
    if (x.id == "kms.errors.error-message-shape") s = &x;
  const std::string shape = explain_text(*s, &testing::requirements());
  EXPECT_NE(shape.find("inconclusive if only mikey.data_type, mikey.hdr.copied"), std::string::npos)
      << shape;
  EXPECT_NE(shape.find("\"auth-failure-answer\") and http.status: 4xx"), std::string::npos)
      << shape;
}

}  // namespace
}  // namespace mikeyconf::harness
