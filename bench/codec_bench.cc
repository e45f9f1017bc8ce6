// Decode and encode of each sample message type, against a plain scan of the same bytes
// (the floor any parser must pay to look at every byte once).
#include <benchmark/benchmark.h>

#include "bench/ratio_reporter.h"
#include "codec/message.h"
#include "codec/samples.h"

namespace mikey::bench {
namespace {

void scan(benchmark::State& state, Bytes bytes) {
  for (auto _ : state) {
    std::uint32_t acc = 0;
    for (std::uint8_t b : bytes) acc = (acc << 1) ^ b;
    benchmark::DoNotOptimize(acc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}

void decode(benchmark::State& state, Bytes bytes, bool layout) {
  codec::ParseOptions opts;
  opts.record_layout = layout;
  for (auto _ : state) {
    codec::ParseOutcome out = codec::parse_message(bytes, opts);
    benchmark::DoNotOptimize(out);
    if (!out.ok()) state.SkipWithError("sample did not parse");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}

void encode(benchmark::State& state, codec::Message m) {
  std::size_t n = 0;
  for (auto _ : state) {
    auto bytes = codec::serialize_message(m);
    if (!bytes.ok()) state.SkipWithError("sample did not serialise");
    n = bytes.ok() ? bytes.value().size() : 0;
    benchmark::DoNotOptimize(bytes);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

}  // namespace

void register_codec_benchmarks() {
  for (const codec::NamedMessage& s : codec::sample_messages()) {
    auto bytes = codec::serialize_message(s.message);
    if (!bytes.ok()) continue;
    benchmark::RegisterBenchmark(("scan/" + s.name).c_str(), scan, bytes.value());
    benchmark::RegisterBenchmark(("decode/" + s.name).c_str(), decode, bytes.value(), false);
    benchmark::RegisterBenchmark(("decode_layout/" + s.name).c_str(), decode, bytes.value(), true);
    benchmark::RegisterBenchmark(("encode/" + s.name).c_str(), encode, s.message);
  }
}

}  // namespace mikey::bench
