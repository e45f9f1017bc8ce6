// Setting up a run around the system under test: per SUT role the driver factory and the
// servers or processes the harness plays opposite it (README.md), and
// the one-call suite runner behind `mikeyconf run`.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/engine.h"
#include "harness/profile.h"
#include "harness/results.h"
#include "wire/result.h"

namespace mikeyconf::harness {

// A problem before any case ran, with the exit code it maps to (tools/README.md): 2 for a usage or
// configuration error (a file that does not load), 3 for a setup error (the embedded SUT or a
// server the harness plays does not start).
struct SetupError {
  int exit_code = 2;
  std::string message;
};

// Everything a run needs around the SUT. Destroying it stops the servers and processes.
struct SutSetup {
  SutProfile target;          // the profile as run (an embedded SUT's port filled in)
  DriverFactory make_driver;  // one driver per worker
  // Servers the harness plays (peer KMS, embedded SUT, hook processes), kept alive for the run
  // and stopped in reverse order when the setup is destroyed.
  std::vector<std::shared_ptr<void>> keep_alive;

  SutSetup() = default;
  SutSetup(SutSetup&&) = default;
  SutSetup& operator=(SutSetup&&) = default;
  SutSetup(const SutSetup&) = delete;
  SutSetup& operator=(const SutSetup&) = delete;
  ~SutSetup();
};

// The setup for `profile`'s role; `embedded`: the SUT itself is the reference implementation
// started here (the embedded default).
mikey::Result<SutSetup, SetupError> prepare_sut(const SutProfile& profile, bool embedded);

// Per-role setups (prepare_sut dispatches on the profile's role).
mikey::Result<SutSetup, SetupError> prepare_kms(const SutProfile& profile, bool embedded);
mikey::Result<SutSetup, SetupError> prepare_kms_r(const SutProfile& profile, bool embedded);
mikey::Result<SutSetup, SetupError> prepare_kms_i(const SutProfile& profile, bool embedded);
mikey::Result<SutSetup, SetupError> prepare_ue(const SutProfile& profile, bool embedded);

// What `mikeyconf run` needs.
struct SuiteConfig {
  std::filesystem::path cases_dir = "cases";
  std::filesystem::path requirements;  // empty: <cases_dir>/requirements.csv
  std::filesystem::path profile;       // empty: <cases_dir>/profiles/reference.yaml, embedded
  std::optional<std::filesystem::path> baseline;
  // The SUT is the reference implementation started by the harness (for a kms profile: the
  // profile's users served from a reference KMS on 127.0.0.1). Implied when `profile` is empty.
  bool embedded = false;
  RunOptions options;
};

// Loads the requirement table, the scenarios, the profile and the baseline, prepares the SUT
// (prepare_sut), runs the suite and returns the result (write it with the report writers).
mikey::Result<RunResult, SetupError> run_configured_suite(const SuiteConfig& config);

}  // namespace mikeyconf::harness
