// The setup probe (a setup fault must not count as a SUT failure): before the suite, every profile
// user the SUT serves is checked once against it, so that a profile that does not match the SUT (a
// wrong PSK, psk_id, identity or kms_identity, a wrong path, Host or media type, an unreachable
// URL) stops the run as a setup error naming the profile key, instead of failing cases as if
// the SUT broke the requirements they cite.
//
// Per SUT role (harness/README.md "Setup probe"):
//   kms        every user: a REQUEST_INIT_PSK as that user, granted and verified (its psk,
//              psk_id and identity, the profile's kms_identity, the Annex A request line). A
//              user refused there is tried as a Responder (a RESOLVE_INIT_PSK of a ticket
//              granted for it): a user that may only resolve is fine. parties.responder also
//              resolves once (the ticketresolve request type).
//   kms_i      the same for the users registered at the SUT (home: sut or both); the users of
//              the harness KMS_R and the KMS-to-KMS link are the sanity case's to check.
//   kms_r      each user registered at the SUT resolves a ticket the harness KMS_I granted for
//              it (home: peer users belong to the harness KMS_I, which reads the same profile).
//   initiator, responder: no probe (the harness plays the KMS from the profile itself).
//
// Only answers that point at the profile are setup errors: a MIKEY Error Auth failure, Invalid
// ID, Invalid TS or an algorithm / ticket-format refusal, an HTTP 4xx (some KMSs answer an
// authentication failure with a 4xx instead of an Error: docs/latitude.md
// "auth-failure-answer"), a connection that cannot be made. A 5xx, a timeout, garbage or an
// answer that does not verify is the SUT's to answer for: the probe stops there and the sanity
// case and the suite judge it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/driver.h"
#include "harness/profile.h"
#include "harness/results.h"

namespace mikeyconf::harness {

struct ProbeReport {
  std::vector<SetupProbe> probes;  // in the order they ran
  // Empty: nothing points at a profile mistake. Otherwise one line: what was seen and the
  // profile keys to check, e.g. "user 'bob' cannot authenticate to the KMS: MIKEY Error 0 Auth
  // failure for its REQUEST_INIT_PSK — check users.bob.psk and users.bob.psk_id (and
  // kms_identity)".
  std::string error;
};

// Probes `profile`'s users through `driver` (its exchanges go to the SUT like a case's).
// Deterministic for a run seed. Never throws.
ProbeReport probe_profile(const SutProfile& profile, SutDriver& driver, std::uint64_t run_seed);

}  // namespace mikeyconf::harness
