// The reports of a run (docs/layers.md: `reports/` only reads the harness result types):
// results.json (lossless), junit.xml, report.html (one self-contained page for an auditor),
// transcript.pcap (every HTTP exchange as a TCP conversation on loopback), a repro bundle per case
// that failed, passed unexpectedly or errored, and manifest.sha256 over everything written
// (optionally signed with Ed25519). reports/README.md documents every file and schema.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/requirements.h"
#include "harness/results.h"
#include "wire/result.h"

namespace mikeyconf::reports {

struct ReportOptions {
  std::filesystem::path out_dir;
  const harness::RequirementTable* requirements = nullptr;  // texts + matrix rows
  std::optional<std::filesystem::path> signing_key;         // Ed25519 private key, PEM
};

struct WrittenReports {
  std::vector<std::filesystem::path> files;  // all, relative to out_dir
};

// Writes every report into options.out_dir (created when missing) and the manifest last. Fails
// with a message naming the file that could not be written or the key that could not be used.
mikey::Result<WrittenReports, std::string> write_all_reports(const harness::RunResult& run,
                                                             const ReportOptions& options);

// What `mikeyconf replay <bundle dir>` needs to build a harness::SuiteConfig: cases_dir = the
// bundle's cases/, profile = the bundle's copy, embedded, seed, strict, only = {case_id}.
struct Bundle {
  std::filesystem::path dir, cases_dir, profile;
  std::string case_id;
  std::uint64_t seed = 0;
  bool strict = false, embedded = false;
};

// Reads `dir`/bundle.json (schema "mikeyconf.bundle/1") and checks the files it names exist.
// A missing or garbled bundle is an error message, never a crash.
mikey::Result<Bundle, std::string> load_bundle(const std::filesystem::path& dir);

// Checks every line of `dir`/manifest.sha256 against the file it names and, when
// `public_key_pem` is not empty, the Ed25519 signature `dir`/manifest.sha256.sig over the
// manifest. true: everything matches; false: a hash or the signature does not match; error: a
// file or the key could not be read.
mikey::Result<bool, std::string> verify_manifest(const std::filesystem::path& dir,
                                                 const std::filesystem::path& public_key_pem);

}  // namespace mikeyconf::reports
