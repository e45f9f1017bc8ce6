// The replay cache (RFC 3830 §5.4): time-bounded, never a false replay, an explicit refusal at its
// bound, expired entries reclaimed, atomic under concurrent inserts; and the Kms built on it.
#include "roles/replay_cache.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "role_fixture.h"

namespace mikey::roles {
namespace {

using testing::World;

constexpr std::int64_t kNow = testing::kStartUnix;

// A 20-byte MAC (HMAC-SHA-1-160's length) numbered `n`, its bits spread like a real MAC's
// (splitmix64).
Bytes mac(std::uint64_t n) {
  Bytes out(24);
  for (std::size_t i = 0; i < out.size(); i += 8) {
    std::uint64_t z = (n += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    std::memcpy(out.data() + i, &z, 8);
  }
  out.resize(20);
  return out;
}

using Outcome = ReplayCache::Outcome;

TEST(ReplayCacheTest, ASecondCopyIsADuplicateAndIsSeen) {
  ReplayCache c(16, 300);
  EXPECT_FALSE(c.seen(mac(1), kNow));
  EXPECT_EQ(c.insert(mac(1), kNow, kNow).outcome, Outcome::inserted);
  EXPECT_TRUE(c.seen(mac(1), kNow));
  EXPECT_FALSE(c.seen(mac(1), kNow + 1));  // another T: another message
  EXPECT_FALSE(c.seen(mac(2), kNow));
  EXPECT_EQ(c.insert(mac(1), kNow, kNow + 5).outcome, Outcome::duplicate);
  EXPECT_EQ(c.size(), 1u);
}

// A NULL MAC (RFC 3830 §6.1) is empty: its lookup before the MAC check must be well-defined (an
// empty span's data() may be null; UBSan in the asan build checks it) and find nothing.
TEST(ReplayCacheTest, AnEmptyMacIsLookedUpSafely) {
  ReplayCache c(16, 300);
  EXPECT_FALSE(c.seen(ByteView{}, kNow));
  EXPECT_EQ(c.insert(mac(1), kNow, kNow).outcome, Outcome::inserted);
  EXPECT_FALSE(c.seen(ByteView{}, kNow));
  EXPECT_EQ(c.insert(ByteView{}, kNow, kNow).outcome, Outcome::inserted);
  EXPECT_TRUE(c.seen(ByteView{}, kNow));
}

TEST(ReplayCacheTest, TheBoundRefusesExplicitlyUntilTheOldestEntryExpires) {
  ReplayCache c(4, 300);
  for (std::uint64_t n = 0; n < 4; ++n) {
    ASSERT_EQ(c.insert(mac(n), kNow + static_cast<std::int64_t>(n), kNow).outcome,
              Outcome::inserted);
  }
  const ReplayCache::Insertion full = c.insert(mac(9), kNow, kNow);
  EXPECT_EQ(full.outcome, Outcome::full);
  EXPECT_EQ(full.retry_after_s, 301u);  // T = now leaves the window at now + skew + 1
  // A copy of a remembered message is still a replay at the bound.
  EXPECT_EQ(c.insert(mac(2), kNow + 2, kNow).outcome, Outcome::duplicate);
  EXPECT_EQ(c.insert(mac(9), kNow, kNow + 100).retry_after_s, 201u);
  auto refusal = c.refusal_of(full);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->failure, Failure::replay_memory_full);
  EXPECT_EQ(refusal->detail, "4 messages within the 300 s skew; the oldest expires in 301 s");
  EXPECT_EQ(c.refusal_of(c.insert(mac(1), kNow + 1, kNow))->failure, Failure::replayed_message);
}

TEST(ReplayCacheTest, ExpiredEntriesAreReclaimedAtTheBound) {
  ReplayCache c(4, 300);
  for (std::uint64_t n = 0; n < 4; ++n)
    ASSERT_EQ(c.insert(mac(n), kNow, kNow).outcome, Outcome::inserted);
  EXPECT_EQ(c.insert(mac(10), kNow + 300, kNow + 300).outcome,
            Outcome::full);  // T = now − skew lives
  EXPECT_EQ(c.insert(mac(10), kNow + 301, kNow + 301).outcome, Outcome::inserted);
  EXPECT_EQ(c.size(), 1u);  // the four expired ones went
  EXPECT_FALSE(c.seen(mac(0), kNow));
}

TEST(ReplayCacheTest, GrowsLazilyOrReservesTheWholeTable) {
  ReplayCache lazy(1'000'000, 300);
  EXPECT_EQ(lazy.slots(), 0u);
  ASSERT_EQ(lazy.insert(mac(1), kNow, kNow).outcome, Outcome::inserted);
  EXPECT_EQ(lazy.slots(), 64u);
  ReplayCache reserved(1'000'000, 300, true);
  EXPECT_EQ(reserved.slots(), ReplayCache::slots_for(1'000'000));
  EXPECT_EQ(ReplayCache::slots_for(1'000'000), std::size_t{1} << 21);
  EXPECT_EQ(ReplayCache::slots_for(3'000'000), std::size_t{1} << 22);  // 96 MiB
  EXPECT_EQ(ReplayCache::slots_for(3), 4u);
}

// Random inserts while the clock moves: the cache agrees with a plain map of what is live, across
// growth, reclaiming and backward-shift deletion.
TEST(ReplayCacheTest, AgreesWithAModelAcrossGrowthAndExpiry) {
  constexpr std::int64_t kWindow = 20;
  ReplayCache c(3000, kWindow);
  std::map<std::uint64_t, std::int64_t> model;  // n → T
  std::mt19937_64 g(7);
  std::int64_t now = kNow;
  for (std::uint64_t n = 0; n < 40'000; ++n) {
    if (n % 100 == 0) ++now;
    const std::int64_t t = now - static_cast<std::int64_t>(g() % kWindow);
    const std::uint64_t id = n % 7 == 0 && n > 0 ? n - 1 - g() % std::min<std::uint64_t>(n, 50) : n;
    const std::int64_t t_id = model.count(id) ? model[id] : t;
    const ReplayCache::Insertion r = c.insert(mac(id), t_id, now);
    const bool live = model.count(id) && model[id] >= now - kWindow;
    if (model.count(id) && !live) continue;  // expired: the timestamp check refuses it
    ASSERT_NE(r.outcome, Outcome::full) << n;
    ASSERT_EQ(r.outcome, live ? Outcome::duplicate : Outcome::inserted) << n;
    model[id] = t_id;
  }
  std::size_t live = 0;
  for (const auto& [id, t] : model) {
    if (t < now - kWindow) continue;
    ++live;
    ASSERT_TRUE(c.seen(mac(id), t)) << id;
  }
  EXPECT_GE(c.size(), live);
  EXPECT_LE(c.size(), 3000u);
}

// Threads insert their own MACs and copies of shared ones at the same time: every shared MAC is
// inserted exactly once, all other attempts are duplicates, no distinct MAC is lost.
TEST(ReplayCacheTest, ConcurrentCopiesPassExactlyOnce) {
  constexpr int kThreads = 4;
  constexpr std::uint64_t kShared = 5000, kOwn = 5000;
  ReplayCache c(100'000, 300);
  std::array<std::vector<Bytes>, kThreads> own;
  for (int i = 0; i < kThreads; ++i)
    for (std::uint64_t n = 0; n < kOwn; ++n) own[i].push_back(mac(1'000'000 * (i + 1) + n));
  std::vector<Bytes> shared;
  for (std::uint64_t n = 0; n < kShared; ++n) shared.push_back(mac(n));
  std::atomic<int> inserted_shared{0}, duplicates{0}, inserted_own{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (std::uint64_t n = 0; n < kShared; ++n) {
        const Outcome s = c.insert(shared[(n + 997 * i) % kShared], kNow, kNow).outcome;
        (s == Outcome::inserted ? inserted_shared : s == Outcome::duplicate ? duplicates : other)++;
        (c.insert(own[i][n], kNow, kNow).outcome == Outcome::inserted ? inserted_own : other)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(inserted_shared.load(), static_cast<int>(kShared));
  EXPECT_EQ(duplicates.load(), static_cast<int>(kShared) * (kThreads - 1));
  EXPECT_EQ(inserted_own.load(), static_cast<int>(kOwn) * kThreads);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(c.size(), kShared + kOwn * kThreads);
}

// ---- The Kms ----

KmsConfig bounded(const World& w, std::size_t bound) {
  return w.kms_config_with([&](KmsConfig& c) { c.policy.replay_cache_size = bound; });
}

// 10 × the old count-evicting cache's 4096 entries, with the default bound: every message is
// remembered at once and stays a replay, none is refused.
TEST(ReplayCacheTest, FortyThousandMessagesWithinTheWindowAreAllRemembered) {
  ReplayCache c(KmsPolicy{}.replay_cache_size, 300);
  constexpr std::uint64_t kMessages = 40'960 + 64;
  for (std::uint64_t n = 0; n < kMessages; ++n) {
    const std::int64_t t = kNow - static_cast<std::int64_t>(n * 7919 % 300);  // any order
    ASSERT_EQ(c.insert(mac(n), t, kNow).outcome, Outcome::inserted) << n;
  }
  EXPECT_EQ(c.size(), kMessages);
  for (std::uint64_t n = 0; n < kMessages; ++n) {
    const std::int64_t t = kNow - static_cast<std::int64_t>(n * 7919 % 300);
    ASSERT_EQ(c.insert(mac(n), t, kNow).outcome, Outcome::duplicate) << n;
  }
}

// More fresh, authentic requests within the skew window than the old count-evicting cache held
// (4096), from Initiators whose clocks lie anywhere within the skew, so the timestamps arrive out
// of order: every one is granted (the old cache refused all requests not newer than the last
// evicted one); the real replay is still refused (RFC 3830 §5.4). 10 × the old cap, as
// ReplayCacheTest above, but through the whole request path.
TEST(KmsReplayTest, FreshRequestsBeyondTheOldCapAreAllGranted) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  constexpr int kClocks = 64, kRequests = 10 * 4096 + 64;
  std::vector<std::unique_ptr<ShiftedClock>> clocks;
  std::vector<std::unique_ptr<Initiator>> initiators;
  for (int k = 0; k < kClocks; ++k) {
    clocks.push_back(std::make_unique<ShiftedClock>(&w.clock, -4'000 * k));  // 0 to 252 s behind
    initiators.push_back(std::make_unique<Initiator>(w.alice_config(), *clocks.back(), w.rng));
  }
  const TicketRequest desired = w.ticket_request();
  Bytes first;
  int granted = 0;
  for (int n = 0; n < kRequests; ++n) {
    auto init = initiators[static_cast<std::size_t>(n * 37 % kClocks)]->request_ticket(desired);
    ASSERT_TRUE(init.ok());
    if (n == 0) first = init.value();
    KmsReply reply = kms.handle_request_init(init.value());
    ASSERT_FALSE(reply.failure) << n << ": " << to_string(*reply.failure) << " " << reply.detail;
    ++granted;
  }
  EXPECT_EQ(granted, kRequests);
  EXPECT_EQ(kms.replay_cache_size(), static_cast<std::size_t>(kRequests));
  KmsReply replay = kms.handle_request_init(first);
  ASSERT_TRUE(replay.failure);
  EXPECT_EQ(*replay.failure, Failure::replayed_message);
  EXPECT_EQ(testing::error_no_of(replay.message), codec::ErrorNo::invalid_ts);
}

TEST(KmsReplayTest, FullReplayMemoryIsAnsweredUnavailableNotWithAnError) {
  World w;
  Kms kms(bounded(w, 2), w.clock, w.rng);
  for (int n = 0; n < 2; ++n) {
    KmsReply ok =
        kms.handle_request_init(testing::request_init(w, w.ticket_request(), w.alice_config()));
    ASSERT_FALSE(ok.failure) << ok.detail;
  }
  Bytes third = testing::request_init(w, w.ticket_request(), w.alice_config());
  KmsReply full = kms.handle_request_init(third);
  ASSERT_TRUE(full.failure);
  EXPECT_EQ(*full.failure, Failure::replay_memory_full) << full.detail;
  EXPECT_EQ(full.unavailable_retry_after_s, 301u);
  EXPECT_TRUE(full.message.empty());  // no MIKEY Error, in particular no false "Invalid TS"
  EXPECT_EQ(full.http_status, 0);
  // Once the skew has passed, the expired entries make room again.
  w.clock.advance_seconds(301);
  KmsReply later =
      kms.handle_request_init(testing::request_init(w, w.ticket_request(), w.alice_config()));
  EXPECT_FALSE(later.failure) << later.detail;
  EXPECT_EQ(kms.replay_cache_size(), 1u);  // the two expired entries were reclaimed
}

}  // namespace
}  // namespace mikey::roles
