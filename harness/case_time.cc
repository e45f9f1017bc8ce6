#include "harness/case_time.h"

#include <string>
#include <thread>

#include "harness/role_runner.h"

namespace mikeyconf::harness {

double CaseTime::since_start_ms() const {
  return std::chrono::duration<double, std::milli>(Steady::now() - start_).count();
}

void CaseTime::check_before(std::size_t step) const {
  if (Steady::now() > deadline_) {
    throw HarnessError("the case exceeded its time limit of " + std::to_string(limit_ms_) +
                       " ms before step " + std::to_string(step + 1));
  }
}

void CaseTime::check_during(std::size_t step) const {
  if (Steady::now() > deadline_) {
    throw HarnessError("the case exceeded its time limit of " + std::to_string(limit_ms_) +
                       " ms during step " + std::to_string(step + 1));
  }
}

void CaseTime::wait(std::size_t step, std::uint32_t ms) const {
  if (Steady::now() + std::chrono::milliseconds(ms) > deadline_) {
    throw HarnessError("step " + std::to_string(step + 1) + ": waiting " + std::to_string(ms) +
                       " ms would exceed the case limit of " + std::to_string(limit_ms_) + " ms");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

const mikey::roles::Clock& CaseTime::clock(std::int64_t offset_ms) {
  clocks_.push_back(std::make_unique<mikey::roles::ShiftedClock>(nullptr, offset_ms));
  return *clocks_.back();
}

}  // namespace mikeyconf::harness
