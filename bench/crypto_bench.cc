// The MIKEY PRF (RFC 3830 §4.1.2) and the MACs against one raw OpenSSL HMAC call over the
// same label: the PRF's cost is counted in HMACs, so the ratio says how many it makes.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "crypto/prf.h"

namespace mikey::bench {
namespace {

Bytes pattern(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i);
  return b;
}

// The label of an RFC 6043 §5.1.2 initial-message key with a 16-byte RANDRi: 27 bytes.
const Bytes kLabel = pattern(27);

void raw_hmac(benchmark::State& state, const EVP_MD* md, std::size_t key_len) {
  Bytes key = pattern(key_len);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  for (auto _ : state) {
    HMAC(md, key.data(), static_cast<int>(key.size()), kLabel.data(), kLabel.size(), out, &out_len);
    benchmark::DoNotOptimize(out);
  }
}

void prf(benchmark::State& state, crypto::PrfFunc f, std::size_t key_len, std::size_t out_len) {
  Bytes key = pattern(key_len);
  for (auto _ : state) {
    auto k = crypto::prf(f, key, kLabel, out_len);
    if (!k.ok()) state.SkipWithError("prf failed");
    benchmark::DoNotOptimize(k);
  }
}

}  // namespace

void register_crypto_benchmarks() {
  using crypto::PrfFunc;
  // Baselines: one HMAC call per digest with a 16- and a 32-byte key.
  benchmark::RegisterBenchmark("hmac/sha1_key16_out16", raw_hmac, EVP_sha1(), 16);
  benchmark::RegisterBenchmark("hmac/sha1_key32_out20", raw_hmac, EVP_sha1(), 32);
  benchmark::RegisterBenchmark("hmac/sha256_key32_out32", raw_hmac, EVP_sha256(), 32);
  benchmark::RegisterBenchmark("hmac/sha256_key16_out16", raw_hmac, EVP_sha256(), 16);
  // The PRF for the key sizes MIKEY-TICKET derives (names pair with the baselines above).
  benchmark::RegisterBenchmark("prf/sha1_key16_out16", prf, PrfFunc::mikey_1, 16, 16);
  benchmark::RegisterBenchmark("prf/sha1_key32_out20", prf, PrfFunc::mikey_1, 32, 20);
  benchmark::RegisterBenchmark("prf/sha256_key32_out32", prf, PrfFunc::hmac_sha256, 32, 32);
  benchmark::RegisterBenchmark("prf/sha256_key16_out16", prf, PrfFunc::hmac_sha256, 16, 16);
}

}  // namespace mikey::bench
