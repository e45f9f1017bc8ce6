// The engine: runs scenarios against a SUT through a driver, with the reference roles as the
// parties the harness plays (Initiator and Responder built from the SUT profile's users), and
// judges every answer.
//
// Per case: a seed (from the run seed and the case id) seeds the parties' DeterministicRng, so
// CSB IDs, RANDs and keys repeat exactly when the run is repeated with the same seed; only the
// timestamps (T) follow the wall clock, as the SUT's clock-skew check requires. A per-case time
// limit (scenario timeout_ms, else the profile's timeouts.case_ms) is checked before every step
// and after every exchange; each exchange is bounded by the profile's request timeout.
//
// Per suite: the sanity case (tag `sanity`) runs first; if it does not pass, the SUT is not
// usable and every other case is reported as error (not run). It runs again after every case
// that did not pass (a health probe: a SUT that died there makes every later case error, not
// run) and once more at the end; if that last one fails, every case since the last passing probe
// is marked error with the reason (its own verdict kept as original_verdict). With
// stop_on_sanity_failure off, a run whose opening sanity failed goes on without probes. A run
// stopped through RunOptions::stop reports only the cases that finished, marked interrupted.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/driver.h"
#include "harness/profile.h"
#include "harness/results.h"
#include "harness/scenario.h"
#include "harness/suite_digest.h"

namespace mikeyconf::harness {

// Makes one driver per worker (the harness parallelises with --jobs).
using DriverFactory = std::function<std::unique_ptr<SutDriver>()>;

struct RunOptions {
  std::uint64_t seed = 1;
  bool strict = false;  // run every level, not only the profile's `levels`
  // After judging, an inconclusive verdict becomes fail (original_verdict keeps it): the SUT
  // must answer as the cases expect, not merely as the specifications allow (--strict).
  bool inconclusive_fails = false;
  // Before the suite: measure the SUT's clock (sut_clock.h) and probe every profile user against
  // the SUT (probe.h); a mismatch stops the run with RunResult::setup_error.
  bool probe_setup = true;
  // Case ids to run, as shell globs ("kms.errors.*", "*replay*"). Empty: every case for the
  // SUT's role.
  std::vector<std::string> only;
  // Cases run at the same time, each worker with its own driver (its own connection). The
  // sanity case runs alone first and last; results keep suite order.
  std::size_t jobs = 1;
  bool stop_on_sanity_failure = true;
  // How the replay command names the SUT ("--sut <file>"); empty: the profile's file.
  std::string sut_argument;
  // What the run reports about its setup (harness/setup.cc), also when handed over early
  // (on_stop_timeout): the cases folder, its identity (suite_digest.h) and whether the SUT is
  // the reference implementation the harness started.
  std::string cases_dir;
  SuiteIdentity suite;
  bool embedded = false;
  // Called after each case (progress), one call at a time even with jobs > 1.
  std::function<void(const CaseResult&)> on_case;
  // Set (non-zero, e.g. the number of the signal) to stop the run: no case starts after it, the
  // cases running finish, no health probe follows, and the result holds the finished cases with
  // RunResult::interrupted set. Null: never stopped.
  const std::atomic<int>* stop = nullptr;
  // With `stop`: how long the cases in flight may go on once the stop is seen, and what gets the
  // run if some still do then: the finished cases, those still running as error (not run),
  // interrupted set. It may end the process (the cases still running use the drivers, so
  // nothing may be torn down under them); if it returns, the run waits for them after all.
  std::chrono::milliseconds stop_grace{5000};
  std::function<void(const RunResult&)> on_stop_timeout;
};

// splitmix64(run_seed XOR FNV-1a-64(id)): stable per (run seed, case id).
std::uint64_t case_seed(std::uint64_t run_seed, std::string_view id) noexcept;

// Copies the case's identity (id, title, file, requirements, level, role, tags, needs) into `r`.
void fill_header(CaseResult& r, const Scenario& s);

// Runs one case as it stands (no baseline, no health logic): pass, fail, inconclusive or error.
CaseResult run_case(const Scenario& scenario, const SutProfile& profile, SutDriver& driver,
                    std::uint64_t seed);

// Runs the scenarios whose sut_role is the profile's role (others are not part of the run),
// applying `only`, levels, needs and the baseline (disabled → skipped; expected failure: fail →
// xfail, pass → xpass). Fails only through the verdicts: a suite without a sanity case for the
// role reports every case as error.
RunResult run_suite(const std::vector<Scenario>& suite, const SutProfile& profile,
                    const DriverFactory& drivers, const Baseline* baseline,
                    const RunOptions& options);
// The same with one driver: jobs is ignored (one worker).
RunResult run_suite(const std::vector<Scenario>& suite, const SutProfile& profile,
                    SutDriver& driver, const Baseline* baseline, const RunOptions& options);

// The sanity case of `role` in `suite` (tag `sanity`), or nullptr.
const Scenario* find_sanity(const std::vector<Scenario>& suite, SutRole role) noexcept;

}  // namespace mikeyconf::harness
