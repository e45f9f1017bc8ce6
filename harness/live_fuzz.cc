// The live fuzzing campaign (live_fuzz.h): setup as `mikeyconf run` does it, the samples the
// generator draws its fields from, the workers, and per anomaly the liveness probe, the
// deduplication and the minimisation of a new finding.
#include "harness/live_fuzz.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "harness/live_fuzz_gen.h"
#include "harness/probe.h"
#include "harness/sut_clock.h"

namespace mikeyconf::harness {

namespace {

using Steady = std::chrono::steady_clock;
using live_fuzz::Anomaly;
using live_fuzz::FuzzInput;

// Reruns the minimiser may spend on one finding (each is one exchange or two with the SUT).
constexpr int kMaxMinimiseRuns = 40;

std::string hex8(std::uint64_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(v & 0xffffffffU));
  return buf;
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

class LiveCampaign {
 public:
  LiveCampaign(const std::vector<Scenario>& suite, const SutProfile& profile,
               const DriverFactory& drivers, const LiveFuzzOptions& options)
      : profile_(profile), drivers_(drivers), options_(options) {
    campaign_.profile_file = profile.file;
    campaign_.role = profile.role;
    campaign_.seed = options.seed;
    sanity_ = find_sanity(suite, profile.role);
    targets_ = live_fuzz::targets_for(profile.role);
    for (live_fuzz::Target& t : targets_) t.encoding = profile_encoding();
  }

  Campaign run() {
    start_ = Steady::now();
    std::unique_ptr<SutDriver> first = drivers_();
    if (auto problem = setup(*first)) {
      campaign_.setup_error = *problem;
      campaign_.stop_reason = "setup: " + *problem;
      campaign_.seconds = elapsed();
      return std::move(campaign_);
    }
    fuzz_start_ = Steady::now();
    std::vector<std::thread> workers;
    const std::size_t jobs = std::max<std::size_t>(1, options_.jobs);
    for (std::size_t w = 0; w < jobs; ++w) {
      std::unique_ptr<SutDriver> d = w == 0 ? std::move(first) : drivers_();
      workers.emplace_back([this, d = std::move(d)]() mutable { work(*d); });
    }
    report_progress_until_done();
    for (std::thread& t : workers) t.join();
    campaign_.execs = done_execs_.load();
    campaign_.seconds = elapsed();
    return std::move(campaign_);
  }

 private:
  double elapsed() const { return std::chrono::duration<double>(Steady::now() - start_).count(); }
  double fuzzing() const {
    return std::chrono::duration<double>(Steady::now() - fuzz_start_).count();
  }

  // The clock, the setup probe, the sanity case and the samples; a problem is a setup error.
  std::optional<std::string> setup(SutDriver& d) {
    if (sanity_ == nullptr) {
      return "no sanity case (tag: sanity) for sut_role " + std::string(to_string(profile_.role));
    }
    if (targets_.empty()) {
      return "sut_role " + std::string(to_string(profile_.role)) +
             " cannot be fuzzed live (kms, kms_r and kms_i can)";
    }
    if (auto offset = measure_sut_clock(profile_, d)) {
      profile_.sut_clock_offset_ms = adopted_offset_ms(*offset);
    }
    ProbeReport probe = probe_profile(profile_, d, options_.seed);
    if (!probe.error.empty()) return probe.error;
    CaseResult sanity = run_case(*sanity_, profile_, d, case_seed(options_.seed, sanity_->id));
    if (sanity.verdict != Verdict::pass) {
      return "the sanity case " + sanity_->id + " did not pass: " + sanity.reason;
    }
    return learn_samples(d);
  }

  // Each target's message as the reference party builds it, from one unmutated execution.
  std::optional<std::string> learn_samples(SutDriver& d) {
    std::vector<live_fuzz::Target> kept;
    std::string why;
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      if (targets_[i].kind == MessageKind::raw_http) {
        kept.push_back(targets_[i]);
        continue;
      }
      FuzzInput plain;
      plain.target = i;
      const Scenario s = live_fuzz::build_scenario(plain, targets_, profile_.role, "fuzz.sample");
      const CaseResult r = run_case(s, profile_, d, case_seed(options_.seed, s.id));
      for (const TranscriptEntry& e : r.transcript) {
        if (e.kind == "http" && e.step == targets_[i].prefix.size() && !e.mikey_built.empty()) {
          targets_[i].sample = e.mikey_built;
          live_fuzz::learn_layout(targets_[i]);
          kept.push_back(targets_[i]);
        }
      }
      if (targets_[i].sample.empty()) why = r.reason;
    }
    targets_ = std::move(kept);
    if (targets_.empty()) return "no message to fuzz could be built: " + why;
    return std::nullopt;
  }

  BodyEncoding profile_encoding() const {
    return profile_.annex_a.body_encoding == mikey::transport::BodyEncoding::binary
               ? BodyEncoding::binary
               : BodyEncoding::base64;
  }

  bool out_of_budget() const {
    if (stop_.load()) return true;
    if (options_.time_s && fuzzing() >= *options_.time_s) return true;
    return false;
  }

  void report_progress_until_done() {
    auto next_report = Steady::now() + std::chrono::seconds(1);
    while (active_.load() > 0 || !started_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (options_.on_progress && Steady::now() >= next_report) {
        next_report += std::chrono::seconds(1);
        options_.on_progress(progress());
      }
    }
  }

  LiveFuzzProgress progress() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return LiveFuzzProgress{fuzzing(), done_execs_.load(), campaign_.findings.size()};
  }

  void work(SutDriver& d) {
    ++active_;
    started_ = true;
    while (!out_of_budget()) {
      const std::uint64_t exec = next_exec_.fetch_add(1);
      if (options_.runs && exec >= *options_.runs) {
        set_stop("runs");
        break;
      }
      execute(d, exec);
      ++done_execs_;
    }
    if (options_.time_s && fuzzing() >= *options_.time_s) set_stop("time");
    --active_;
  }

  void set_stop(const std::string& reason) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (campaign_.stop_reason.empty()) campaign_.stop_reason = reason;
    stop_ = true;
  }

  CaseResult run_input(SutDriver& d, const FuzzInput& in, const std::string& id,
                       std::uint64_t& seed) {
    const Scenario s = live_fuzz::build_scenario(in, targets_, profile_.role, id);
    seed = case_seed(options_.seed, id);
    return run_case(s, profile_, d, seed);
  }

  void execute(SutDriver& d, std::uint64_t exec) {
    const FuzzInput in = live_fuzz::generate(targets_, options_.seed, exec);
    std::uint64_t seed = 0;
    CaseResult r = run_input(d, in, "fuzz.exec-" + std::to_string(exec), seed);
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      ++campaign_.answers[live_fuzz::answer_key(r)];
    }
    std::optional<Anomaly> a = live_fuzz::classify(r);
    if (!a || stop_.load()) return;
    const std::lock_guard<std::mutex> one_at_a_time(anomaly_mutex_);
    if (stop_.load()) return;
    on_anomaly(d, exec, in, std::move(r), seed, *a);
  }

  // The sanity case, tried twice (a SUT busy for a moment is not dead).
  bool alive(SutDriver& d, std::uint64_t exec, CaseResult& last) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const std::string tag = "#live-" + std::to_string(exec) + "-" + std::to_string(attempt);
      last = run_case(*sanity_, profile_, d, case_seed(options_.seed, sanity_->id + tag));
      if (last.verdict == Verdict::pass) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  void on_anomaly(SutDriver& d, std::uint64_t exec, const FuzzInput& in, CaseResult r,
                  std::uint64_t seed, const Anomaly& a) {
    const std::string sig = live_fuzz::signature(a.oracle, in, targets_);
    CaseResult sanity;
    const bool dead = !alive(d, exec, sanity);
    if (a.oracle == Oracle::sut_dead && !dead) return;  // only unreachable for a moment
    std::optional<std::size_t> index = hit(sig);
    if (!index) index = record(make_finding(d, exec, in, std::move(r), seed, a, dead), sig);
    if (!dead) return;
    const std::lock_guard<std::mutex> lock(mutex_);
    Finding& f = campaign_.findings[*index];
    f.detail += "; the SUT is dead: the sanity case " + sanity_->id + " failed after it (" +
                sanity.reason + ")";
    f.liveness = std::move(sanity);
    campaign_.sut_dead = true;
    if (campaign_.stop_reason.empty()) campaign_.stop_reason = "sut dead";
    stop_ = true;
  }

  // The finding a signature leads to, with one more hit; nullopt for a new signature.
  std::optional<std::size_t> hit(const std::string& sig) {
    const std::lock_guard<std::mutex> lock(mutex_);
    auto it = by_signature_.find(sig);
    if (it == by_signature_.end()) return std::nullopt;
    ++campaign_.findings[it->second].hits;
    return it->second;
  }

  // A new finding, or one more hit of the finding its minimised form already is; the signature
  // it was found with leads there from now on.
  std::size_t record(Finding f, const std::string& found_as) {
    const std::lock_guard<std::mutex> lock(mutex_);
    auto it = by_signature_.find(f.signature);
    std::size_t i = campaign_.findings.size();
    if (it != by_signature_.end()) {
      i = it->second;
      ++campaign_.findings[i].hits;
    } else {
      by_signature_[f.signature] = i;
      campaign_.findings.push_back(std::move(f));
    }
    by_signature_[found_as] = i;
    return i;
  }

  // The finding of an anomaly: minimised while the SUT lives (a dead SUT cannot rerun anything:
  // the case is stored as it ran), named and deduplicated by the signature of its final form.
  Finding make_finding(SutDriver& d, std::uint64_t exec, const FuzzInput& in, CaseResult r,
                       std::uint64_t seed, const Anomaly& a, bool dead) {
    Finding f;
    f.oracle = a.oracle;
    f.first_exec = exec;
    f.detail = a.detail;
    f.seed = seed;
    FuzzInput best = dead ? in : minimise(d, in, a.oracle);
    auto name = [&](const FuzzInput& x) {
      f.signature = live_fuzz::signature(a.oracle, x, targets_);
      f.id = std::string(to_string(a.oracle)) + "-" + hex8(fnv1a(f.signature));
      return "fuzz." + f.id;
    };
    std::string id = name(best);
    if (!dead) {
      std::uint64_t s = 0;
      CaseResult again = run_input(d, best, id, s);
      auto still = live_fuzz::classify(again);
      if (still && still->oracle == a.oracle) {
        r = std::move(again);
        f.seed = s;
        f.detail = still->detail;
      } else {
        best = in;  // the minimised form did not repeat it: the case as it ran
        id = name(best);
      }
    }
    f.regression = live_fuzz::build_scenario(best, targets_, profile_.role, id);
    r.id = id;
    f.result = std::move(r);
    return f;
  }

  // Drops knobs, HTTP overrides and re_protect one at a time while the same oracle still fires.
  FuzzInput minimise(SutDriver& d, FuzzInput best, Oracle oracle) {
    int runs = 0;
    bool shrunk = true;
    while (shrunk && runs < kMaxMinimiseRuns) {
      shrunk = false;
      for (const FuzzInput& candidate : smaller(best)) {
        // Bounded by reruns and by the campaign's own time (a timeout costs a request timeout).
        if (runs++ >= kMaxMinimiseRuns || out_of_budget()) break;
        std::uint64_t seed = 0;
        auto a = live_fuzz::classify(run_input(d, candidate, "fuzz.minimise", seed));
        if (a && a->oracle == oracle) {
          best = candidate;
          shrunk = true;
          break;
        }
      }
    }
    return best;
  }

  std::vector<FuzzInput> smaller(const FuzzInput& in) const {
    std::vector<FuzzInput> out;
    for (std::size_t i = 0; i < in.mutate.size(); ++i) {
      FuzzInput c = in;
      c.mutate.erase(c.mutate.begin() + static_cast<std::ptrdiff_t>(i));
      if (c.mutate.empty()) c.re_protect = false;
      out.push_back(std::move(c));
    }
    for (const std::string& key : live_fuzz::http_override_keys(in.http)) {
      FuzzInput c = in;
      live_fuzz::drop_http_override(c.http, key);
      out.push_back(std::move(c));
    }
    if (in.re_protect) {
      FuzzInput c = in;
      c.re_protect = false;
      out.push_back(std::move(c));
    }
    return out;
  }

  SutProfile profile_;
  const DriverFactory& drivers_;
  const LiveFuzzOptions& options_;
  const Scenario* sanity_ = nullptr;
  std::vector<live_fuzz::Target> targets_;
  Campaign campaign_;
  std::map<std::string, std::size_t> by_signature_;  // as found or minimised → finding
  Steady::time_point start_;
  Steady::time_point fuzz_start_;
  std::atomic<std::uint64_t> next_exec_{0};
  std::atomic<std::uint64_t> done_execs_{0};
  std::atomic<int> active_{0};
  std::atomic<bool> started_{false};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;          // campaign_
  std::mutex anomaly_mutex_;  // one anomaly handled at a time
};

}  // namespace

Campaign run_live_fuzz(const std::vector<Scenario>& suite, const SutProfile& profile,
                       const DriverFactory& drivers, const LiveFuzzOptions& options) {
  LiveCampaign campaign(suite, profile, drivers, options);
  return campaign.run();
}

}  // namespace mikeyconf::harness
