#include "harness/setup.h"

#include <utility>

#include "harness/driver.h"
#include "harness/embedded_kms.h"
#include "harness/loader.h"
#include "harness/requirements.h"
#include "harness/suite_digest.h"

namespace mikeyconf::harness {

SutSetup::~SutSetup() {
  // Stop in reverse order of start: a server may call one started before it.
  while (!keep_alive.empty()) keep_alive.pop_back();
}

mikey::Result<SutSetup, SetupError> prepare_sut(const SutProfile& profile, bool embedded) {
  switch (profile.role) {
    case SutRole::kms:
      return prepare_kms(profile, embedded);
    case SutRole::kms_r:
      return prepare_kms_r(profile, embedded);
    case SutRole::kms_i:
      return prepare_kms_i(profile, embedded);
    case SutRole::initiator:
    case SutRole::responder:
      return prepare_ue(profile, embedded);
  }
  return SetupError{2, "unknown sut_role"};
}

// SUT role kms: the harness plays Initiator and Responder against the SUT's Annex A endpoint;
// embedded, the SUT is a reference KMS serving the profile's users on loopback.
mikey::Result<SutSetup, SetupError> prepare_kms(const SutProfile& profile, bool embedded) {
  SutSetup setup;
  setup.target = profile;
  if (embedded) {
    auto started = EmbeddedKms::start(profile);
    if (!started.ok()) return SetupError{3, started.error()};
    std::shared_ptr<EmbeddedKms> kms = std::move(started).value();
    setup.target = kms->profile();
    setup.keep_alive.push_back(kms);
  }
  setup.make_driver = [target = setup.target]() -> std::unique_ptr<SutDriver> {
    return std::make_unique<KmsDriver>(target);
  };
  return setup;
}

mikey::Result<RunResult, SetupError> run_configured_suite(const SuiteConfig& config) {
  const auto req_path =
      config.requirements.empty() ? config.cases_dir / "requirements.csv" : config.requirements;
  auto table = load_requirements(req_path);
  if (!table.ok()) return SetupError{2, table.error().to_string()};
  auto suite = load_scenarios(config.cases_dir, table.value());
  if (!suite.ok()) return SetupError{2, suite.error().to_string()};
  const bool embedded = config.embedded || config.profile.empty();
  const auto profile_path =
      config.profile.empty() ? config.cases_dir / "profiles" / "reference.yaml" : config.profile;
  auto profile = load_profile(profile_path);
  if (!profile.ok()) return SetupError{2, profile.error().to_string()};
  std::optional<Baseline> baseline;
  if (config.baseline) {
    auto b = load_baseline(*config.baseline);
    if (!b.ok()) return SetupError{2, b.error().to_string()};
    baseline = std::move(b).value();
  }
  auto setup = prepare_sut(profile.value(), embedded);
  if (!setup.ok()) return setup.error();
  RunOptions options = config.options;
  options.cases_dir = config.cases_dir.string();
  options.suite = identify_suite(config.cases_dir);
  options.embedded = embedded;
  if (options.sut_argument.empty()) {
    options.sut_argument =
        embedded ? (config.profile.empty() ? std::string("--embedded")
                                           : "--embedded --sut " + profile_path.string())
                 : "--sut " + profile_path.string();
  }
  return run_suite(suite.value(), setup->target, setup->make_driver,
                   baseline ? &*baseline : nullptr, options);
}

}  // namespace mikeyconf::harness
