// One case as the SUT's role runs it (engine.h run_case): the KMS runner (kms_runner.h: sut_role
// kms), the chaining runner (chain_runner.h: sut_role kms_r / kms_i, the parties of chain.h) or
// the UE runner (ue_runner.h: sut_role initiator / responder). The engine drives every step through
// the runner of the case's role, so no step asks which role it serves.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>

#include "harness/driver.h"
#include "harness/profile.h"
#include "harness/results.h"
#include "harness/scenario.h"

namespace mikeyconf::harness {

// A harness-side problem inside a case: the verdict is error, never blamed on the SUT.
class HarnessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RoleRunner {
 public:
  virtual ~RoleRunner() = default;
  // Runs the steps and sets the verdict in the CaseResult given at construction; throws
  // HarnessError for a harness-side problem.
  virtual void run() = 0;
};

// The runner of `scenario.sut_role`, writing into `out`.
std::unique_ptr<RoleRunner> make_role_runner(const Scenario& scenario, const SutProfile& profile,
                                             SutDriver& driver, std::uint64_t seed,
                                             CaseResult& out);

}  // namespace mikeyconf::harness
