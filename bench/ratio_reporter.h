// A Google Benchmark reporter that prints, after the usual table, each benchmark's time as a
// ratio against the baseline measured in the same run (benchmarks named "<subject>/<case>"
// against "<baseline>/<case>"), so results compare across machines.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mikey::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  // pairs: {subject prefix, baseline prefix}, e.g. {"decode", "scan"}.
  explicit RatioReporter(std::vector<std::pair<std::string, std::string>> pairs)
      : pairs_(std::move(pairs)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type == Run::RT_Iteration && !r.error_occurred) {
        times_[r.benchmark_name()] = r.GetAdjustedRealTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-48s %14s %14s %8s\n", "subject / baseline", "subject", "baseline", "ratio");
    for (const auto& [subject, baseline] : pairs_) {
      for (const auto& [name, t] : times_) {
        if (name.rfind(subject + "/", 0) != 0) continue;
        std::string key = name.substr(subject.size());
        auto b = times_.find(baseline + key);
        if (b == times_.end() || b->second <= 0) continue;
        std::printf("%-48s %14.1f %14.1f %8.2f\n", (name + " / " + baseline).c_str(), t, b->second,
                    t / b->second);
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
  std::map<std::string, double> times_;
};

}  // namespace mikey::bench
