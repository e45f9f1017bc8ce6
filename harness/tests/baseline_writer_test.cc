// The baseline a run implies (harness/baseline_writer.h): which verdicts become entries, what is
// kept of the baseline the run used, and that the YAML loads back to the same entries.
#include "harness/baseline_writer.h"

#include <gtest/gtest.h>

namespace mikeyconf::harness {
namespace {

CaseResult judged(std::string id, Verdict v, std::string reason) {
  CaseResult c;
  c.id = std::move(id);
  c.verdict = v;
  c.reason = std::move(reason);
  return c;
}

RunResult run_with_every_verdict() {
  RunResult run;
  run.sut_name = "lab-kms";
  run.started_utc = "2026-12-07T14:00:00Z";
  run.cases = {judged("a.pass", Verdict::pass, ""),
               judged("b.fail", Verdict::fail, "step 2: http.status\nexpected 200, got 500"),
               judged("c.error", Verdict::error, "connection refused"),
               judged("d.inconclusive", Verdict::inconclusive, "no answer"),
               judged("e.xfail", Verdict::xfail, "expected failure (old): step 1"),
               judged("f.xpass", Verdict::xpass, "unexpected pass"),
               judged("g.skipped", Verdict::skipped, "disabled by the baseline: off")};
  return run;
}

std::vector<std::string> ids(const std::vector<BaselineEntry>& entries) {
  std::vector<std::string> out;
  for (const BaselineEntry& e : entries) out.push_back(e.id);
  return out;
}

TEST(BaselineWriterTest, FailuresBecomeExpectedFailuresWithReasonAndDate) {
  const DerivedBaseline d = derive_baseline(run_with_every_verdict(), nullptr);
  EXPECT_EQ(d.baseline.sut, "lab-kms");
  EXPECT_EQ(d.added, 1u);
  // Without a used baseline the xfail case keeps its (prefixed) reason as a fresh entry.
  EXPECT_EQ(ids(d.baseline.expected_failures), (std::vector<std::string>{"b.fail", "e.xfail"}));
  const BaselineEntry& b = d.baseline.expected_failures[0];
  EXPECT_EQ(b.reason, "step 2: http.status expected 200, got 500");  // one line
  EXPECT_EQ(b.since, "2026-12-07");
  EXPECT_TRUE(d.baseline.disabled.empty());
}

TEST(BaselineWriterTest, KeepsTheUsedBaselineExceptWhatNowPasses) {
  auto used = parse_baseline_text(
      "sut: lab-kms\n"
      "expected_failures:\n"
      "  - {id: e.xfail, reason: no replay cache, since: 2026-01-02}\n"
      "  - {id: f.xpass, reason: was broken}\n"
      "  - {id: c.error, reason: flaky}\n"
      "  - {id: z.not-run, reason: not selected this time}\n"
      "disabled: [{id: g.skipped, reason: off}]\n",
      "used.yaml");
  ASSERT_TRUE(used.ok()) << used.error().to_string();
  const DerivedBaseline d = derive_baseline(run_with_every_verdict(), &used.value());
  EXPECT_EQ(ids(d.baseline.expected_failures),
            (std::vector<std::string>{"b.fail", "e.xfail", "c.error", "z.not-run"}));
  EXPECT_EQ(d.baseline.expected_failures[1].reason, "no replay cache");
  EXPECT_EQ(d.baseline.expected_failures[1].since, "2026-01-02");
  EXPECT_EQ(ids(d.baseline.disabled), (std::vector<std::string>{"g.skipped"}));

  // What is written loads back to the same entries.
  const std::string yaml = baseline_yaml(d.baseline);
  auto back = parse_baseline_text(yaml, "written.yaml");
  ASSERT_TRUE(back.ok()) << back.error().to_string() << "\n" << yaml;
  EXPECT_EQ(back->sut, "lab-kms");
  ASSERT_EQ(ids(back->expected_failures), ids(d.baseline.expected_failures));
  for (std::size_t i = 0; i < back->expected_failures.size(); ++i) {
    EXPECT_EQ(back->expected_failures[i].reason, d.baseline.expected_failures[i].reason);
    EXPECT_EQ(back->expected_failures[i].since, d.baseline.expected_failures[i].since);
  }
  EXPECT_EQ(back->disabled_entry("g.skipped")->reason, "off");
}

TEST(BaselineWriterTest, ReasonsStayOneReadableLine) {
  RunResult run;
  run.sut_name = "x";
  run.cases = {judged("a", Verdict::fail,
                      std::string("got \"\xff\x01\" \xc2\xa7 5.3: ") + std::string(300, 'y')),
               judged("b", Verdict::fail, "")};
  const DerivedBaseline d = derive_baseline(run, nullptr);
  const std::string& r = d.baseline.expected_failures[0].reason;
  EXPECT_EQ(r.rfind("got \"? \" \xc2\xa7 5.3: yyy", 0), 0u) << r;
  EXPECT_EQ(r.size(), 200u);
  EXPECT_EQ(d.baseline.expected_failures[1].reason, "failed");
  EXPECT_EQ(d.baseline.expected_failures[1].since, "");  // no run date known
  auto back = parse_baseline_text(baseline_yaml(d.baseline), "w.yaml");
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->expected_failures[0].reason, r);
}

TEST(BaselineWriterTest, SinceIsOptionalAndMustBeADate) {
  auto old = parse_baseline_text("sut: x\nexpected_failures: [{id: a, reason: r}]\n", "b.yaml");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->expected_failures[0].since, "");
  auto bad = parse_baseline_text(
      "sut: x\nexpected_failures: [{id: a, reason: r, since: yesterday}]\n", "b.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().to_string(), "b.yaml:2:47: since must read YYYY-MM-DD");
}

}  // namespace
}  // namespace mikeyconf::harness
