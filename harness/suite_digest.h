// The suite digest: one SHA-256 that names exactly which scenarios and requirement table a run
// used, so an auditor can tell a run of the shipped suite from one of a locally edited copy.
//
// Definition (reports/README.md "Suite digest"): the files are requirements.csv at the top of the
// cases folder and every *.yaml file below it that the loader reads as a scenario (folders named
// profiles/ and baselines/ and the data files not-covered.yaml and mutation-registry.yaml left
// out). They are taken in byte order of their '/'-separated path relative to the folder; the
// digest is SHA-256 over, per file, the path, a NUL byte, the decimal size, a NUL byte and the
// contents. Lower-case hex.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace mikeyconf::harness {

// The scenario files below `cases_dir`, as the loader reads them (load_scenarios) and the digest
// covers them: every *.yaml file except in folders named profiles/ and baselines/ and except
// the data files not-covered.yaml and mutation-registry.yaml; unsorted. `ec` set when the folder
// cannot be listed.
std::vector<std::filesystem::path> scenario_files(const std::filesystem::path& cases_dir,
                                                  std::error_code& ec);

// The relative paths the digest covers, in digest order.
std::vector<std::string> suite_digest_files(const std::filesystem::path& cases_dir);

// nullopt when the folder or one of its files cannot be read.
std::optional<std::string> suite_digest(const std::filesystem::path& cases_dir);

// The digest of the cases/ folder this build ships, computed at build time from the sources.
std::string_view shipped_suite_digest() noexcept;

// What a run records about its suite (RunResult::suite_digest, suite_matches_shipped).
struct SuiteIdentity {
  std::string digest;                   // empty: the folder could not be read
  std::optional<bool> matches_shipped;  // nullopt with no digest
};
SuiteIdentity identify_suite(const std::filesystem::path& cases_dir);

}  // namespace mikeyconf::harness
