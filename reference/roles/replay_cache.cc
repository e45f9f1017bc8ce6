#include "roles/replay_cache.h"

#include <algorithm>

namespace mikey::roles {

bool ReplayCache::seen(ByteView mac, std::int64_t t) const noexcept {
  if (t <= low_water_) return true;
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) {
    return e.t == t && std::equal(e.mac.begin(), e.mac.end(), mac.begin(), mac.end());
  });
}

void ReplayCache::insert(ByteView mac, std::int64_t t, std::int64_t now) {
  // Entries older than the skew window cannot be replayed: the timestamp check refuses them.
  std::erase_if(entries_, [&](const Entry& e) { return e.t < now - window_; });
  while (entries_.size() >= capacity_) {
    low_water_ = std::max(low_water_, entries_.front().t);
    entries_.pop_front();
  }
  entries_.push_back({t, Bytes(mac.begin(), mac.end())});
}

}  // namespace mikey::roles
