// The real suite (cases/) against the embedded reference KMS, every report written, report.html
// rendered in headless Chromium, the manifest checked, and a repro bundle replayed on its own.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/requirements.h"
#include "harness/setup.h"
#include "reports/html_report.h"
#include "reports/reports.h"
#include "reports/tests/chromium_check.h"
#include "reports/tests/test_run.h"

namespace mikeyconf::reports {
namespace {

namespace fs = std::filesystem;
using harness::Verdict;

constexpr std::string_view kExcused = "kms.http.wrong-method";

class ReportsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::fresh_dir("e2e"); }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(ReportsE2ETest, SuiteReportsRenderInChromiumAndBundlesReplay) {
  // A baseline that expects one case to fail: the reference passes it, so it is an xpass and
  // gets a repro bundle.
  testing::write(dir_ / "baseline.yaml", "sut: reference\nexpected_failures:\n  - {id: " +
                                             std::string(kExcused) + ", reason: pretend}\n");
  harness::SuiteConfig config;
  config.cases_dir = testing::repo_dir() / "cases";
  config.embedded = true;
  config.baseline = dir_ / "baseline.yaml";
  config.options.seed = 20261129;
  config.options.jobs = 2;
  auto run = harness::run_configured_suite(config);
  ASSERT_TRUE(run.ok()) << run.error().message;
  auto table = harness::load_requirements(config.cases_dir / "requirements.csv");
  ASSERT_TRUE(table.ok()) << table.error().to_string();

  ReportOptions options;
  options.out_dir = dir_ / "out";
  options.requirements = &table.value();
  auto written = write_all_reports(run.value(), options);
  ASSERT_TRUE(written.ok()) << written.error();
  EXPECT_GT(fs::file_size(options.out_dir / "results.json"), 10'000u);
  auto verified = verify_manifest(options.out_dir, {});
  ASSERT_TRUE(verified.ok()) << verified.error();
  EXPECT_TRUE(verified.value());

  const testing::BrowserCheck page =
      testing::render_in_chromium(options.out_dir / "report.html", dir_);
  EXPECT_EQ(page.failure, "");
  EXPECT_NE(page.dom.find("data-ready=\"1\""), std::string::npos);
  for (const harness::CaseResult& c : run->cases) {
    EXPECT_NE(page.dom.find("id=\"case-" + c.id + "\""), std::string::npos) << c.id;
  }
  // The script drew every case's sequence diagram and the messages of the open exchanges (those
  // of the xpass case): decode trees with the flag bits and identities.
  for (std::string_view s :
       {"<section id=\"summary\">", "<section id=\"requirements\">", "<svg class=\"seq\"",
        "REQUEST_RESP", "Expected vs actual", "class=\"v v-xpass\"", "<table class=\"tree\">",
        "flags: hdr: V=", "identities: IDRi sip:alice@example.org", "HTTP request as sent"}) {
    EXPECT_NE(page.dom.find(s), std::string::npos) << s;
  }
  // The messages are data drawn on demand: the whole suite's page stays small.
  EXPECT_LE(fs::file_size(options.out_dir / "report.html"), 1'500'000u);

  // The bundle alone (its cases/, its profile copy) replays the case.
  const fs::path bundle_dir = options.out_dir / "bundles" / std::string(kExcused);
  auto bundle = load_bundle(bundle_dir);
  ASSERT_TRUE(bundle.ok()) << bundle.error();
  EXPECT_EQ(bundle->seed, 20261129u);
  EXPECT_TRUE(bundle->embedded);
  harness::SuiteConfig replay;
  replay.cases_dir = bundle->cases_dir;
  replay.profile = bundle->profile;
  replay.embedded = bundle->embedded;
  replay.options.seed = bundle->seed;
  replay.options.strict = bundle->strict;
  replay.options.only = {bundle->case_id};
  auto again = harness::run_configured_suite(replay);
  ASSERT_TRUE(again.ok()) << again.error().message;
  ASSERT_EQ(again->cases.size(), 1u);
  EXPECT_EQ(again->cases[0].id, kExcused);
  EXPECT_EQ(again->cases[0].verdict, Verdict::pass) << again->cases[0].reason;
  const auto original = std::find_if(run->cases.begin(), run->cases.end(),
                                     [](const auto& c) { return c.id == kExcused; });
  ASSERT_NE(original, run->cases.end());
  EXPECT_EQ(again->cases[0].seed, original->seed);
}

// Big-endian 32-bit number at `at` of `bytes`.
std::uint32_t be32(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

// A run with failures (every verdict, hostile bytes in a response): the page renders without a
// console message, the failing cases' messages are drawn, the SUT's markup stays text, and the
// executive summary is on the first screen of a 1280×800 window (the screenshot reports/README.md
// documents).
TEST_F(ReportsE2ETest, ARunWithFailuresRendersWithTheSummaryOnTheFirstScreen) {
  harness::RunResult run = testing::make_run();
  run.cases[1].transcript[0].body = "<img src=x onerror=alert(1)>\r\n\x01";
  const harness::RequirementTable table = testing::requirement_table();
  const fs::path html = dir_ / "report.html";
  testing::write(html, report_html(run, &table));
  const testing::BrowserCheck page = testing::render_in_chromium(html, dir_);
  EXPECT_EQ(page.failure, "");
  EXPECT_TRUE(page.summary_visible) << "summary bottom " << page.summary_bottom;
  EXPECT_GT(page.summary_bottom, 100);
  EXPECT_LE(page.summary_bottom, testing::kWindowHeight);
  for (std::string_view s :
       {"<table class=\"tree\">", "flags: hdr: V=0", "HTTP request as sent",
        "&lt;img src=x onerror=alert(1)&gt;<span class=\"nb\">\\r</span>",
        "<span class=\"nb\">\\x01</span>", "<svg class=\"seq\"", "cases shown"}) {
    EXPECT_NE(page.dom.find(s), std::string::npos) << s;
  }
  EXPECT_EQ(page.dom.find("<img"), std::string::npos);

  const fs::path png = dir_ / "summary.png";
  ASSERT_EQ(testing::screenshot_in_chromium(html, png, dir_), "");
  const std::string bytes = testing::read(png);
  ASSERT_GT(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_EQ(be32(bytes, 16), static_cast<std::uint32_t>(testing::kWindowWidth));
  EXPECT_EQ(be32(bytes, 20), static_cast<std::uint32_t>(testing::kWindowHeight));
  EXPECT_GT(bytes.size(), 20'000u);  // text and colour, not a blank page
}

TEST_F(ReportsE2ETest, ChromiumCheckCatchesABrokenPage) {
  const auto check = [&](std::string_view name, std::string_view body) {
    const fs::path page = dir_ / (std::string(name) + ".html");
    testing::write(page,
                   "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><p>x</p>" +
                       std::string(body) + "</body></html>\n");
    fs::create_directories(dir_ / name);
    return testing::render_in_chromium(page, dir_ / name);
  };
  const std::string ready = "<script>document.body.dataset.ready = \"1\";</script>";
  EXPECT_EQ(check("clean", ready).failure, "");
  const auto thrown = check("throws", ready + "<script>throw new Error(\"boom-42\");</script>");
  EXPECT_NE(thrown.failure.find("Uncaught Error: boom-42"), std::string::npos) << thrown.failure;
  const auto logged = check("logs", "<script>console.error(\"bad-43\");</script>" + ready);
  EXPECT_NE(logged.failure.find("bad-43"), std::string::npos) << logged.failure;
  const auto unready = check("unready", "<p>no script</p>");
  EXPECT_NE(unready.failure.find("data-ready"), std::string::npos) << unready.failure;
}

}  // namespace
}  // namespace mikeyconf::reports
