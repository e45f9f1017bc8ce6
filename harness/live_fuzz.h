// Live fuzzing of a system under test (`mikeyconf fuzz --sut`): every execution is one generated
// case in the suite's own vocabulary — a send step whose message the reference parties build,
// with random mutation knobs over its layout map (re-protected or not) and random HTTP overrides
// — run by the engine's run_case against the SUT, and an expect step that is the oracle:
//   - a 5xx, a closed or reset connection, or no answer within the request timeout;
//   - a 200 whose body is not a MIKEY message the KMS may send;
//   - a grant for a request whose MIKEY bytes were changed without re-protection (it cannot
//     have been authenticated, RFC 6043 §5.1.2);
// and after every anomaly the sanity case (liveness): a SUT that fails it is dead, reported once,
// and the campaign stops. Because a finding is a case, its minimised form is the regression case
// the suite runs (scenario_writer.h) and its repro bundle is what `mikeyconf replay` takes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/engine.h"
#include "harness/profile.h"
#include "harness/results.h"
#include "harness/scenario.h"

namespace mikeyconf::harness {

// Which oracle an execution violated.
enum class Oracle : std::uint8_t {
  server_error,             // a 5xx
  closed,                   // the SUT closed or reset the connection without a response
  timeout,                  // no response within timeouts.request_ms
  unparsable_answer,        // a 200 whose body is not a MIKEY message the KMS may send
  unauthenticated_success,  // a grant for a request changed without re-protection
  sut_dead,                 // the sanity case failed after an anomaly
};
std::string_view to_string(Oracle o) noexcept;

struct LiveFuzzOptions {
  std::optional<double> time_s;       // stop after this long (none: until runs)
  std::optional<std::uint64_t> runs;  // stop after this many executions
  std::uint64_t seed = 1;             // the campaign repeats exactly with the same seed
  std::size_t jobs = 1;               // executions in flight, each with its own driver
  // Called about once a second from the campaign's thread.
  std::function<void(const struct LiveFuzzProgress&)> on_progress;
};

struct LiveFuzzProgress {
  double elapsed_s = 0;
  std::uint64_t execs = 0;
  std::size_t findings = 0;
};

// One deduplicated finding.
struct Finding {
  std::string id;  // "<oracle>-<8 hex digits of the signature hash>"
  Oracle oracle = Oracle::server_error;
  std::string signature;   // the deduplication key: oracle, message kind, knob kinds and fields
  std::string detail;      // one line: what the SUT did
  Scenario regression;     // the minimised case: send step(s) + the expect step of the oracle
  CaseResult result;       // the run of `regression` that showed it (transcript included)
  std::uint64_t seed = 0;  // the case seed `result` ran with
  std::uint64_t hits = 1;  // executions that hit this signature
  std::uint64_t first_exec = 0;
  // The sanity case that failed right after it: the SUT died there (Campaign::sut_dead), so the
  // case could not be minimised and is stored as it ran.
  std::optional<CaseResult> liveness;
};

struct Campaign {
  std::string profile_file;  // as given on the command line (for the replay command)
  SutRole role = SutRole::kms;
  std::uint64_t seed = 1;
  std::uint64_t execs = 0;
  double seconds = 0;
  std::vector<Finding> findings;
  bool sut_dead = false;
  std::string stop_reason;                       // "time", "runs", "sut dead", "setup: ..."
  std::map<std::string, std::uint64_t> answers;  // "200", "400", "closed", "timeout", ... → count
  std::optional<std::string> setup_error;        // the SUT could not be fuzzed (exit 3)
};

// Runs a campaign against the SUT of `profile` (drivers as for run_suite; `suite` supplies the
// sanity case of the profile's role).
Campaign run_live_fuzz(const std::vector<Scenario>& suite, const SutProfile& profile,
                       const DriverFactory& drivers, const LiveFuzzOptions& options);

}  // namespace mikeyconf::harness
