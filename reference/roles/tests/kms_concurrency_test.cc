// One Kms answering many threads at once (the service's io threads share it): every Ticket
// Request and Ticket Resolve is granted and both ends derive the same keys, as when the requests
// come one at a time. Runs under ASan/UBSan in CI; a ThreadSanitizer build shows the races.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "role_fixture.h"

namespace mikey::roles {
namespace {

using testing::World;

constexpr int kThreads = 4;
constexpr int kExchangesPerThread = 60;  // 2 KMS requests each: well inside the replay cache

// One party's full exchanges: its own Initiator, Responder and Rng; the Kms and clock shared.
void run_exchanges(World& w, Kms& kms, int thread, std::atomic<int>& completed) {
  crypto::DeterministicRng rng(1000 + static_cast<std::uint64_t>(thread));
  for (int i = 0; i < kExchangesPerThread; ++i) {
    Initiator alice(w.alice_config(), w.clock, rng);
    Responder bob(w.bob_config(), w.clock, rng);
    w.obtain_ticket(alice, kms, w.ticket_request(i % 2 == 0));
    if (!w.transfer(alice, bob, kms)) continue;
    w.expect_same_srtp_keys(alice, bob);
    completed.fetch_add(1);
  }
}

TEST(KmsConcurrencyTest, ConcurrentRequestsAndResolvesAreAllGranted) {
  World w;
  crypto::OpenSslRng rng;  // thread-safe, as the Kms requires of its Rng
  Kms kms(w.kms_config(), w.clock, rng);
  std::atomic<int> completed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&w, &kms, &completed, t] { run_exchanges(w, kms, t, completed); });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(completed.load(), kThreads * kExchangesPerThread);
  // Every authenticated request entered the replay cache once: none was lost to a race.
  EXPECT_EQ(kms.replay_cache_size(), std::size_t{2} * kThreads * kExchangesPerThread);
}

// RFC 3830 §5.4: copies of one message arriving together are one message; a single copy is
// granted, the others are replays.
TEST(KmsConcurrencyTest, CopiesOfOneMessageServedAtOnceAreGrantedOnce) {
  World w;
  crypto::OpenSslRng rng;
  Kms kms(w.kms_config(), w.clock, rng);
  for (int round = 0; round < 20; ++round) {
    Initiator alice(w.alice_config(), w.clock, w.rng);
    auto init = alice.request_ticket(w.ticket_request());
    ASSERT_TRUE(init.ok());
    std::atomic<bool> go{false};
    std::atomic<int> granted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        KmsReply reply = kms.handle_request_init(*init);
        if (!reply.failure) {
          granted.fetch_add(1);
        } else {
          EXPECT_EQ(*reply.failure, Failure::replayed_message);
        }
      });
    }
    go = true;
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(granted.load(), 1) << "round " << round;
  }
}

TEST(KmsConcurrencyTest, ConcurrentTimestampsAreUnique) {
  // RFC 3830 §5.2: a party's timestamps are unique; a clock that does not move makes every
  // thread race for the next one.
  ManualClock clock(unix_to_ntp(testing::kStartUnix));
  TimestampSource source;
  constexpr int kEach = 2000;
  std::vector<std::vector<NtpTime>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) seen[t].push_back(source.next(clock));
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<NtpTime> all;
  for (const auto& s : seen) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
  EXPECT_EQ(all.size(), std::size_t{kThreads} * kEach);
}

}  // namespace
}  // namespace mikey::roles
