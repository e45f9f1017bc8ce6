// kms_soak: the command line, the verdict and the JSON report of the soak (tests/load/soak.h,
// scripts/soak, docs/soak.md).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/load/soak.h"

namespace mikeyconf::soak {
namespace {

using nlohmann::json;

constexpr int kPass = 0, kFail = 1, kUsage = 2;

struct Run {
  double capacity = 0;  // requests/s of the probe; 0 without one
  double rate = 0;
  Stats probe;
  Stats main;
  std::vector<Sample> samples;
  long fds_before = -1;
  long fds_after = -1;
  double fds_settled_s = -1;  // < 0: never back to the baseline
  std::vector<std::string> failures;
};

json kinds_json(const Stats& stats) {
  json j = json::object();
  const auto kinds = stats.kinds();
  for (std::size_t i = 0; i < kKinds; ++i) {
    const Stats::PerKind& k = kinds[i];
    j[std::string(kind_name(static_cast<Kind>(i)))] = {{"sent", k.sent},
                                                       {"expected", k.expected},
                                                       {"unexpected", k.unexpected},
                                                       {"unavailable_503", k.unavailable},
                                                       {"unexpected_samples", k.samples}};
  }
  return j;
}

// The sample taken at 20% of the run (minute 2 of 10): the reference of the RSS drift.
const Sample* reference_sample(const Run& run, double duration_s) {
  for (const Sample& s : run.samples)
    if (s.t_s >= 0.2 * duration_s - 0.05) return &s;
  return nullptr;
}

json report_json(const Options& o, const Run& run) {
  json samples = json::array();
  for (const Sample& s : run.samples)
    samples.push_back({{"t_s", s.t_s}, {"rss_kb", s.rss_kb}, {"fds", s.fds}});
  const Sample* ref = reference_sample(run, o.duration_s);
  json j = {
      {"kms_pid", o.pid},
      {"config", o.config},
      {"tls", o.tls},
      {"clients", o.clients},
      {"rate_rps", run.rate},
      {"duration_s", o.duration_s},
      {"sent", run.main.sent()},
      {"unexpected", run.main.unexpected()},
      {"unavailable_503", run.main.unavailable()},
      {"kinds", kinds_json(run.main)},
      {"latency_ms",
       {{"p50", run.main.latency_quantile(0.5)},
        {"p99", run.main.latency_quantile(0.99)},
        {"max", run.main.latency_quantile(1.0)}}},
      {"samples", samples},
      {"rss_reference_kb", ref != nullptr ? ref->rss_kb : -1},
      {"rss_last_kb", run.samples.empty() ? -1 : run.samples.back().rss_kb},
      {"fds",
       {{"baseline", run.fds_before}, {"after", run.fds_after}, {"settled_s", run.fds_settled_s}}},
      {"pass", run.failures.empty()},
      {"failures", run.failures}};
  if (run.capacity > 0) {
    j["probe"] = {{"seconds", o.probe_s},
                  {"capacity_rps", run.capacity},
                  {"sent", run.probe.sent()},
                  {"unexpected", run.probe.unexpected()},
                  {"kinds", kinds_json(run.probe)}};
  }
  return j;
}

// The KMS's descriptors back to `baseline` once every client connection closed.
void wait_for_fds(const Options& o, Run& run) {
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    run.fds_after = fd_count(o.pid);
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (run.fds_after >= 0 && run.fds_after <= run.fds_before) {
      run.fds_settled_s = waited;
      return;
    }
    if (waited >= o.fd_settle_s) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void judge(const Options& o, Run& run) {
  const auto kinds = run.main.kinds();
  for (std::size_t i = 0; i < kKinds; ++i) {
    const Stats::PerKind& k = kinds[i];
    if (k.unexpected == 0) continue;
    run.failures.push_back(fmt::format("{} unexpected answers to {} (503: {}), e.g. {}",
                                       k.unexpected, kind_name(static_cast<Kind>(i)), k.unavailable,
                                       k.samples.front()));
  }
  const Sample* ref = reference_sample(run, o.duration_s);
  if (ref == nullptr || ref->rss_kb <= 0 || run.samples.back().rss_kb <= 0) {
    run.failures.push_back("the KMS's RSS could not be read");
  } else {
    const double growth = double(run.samples.back().rss_kb - ref->rss_kb) / double(ref->rss_kb);
    if (growth > o.max_rss_growth) {
      run.failures.push_back(fmt::format("KMS RSS grew {:.1f}% from {} kB at {:.0f} s to {} kB",
                                         growth * 100, ref->rss_kb, ref->t_s,
                                         run.samples.back().rss_kb));
    }
  }
  if (run.fds_settled_s < 0) {
    run.failures.push_back(fmt::format("KMS fds {} after the clients closed, baseline {}",
                                       run.fds_after, run.fds_before));
  }
}

void print_summary(const Options& o, const Run& run) {
  if (run.capacity > 0) {
    fmt::print(
        "soak: capacity probe {:.0f} requests/s ({} clients, closed loop, {} s), {} of {} "
        "answers not as expected (reported, not judged)\n",
        run.capacity, o.clients, o.probe_s, run.probe.unexpected(), run.probe.sent());
    const auto kinds = run.probe.kinds();
    for (std::size_t i = 0; i < kKinds; ++i) {
      if (kinds[i].unexpected == 0) continue;
      fmt::print("soak:   probe {:<16} {:>6} of {:>6} unexpected (503: {}), e.g. {}\n",
                 kind_name(static_cast<Kind>(i)), kinds[i].unexpected, kinds[i].sent,
                 kinds[i].unavailable, kinds[i].samples.front());
    }
  }
  const auto kinds = run.main.kinds();
  fmt::print(
      "soak: {} requests in {} s at {:.0f}/s, {} unexpected, {} 503; latency p50 {:.2f} "
      "ms p99 {:.2f} ms\n",
      run.main.sent(), o.duration_s, run.rate, run.main.unexpected(), run.main.unavailable(),
      run.main.latency_quantile(0.5), run.main.latency_quantile(0.99));
  for (std::size_t i = 0; i < kKinds; ++i) {
    fmt::print("soak:   {:<16} {:>8} sent {:>8} as expected {:>6} unexpected\n",
               kind_name(static_cast<Kind>(i)), kinds[i].sent, kinds[i].expected,
               kinds[i].unexpected);
  }
  if (const Sample* ref = reference_sample(run, o.duration_s)) {
    fmt::print(
        "soak: KMS RSS {} kB at {:.0f} s, {} kB at {:.0f} s; fds baseline {}, {} after "
        "the clients closed\n",
        ref->rss_kb, ref->t_s, run.samples.back().rss_kb, run.samples.back().t_s, run.fds_before,
        run.fds_after);
  }
  for (const std::string& f : run.failures) fmt::print("soak: FAIL: {}\n", f);
  fmt::print("soak: {}\n", run.failures.empty() ? "PASS" : "FAIL");
}

int parse(int argc, char** argv, Options& o) {
  CLI::App app{
      "Soak of a running KMS (TS 33.328 Annex A): fixed-rate mixed traffic judged "
      "answer by answer, the KMS process's RSS and fds sampled.\nExit 0 pass, 1 fail "
      "(an unexpected answer, RSS growth, fds not back to the baseline), 2 usage."};
  std::string rate = "half", mix;
  app.add_option("--config", o.config, "the KMS's configuration (users, answers)")->required();
  app.add_option("--port", o.port, "the KMS's port on --host")->required();
  app.add_option("--host", o.host, "the KMS's address (default 127.0.0.1)");
  app.add_option("--pid", o.pid, "the KMS process (RSS and fds from /proc)")->required();
  app.add_flag("--tls", o.tls, "HTTPS");
  app.add_option("--ca", o.ca_file, "with --tls: the CA that verifies the KMS certificate");
  app.add_option("--rate", rate, "requests/s, or 'half': half the probed capacity (default)");
  app.add_option("--duration", o.duration_s, "seconds at the fixed rate (default 60)");
  app.add_option("--clients", o.clients, "keep-alive connections (default 16)");
  app.add_option("--mix", mix,
                 "KIND=WEIGHT,... (default request=40,resolve=30,replay=10,"
                 "bad_mac=10,unknown_identity=5,bad_request=5)");
  app.add_option("--sample-seconds", o.sample_s, "RSS/fd sample and progress line (default 10)");
  app.add_option("--probe-seconds", o.probe_s, "closed-loop capacity probe (default 5)");
  app.add_option("--fd-settle-seconds", o.fd_settle_s, "wait for fds after closing (default 5)");
  app.add_option("--json", o.json_out, "write the report there");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? -1 : kUsage;
  }
  std::string error;
  if (!mix.empty()) {
    auto m = parse_mix(mix, error);
    if (!m) return fmt::print(stderr, "kms_soak: {}\n", error), kUsage;
    o.mix = *m;
  }
  if (rate == "half") {
    o.rate_half = true;
  } else {
    o.rate = std::atof(rate.c_str());
    if (o.rate <= 0) return fmt::print(stderr, "kms_soak: --rate: a number > 0 or half\n"), kUsage;
  }
  if (o.clients == 0 || o.duration_s <= 0 || o.sample_s <= 0) {
    return fmt::print(stderr, "kms_soak: --clients, --duration, --sample-seconds must be > 0\n"),
           kUsage;
  }
  return kPass;
}

int soak(const Options& o) {
  std::string error;
  auto world = load_world(o.config, error);
  if (!world) return fmt::print(stderr, "kms_soak: {}\n", error), kUsage;
  Run run;
  run.fds_before = fd_count(o.pid);  // before our first connection
  if (run.fds_before < 0) return fmt::print(stderr, "kms_soak: no process {}\n", o.pid), kUsage;
  run.rate = o.rate;
  if (o.rate_half) {
    run.capacity = probe_capacity(*world, o, run.probe);
    run.rate = run.capacity / 2;
    fmt::print("soak: capacity {:.0f} requests/s; soaking at {:.0f}/s for {} s\n", run.capacity,
               run.rate, o.duration_s);
  }
  run.samples = run_fixed_rate(*world, o, run.rate, run.main);
  wait_for_fds(o, run);
  judge(o, run);
  print_summary(o, run);
  if (!o.json_out.empty()) std::ofstream(o.json_out) << report_json(o, run).dump(2) << "\n";
  return run.failures.empty() ? kPass : kFail;
}

}  // namespace
}  // namespace mikeyconf::soak

int main(int argc, char** argv) {
  mikeyconf::soak::Options options;
  const int parsed = mikeyconf::soak::parse(argc, argv, options);
  if (parsed < 0) return 0;  // --help
  if (parsed != 0) return parsed;
  return mikeyconf::soak::soak(options);
}
