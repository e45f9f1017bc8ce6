// The KMS-role case runner (engine.h run_case; internal to the engine): plays the harness's
// Initiator and Responder against a KMS under test (sut_role kms). KmsSession is what it shares
// with the chaining runner (chain_runner.h, sut_role kms_r / kms_i): the parties, the step loop,
// the sends and the expectations. Each send step fills the step's Evidence (checks/evidence.h)
// that the next expect step judges.
#pragma once

#include <cstdint>
#include <functional>
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
#include "harness/reference_names.h"
#include "harness/results.h"
#include "harness/role_runner.h"
#include "harness/scenario.h"
#include "roles/clock.h"
#include "roles/initiator.h"
#include "roles/protect.h"
#include "roles/responder.h"
#include "transport/annex_a.h"

namespace mikeyconf::harness {

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

// The harness parties of one KMS-side case and what they sent; the runners (KmsCaseRunner,
// ChainRunner) differ only in how a RESOLVE_INIT_PSK step reaches the SUT.
class KmsSession {
 public:
  KmsSession(const Scenario& s, const SutProfile& p, SutDriver& d, std::uint64_t seed,
             CaseResult& out);

  // A harness party's settings (party_util.h; `to`, for a resolve: the user the TRANSFER_INIT is
  // addressed to).
  using Party = PartySettings;

  // How a send step of RESOLVE_INIT_PSK is played.
  using ResolveSend = std::function<void(std::size_t, const SendStep&)>;

  // Runs the steps and sets the verdict; throws HarnessError for a harness-side problem.
  void run(const ResolveSend& resolve);

  // A RESOLVE_INIT_PSK as the Responder built it (or the last one, for `resend: true`).
  struct Resolve {
    Bytes built;
    SentRequest keys;
    std::string who;
    roles::Responder* responder = nullptr;  // null when resent
    const UserProfile* user = nullptr;      // the Responder's user; null when resent
  };

  // The KMS the Responder asks, given its settings (default: its home KMS).
  using KmsOf = std::function<roles::Identity(const Party&)>;
  Resolve prepare_resolve(std::size_t i, const SendStep& step, const KmsOf& kms_of = {});

  // Sends `r` to the SUT, verifies and records the answer; `after_send` (may be empty) runs once
  // the step's transcript entry is complete; then the transfer is completed when it can be.
  void send_resolve(std::size_t i, const SendStep& step, const Resolve& r,
                    const std::function<void()>& after_send = {});

  // Mutates, re-protects, sends; fills the transcript and last_.
  TranscriptEntry& transmit(std::size_t i, const SendStep& step, std::string label,
                            const Bytes& built, const SentRequest& keys,
                            mikey::transport::RequestType type);

  // Records `keys` with the bytes as sent as the last resolve, verifies the answer with them and
  // annotates `e`.
  void judge_resolve(const SentRequest& keys, TranscriptEntry& e);

  // RESOLVE_RESP → TRANSFER_RESP → the Initiator; then compare both sides' SRTP keys.
  void complete_transfer(std::size_t i, roles::Responder& responder, ByteView answer);

  TranscriptEntry& local(std::size_t step, std::string label, ByteView message, std::string note);

  const SutProfile& profile() const { return prof_; }
  SutDriver& driver() { return drv_; }
  Evidence& evidence() { return last_; }

 private:
  // ---- settings ----

  const UserProfile& user_named(const std::string& name, SourcePos pos) const;

  Party settings(const std::vector<Setting>& set, Party party_default, const std::string& user);

  // The party's clock: the KMS's time (docs/latitude.md "clock-offset"), plus the case's offset.
  const roles::Clock& clock(std::int64_t offset_ms);

  // Chaining: a KMS_I user's Initiator asks the KMS_I (chain.h).
  roles::InitiatorConfig initiator_config(const Party& p) const {
    return harness::initiator_config(p, home_kms_identity(prof_, *p.user));
  }

  // ---- steps ----

  void do_create(std::size_t i, const CreateTicketStep& step);

  void do_send(std::size_t i, const SendStep& step, const ResolveSend& resolve);

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

class KmsCaseRunner final : public RoleRunner {
 public:
  KmsCaseRunner(const Scenario& s, const SutProfile& p, SutDriver& d, std::uint64_t seed,
                CaseResult& out)
      : session_(s, p, d, seed, out) {}

  void run() override;

 private:
  KmsSession session_;
};

}  // namespace mikeyconf::harness
