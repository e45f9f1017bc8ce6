// The chaining case runner (engine.h run_case; internal to the engine): the parties of
// TS 33.328 Annex B opposite a KMS_R (sut_role kms_r: the Responder and the tap on the harness
// KMS_I) or a KMS_I (sut_role kms_i: the Responder, and the harness KMS_R whose own RESOLVE_INIT
// the steps send; chain.h). Everything but a RESOLVE_INIT_PSK step is played as for a KMS under
// test (kms_runner.h KmsSession).
#pragma once

#include <cstdint>
#include <vector>

#include "harness/chain.h"
#include "harness/kms_runner.h"

namespace mikeyconf::harness {

class ChainRunner final : public RoleRunner {
 public:
  ChainRunner(const Scenario& s, const SutProfile& p, SutDriver& d, std::uint64_t seed,
              CaseResult& out)
      : session_(s, p, d, seed, out) {}

  void run() override;

 private:
  // The chaining settings of a send step: `kms_i.answer` (sut_role kms_r) and
  // `link.client_certificate` (from: kms_r).
  struct LinkSettings {
    KmsIAnswer kms_i_answer = KmsIAnswer::normal;
    bool client_certificate = true;
  };
  static LinkSettings link_settings(const std::vector<Setting>& set);

  void send_resolve(std::size_t i, const SendStep& step);

  // sut_role kms_r: what the SUT sent the harness KMS_I and what that answered, for the report.
  void log_forwarded(std::size_t i, const std::vector<ForwardedRequest>& forwarded);

  // sut_role kms_i (from: kms_r): the Responder's RESOLVE_INIT goes to the harness KMS_R, whose
  // own RESOLVE_INIT to the SUT (B.1-2) is what this step mutates, sends and judges, with the
  // KMS-to-KMS keys; the KMS_R's re-encoded answer then completes the transfer (keys_equal).
  void relay_resolve(std::size_t i, const SendStep& step, const KmsSession::Resolve& r);

  // The harness KMS_R's RESOLVE_INIT `fwd` as a sent request: keyed with the KMS-to-KMS PSK, its
  // IDRr as Identity_r (B.0-5), the SUT as Identity_kms, over the link.
  SentRequest link_keys(ByteView fwd, const UserProfile& user, bool client_certificate) const;

  KmsSession session_;
};

}  // namespace mikeyconf::harness
