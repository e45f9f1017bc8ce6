// The result model of a run (harness/README.md): per case a verdict, the expectations with
// expected vs actual, the seed that replays it and the transcript of every exchange. The report
// writers (report.h) map it losslessly to results.json and to JUnit XML.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/scenario.h"
#include "wire/bytes.h"

namespace mikeyconf::harness {

enum class Verdict : std::uint8_t {
  pass,
  fail,
  inconclusive,  // the SUT answered in a way the spec allows but the case cannot judge
  error,         // harness or setup problem, never blamed on the SUT
  skipped,       // not applicable (profile, baseline, level)
  xfail,         // failed, and the baseline expects it to
  xpass,         // passed, but the baseline expects a failure: fails the run
};
std::string_view to_string(Verdict v) noexcept;
// The verdict whose to_string is `s` (results.json's "verdict"), or nothing.
std::optional<Verdict> verdict_from_text(std::string_view s) noexcept;
// fail, xpass or error: the case did not go as the suite requires — what an auditor looks at
// first, what gets a repro bundle, what `mikeyconf diff` calls a regression.
bool needs_attention(Verdict v) noexcept;

// One checked expectation.
struct ExpectationResult {
  std::size_t step = 0;  // index of the expect step in the scenario (0-based)
  std::string key;       // "http.status", "mikey.error_no", ...
  std::string expected;
  std::string actual;
  bool ok = false;
  bool inconclusive_clause = false;  // from inconclusive_if rather than expect
};

// One exchange with the SUT over HTTP, or one in-process exchange between the reference parties
// (TRANSFER_INIT / TRANSFER_RESP, mode-3 ticket creation).
struct TranscriptEntry {
  std::size_t step = 0;
  std::string kind;   // "http" | "local"
  std::string label;  // "REQUEST_INIT_PSK from initiator (alice)", "TRANSFER_INIT alice -> bob"
  mikey::Bytes mikey_built;            // the message as the reference party built it
  mikey::Bytes mikey_sent;             // after mutation and re-protection (= built if none)
  std::vector<std::string> mutations;  // Mutation::describe() of each knob applied
  bool re_protected = false;
  std::string request;  // the exact HTTP request bytes (may be binary)
  // Response. transport_error is set when no HTTP response arrived.
  std::string transport_error;
  std::uint16_t status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                            // raw HTTP body
  std::optional<mikey::Bytes> response_mikey;  // the decoded MIKEY message, when decodable
  std::string mikey_problem;                   // why the body is not a valid Annex A answer
  std::string note;                            // the harness's reading of the answer
  double start_ms = 0;                         // since the case started
  double duration_ms = 0;                      // request written → response read
};

struct CaseResult {
  std::string id;
  std::string title;
  std::string file;
  std::vector<std::string> requirements;
  Level level = Level::shall;
  SutRole sut_role = SutRole::kms;
  std::vector<std::string> tags;
  std::vector<std::string> needs;
  std::uint64_t seed = 0;  // the case's DeterministicRng seed (from the run seed and the id)
  Verdict verdict = Verdict::error;
  // The verdict the case itself produced, when a baseline or a failed health check changed it.
  std::optional<Verdict> original_verdict;
  std::string reason;   // one line: the first failed expectation, the error, the skip reason
  double start_ms = 0;  // since the run started
  double duration_ms = 0;
  std::vector<ExpectationResult> expectations;
  std::vector<TranscriptEntry> transcript;
  std::string replay;  // the command that runs exactly this case again
};

// The sanity case re-run as a health probe: before the suite, after every case that did not
// pass, and after the suite (tlsfuzzer's sanity first and last).
struct HealthCheck {
  std::string when;  // "start", "after <case id>", "end"
  bool ok = false;
  CaseResult result;
};

// One check of the SUT profile against the SUT before the suite (probe.h): a user's
// REQUEST_INIT_PSK or RESOLVE_INIT_PSK, and what its answer says about the profile.
struct SetupProbe {
  std::string user;     // the profile user probed
  std::string message;  // "REQUEST_INIT_PSK", "RESOLVE_INIT_PSK"
  bool ok = false;
  // Not ok: what was seen and which profile keys to check (one line). Ok: empty, or a note such
  // as "refused as Initiator, verified as Responder".
  std::string finding;
  CaseResult result;  // the probe run as a case: its exchanges, for the reports
};

// Skipped cases that share a reason (the profile's capabilities or levels, the baseline).
struct Exclusion {
  std::string reason;
  std::vector<std::string> ids;  // in suite order
};

struct Summary {
  std::size_t total = 0, pass = 0, fail = 0, inconclusive = 0, error = 0, skipped = 0, xfail = 0,
              xpass = 0;
  void add(Verdict v) noexcept;
  std::size_t of(Verdict v) const noexcept;  // the count of that verdict
};

// This mikeyconf's version: the CMake project VERSION (its one home; `mikeyconf --version`).
std::string_view mikeyconf_version() noexcept;

struct RunResult {
  std::string tool_version = std::string(mikeyconf_version());
  std::string sut_name;
  SutInfo sut_info;  // the profile's `sut:` keys (what the SUT is)
  SutRole sut_role = SutRole::kms;
  std::string sut_url;
  std::string profile_file;
  std::string baseline_file;
  std::string cases_dir;  // the scenario folder the suite was loaded from (empty: not known)
  // SHA-256 (hex) of the suite's scenario files and requirements.csv (suite_digest.h); empty:
  // not computed. suite_matches_shipped: whether it equals the digest of the suite this build
  // ships (nullopt: not known).
  std::string suite_digest;
  std::optional<bool> suite_matches_shipped;
  bool embedded = false;  // the SUT was the reference implementation started by the harness
  std::size_t jobs = 1;
  std::uint64_t seed = 0;
  bool strict = false;              // every level ran, not only the profile's
  bool inconclusive_fails = false;  // an inconclusive verdict became fail (--strict)
  std::string started_utc;          // ISO 8601
  double duration_ms = 0;
  std::vector<CaseResult> cases;
  std::vector<HealthCheck> health;
  std::vector<std::string> warnings;  // e.g. a baseline id that names no case
  // What the profile declared, so a report can say what the run did not test.
  std::vector<std::string> capabilities;
  std::vector<std::string> levels;  // "SHALL", "SHALL NOT", ...
  // The profile's `latitude:` choices (docs/latitude.md entry id → the behaviour the SUT
  // declares; an entry not listed means "any"), in profile order.
  std::vector<std::pair<std::string, std::string>> latitude;
  // The KMS's clock minus ours, measured at the start (sut_clock.h; docs/latitude.md
  // "clock-offset"); the harness parties kept the KMS's time. nullopt: not measured.
  std::optional<std::int64_t> sut_clock_offset_ms;
  // The profile does not match the SUT (probe.h): one line naming what was seen and the profile
  // keys to check. Non-empty: no case ran (every case is error) and the exit code is 3.
  std::string setup_error;
  std::vector<SetupProbe> setup_probes;
  // The run was stopped (SIGINT or SIGTERM, RunOptions::stop) before every selected case ran:
  // `cases` holds only the cases that finished, and the exit code is 3.
  bool interrupted = false;

  Summary summary() const noexcept;
  // Skipped cases grouped by their reason, groups in order of first appearance.
  std::vector<Exclusion> exclusions() const;
  // Exit codes (harness/README.md): 3 on a setup error or an interrupted run; else 1 when a case
  // failed or passed unexpectedly (fail, xpass); else 3 when a case could not be judged because of
  // a harness/setup error; else 0.
  int exit_code() const noexcept;
};

}  // namespace mikeyconf::harness
