// mikey_bench: every benchmark of the project in one run, with ratios against the baselines
// measured in the same run (bench/ratio_reporter.h). Google Benchmark flags apply, e.g.
// --benchmark_filter=decode --benchmark_out=bench.json --benchmark_out_format=json.
#include <benchmark/benchmark.h>

#include "bench/ratio_reporter.h"

namespace mikey::bench {
void register_codec_benchmarks();
void register_crypto_benchmarks();
void register_kms_benchmarks();
void register_kms_request_benchmarks();
}  // namespace mikey::bench

int main(int argc, char** argv) {
  mikey::bench::register_codec_benchmarks();
  mikey::bench::register_crypto_benchmarks();
  mikey::bench::register_kms_benchmarks();
  mikey::bench::register_kms_request_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  mikey::bench::RatioReporter reporter({{"decode", "scan"},
                                        {"decode_layout", "scan"},
                                        {"encode", "scan"},
                                        {"prf", "hmac"},
                                        {"kms_cycle", "kms_cycle_static"},
                                        {"kms_handle_request_init", "kms_request_mac"}});
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
