// The replay cache of RFC 3830 §5.4 (M-5.4-1): every authenticated message is remembered while its
// timestamp is within the allowed clock skew, so that a copy is refused; an entry can go once its
// timestamp is older than now − skew, since the timestamp check (RFC 3830 §5.3 step 1) refuses
// that message from then on. Time-bounded, never count-evicted: a fresh, authentic message is
// never taken for a replay.
//
// Entry: the first 128 bits of the message's V MAC and its timestamp, 24 bytes in an open
// addressing table (linear probing, deletion by backward shift; no per-entry allocation, O(1)
// lookup and insert). The MAC is keyed with auth_key (RFC 3830 §4.1.4), and only authenticated
// messages are inserted, so an attacker cannot choose entries nor make two messages collide; a
// 128-bit prefix identifies a message as well as the whole MAC does.
//
// Bound: at most `bound` messages are remembered. The table has bit_ceil(4/3 × bound) slots (load
// at most 3/4: a miss probes about 8 slots, a hit 2.5), i.e. 32 to 64 bytes per remembered
// message; the default 3,000,000 takes 4,194,304 slots = 96 MiB. A message stays for skew + 1
// seconds (timestamps are whole seconds), so the bound sustains bound / (skew + 1)
// authenticated messages per second indefinitely. When the bound is reached, expired entries
// are reclaimed (one sweep of the table, at most once per clock second: nothing else expires
// within that second); if none was expired, insert() answers `full` with the seconds until the
// oldest entry expires, and the caller refuses explicitly (the KMS: HTTP 503 + Retry-After,
// TS 33.328 A.3-1) instead of forgetting a message a replay could then reuse.
//
// Memory: built with `reserve`, the whole table is allocated and made resident at once (a served
// KMS: its memory does not grow while the window fills, nor when the traffic rises, so a soak
// sees a flat RSS from the start). Without it the table starts at 64 slots and doubles (after
// reclaiming expired entries) up to the same size: the many short-lived roles of tests and fuzz
// targets pay only for what they insert.
//
// Thread-safe: one mutex guards the table. A lookup plus an insert costs well under a microsecond
// (mostly two cache misses in the default table), against tens of microseconds for the MAC and
// the answer of every request, so striped locks would buy nothing measurable. insert() is an
// atomic "insert if absent": of two concurrent copies of one message exactly one is `inserted`.
// At the bound, the reclaiming sweep holds the lock for one pass over the table (tens of
// milliseconds for the default size), at most once per second.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>

#include "roles/failure.h"
#include "wire/bytes.h"

namespace mikey::roles {

class ReplayCache {
 public:
  enum class Outcome : std::uint8_t { inserted, duplicate, full };
  struct Insertion {
    Outcome outcome = Outcome::inserted;
    // full: seconds until the oldest remembered message leaves the window (at least 1).
    std::uint32_t retry_after_s = 0;
  };
  // `bound` 0 is taken as 1.
  ReplayCache(std::size_t bound, std::int64_t window_seconds, bool reserve = false) noexcept;
  ReplayCache(const ReplayCache&) = delete;
  ReplayCache& operator=(const ReplayCache&) = delete;

  // Whether a message with this MAC and timestamp (Unix seconds) was remembered: the cheap check
  // before the MAC is verified (RFC 3830 §5.3 step 2).
  bool seen(ByteView mac, std::int64_t t) const noexcept;
  // Remembers an authenticated message (only those, RFC 3830 §5.3 step 5) unless it is there
  // already (`duplicate`: a replay) or the bound is reached (`full`; also when memory cannot be
  // allocated). `now`: the receiver's clock, Unix seconds.
  Insertion insert(ByteView mac, std::int64_t t, std::int64_t now) noexcept;

  // The refusal for an insertion that did not remember the message: a replay, or no room left
  // (its detail names the bound, for the log).
  std::optional<Refusal> refusal_of(const Insertion& insertion) const;

  // Remembered messages (expired ones not yet reclaimed included).
  std::size_t size() const noexcept;
  std::size_t bound() const noexcept { return bound_; }
  // Slots allocated now; slots_for(bound) at most.
  std::size_t slots() const noexcept;
  static std::size_t slots_for(std::size_t bound) noexcept;

 private:
  // t_biased = t + 2^63 (0: an empty slot, so zero-filled memory is an empty table).
  struct Slot {
    std::uint64_t a, b, t_biased;
  };
  static_assert(sizeof(Slot) == 24, "the entry size configs/README.md states");
  struct Free {
    void operator()(Slot* p) const noexcept { std::free(p); }
  };

  static Slot key_of(ByteView mac, std::int64_t t) noexcept;
  std::size_t find(const Slot& key) const noexcept;  // its index, or that of the empty slot
  std::size_t home(const Slot& s) const noexcept;
  bool expired(const Slot& s, std::int64_t now) const noexcept;
  void erase_at(std::size_t hole) noexcept;
  void reclaim(std::int64_t now) noexcept;
  bool resize(std::size_t slots, std::int64_t now) noexcept;
  void make_resident() noexcept;
  Insertion refuse_full(std::int64_t now) const noexcept;
  bool crowded() const noexcept;  // one more entry would load the table past 3/4

  std::size_t bound_;
  std::size_t max_slots_;
  std::int64_t window_;
  mutable std::mutex mutex_;
  std::unique_ptr<Slot[], Free> table_;
  std::size_t mask_ = 0;  // slots − 1 (slots a power of two); 0 with no table
  std::size_t count_ = 0;
  std::int64_t swept_at_;     // `now` of the last reclaim
  std::int64_t oldest_live_;  // lowest timestamp remembered since then (Retry-After)
};

}  // namespace mikey::roles
