// The clients, the schedule and the sampling of the soak (tests/load/soak.h).
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <system_error>
#include <thread>

#include "tests/load/soak.h"

namespace mikeyconf::soak {
namespace {

using SteadyClock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

transport::ClientOptions client_options(const Options& o) {
  transport::ClientOptions c;
  c.host = o.host;
  c.port = o.port;
  c.connect_timeout = std::chrono::seconds(5);
  c.total_timeout = std::chrono::seconds(10);
  if (o.tls) {
    transport::ClientTlsOptions t;
    t.ca_file = o.ca_file;
    c.tls = std::move(t);
  }
  return c;
}

// Starts `options.clients` threads, each with its own Worker, calling `step` until it returns
// false; the connection closes when its thread ends.
std::vector<std::thread> start_clients(const World& world, const Options& options,
                                       const std::function<bool(Worker&)>& step) {
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < options.clients; ++i) {
    threads.emplace_back([&world, &options, &step, i] {
      Worker w(world, client_options(options), i);
      while (step(w)) {
      }
      w.close();
    });
  }
  return threads;
}

void join_all(std::vector<std::thread>& threads) {
  for (std::thread& t : threads) t.join();
}

Sample take_sample(pid_t pid, double t_s) { return {t_s, rss_kb(pid), fd_count(pid)}; }

void print_progress(const Sample& s, const Stats& stats, std::uint64_t& last_sent, double& last_t) {
  const std::uint64_t sent = stats.sent();
  const double rate = s.t_s > last_t ? double(sent - last_sent) / (s.t_s - last_t) : 0;
  fmt::print(
      "soak: [{:6.1f} s] {} sent ({:.0f}/s), unexpected {} (503: {}), p99 {:.1f} ms, "
      "KMS RSS {} kB, fds {}\n",
      s.t_s, sent, rate, stats.unexpected(), stats.unavailable(), stats.latency_quantile(0.99),
      s.rss_kb, s.fds);
  std::fflush(stdout);
  last_sent = sent;
  last_t = s.t_s;
}

// The times to sample at: every `every` seconds up to `duration`, and at 20% of it (the
// reference of the RSS drift).
std::vector<double> sample_times(double duration, double every) {
  std::vector<double> times{0.2 * duration};
  for (double t = every; t <= duration + 1e-9; t += every) times.push_back(t);
  if (times.back() < duration) times.push_back(duration);
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end(),
                          [](double a, double b) { return std::abs(a - b) < 0.05; }),
              times.end());
  return times;
}

}  // namespace

long rss_kb(pid_t pid) noexcept {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kb = -1;
      in >> kb;
      return kb;
    }
    in.ignore(1 << 20, '\n');
  }
  return -1;
}

long fd_count(pid_t pid) noexcept {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec);
  if (ec) return -1;
  long n = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return -1;
    ++n;
  }
  return n;
}

void Stats::add(const Outcome& o, double latency_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  PerKind& k = kinds_[static_cast<std::size_t>(o.kind)];
  ++k.sent;
  if (o.expected) {
    ++k.expected;
  } else {
    ++k.unexpected;
    if (o.unavailable) ++k.unavailable;
    if (k.samples.size() < 5) k.samples.push_back(o.problem);
  }
  latencies_ms_.push_back(static_cast<float>(latency_ms));
}

std::array<Stats::PerKind, kKinds> Stats::kinds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return kinds_;
}

std::uint64_t Stats::sent() const {
  std::uint64_t n = 0;
  for (const PerKind& k : kinds()) n += k.sent;
  return n;
}

std::uint64_t Stats::unexpected() const {
  std::uint64_t n = 0;
  for (const PerKind& k : kinds()) n += k.unexpected;
  return n;
}

std::uint64_t Stats::unavailable() const {
  std::uint64_t n = 0;
  for (const PerKind& k : kinds()) n += k.unavailable;
  return n;
}

double Stats::latency_quantile(double q) const {
  std::vector<float> v;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    v = latencies_ms_;
  }
  if (v.empty()) return 0;
  auto nth = v.begin() + static_cast<std::ptrdiff_t>(q * double(v.size() - 1));
  std::nth_element(v.begin(), nth, v.end());
  return *nth;
}

double probe_capacity(const World& world, const Options& options, Stats& stats) {
  std::atomic<std::uint64_t> next{0};
  const auto start = SteadyClock::now();
  const auto end =
      start + std::chrono::duration_cast<SteadyClock::duration>(Seconds(options.probe_s));
  const std::function<bool(Worker&)> step = [&](Worker& w) {
    if (SteadyClock::now() >= end) return false;
    const auto sent = SteadyClock::now();
    Outcome o = w.run(pick_kind(options.mix, next++));
    stats.add(o, Seconds(SteadyClock::now() - sent).count() * 1e3);
    return true;
  };
  auto threads = start_clients(world, options, step);
  join_all(threads);
  return double(stats.sent()) / Seconds(SteadyClock::now() - start).count();
}

std::vector<Sample> run_fixed_rate(const World& world, const Options& options, double rate,
                                   Stats& stats) {
  const auto total = static_cast<std::uint64_t>(rate * options.duration_s);
  std::atomic<std::uint64_t> next{0};
  const auto start = SteadyClock::now();
  const auto at = [start](double s) {
    return start + std::chrono::duration_cast<SteadyClock::duration>(Seconds(s));
  };
  // Open loop: request k is due at k / rate whatever happened to the others; its latency counts
  // from then, so a slow answer delays what follows it into the measure.
  const std::function<bool(Worker&)> step = [&](Worker& w) {
    const std::uint64_t k = next++;
    if (k >= total) return false;
    const auto due = at(double(k) / rate);
    std::this_thread::sleep_until(due);
    Outcome o = w.run(pick_kind(options.mix, k));
    stats.add(o, Seconds(SteadyClock::now() - due).count() * 1e3);
    return true;
  };
  auto threads = start_clients(world, options, step);
  std::vector<Sample> samples;
  std::uint64_t last_sent = 0;
  double last_t = 0;
  for (double t : sample_times(options.duration_s, options.sample_s)) {
    std::this_thread::sleep_until(at(t));
    samples.push_back(take_sample(options.pid, t));
    print_progress(samples.back(), stats, last_sent, last_t);
  }
  join_all(threads);
  return samples;
}

}  // namespace mikeyconf::soak
