// Repro bundles (reports/README.md "Repro bundles"): for a case that failed, passed unexpectedly
// or errored, bundles/<case-id>/ with everything `mikeyconf replay bundles/<case-id>` needs and
// nothing else: bundle.json (schema "mikeyconf.bundle/1"), a suite folder cases/ with just that
// case, the sanity case of its role and requirements.csv, the SUT profile (and the TLS files it
// names by relative path, in the same relative layout) under profile/, the case's results.json
// entry as transcript.json and its exchanges as transcript.pcap. load_bundle (reports.h) reads it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/requirements.h"
#include "harness/results.h"
#include "wire/result.h"

namespace mikeyconf::reports {

inline constexpr std::string_view kBundleSchema = "mikeyconf.bundle/1";

// fail, xpass and error get a bundle (the verdicts that fail the run or need a look).
bool needs_bundle(harness::Verdict v) noexcept;

// The folder name for a case id: [A-Za-z0-9._-] kept, anything else '_'; never "", "." or "..".
std::string bundle_dir_name(std::string_view case_id);

// Writes `out_dir`/bundles/<case-id>/ and returns the files written, relative to `out_dir`.
// Fails with a message naming the file that could not be read or written (a bundle that could
// not be made self-contained is an error, not a silently partial bundle).
mikey::Result<std::vector<std::filesystem::path>, std::string> write_bundle(
    const harness::RunResult& run, const harness::CaseResult& c,
    const harness::RequirementTable* requirements, const std::filesystem::path& out_dir);

}  // namespace mikeyconf::reports
