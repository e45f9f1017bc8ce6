// The cases folder lookup (tools/data_dir.h) over folders made by the test: --cases wins, then
// ./cases, MIKEYCONF_DATADIR and the installation next to the executable, each only when it holds
// requirements.csv; nothing found names every place tried.
#include "tools/data_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/test_support.h"

namespace mikeyconf::tools {
namespace {

namespace fs = std::filesystem;
using mikey::transport::testing::TempDir;

// A cases folder holding requirements.csv under `dir`.
fs::path make_cases(const fs::path& dir) {
  fs::create_directories(dir / "cases");
  std::ofstream(dir / "cases" / "requirements.csv") << "id,level,source,text\n";
  return dir / "cases";
}

// An environment whose three places are all under `root`: root/work (the current folder),
// root/data (MIKEYCONF_DATADIR) and root/prefix/bin/mikeyconf (the executable).
DataDirEnv env_under(const fs::path& root) {
  fs::create_directories(root / "work");
  return DataDirEnv{root / "work", root / "data", root / "prefix" / "bin" / "mikeyconf"};
}

TEST(DataDir, TheInstalledDataFolderIsShareMikeyconfBesideBin) {
  EXPECT_EQ(installed_data_dir("/opt/x/bin/mikeyconf"), fs::path("/opt/x/share/mikeyconf"));
  EXPECT_EQ(installed_data_dir("/usr/bin/mikeyconf"), fs::path("/usr/share/mikeyconf"));
}

TEST(DataDir, AGivenCasesOptionIsUsedAsGiven) {
  const TempDir tmp;
  const fs::path root = tmp.path();
  make_cases(root / "work");
  const std::string option = "somewhere/else";
  auto found = find_cases_dir(&option, env_under(root));
  ASSERT_TRUE(found.ok()) << found.error();
  EXPECT_EQ(found.value(), fs::path("somewhere/else"));
}

TEST(DataDir, TheCurrentFolderComesFirst) {
  const TempDir tmp;
  const fs::path root = tmp.path();
  const fs::path work = make_cases(root / "work");
  make_cases(root / "data");
  make_cases(root / "prefix" / "share" / "mikeyconf");
  auto found = find_cases_dir(nullptr, env_under(root));
  ASSERT_TRUE(found.ok()) << found.error();
  EXPECT_EQ(found.value(), work);
}

TEST(DataDir, TheEnvironmentComesBeforeTheInstallation) {
  const TempDir tmp;
  const fs::path root = tmp.path();
  make_cases(root / "data");
  make_cases(root / "prefix" / "share" / "mikeyconf");
  // A ./cases without requirements.csv is some other folder, not the suite.
  fs::create_directories(root / "work" / "cases");
  auto found = find_cases_dir(nullptr, env_under(root));
  ASSERT_TRUE(found.ok()) << found.error();
  EXPECT_EQ(found.value(), root / "data" / "cases");
}

TEST(DataDir, TheInstallationIsFoundFromTheExecutable) {
  const TempDir tmp;
  const fs::path root = tmp.path();
  make_cases(root / "prefix" / "share" / "mikeyconf");
  DataDirEnv env = env_under(root);
  env.datadir.reset();
  auto found = find_cases_dir(nullptr, env);
  ASSERT_TRUE(found.ok()) << found.error();
  EXPECT_EQ(found.value(), root / "prefix" / "share" / "mikeyconf" / "cases");
}

TEST(DataDir, NothingFoundNamesEveryPlaceTried) {
  const TempDir tmp;
  const fs::path root = tmp.path();
  auto found = find_cases_dir(nullptr, env_under(root));
  ASSERT_FALSE(found.ok());
  EXPECT_NE(found.error().find((root / "work" / "cases").string()), std::string::npos);
  EXPECT_NE(found.error().find((root / "data" / "cases").string() + " (MIKEYCONF_DATADIR)"),
            std::string::npos);
  EXPECT_NE(found.error().find((root / "prefix" / "share" / "mikeyconf" / "cases").string()),
            std::string::npos);
  EXPECT_NE(found.error().find("--cases DIR"), std::string::npos);

  DataDirEnv unset = env_under(root);
  unset.datadir.reset();
  auto again = find_cases_dir(nullptr, unset);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().find("MIKEYCONF_DATADIR is not set"), std::string::npos);
}

TEST(DataDir, TheProcessEnvironmentHasTheExecutable) {
  const DataDirEnv env = process_data_dir_env();
  ASSERT_TRUE(env.executable.has_value());
  EXPECT_EQ(env.executable->filename(), "tools_unit_test");
  EXPECT_TRUE(env.working_dir.empty());
}

}  // namespace
}  // namespace mikeyconf::tools
