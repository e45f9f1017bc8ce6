// The time of one case (engine.h): its limit (scenario timeout_ms, else the profile's
// timeouts.case_ms), checked before every step and after every exchange, and the clocks of the
// parties the harness plays in it (set: clock_offset_ms).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

#include "roles/clock.h"

namespace mikeyconf::harness {

class CaseTime {
 public:
  using Steady = std::chrono::steady_clock;

  explicit CaseTime(std::uint32_t limit_ms)
      : limit_ms_(limit_ms), deadline_(start_ + std::chrono::milliseconds(limit_ms)) {}

  double since_start_ms() const;
  std::uint32_t limit_ms() const noexcept { return limit_ms_; }
  Steady::time_point deadline() const noexcept { return deadline_; }

  // HarnessError (role_runner.h) once the limit has passed: "... before step N" / "during step N".
  void check_before(std::size_t step) const;
  void check_during(std::size_t step) const;
  // A wait step: HarnessError when it would end past the limit, else sleeps.
  void wait(std::size_t step, std::uint32_t ms) const;

  // A clock `offset_ms` away from the system clock, kept for the rest of the case.
  const mikey::roles::Clock& clock(std::int64_t offset_ms);

 private:
  Steady::time_point start_ = Steady::now();
  std::uint32_t limit_ms_;
  Steady::time_point deadline_;
  std::deque<std::unique_ptr<mikey::roles::ShiftedClock>> clocks_;
};

}  // namespace mikeyconf::harness
