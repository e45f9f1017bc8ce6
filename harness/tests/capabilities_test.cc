// The capability vocabulary (capabilities.h): a typo in a profile's `capabilities:` or `levels:`
// or in a case's `needs:` is a load error with the nearest name, never a run that silently skips
// the cases needing it.
#include "harness/capabilities.h"

#include <gtest/gtest.h>

#include <set>

#include "harness/loader.h"
#include "harness/profile.h"
#include "harness/tests/test_support.h"

namespace mikeyconf::harness {
namespace {

constexpr const char* kProfile =
    "name: lab-kms\n"                                                                   // 1
    "role: kms\n"                                                                       // 2
    "base_url: http://kms.lab.example:8080\n"                                           // 3
    "kms_config:\n"                                                                     // 4
    "  kms: {identity: sip:kms.lab.example}\n"                                          // 5
    "  users:\n"                                                                        // 6
    "    - {identity: sip:alice@lab.example, psk: 000102030405060708090a0b0c0d0e0f}\n"  // 7
    "users: {alice: sip:alice@lab.example}\n"                                           // 8
    "parties: {initiator: alice, responder: alice}\n"                                   // 9
    ;

std::string profile_error(const std::string& extra) {
  auto p = parse_profile_text(std::string(kProfile) + extra, "p.yaml");
  return p.ok() ? std::string("(accepted)") : p.error().to_string();
}

std::string case_error(const std::string& needs) {
  const std::string text =
      "id: kms.x\ntitle: t\nrequirements: [A.2-10]\nlevel: SHALL\nsut_role: kms\n"  // 1-5
      "needs: " +
      needs +  // 6
      "\nsteps:\n  - send: REQUEST_INIT_PSK\n  - expect: {http.status: 200}\n";
  auto s = parse_scenario_text(text, "c.yaml", &testing::requirements());
  return s.ok() ? std::string("(accepted)") : s.error().to_string();
}

TEST(CapabilitiesTest, KnowsTheFixedAndParametricNames) {
  for (const char* ok : {"psk", "key-forking", "short-ticket-lifetime", "kms-link:mutual-tls",
                         "ticket-type:1/1/1", "ticket-type:2/0/0", "suite:128", "suite:256",
                         "mode:1", "mode:3", "mode:4", "max-ticket-lifetime:86400"}) {
    EXPECT_EQ(capability_problem(ok), std::nullopt) << ok;
  }
  EXPECT_EQ(capability_problem("PSK"), "unknown capability 'PSK' (did you mean 'psk'?)");
  EXPECT_EQ(capability_problem("key-forkin"),
            "unknown capability 'key-forkin' (did you mean 'key-forking'?)");
  EXPECT_EQ(capability_problem("Suite:256"),
            "unknown capability 'Suite:256' (did you mean 'suite:256'?)");
  EXPECT_EQ(capability_problem("suite:512"), "capability 'suite:512': N is 128 or 256");
  EXPECT_EQ(capability_problem("mode:5"),
            "capability 'mode:5': N is 1, 2, 3 or 4 (RFC 6043 §4.1.1)");
  EXPECT_EQ(capability_problem("ticket-type:1/1"),
            "capability 'ticket-type:1/1': T/S/V is the ticket Type/Subtype/Version in decimal "
            "(e.g. 1/1/1)");
  EXPECT_EQ(capability_problem("max-ticket-lifetime:0"),
            "capability 'max-ticket-lifetime:0': N is a number of seconds, at least 1");
  const auto far = capability_problem("teleportation");
  ASSERT_TRUE(far);
  EXPECT_EQ(far->rfind("unknown capability 'teleportation' (known: psk, key-forking, ", 0), 0u)
      << *far;
}

TEST(CapabilitiesTest, LevelsHaveADidYouMean) {
  EXPECT_EQ(level_problem("SHOULD NOT"), std::nullopt);
  EXPECT_EQ(level_problem("SHAL"),
            "unknown level 'SHAL' (did you mean 'SHALL'?; levels: SHALL, SHALL NOT, SHOULD, "
            "SHOULD NOT, MAY)");
  EXPECT_EQ(level_problem("should"),
            "unknown level 'should' (did you mean 'SHOULD'?; levels: SHALL, SHALL NOT, SHOULD, "
            "SHOULD NOT, MAY)");
  EXPECT_EQ(level_problem("MUST"),
            "unknown level 'MUST' (levels: SHALL, SHALL NOT, SHOULD, SHOULD NOT, MAY)");
}

TEST(CapabilitiesTest, AProfileWithAnUnknownCapabilityOrLevelDoesNotLoad) {
  EXPECT_EQ(profile_error("capabilities: [psk, mode:1]\n"), "(accepted)");
  EXPECT_EQ(profile_error("capabilities: [mode:1, PSK]\n"),
            "p.yaml:10:24: unknown capability 'PSK' (did you mean 'psk'?)");
  EXPECT_EQ(profile_error("capabilities:\n  - psk\n  - suite:512\n"),
            "p.yaml:12:5: capability 'suite:512': N is 128 or 256");
  EXPECT_EQ(profile_error("levels: [SHALL, SHOLD]\n"),
            "p.yaml:10:17: unknown level 'SHOLD' (did you mean 'SHOULD'?; levels: SHALL, SHALL "
            "NOT, SHOULD, SHOULD NOT, MAY)");
}

TEST(CapabilitiesTest, ACaseNeedingAnUnknownCapabilityDoesNotLoad) {
  EXPECT_EQ(case_error("[psk, mode:3]"), "(accepted)");
  EXPECT_EQ(case_error("[PSK]"), "c.yaml:6:9: unknown capability 'PSK' (did you mean 'psk'?)");
  EXPECT_EQ(case_error("[psk, mode:9]"),
            "c.yaml:6:14: capability 'mode:9': N is 1, 2, 3 or 4 (RFC 6043 §4.1.1)");
}

TEST(CapabilitiesTest, EveryShippedCaseAndProfileUsesTheVocabulary) {
  // The suite loads (so every `needs:` is known) and every profile loads.
  std::set<std::string> needed;
  for (const Scenario& s : testing::suite()) needed.insert(s.needs.begin(), s.needs.end());
  EXPECT_TRUE(needed.count("psk"));
  for (const auto& entry : std::filesystem::directory_iterator(testing::cases_dir() / "profiles")) {
    auto p = load_profile(entry.path());
    EXPECT_TRUE(p.ok()) << p.error().to_string();
  }
}

TEST(CapabilitiesTest, NearestNameNeedsACloseEnoughCandidate) {
  const std::string_view names[] = {"alpha", "beta"};
  EXPECT_EQ(nearest_name("ALPHA", names), "alpha");
  EXPECT_EQ(nearest_name("alpah", names), "");  // two edits in five letters: not a typo
  EXPECT_EQ(nearest_name("bta", names), "beta");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

}  // namespace
}  // namespace mikeyconf::harness
