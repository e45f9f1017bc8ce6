// Repro bundles: what goes in, that load_bundle reads it back, and that a bad bundle is a clear
// error rather than a crash; write_all_reports writes everything and lists it in the manifest.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "harness/engine.h"
#include "harness/profile.h"
#include "inspect/json.h"
#include "reports/bundle.h"
#include "reports/reports.h"
#include "reports/tests/test_run.h"

namespace mikeyconf::reports {
namespace {

namespace fs = std::filesystem;
using harness::RunResult;
using harness::Verdict;

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::fresh_dir("bundle");
    run_ = testing::make_run();
    testing::put_suite_on_disk(run_, dir_ / "src");
    // The profile must load for its TLS files to be found.
    auto profile = harness::load_profile(run_.profile_file);
    ASSERT_TRUE(profile.ok()) << profile.error().to_string();
    ASSERT_TRUE(profile->tls);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static bool listed(const WrittenReports& w, std::string_view file) {
    return std::find(w.files.begin(), w.files.end(), fs::path(file)) != w.files.end();
  }

  fs::path dir_;
  RunResult run_;
};

TEST_F(BundleTest, OnlyFailXpassAndErrorGetOne) {
  EXPECT_TRUE(needs_bundle(Verdict::fail));
  EXPECT_TRUE(needs_bundle(Verdict::xpass));
  EXPECT_TRUE(needs_bundle(Verdict::error));
  for (Verdict v : {Verdict::pass, Verdict::skipped, Verdict::xfail, Verdict::inconclusive}) {
    EXPECT_FALSE(needs_bundle(v));
  }
  EXPECT_EQ(bundle_dir_name("kms.errors.bad-mac_2"), "kms.errors.bad-mac_2");
  EXPECT_EQ(bundle_dir_name("../x/y z"), ".._x_y_z");
  EXPECT_EQ(bundle_dir_name(".."), "_..");
  EXPECT_EQ(bundle_dir_name(""), "_");
}

TEST_F(BundleTest, WriteAllReportsWritesEveryFileAndSelfContainedBundles) {
  const harness::RequirementTable table = testing::requirement_table();
  ReportOptions options;
  options.out_dir = dir_ / "out";
  options.requirements = &table;
  auto w = write_all_reports(run_, options);
  ASSERT_TRUE(w.ok()) << w.error();
  for (std::string_view f :
       {"results.json", "junit.xml", "report.html", "transcript.pcap", "manifest.sha256"}) {
    EXPECT_TRUE(fs::is_regular_file(options.out_dir / f)) << f;
  }
  EXPECT_FALSE(fs::exists(options.out_dir / "manifest.sha256.sig"));
  std::vector<std::string> bundles;
  for (const auto& e : fs::directory_iterator(options.out_dir / "bundles")) {
    bundles.push_back(e.path().filename().string());
  }
  std::sort(bundles.begin(), bundles.end());
  EXPECT_EQ(bundles,
            (std::vector<std::string>{"kms.case.error", "kms.case.fail", "kms.case.xpass"}));
  const fs::path b = options.out_dir / "bundles" / "kms.case.fail";
  for (std::string_view f :
       {"bundle.json", "transcript.json", "transcript.pcap", "cases/requirements.csv",
        "cases/kms/more/kms.case.fail.yaml", "cases/kms/sanity.yaml",
        "profile/suite/profiles/lab.yaml", "profile/suite/profiles/ca.pem",
        "profile/pki/client.pem", "profile/pki/client.key"}) {
    EXPECT_TRUE(fs::is_regular_file(b / f)) << f;
  }
  EXPECT_EQ(testing::read(b / "cases/kms/more/kms.case.fail.yaml"), "id: kms.case.fail\n");
  // Every file written is listed (relative, sorted), the manifest last.
  EXPECT_EQ(w->files.back(), fs::path("manifest.sha256"));
  EXPECT_TRUE(listed(*w, "bundles/kms.case.xpass/profile/pki/client.key"));
  EXPECT_TRUE(listed(*w, "report.html"));
  const std::string manifest = testing::read(options.out_dir / "manifest.sha256");
  std::size_t lines = 0;
  for (char c : manifest) lines += c == '\n' ? 1 : 0;
  EXPECT_EQ(lines, w->files.size() - 1);
  EXPECT_NE(manifest.find("  bundles/kms.case.error/bundle.json\n"), std::string::npos);

  const auto doc = inspect::parse_json(testing::read(b / "bundle.json"));
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->at("schema").get<std::string>(), "mikeyconf.bundle/1");
  EXPECT_EQ(doc->at("replay").get<std::string>(), "mikeyconf replay bundles/kms.case.fail");
  EXPECT_EQ(doc->at("profile").get<std::string>(), "profile/suite/profiles/lab.yaml");
  EXPECT_EQ(doc->at("sut_role").get<std::string>(), "kms");
  EXPECT_EQ(doc->at("case_seed").get<std::uint64_t>(), run_.cases[1].seed);
  const auto transcript = inspect::parse_json(testing::read(b / "transcript.json"));
  ASSERT_TRUE(transcript);
  EXPECT_EQ(transcript->at("id").get<std::string>(), "kms.case.fail");
}

TEST_F(BundleTest, LoadBundleGivesWhatReplayNeeds) {
  run_.seed = 77;
  run_.strict = true;
  run_.cases[1].seed = harness::case_seed(77, run_.cases[1].id);
  auto files = write_bundle(run_, run_.cases[1], nullptr, dir_ / "out");
  ASSERT_TRUE(files.ok()) << files.error();
  const fs::path b = dir_ / "out" / "bundles" / "kms.case.fail";
  auto loaded = load_bundle(b);
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  EXPECT_EQ(loaded->case_id, "kms.case.fail");
  EXPECT_EQ(loaded->seed, 77u);
  EXPECT_TRUE(loaded->strict);
  EXPECT_TRUE(loaded->embedded);
  EXPECT_EQ(loaded->dir, b);
  EXPECT_EQ(loaded->cases_dir, b / "cases");
  EXPECT_EQ(loaded->profile, b / "profile/suite/profiles/lab.yaml");
}

TEST_F(BundleTest, ABadBundleIsAClearError) {
  run_.cases[1].seed = harness::case_seed(run_.seed, run_.cases[1].id);
  ASSERT_TRUE(write_bundle(run_, run_.cases[1], nullptr, dir_ / "out").ok());
  const fs::path b = dir_ / "out" / "bundles" / "kms.case.fail";
  const std::string good = testing::read(b / "bundle.json");
  auto expect_error = [&](std::string_view json, std::string_view message) {
    testing::write(b / "bundle.json", json);
    auto r = load_bundle(b);
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_NE(r.error().find(message), std::string::npos) << r.error();
  };
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  expect_error("", "not a JSON object");
  expect_error("{\"schema\":", "not a JSON object");
  expect_error(std::string(2000, '['), "not a JSON object");
  expect_error("[1,2]", "not a JSON object");
  expect_error(replaced("mikeyconf.bundle/1", "mikeyconf.bundle/9"), "schema");
  expect_error(replaced("\"case_id\":", "\"case\":"), "\"case_id\" is missing");
  expect_error(replaced("\"run_seed\":1", "\"run_seed\":-1"), "\"run_seed\"");
  expect_error(replaced("\"strict\":false", "\"strict\":\"no\""), "\"strict\"");
  expect_error(replaced("\"case_seed\":", "\"case_seed\":1"), "case_seed does not follow");
  expect_error(replaced("\"profile\":\"profile/", "\"profile\":\"../../"), "not a path inside");
  expect_error(replaced("\"profile\":\"profile/", "\"profile\":\"/etc/"), "not a path inside");
  expect_error(replaced("\"cases_dir\":\"cases\"", "\"cases_dir\":\"nowhere\""), "missing folder");
  testing::write(b / "bundle.json", good);
  fs::remove(b / "profile/suite/profiles/lab.yaml");
  auto no_profile = load_bundle(b);
  ASSERT_FALSE(no_profile.ok());
  EXPECT_NE(no_profile.error().find("missing profile"), std::string::npos);
  fs::remove(b / "bundle.json");
  EXPECT_NE(load_bundle(b).error().find("no bundle.json"), std::string::npos);
  EXPECT_NE(load_bundle(dir_ / "nope").error().find("not a folder"), std::string::npos);
}

TEST_F(BundleTest, AMissingCaseFileFailsTheWriteWithItsName) {
  fs::remove(run_.cases[1].file);
  ReportOptions options;
  options.out_dir = dir_ / "out";
  auto w = write_all_reports(run_, options);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().find("kms.case.fail.yaml"), std::string::npos) << w.error();
}

}  // namespace
}  // namespace mikeyconf::reports
