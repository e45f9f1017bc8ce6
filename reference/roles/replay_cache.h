// The replay cache of RFC 3830 §5.4 (M-5.4-1): authenticated messages are remembered while their
// timestamp is within the allowed clock skew; an entry is the message's V MAC (unique per message,
// since it covers the whole message). Bounded: when full, the oldest entry is evicted and every
// message not newer than it is treated as a replay from then on (RFC 3830 §5.4: with lost replay
// state, messages are rejected until the skew has passed), so eviction never lets a replay in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>

#include "wire/bytes.h"

namespace mikey::roles {

class ReplayCache {
 public:
  ReplayCache(std::size_t capacity, std::int64_t window_seconds) noexcept
      : capacity_(capacity == 0 ? 1 : capacity), window_(window_seconds) {}

  // Whether a message with this MAC and timestamp (Unix seconds) must be refused as a replay.
  bool seen(ByteView mac, std::int64_t t) const noexcept;
  // Records an authenticated message (only those, RFC 3830 §5.3 step 5). Allocates.
  void insert(ByteView mac, std::int64_t t, std::int64_t now);
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::int64_t t;
    Bytes mac;
  };
  std::size_t capacity_;
  std::int64_t window_;
  std::deque<Entry> entries_;  // in insertion order
  std::int64_t low_water_ = std::numeric_limits<std::int64_t>::min();
};

}  // namespace mikey::roles
