// Text for `mikeyconf list` and `mikeyconf explain CASE`, and the one-call suite runner behind
// `mikeyconf run`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/engine.h"
#include "harness/requirements.h"
#include "harness/results.h"
#include "harness/scenario.h"

namespace mikeyconf::harness {

// One line per scenario: "<id>  <level>  <sut_role>  <title>".
std::string list_text(const std::vector<Scenario>& suite);

// Everything about one case: id, title, file:line, level, SUT role, needs, tags, each cited
// requirement with its source and summary (when `requirements` is given), and the steps.
std::string explain_text(const Scenario& s, const RequirementTable* requirements);

// What `mikeyconf run` needs.
struct SuiteConfig {
  std::filesystem::path cases_dir = "cases";
  std::filesystem::path requirements;  // empty: <cases_dir>/requirements.csv
  std::filesystem::path profile;       // empty: <cases_dir>/profiles/reference.yaml, embedded
  std::optional<std::filesystem::path> baseline;
  // Serve the profile's users from an embedded reference KMS on 127.0.0.1 (port from the
  // profile, 0 = any). Implied when `profile` is empty.
  bool embedded = false;
  RunOptions options;
};

// A problem before any case ran, with the design.md exit code it maps to: 2 for a usage or
// configuration error (a file that does not load), 3 for a setup error (the embedded KMS does not
// start).
struct SetupError {
  int exit_code = 2;
  std::string message;
};

// Loads the requirement table, the scenarios, the profile and the baseline, starts the embedded
// KMS when asked, runs the suite with a KmsDriver and returns the result (write it with
// report.h). Only sut_role kms has a driver so far: another profile role is a setup error.
mikey::Result<RunResult, SetupError> run_configured_suite(const SuiteConfig& config);

}  // namespace mikeyconf::harness
