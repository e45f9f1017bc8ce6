// The scenario-loader fuzz target's invariants over the shipped cases, every prefix of one case,
// and some hostile inputs (every corpus is also replayed as a test).
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "harness/tests/test_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace mikeyconf::harness {
namespace {

int run(const std::string& s) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()),
                                s.size());  // NOLINT
}

TEST(ScenarioLoaderFuzzTargetTest, AcceptsEveryShippedCase) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(testing::cases_dir())) {
    if (e.path().extension() == ".yaml")
      EXPECT_EQ(run(testing::read_text(e.path())), 0) << e.path();
  }
}

TEST(ScenarioLoaderFuzzTargetTest, SurvivesEveryPrefixOfACase) {
  const std::string text =
      testing::read_text(testing::cases_dir() / "kms" / "errors" / "expired-ticket.yaml");
  for (std::size_t n = 0; n <= text.size(); ++n) EXPECT_EQ(run(text.substr(0, n)), 0);
}

// Inputs the fuzzer found (harness/tests/data/fuzz/): yaml_cpp_endless_documents made
// YAML::LoadAll of yaml-cpp 0.7 report documents forever.
TEST(ScenarioLoaderFuzzTargetTest, ReplaysPastFindings) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(testing::data_dir() / "fuzz")) {
    EXPECT_EQ(run(testing::read_text(e.path())), 0) << e.path();
    ++n;
  }
  EXPECT_GE(n, 1);
}

TEST(ScenarioLoaderFuzzTargetTest, SurvivesHostileInputs) {
  const std::string inputs[] = {
      std::string(5000, '['),
      std::string(5000, '{'),
      "a: &x [*x]\n",
      "steps: !!binary AAAA\n",
      std::string("\0\xff\xfe", 3),
      "id: a\n" + std::string(300000, 'x'),
      "- - - - - - - - - - -\n",
      "? [a, b]\n: c\n",
      "id: 1\ntitle: [x]\n",
      "id: kms.a\ntitle: t\nrequirements: [X]\nlevel: MAY\nsut_role: kms\nsteps:\n"
      "  - send: REQUEST_INIT_PSK\n    set: &a {x: *a}\n  - expect: {verify: ok}\n",
      "id: kms.a\ntitle: t\nrequirements: [X]\nlevel: MAY\nsut_role: kms\nsteps: &s\n"
      "  - send: REQUEST_INIT_PSK\n  - *s\n",
  };
  for (const std::string& s : inputs) EXPECT_EQ(run(s), 0);
}

}  // namespace
}  // namespace mikeyconf::harness
