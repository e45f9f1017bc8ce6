// Running a case against a UE under test (sut_role initiator | responder; harness/README.md "UE
// hooks"). Per case the harness starts its own KMS (ue_kms.h: reference Kms, tap, misbehaviour)
// and the UE's hook session (ue_hook.h), and plays the peer UE in-process with the reference
// roles:
//   SUT Initiator: `ue: initiate` — the UE gets a ticket from the harness KMS (tapped) and returns
//     TRANSFER_INIT, which the harness Responder resolves with the KMS in-process (verify: its MAC
//     checks with MPKi); `ue: transfer_resp` — the Responder's TRANSFER_RESP goes to the UE, which
//     returns its SRTP keys (keys_equal compares them with the Responder's).
//   SUT Responder: `ue: transfer_init` — the harness Initiator gets a ticket in-process (or
//     creates one, create_ticket: mode3) and hands TRANSFER_INIT (possibly mutated or resent) to
//     the UE, which resolves it with the harness KMS (tapped) and returns TRANSFER_RESP and its
//     keys (verify: the Initiator accepts TRANSFER_RESP; keys_equal).
// The hook process is ended when the case ends; its stderr goes into the transcript.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "harness/driver.h"
#include "harness/profile.h"
#include "harness/results.h"
#include "harness/scenario.h"
#include "harness/ue_hook.h"
#include "wire/bytes.h"

namespace mikeyconf::harness {

// Run-wide memory of the RANDs and CSB IDs the UE sent, per message type, for ue.fresh and
// kms.request.fresh (M-6.11-2: a RAND per CSB; M-6.1-4: random CSB IDs). Shared by the drivers of
// one run; thread-safe.
class FreshnessRegistry {
 public:
  // Records the RANDs and CSB ID of `message`; "" when none was seen before in a message of the
  // same data type, otherwise what repeated.
  std::string record(mikey::ByteView message);

 private:
  std::mutex mutex_;
  std::set<std::pair<std::uint8_t, mikey::Bytes>> seen_;
};

// The driver of a UE under test: what the hook's placeholders stand for, and the run's freshness
// memory. The hook itself is the profile's (a session per case).
class UeDriver final : public SutDriver {
 public:
  UeDriver(HookVars vars, std::shared_ptr<FreshnessRegistry> registry)
      : vars_(std::move(vars)), registry_(std::move(registry)) {}
  // A UE is not reached over Annex A: always a transport error (not used by the UE runner).
  HttpExchange exchange(const HttpRequestSpec& request) noexcept override;
  std::string describe() const override;

  const HookVars& vars() const noexcept { return vars_; }
  FreshnessRegistry& registry() noexcept { return *registry_; }

 private:
  HookVars vars_;
  std::shared_ptr<FreshnessRegistry> registry_;
};

// One line: what a ue: step asks of the UE (`mikeyconf explain`).
std::string describe_ue_step(const UeStep& step);

// Runs one UE-role case into `out` (header already filled): pass, fail, inconclusive or error.
// Never throws. `driver` must be a UeDriver (else the case is an error).
void run_ue_case(const Scenario& scenario, const SutProfile& profile, SutDriver& driver,
                 std::uint64_t seed, CaseResult& out) noexcept;

}  // namespace mikeyconf::harness
