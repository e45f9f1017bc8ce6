#include "harness/requirements.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "harness/tests/test_support.h"

namespace mikeyconf::harness {
namespace {

TEST(RequirementsTest, LoadsTheShippedTable) {
  const RequirementTable& t = testing::requirements();
  EXPECT_EQ(t.rows().size(), 283u);
  const Requirement* r = t.find("A.2-10");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->role, "KMS");
  EXPECT_EQ(r->level, "SHALL");
  // A quoted summary with commas.
  const Requirement* q = t.find("T-4.2.1.1-1");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->summary, "REQUEST_INIT always contains HDR, T and RANDRi");
}

TEST(RequirementsTest, TheShippedCopyMatchesTheSharedSpecWhenPresent) {
  const auto shared = testing::repo_dir() / ".." / "shared" / "spec" / "requirements.csv";
  if (!std::filesystem::exists(shared)) GTEST_SKIP() << "../shared is not present";
  EXPECT_EQ(testing::read_text(shared),
            testing::read_text(testing::cases_dir() / "requirements.csv"));
}

TEST(RequirementsTest, ParsesQuotesAndReportsErrors) {
  auto t = parse_requirements_text(
      "id,source,role,level,summary\nX-1,RFC 1,KMS,SHALL,\"a, \"\"quoted\"\" b\"\n", "r.csv");
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->find("X-1")->summary, "a, \"quoted\" b");
  auto err = [](std::string text) {
    return parse_requirements_text(text, "r.csv").error().to_string();
  };
  EXPECT_EQ(err("id,source\n"), "r.csv:1:1: the header must be id,source,role,level,summary");
  EXPECT_EQ(err("id,source,role,level,summary\nX-1,a,b,MUST,c\n"),
            "r.csv:2:1: unknown level 'MUST'");
  EXPECT_EQ(err("id,source,role,level,summary\nX-1,a,b,MAY,c\nX-1,a,b,MAY,c\n"),
            "r.csv:3:1: duplicate requirement id 'X-1'");
  EXPECT_EQ(err("id,source,role,level,summary\nX-1,\"a,b,MAY,c\n"),
            "r.csv:2:5: malformed CSV quoting");
  EXPECT_EQ(err("id,source,role,level,summary\nX-1,a,b\n"),
            "r.csv:2:1: expected 5 columns, found 3");
}

}  // namespace
}  // namespace mikeyconf::harness
