#include "roles/replay_cache.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <string>

#include "roles/message_util.h"

namespace mikey::roles {

namespace {

constexpr std::size_t kFirstSlots = 64;
constexpr std::uint64_t kBias = std::uint64_t{1} << 63;
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::min();

std::uint64_t biased(std::int64_t t) noexcept { return static_cast<std::uint64_t>(t) + kBias; }
std::int64_t unbiased(std::uint64_t b) noexcept { return static_cast<std::int64_t>(b - kBias); }

}  // namespace

ReplayCache::ReplayCache(std::size_t bound, std::int64_t window_seconds, bool reserve) noexcept
    : bound_(std::max<std::size_t>(bound, 1)),
      max_slots_(slots_for(bound)),
      window_(window_seconds),
      swept_at_(kNever),
      oldest_live_(std::numeric_limits<std::int64_t>::max()) {
  // A failed reservation leaves the table to grow as entries arrive.
  if (reserve && resize(max_slots_, kNever)) make_resident();
}

// Writes one byte of every page, so the table is resident from the start: the entries would
// otherwise make it resident page by page as they land, a memory growth a soak would see.
// Volatile: a store of the zero calloc already returned may not be optimised away.
void ReplayCache::make_resident() noexcept {
  constexpr std::size_t kSlotsPerPage = 4096 / sizeof(Slot);
  for (std::size_t at = 0; at <= mask_; at += kSlotsPerPage) {
    volatile std::uint64_t& word = table_[at].t_biased;
    word = 0;
  }
}

std::size_t ReplayCache::slots_for(std::size_t bound) noexcept {
  const std::size_t b = std::max<std::size_t>(bound, 1);
  return std::bit_ceil(b + (b + 2) / 3);  // at least 4/3 of the bound: the load stays <= 3/4
}

std::size_t ReplayCache::size() const noexcept {
  std::lock_guard lock(mutex_);
  return count_;
}

std::size_t ReplayCache::slots() const noexcept {
  std::lock_guard lock(mutex_);
  return table_ ? mask_ + 1 : 0;
}

std::size_t ReplayCache::home(const Slot& s) const noexcept {
  // The MAC bits are uniform for authentic messages; the multiply spreads short or null MACs.
  std::uint64_t h = (s.a ^ std::rotl(s.b, 29)) * 0x9E3779B97F4A7C15ULL;
  return static_cast<std::size_t>(h ^ (h >> 32)) & mask_;
}

bool ReplayCache::expired(const Slot& s, std::int64_t now) const noexcept {
  return now != kNever && unbiased(s.t_biased) < now - window_;
}

std::size_t ReplayCache::find(const Slot& key) const noexcept {
  std::size_t i = home(key);
  while (table_[i].t_biased != 0) {
    const Slot& s = table_[i];
    if (s.a == key.a && s.b == key.b && s.t_biased == key.t_biased) return i;
    i = (i + 1) & mask_;
  }
  return i;
}

// Backward-shift deletion: later entries of the probe run move into the hole unless their home
// lies cyclically after it, so every remaining entry stays reachable from its home.
void ReplayCache::erase_at(std::size_t hole) noexcept {
  std::size_t j = hole;
  for (;;) {
    j = (j + 1) & mask_;
    if (table_[j].t_biased == 0) break;
    const std::size_t h = home(table_[j]);
    if (((j - h) & mask_) >= ((j - hole) & mask_)) {
      table_[hole] = table_[j];
      hole = j;
    }
  }
  table_[hole] = Slot{};
  --count_;
}

// One pass over the table from an empty slot, so that no entry moves behind the pass.
void ReplayCache::reclaim(std::int64_t now) noexcept {
  swept_at_ = now;
  oldest_live_ = std::numeric_limits<std::int64_t>::max();
  if (!table_) return;
  std::size_t start = 0;
  while (table_[start].t_biased != 0) ++start;  // the load is at most 3/4
  for (std::size_t k = 1; k <= mask_ + 1; ++k) {
    const std::size_t i = (start + k) & mask_;
    while (table_[i].t_biased != 0 && expired(table_[i], now)) erase_at(i);
    if (table_[i].t_biased != 0)
      oldest_live_ = std::min(oldest_live_, unbiased(table_[i].t_biased));
  }
}

bool ReplayCache::resize(std::size_t slots, std::int64_t now) noexcept {
  std::unique_ptr<Slot[], Free> fresh(static_cast<Slot*>(std::calloc(slots, sizeof(Slot))));
  if (!fresh) return false;
  std::unique_ptr<Slot[], Free> old = std::move(table_);
  const std::size_t old_slots = old ? mask_ + 1 : 0;
  table_ = std::move(fresh);
  mask_ = slots - 1;
  count_ = 0;
  for (std::size_t i = 0; i < old_slots; ++i) {
    if (old[i].t_biased == 0 || expired(old[i], now)) continue;
    table_[find(old[i])] = old[i];
    ++count_;
  }
  return true;
}

bool ReplayCache::crowded() const noexcept { return 4 * (count_ + 1) > 3 * (mask_ + 1); }

ReplayCache::Insertion ReplayCache::refuse_full(std::int64_t now) const noexcept {
  if (oldest_live_ == std::numeric_limits<std::int64_t>::max()) return {Outcome::full, 1};
  const std::int64_t wait = oldest_live_ + window_ + 1 - now;
  return {Outcome::full,
          static_cast<std::uint32_t>(std::clamp<std::int64_t>(wait, 1, window_ + 1))};
}

// The MAC's first 128 bits, byte by byte (a MAC may be empty: NULL MAC, RFC 3830 §6.1), and the
// timestamp.
ReplayCache::Slot ReplayCache::key_of(ByteView mac, std::int64_t t) noexcept {
  Slot key{0, 0, biased(t)};
  const std::size_t n = std::min<std::size_t>(mac.size(), 16);
  for (std::size_t i = 0; i < n; ++i) {
    (i < 8 ? key.a : key.b) |= std::uint64_t{mac[i]} << (8 * (i % 8));
  }
  return key;
}

bool ReplayCache::seen(ByteView mac, std::int64_t t) const noexcept {
  const Slot key = key_of(mac, t);
  std::lock_guard lock(mutex_);
  return table_ && table_[find(key)].t_biased != 0;
}

ReplayCache::Insertion ReplayCache::insert(ByteView mac, std::int64_t t,
                                           std::int64_t now) noexcept {
  const Slot key = key_of(mac, t);
  std::lock_guard lock(mutex_);
  if (!table_ && !resize(std::min(kFirstSlots, max_slots_), now)) return refuse_full(now);
  if (table_[find(key)].t_biased != 0) return {Outcome::duplicate};
  if ((count_ >= bound_ || crowded()) && swept_at_ != now) reclaim(now);
  if (count_ >= bound_) return refuse_full(now);
  if (crowded() && !resize(2 * (mask_ + 1), now)) return refuse_full(now);
  table_[find(key)] = key;
  ++count_;
  oldest_live_ = std::min(oldest_live_, t);
  return {Outcome::inserted};
}

std::optional<Refusal> ReplayCache::refusal_of(const Insertion& insertion) const {
  switch (insertion.outcome) {
    case Outcome::inserted:
      return std::nullopt;
    case Outcome::duplicate:
      return refuse(Failure::replayed_message, "seen before within the clock skew");
    case Outcome::full:
      break;
  }
  Refusal r = refuse(Failure::replay_memory_full,
                     std::to_string(bound_) + " messages within the " + std::to_string(window_) +
                         " s skew; the oldest expires in " +
                         std::to_string(insertion.retry_after_s) + " s");
  r.retry_after_s = insertion.retry_after_s;  // at least 1 (refuse_full): 503 + Retry-After
  return r;
}

}  // namespace mikey::roles
