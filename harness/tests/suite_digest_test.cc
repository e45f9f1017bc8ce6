// The suite digest (suite_digest.h): the shipped cases/ matches the digest the build computed; a
// copied folder matches until a scenario or requirements.csv is edited, while profiles and
// baselines do not count.
#include "harness/suite_digest.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "harness/tests/test_support.h"

namespace mikeyconf::harness {
namespace {

namespace fs = std::filesystem;

void append(const fs::path& p, std::string_view text) { std::ofstream(p, std::ios::app) << text; }

TEST(SuiteDigestTest, TheShippedSuiteMatchesTheBuildsDigest) {
  const SuiteIdentity shipped = identify_suite(testing::repo_dir() / "cases");
  EXPECT_EQ(shipped.digest.size(), 64u);
  EXPECT_EQ(shipped.digest, shipped_suite_digest());
  EXPECT_EQ(shipped.matches_shipped, std::optional<bool>(true));
  const std::vector<std::string> files = suite_digest_files(testing::repo_dir() / "cases");
  EXPECT_TRUE(std::is_sorted(files.begin(), files.end()));
  EXPECT_GT(files.size(), 150u);
  EXPECT_NE(std::find(files.begin(), files.end(), "requirements.csv"), files.end());
  for (const std::string& f : files) {
    EXPECT_EQ(f.find("profiles/"), std::string::npos) << f;
    EXPECT_EQ(f.find("baselines/"), std::string::npos) << f;
    EXPECT_NE(f, "not-covered.yaml");
  }
}

TEST(SuiteDigestTest, EditingACopiedCaseFolderChangesTheDigest) {
  const fs::path dir = fs::temp_directory_path() / ("mikey-digest-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(testing::repo_dir() / "cases", dir, fs::copy_options::recursive);
  EXPECT_EQ(identify_suite(dir).matches_shipped, std::optional<bool>(true));
  // Profiles and baselines are not the suite.
  append(dir / "profiles" / "reference.yaml", "# local note\n");
  EXPECT_EQ(identify_suite(dir).digest, shipped_suite_digest());
  // One byte more in one scenario.
  append(dir / "kms" / "sanity.yaml", "\n");
  const SuiteIdentity edited = identify_suite(dir);
  EXPECT_NE(edited.digest, shipped_suite_digest());
  EXPECT_EQ(edited.matches_shipped, std::optional<bool>(false));
  // A renamed scenario counts too.
  fs::copy_file(testing::repo_dir() / "cases" / "kms" / "sanity.yaml", dir / "kms" / "sanity.yaml",
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(identify_suite(dir).digest, shipped_suite_digest());
  fs::rename(dir / "kms" / "sanity.yaml", dir / "kms" / "sanity2.yaml");
  EXPECT_NE(identify_suite(dir).digest, shipped_suite_digest());
  EXPECT_EQ(identify_suite(dir / "missing").matches_shipped, std::nullopt);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mikeyconf::harness
