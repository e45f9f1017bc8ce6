// What the KMS-role case runner (engine.cc) and the UE-role one (ue_runner.cc) share about the
// reference parties the harness plays: their credentials and configs from the SUT
// profile, the `set:` keys both understand (harness/README.md "set:"), and the judging of an
// expect step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "harness/profile.h"
#include "harness/results.h"
#include "harness/scenario.h"
#include "roles/clock.h"
#include "roles/credential.h"
#include "roles/initiator.h"
#include "roles/responder.h"
#include "roles/ticket.h"

namespace mikeyconf::harness {

// The user's PSK with its psk_id (RFC 6043 §4.1: the pre-shared key with the KMS).
std::shared_ptr<const mikey::roles::PskCredential> psk_credential(const UserProfile& u);

// A profile's ticket key (mode3_tpk or embedded.ticket_keys) as the reference roles take it.
mikey::roles::TicketKey ticket_key(const TicketKeySpec& s);

// The settings of a harness party (harness/README.md "set:"): who it is, whom the transfer is
// for, its clock and algorithms, and the desired Ticket Policy.
struct PartySettings {
  const UserProfile* user = nullptr;
  const UserProfile* to = nullptr;
  std::int64_t clock_offset_ms = 0;
  // Only the T payload is this far from the party's clock (e.g. a stale timestamp while the
  // Ticket Policy keeps the current time); the message is re-protected after the shift.
  std::int64_t t_offset_ms = 0;
  mikey::roles::Algorithms algorithms;
  mikey::roles::TicketRequest ticket;
  bool include_idrpsk = true;
  bool include_idrkms = true;
};

// The profile's algorithms, ticket format and lifetime, then an `algorithms:` suite from `set`
// (first, so the single overrides apply over it), and the Ticket Policy's PRF from the result.
void start_party_settings(PartySettings& p, const SutProfile& profile,
                          const std::vector<Setting>& set);

// Applies one `set:` key that means the same to every runner (clock, single algorithms, Ticket
// Policy format, lifetime, keys and flags, the IDR options); false for any other key. The
// callers handle the user keys (as, to, ticket_policy.responders) and ticket_policy.prf.
bool apply_party_setting(const Setting& s, PartySettings& p);

// An Initiator of `p` that asks `kms_identity`; it also accepts a grant of the format it asks
// for.
mikey::roles::InitiatorConfig initiator_config(const PartySettings& p,
                                               const mikey::roles::Identity& kms_identity);

// A Responder of `p` that resolves with `kms_identity`; a TRANSFER_INIT addressed to `to` (when
// not p's own user) is its alias.
mikey::roles::ResponderConfig responder_config(const PartySettings& p, const UserProfile& to,
                                               const mikey::roles::Identity& kms_identity);

// Judges an expect step (step index `step`) into out.expectations: its checks and, after a
// failed check, its inconclusive_if clause. False when the case ends here, with the verdict fail
// or (every inconclusive_if clause holds) inconclusive and the reason naming the first failure.
bool judge_expect_step(std::size_t step, const ExpectStep& e,
                       const std::function<ExpectationResult(const Check&)>& judge,
                       CaseResult& out);

}  // namespace mikeyconf::harness
