// The replay cache's bound over HTTP (RFC 3830 §5.4, TS 33.328 A.3-1): the real KmsService, loaded
// from configs/kms.yaml with `policy.replay_cache_size: 2`, answers a fresh, authentic request
// that finds the cache full with 503 and Retry-After — never a MIKEY Error, which would call it a
// replay — and serves again once the remembered messages have left the clock skew.
#include <string>

#include "tests/e2e/e2e_support.h"

namespace mikeyconf::e2e {
namespace {

using transport::RequestType;

TEST(ReplayBoundE2ETest, FullReplayCacheIsAnswered503WithRetryAfter) {
  TempDir dir;
  write_file(dir.file("kms.yaml"),
             replace_all(read_file(kConfigs + "/kms.yaml"), "replay_cache_size: 3000000",
                         "replay_cache_size: 2"));
  TestClock clock;
  mikey::crypto::DeterministicRng rng{5};
  RunningKms kms(dir.file("kms.yaml"), clock);
  ASSERT_TRUE(kms.ok()) << kms.error();
  Client client(kms.client_options());
  auto fresh_request = [&] {
    roles::Initiator alice(initiator_config(kms, kAlice), clock, rng);
    auto init = alice.request_ticket(ticket_request(kBob));
    EXPECT_TRUE(init.ok());
    return init.ok() ? init.value() : Bytes{};
  };
  auto expect_granted = [&](ByteView request) {
    auto r = client.post(RequestType::ticket_request, request);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200) << r->body;
    ASSERT_TRUE(r->mikey.has_value()) << r->mikey_problem;
    EXPECT_EQ(data_type_of(*r->mikey), mikey::codec::DataType::request_resp);
  };
  expect_granted(fresh_request());
  expect_granted(fresh_request());

  auto full = client.post(RequestType::ticket_request, fresh_request());
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->status, 503) << full->body;
  EXPECT_EQ(full->header("Retry-After").value_or(""), "301");  // the first T leaves the skew
  EXPECT_NE(full->header("Content-Type").value_or(""), "application/mikey");
  EXPECT_FALSE(full->mikey.has_value());
  EXPECT_TRUE(kms.logged("replay_memory_full"));

  clock.advance_seconds(301);  // past the 300 s skew: both entries are reclaimed
  expect_granted(fresh_request());
}

}  // namespace
}  // namespace mikeyconf::e2e
