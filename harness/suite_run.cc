// The suite scheduler (engine.h run_suite): which cases run, in what order and how many at once,
// the health and setup probes around them, and the baseline's mapping of their verdicts.
#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/engine.h"
#include "harness/probe.h"
#include "harness/sut_clock.h"

namespace mikeyconf::harness {

using Steady = std::chrono::steady_clock;

const Scenario* find_sanity(const std::vector<Scenario>& suite, SutRole role) noexcept {
  for (const Scenario& s : suite)
    if (s.sut_role == role && s.has_tag("sanity")) return &s;
  return nullptr;
}

namespace {

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf.data(), n);
}

// `only` entries are shell globs (fnmatch: *, ?, [...]) matched against the whole id.
bool selected(const std::vector<std::string>& only, const std::string& id) {
  if (only.empty()) return true;
  return std::any_of(only.begin(), only.end(), [&](const std::string& pattern) {
    return ::fnmatch(pattern.c_str(), id.c_str(), 0) == 0;
  });
}

}  // namespace

namespace {

// One run of a suite: selection, baseline mapping, health probes and the workers that run the
// cases (harness/README.md; tlsfuzzer's sanity first and last). With jobs > 1 every worker has
// its own driver (its own connection to the SUT); results are kept in suite order whatever the
// order of completion.
class SuiteRun {
 public:
  SuiteRun(const std::vector<Scenario>& suite, const SutProfile& profile, const Baseline* baseline,
           const RunOptions& options)
      : suite_(suite), profile_(profile), baseline_(baseline), options_(options) {
    run_.sut_name = profile.name;
    run_.sut_info = profile.info;
    run_.sut_role = profile.role;
    run_.sut_url = profile.base_url;
    run_.profile_file = profile.file;
    run_.baseline_file = baseline != nullptr ? baseline->file : "";
    run_.cases_dir = options.cases_dir;
    run_.suite_digest = options.suite.digest;
    run_.suite_matches_shipped = options.suite.matches_shipped;
    run_.embedded = options.embedded;
    run_.seed = options.seed;
    run_.strict = options.strict;
    run_.inconclusive_fails = options.inconclusive_fails;
    run_.started_utc = utc_now();
    declare_profile();
    sut_arg_ = options.sut_argument.empty() ? "--sut " + profile.file : options.sut_argument;
    sanity_ = find_sanity(suite, profile.role);
    select_cases();
    warn_unknown_baseline_ids();
  }

  RunResult run(SutDriver& main_driver, const DriverFactory& more_drivers) {
    if (sanity_ == nullptr) {
      for (std::size_t i = 0; i < cases_.size(); ++i) {
        not_run(i, "no sanity case (tag: sanity) for sut_role " +
                       std::string(to_string(profile_.role)) +
                       ": the SUT's health cannot be checked");
      }
      return finished();
    }
    if (options_.probe_setup) adopt_sut_clock(main_driver);
    if (options_.probe_setup && !probe_profile_users(main_driver)) return finished();
    if (stopping()) {  // stopped during the setup probes: no case ran, none is reported
      run_.interrupted = true;
      return finished();
    }
    // Opening sanity check: the sanity case's own result when it is selected.
    first_ = probe(main_driver, "start");
    std::size_t next = 0;
    if (!cases_.empty() && cases_.front() == sanity_) {
      CaseResult r = first_.result;
      r.seed = case_seed(options_.seed, sanity_->id + "#health0");
      finish(0, std::move(r));
      next = 1;
    }
    last_healthy_ = completed_;
    if (!first_.ok && options_.stop_on_sanity_failure) {
      for (; next < cases_.size(); ++next) {
        not_run(next, "not run: the opening sanity case " + sanity_->id + " did not pass (" +
                          first_.result.reason + ")");
      }
      return finished();
    }
    next_ = next;
    run_workers(main_driver, more_drivers);
    if (!dead_ && first_.ok && !run_.interrupted) closing_probe(main_driver);
    return finished();
  }

 private:
  double since() const {
    return std::chrono::duration<double, std::milli>(Steady::now() - start_).count();
  }

  // What the reports say the profile declared (and so what the run left out).
  void declare_profile() {
    run_.capabilities = profile_.capabilities;
    for (Level l : profile_.levels) run_.levels.emplace_back(to_string(l));
    for (const auto& [id, reading] : profile_.latitude.declared)
      run_.latitude.emplace_back(id, reading);
  }

  // The setup probe (probe.h); false when the profile does not match the SUT: every case is
  // then error and the run a setup error (exit 3), nothing blamed on the SUT.
  // docs/latitude.md "clock-offset": the parties keep the KMS's time from here on.
  void adopt_sut_clock(SutDriver& driver) {
    if (auto offset = measure_sut_clock(profile_, driver)) {
      profile_.sut_clock_offset_ms = adopted_offset_ms(*offset);
      run_.sut_clock_offset_ms = *offset;
    }
  }

  bool probe_profile_users(SutDriver& driver) {
    ProbeReport report = probe_profile(profile_, driver, options_.seed);
    run_.setup_probes = std::move(report.probes);
    if (report.error.empty()) return true;
    run_.setup_error = report.error;
    for (std::size_t i = 0; i < cases_.size(); ++i) not_run(i, "not run: setup: " + report.error);
    return false;
  }

  void select_cases() {
    if (sanity_ != nullptr && selected(options_.only, sanity_->id)) cases_.push_back(sanity_);
    for (const Scenario& s : suite_) {
      if (s.sut_role != profile_.role || &s == sanity_ || !selected(options_.only, s.id)) continue;
      cases_.push_back(&s);
    }
    slots_.resize(cases_.size());
  }

  void warn_unknown_baseline_ids() {
    if (baseline_ == nullptr) return;
    for (const auto* list : {&baseline_->expected_failures, &baseline_->disabled}) {
      for (const BaselineEntry& e : *list) {
        const bool known = std::any_of(suite_.begin(), suite_.end(),
                                       [&](const Scenario& s) { return s.id == e.id; });
        if (!known) {
          run_.warnings.push_back(baseline_->file + ":" + std::to_string(e.pos.line) +
                                  ": baseline names no case '" + e.id + "'");
        }
      }
    }
  }

  // Strictness, baseline mapping and the replay command; stores the result in its slot.
  // Thread-safe.
  void finish(std::size_t index, CaseResult r) {
    const Scenario& s = *cases_[index];
    if (r.replay.empty()) {
      const bool strict = options_.strict || options_.inconclusive_fails;
      r.replay = "mikeyconf run " + sut_arg_ + " --seed " + std::to_string(options_.seed) +
                 " --case " + s.id + (strict ? " --strict" : "");
    }
    if (options_.inconclusive_fails && r.verdict == Verdict::inconclusive) {
      r.original_verdict = r.verdict;
      r.verdict = Verdict::fail;
      r.reason = "strict: inconclusive counts as fail: " + r.reason;
    }
    if (baseline_ != nullptr) {
      if (const BaselineEntry* x = baseline_->expected_failure(s.id)) {
        if (r.verdict == Verdict::fail) {
          if (!r.original_verdict) r.original_verdict = r.verdict;
          r.verdict = Verdict::xfail;
          r.reason = "expected failure (" + x->reason + "): " + r.reason;
        } else if (r.verdict == Verdict::pass) {
          r.original_verdict = r.verdict;
          r.verdict = Verdict::xpass;
          r.reason = "unexpected pass: the baseline expects a failure (" + x->reason + ")";
        }
      }
    }
    const std::lock_guard<std::mutex> lock(mutex_);
    if (options_.on_case) options_.on_case(r);
    slots_[index] = Slot{std::move(r), completed_++};
  }

  std::string skip_reason(const Scenario& s) const {
    if (baseline_ != nullptr) {
      if (const BaselineEntry* d = baseline_->disabled_entry(s.id))
        return "disabled by the baseline: " + d->reason;
    }
    std::string missing;
    for (const std::string& n : s.needs)
      if (!profile_.has_capability(n)) missing += (missing.empty() ? "" : ", ") + n;
    if (!missing.empty()) return "the SUT profile does not declare: " + missing;
    const bool level_on =
        options_.strict ||
        std::find(profile_.levels.begin(), profile_.levels.end(), s.level) != profile_.levels.end();
    if (!level_on) {
      return "level " + std::string(to_string(s.level)) +
             " runs with --strict or when the profile lists it under levels";
    }
    return {};
  }

  CaseResult header_only(std::size_t index, Verdict v, const std::string& why) const {
    const Scenario& s = *cases_[index];
    CaseResult r;
    fill_header(r, s);
    r.seed = case_seed(options_.seed, s.id);
    r.verdict = v;
    r.reason = why;
    r.start_ms = since();
    return r;
  }

  void not_run(std::size_t index, const std::string& why) {
    finish(index, header_only(index, Verdict::error, why));
  }

  HealthCheck probe(SutDriver& driver, const std::string& when) {
    std::uint64_t n = 0;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      n = probes_++;
    }
    HealthCheck h;
    h.when = when;
    h.result = run_case(*sanity_, profile_, driver,
                        case_seed(options_.seed, sanity_->id + "#health" + std::to_string(n)));
    h.result.start_ms = since();
    h.ok = h.result.verdict == Verdict::pass;
    const std::lock_guard<std::mutex> lock(mutex_);
    if (h.ok) last_healthy_ = completed_;
    run_.health.push_back(h);
    return h;
  }

  bool stopping() const { return options_.stop != nullptr && options_.stop->load() != 0; }

  // Takes the next case index, or nothing when the suite is done or stopped (the cases not
  // taken are left out of the result, which is then marked interrupted).
  std::optional<std::size_t> take() {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (next_ >= cases_.size()) return std::nullopt;
    if (stopping()) {
      run_.interrupted = true;
      return std::nullopt;
    }
    return next_++;
  }

  void worker(SutDriver& driver) {
    work(driver);
    const std::lock_guard<std::mutex> lock(mutex_);
    ++workers_done_;
    done_.notify_all();
  }

  void work(SutDriver& driver) {
    while (auto index = take()) {
      const Scenario& s = *cases_[*index];
      {
        std::unique_lock<std::mutex> lock(mutex_);
        if (dead_) {
          const std::string why = dead_reason_;
          lock.unlock();
          not_run(*index, why);
          continue;
        }
      }
      if (std::string why = skip_reason(s); !why.empty()) {
        finish(*index, header_only(*index, Verdict::skipped, why));
        continue;
      }
      const double start = since();
      CaseResult r = run_case(s, profile_, driver, case_seed(options_.seed, s.id));
      r.start_ms = start;
      const bool passed = r.verdict == Verdict::pass;
      finish(*index, std::move(r));
      // Probes only make sense for a SUT that was healthy at the start; a stopping run
      // judges nothing more.
      if (!passed && first_.ok && !stopping()) {
        HealthCheck h = probe(driver, "after " + s.id);
        if (!h.ok) {
          const std::lock_guard<std::mutex> lock(mutex_);
          if (!dead_) {
            dead_ = true;
            dead_reason_ = "not run: the SUT failed the health check after " + s.id + " (" +
                           h.result.reason + ")";
          }
        }
      }
    }
  }

  void run_workers(SutDriver& main_driver, const DriverFactory& more_drivers) {
    const std::size_t jobs = more_drivers ? std::max<std::size_t>(options_.jobs, 1) : 1;
    run_.jobs = jobs;
    std::vector<std::unique_ptr<SutDriver>> drivers;
    for (std::size_t j = 1; j < jobs; ++j) drivers.push_back(more_drivers());
    std::vector<std::thread> threads;
    for (auto& d : drivers) threads.emplace_back([this, &d] { worker(*d); });
    if (options_.stop != nullptr && options_.on_stop_timeout) {
      // This thread watches the stop; every worker has a thread of its own.
      threads.emplace_back([this, &main_driver] { worker(main_driver); });
      watch_stop(threads.size());
    } else {
      worker(main_driver);
    }
    for (std::thread& t : threads) t.join();
  }

  // Waits for `workers`; once the stop is seen, at most stop_grace for the cases in flight, then
  // hands what finished to on_stop_timeout (once).
  void watch_stop(std::size_t workers) {
    std::unique_lock<std::mutex> lock(mutex_);
    std::optional<Steady::time_point> seen;
    bool handed_over = false;
    while (workers_done_ < workers) {
      done_.wait_for(lock, std::chrono::milliseconds(20));
      if (handed_over || workers_done_ >= workers || !stopping()) continue;
      if (!seen) seen = Steady::now();
      if (Steady::now() - *seen < options_.stop_grace) continue;
      handed_over = true;
      // Called with mutex_ held: a case finishing meanwhile waits (no progress line interleaves
      // with what the callback prints).
      options_.on_stop_timeout(snapshot());
    }
  }

  // The run so far (mutex_ held): finished cases, the cases in flight as not run.
  RunResult snapshot() const {
    RunResult r = run_;
    r.interrupted = true;
    for (std::size_t i = 0; i < slots_.size() && i < next_; ++i) {
      r.cases.push_back(slots_[i] ? slots_[i]->result
                                  : header_only(i, Verdict::error,
                                                "not run: still running " +
                                                    std::to_string(options_.stop_grace.count()) +
                                                    " ms after the run was stopped"));
    }
    r.duration_ms = since();
    return r;
  }

  // The closing sanity check; when it fails, every case completed since the last passing probe
  // becomes error (its own verdict kept as original_verdict).
  void closing_probe(SutDriver& driver) {
    HealthCheck end = probe(driver, "end");
    if (end.ok) return;
    for (auto& slot : slots_) {
      if (!slot || slot->order < last_healthy_) continue;
      CaseResult& c = slot->result;
      if (c.verdict == Verdict::skipped) continue;
      c.original_verdict = c.verdict;
      c.verdict = Verdict::error;
      c.reason = "the closing sanity check failed (" + end.result.reason +
                 "): results since the last passing health check are unreliable; own result: " +
                 std::string(to_string(*c.original_verdict)) +
                 (c.reason.empty() ? "" : " (" + c.reason + ")");
    }
  }

  RunResult finished() {
    for (auto& slot : slots_)
      if (slot) run_.cases.push_back(std::move(slot->result));
    run_.duration_ms = since();
    return std::move(run_);
  }

  struct Slot {
    CaseResult result;
    std::size_t order = 0;  // completion order
  };

  const std::vector<Scenario>& suite_;
  SutProfile profile_;  // a copy: the measured clock offset is written into it
  const Baseline* baseline_;
  const RunOptions& options_;
  const Steady::time_point start_ = Steady::now();
  RunResult run_;
  std::string sut_arg_;
  const Scenario* sanity_ = nullptr;
  std::vector<const Scenario*> cases_;
  std::vector<std::optional<Slot>> slots_;
  HealthCheck first_;

  std::mutex mutex_;              // guards everything below, slots_, run_.health and on_case
  std::condition_variable done_;  // a worker finished
  std::size_t workers_done_ = 0;
  std::size_t next_ = 0;
  std::size_t completed_ = 0;
  std::size_t last_healthy_ = 0;  // cases completed before this count are trusted
  std::uint64_t probes_ = 0;
  bool dead_ = false;
  std::string dead_reason_;
};

}  // namespace

RunResult run_suite(const std::vector<Scenario>& suite, const SutProfile& profile,
                    const DriverFactory& drivers, const Baseline* baseline,
                    const RunOptions& options) {
  std::unique_ptr<SutDriver> main_driver = drivers();
  return SuiteRun(suite, profile, baseline, options).run(*main_driver, drivers);
}

RunResult run_suite(const std::vector<Scenario>& suite, const SutProfile& profile,
                    SutDriver& driver, const Baseline* baseline, const RunOptions& options) {
  return SuiteRun(suite, profile, baseline, options).run(driver, {});
}

}  // namespace mikeyconf::harness
