// Builds and runs the fuzz target (fuzz_http_request.cc) on a few inputs, so it compiles and
// holds its invariants in every build even where libFuzzer is not used.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "tests/support/test_support.h"
#include "wire/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace mikey::transport {
namespace {

int run(const std::string& s) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()),  // NOLINT
                                s.size());
}

TEST(FuzzHttpRequestTest, RunsOnSeedsAndNoise) {
  testing::RawRequest ok;
  EXPECT_EQ(run(ok.str()), 0);
  testing::RawRequest failing;  // HDR byte 2 = 0xff → the handler reports a KMS failure
  Bytes m = testing::sample_mikey(11);
  m[2] = 0xff;
  failing.body = wire::base64_encode(m);
  EXPECT_EQ(run(failing.str()), 0);
  EXPECT_EQ(run(""), 0);
  EXPECT_EQ(run("GET / HTTP/1.0\r\n\r\n"), 0);
  EXPECT_EQ(run(std::string(5000, 'A')), 0);
  std::mt19937 rng(1234);
  std::string base = ok.str();
  for (int i = 0; i < 2000; ++i) {
    std::string s = base;
    for (int k = 0; k < 3; ++k) s[rng() % s.size()] = static_cast<char>(rng() & 0xff);
    s.resize(rng() % (s.size() + 1));
    EXPECT_EQ(run(s), 0);
  }
}

}  // namespace
}  // namespace mikey::transport
