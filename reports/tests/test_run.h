// Shared by the reports tests: a RunResult with every verdict and realistic transcripts, a suite
// of files on disk for bundles, temporary folders and running the second implementations
// (sha256sum, openssl, tshark, chromium) as commands.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "harness/requirements.h"
#include "harness/results.h"
#include "wire/bytes.h"

namespace mikeyconf::reports::testing {

// A codec sample message (codec/samples.h), serialised: "ticket_request_init_psk", ...
mikey::Bytes sample(std::string_view name);

// A case with a mutated exchange, a valid base64 Annex A exchange and a local TRANSFER_INIT.
harness::CaseResult make_case(std::string id, harness::Verdict v);

// Seven cases (one per verdict, kms.case.<verdict>), a health check and a warning.
harness::RunResult make_run();

// A requirement table citing the ids make_case uses, plus one no case cites.
harness::RequirementTable requirement_table();

// Writes the run's scenario files, sanity case, requirements.csv and a profile (with TLS files
// named by relative path, one of them outside the profile's folder) under `dir` and points the
// run at them.
void put_suite_on_disk(harness::RunResult& run, const std::filesystem::path& dir);

// A new empty folder under the system temp folder.
std::filesystem::path fresh_dir(std::string_view name);

std::string read(const std::filesystem::path& p);
void write(const std::filesystem::path& p, std::string_view text);

// Runs `command` through the shell; returns its exit status, stdout and stderr in `output`.
int run_command(const std::string& command, std::string* output = nullptr);
std::string quote(const std::filesystem::path& p);

std::filesystem::path repo_dir();

}  // namespace mikeyconf::reports::testing
