// The latitude declarations of a profile (latitude.h) and the inventory they point into: every
// point a profile may declare, and every `because:` of a case's inconclusive_if, is an entry of
// docs/latitude.md, so an auditor can read why an answer was accepted.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "harness/latitude.h"
#include "harness/sut_clock.h"
#include "harness/tests/test_support.h"
#include "roles/clock.h"
#include "roles/error_message.h"

namespace mikeyconf::harness {
namespace {

// The entry ids of docs/latitude.md: its "### `id`: ..." headings.
std::set<std::string> inventory_ids() {
  std::ifstream in(testing::repo_dir() / "docs" / "latitude.md");
  std::set<std::string> ids;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("### `", 0) != 0) continue;
    const std::size_t end = line.find('`', 5);
    if (end != std::string::npos) ids.insert(line.substr(5, end - 5));
  }
  return ids;
}

TEST(LatitudeTest, EveryDeclarablePointAndEveryExcuseIsInTheInventory) {
  const std::set<std::string> ids = inventory_ids();
  ASSERT_GT(ids.size(), 20u) << "docs/latitude.md not found or without entries";
  for (const LatitudePoint& p : latitude_points())
    EXPECT_TRUE(ids.count(std::string(p.id))) << p.id;
  for (const Scenario& s : testing::suite()) {
    for (const Step& step : s.steps) {
      const auto* e = std::get_if<ExpectStep>(&step.body);
      if (e != nullptr && e->inconclusive_if)
        EXPECT_TRUE(ids.count(e->inconclusive_if->because))
            << s.id << ": " << e->inconclusive_if->because;
    }
  }
}

TEST(LatitudeTest, ADeclarationNarrowsAPointAndAnUndeclaredOneIsAny) {
  LatitudeDeclaration d;
  d.declared["auth-failure-answer"] = "http-4xx";
  EXPECT_TRUE(d.allows("auth-failure-answer", "http-4xx"));
  EXPECT_FALSE(d.allows("auth-failure-answer", "error"));
  EXPECT_EQ(d.reading("iv-timestamp"), "any");
  EXPECT_TRUE(d.allows("iv-timestamp", "b"));
}

TEST(LatitudeTest, UnknownPointsAndReadingsNameTheNearestOne) {
  EXPECT_FALSE(latitude_problem("auth-failure-answer", "any"));
  EXPECT_NE(
      latitude_problem("auth-failure-anwser", "error")->find("did you mean 'auth-failure-answer'"),
      std::string::npos);
  EXPECT_NE(latitude_problem("iv-timestamp", "c")->find("allowed: any, a, b"), std::string::npos);
}

TEST(LatitudeTest, TheKmsClockIsReadFromTheTOfAnyAnswer) {
  // docs/latitude.md "clock-offset": an Error message carries a T too.
  const mikey::roles::NtpTime ours = mikey::roles::unix_to_ntp(1'800'000'000);
  const mikey::Bytes answer =
      mikey::roles::build_error(mikey::roles::ErrorContext{}, mikey::codec::ErrorNo::auth_failure,
                                mikey::roles::shifted(ours, -3'250));
  EXPECT_EQ(clock_offset_of(answer, ours), -3'250);
  EXPECT_FALSE(clock_offset_of(mikey::Bytes{0x01, 0x0b}, ours).has_value());
}

TEST(LatitudeTest, TheAdoptedOffsetIgnoresNoiseAndLeansIntoThePast) {
  EXPECT_EQ(adopted_offset_ms(0), 0);
  EXPECT_EQ(adopted_offset_ms(-900), 0);
  EXPECT_EQ(adopted_offset_ms(-3'000), -4'000);
  EXPECT_EQ(adopted_offset_ms(250'000), 249'000);
}

}  // namespace
}  // namespace mikeyconf::harness
