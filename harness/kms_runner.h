// The KMS-role case runner (engine.h run_case; internal to the engine): plays the harness's
// Initiator and Responder against a KMS under test (sut_role kms), and the chaining parties of
// TS 33.328 Annex B opposite a KMS_R or KMS_I (chain.h). Each send step fills the step's Evidence
// (checks/evidence.h) that the next expect step judges.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crypto/rng.h"
#include "harness/case_time.h"
#include "harness/chain.h"
#include "harness/checks/evidence.h"
#include "harness/driver.h"
#include "harness/party_util.h"
#include "harness/profile.h"
#include "harness/results.h"
#include "harness/role_runner.h"
#include "harness/scenario.h"
#include "roles/clock.h"
#include "roles/initiator.h"
#include "roles/protect.h"
#include "roles/responder.h"
#include "transport/annex_a.h"

namespace mikeyconf::harness {

namespace roles = mikey::roles;
namespace codec = mikey::codec;
using mikey::Bytes;
using mikey::ByteView;

// A sent request kept for `resend: true`.
struct SentRequest {
  Bytes bytes;
  Bytes psk;
  roles::Identity peer;
  bool valid = false;
  // Chaining roles: where it went and the KMS it was addressed to (re_protect's Identity_kms;
  // empty: the profile's kms_identity).
  Route route = Route::sut;
  roles::Identity kms{};
  bool without_client_certificate = false;
  bool peer_is_mac_identity = false;  // re_protect: `peer` even when there is an IDRr (chain.h)
};

class KmsCaseRunner final : public RoleRunner {
 public:
  KmsCaseRunner(const Scenario& s, const SutProfile& p, SutDriver& d, std::uint64_t seed,
                CaseResult& out);

  void run() override;

 private:
  // ---- settings ----

  // A harness party's settings (party_util.h; `to`, for a resolve: the user the TRANSFER_INIT is
  // addressed to) and the chaining roles' own.
  struct Party : PartySettings {
    KmsIAnswer kms_i_answer = KmsIAnswer::normal;  // sut_role kms_r (chain.h)
    bool link_client_certificate = true;           // from: kms_r
  };

  const UserProfile& user_named(const std::string& name, SourcePos pos) const;

  Party settings(const std::vector<Setting>& set, Party party_default, const std::string& user);

  // The party's clock: the KMS's time (docs/latitude.md "clock-offset"), plus the case's offset.
  const roles::Clock& clock(std::int64_t offset_ms);

  // Chaining: a KMS_I user's Initiator asks the KMS_I (chain.h).
  roles::InitiatorConfig initiator_config(const Party& p) const {
    return harness::initiator_config(p, home_kms_identity(prof_, *p.user));
  }

  TranscriptEntry& local(std::size_t step, std::string label, ByteView message, std::string note);

  // ---- steps ----

  void do_create(std::size_t i, const CreateTicketStep& step);

  void do_send(std::size_t i, const SendStep& step);

  // Mutates, re-protects, sends; fills the transcript and last_.
  TranscriptEntry& transmit(std::size_t i, const SendStep& step, std::string label,
                            const Bytes& built, const SentRequest& keys,
                            mikey::transport::RequestType type);

  // `set: {t_offset_ms: …}`: the T payload moved by the offset, the V MAC recomputed with the
  // sender's keys (mutate.h re_protect), everything else as the party built it.
  Bytes shift_t(std::size_t i, const Bytes& built, std::int64_t offset_ms, const SentRequest& keys,
                bool resolve) const;

  // Verifies the answer with the sender's keys over the bytes as sent (independent of the party's
  // state, so it also works for mutated and resent requests).
  VerifyOutcome verify_answer(const SentRequest& keys, bool resolve) const;

  // docs/latitude.md "iv-timestamp": the KEMAC IV takes the T of the answer (a) or of the
  // request (b); verify_message tries both unless the profile declares one.
  void set_iv_reading(roles::MessageProtection& p, const codec::Message& request) const;

  void annotate(TranscriptEntry& e) const;

  void send_request(std::size_t i, const SendStep& step);

  void send_resolve(std::size_t i, const SendStep& step);
  Party responder_resolve(std::size_t i, const SendStep& step, SentRequest& keys);

  // sut_role kms_r: what the SUT sent the harness KMS_I and what that answered, for the report.
  void log_forwarded(std::size_t i, const std::vector<ForwardedRequest>& forwarded);

  // sut_role kms_i (from: kms_r): the Responder's RESOLVE_INIT goes to the harness KMS_R, whose
  // own RESOLVE_INIT to the SUT (B.1-2) is what this step mutates, sends and judges, with the
  // KMS-to-KMS keys; the KMS_R's re-encoded answer then completes the transfer (keys_equal).
  void relay_resolve(std::size_t i, const SendStep& step, const Party& p, const Bytes& request,
                     roles::Responder& responder);

  // The harness KMS_R's RESOLVE_INIT `fwd` as a sent request: keyed with the KMS-to-KMS PSK, its
  // IDRr as Identity_r (B.0-5), the SUT as Identity_kms, over the link.
  SentRequest link_keys(ByteView fwd, const Party& p) const;

  // RESOLVE_RESP → TRANSFER_RESP → the Initiator; then compare both sides' SRTP keys.
  void complete_transfer(std::size_t i, roles::Responder& responder, ByteView answer);

  void send_raw(std::size_t i, const SendStep& step);

  // ---- expectations ----

  bool do_expect(std::size_t i, const ExpectStep& e);

  const Scenario& sc_;
  const SutProfile& prof_;
  SutDriver& drv_;
  mikey::crypto::DeterministicRng rng_;
  CaseResult& out_;
  CaseTime time_;                             // the limit and the parties' clocks
  std::unique_ptr<roles::Initiator> holder_;  // the Initiator holding the current ticket
  std::string holder_user_;
  std::unique_ptr<roles::Responder> responder_;
  Evidence last_;
  SentRequest last_request_;
  SentRequest last_resolve_;
};

}  // namespace mikeyconf::harness
