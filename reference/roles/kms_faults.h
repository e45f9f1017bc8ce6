// Test-only fault injection for the reference KMS: each flag makes it break exactly one
// requirement (the row named in its comment), so the conformance suite can be shown to catch the
// violation (harness/tests/mutants.h, cases/mutation-registry.yaml). No configuration file sets
// these: the config loader knows none of them, only tests build a KmsConfig with one set. Faults
// that can be done outside the KMS (a wrapper rewriting its answers) are done there instead; the
// ones here need the KMS's own decisions or derivations to go wrong.
#pragma once

#include <utility>

#include "codec/payloads.h"
#include "roles/clock.h"
#include "roles/policy.h"

namespace mikey::roles {

struct KmsFaults {
  // T-4.2.3.4-2: the Initiator Data (Vr) of a forking ticket is not verified on resolve.
  bool skip_initiator_data_check = false;
  // T-6.10-1: a desired Ticket Policy is granted without checking the §6.10 flag dependencies.
  bool ignore_flag_dependencies = false;
  // T-6.10-10: the NTP-UTC-32 TRs / TRe of a desired Ticket Policy are read one NTP era late
  // (2036–2172, not 1968–2104); granted ones keep their bytes (the era wraps back).
  bool tr_era_late = false;
  // T-A.2.1-1: the TPK-derived keys of a ticket use the other PRF than the Ticket Policy's. The
  // KMS seals its own tickets with the same mistake, so only tickets another party sealed (mode
  // 3, D = 0) show it: they fail their MAC check.
  bool tpk_keys_other_prf = false;
  // T-A.2.2-1: MPKi and MPKr exchange their label constants (0x220E99A2 / 0x1F4D675B).
  bool mpki_mpkr_swapped = false;
};

namespace kms_faults {

// tr_era_late: TRs and TRe as that KMS reads them (one NTP era, 2^32 s, later).
inline void read_tr_era_late(PolicyView& view) noexcept {
  if (view.trs) *view.trs += kNtpEra;
  if (view.tre) *view.tre += kNtpEra;
}

// ignore_flag_dependencies: the policy that KMS checks — the desired one with the flags the
// §6.10 rules would want, so no rule fails; the desired flags are what it grants.
inline codec::TicketPolicy flags_unchecked(codec::TicketPolicy tp) {
  codec::TicketFlags& f = tp.flags;
  if (!f.d) f.l = true;
  if (f.g || f.m) f.f = true;
  if (!f.g) f.h = true;
  if (f.i) f.e = true;
  return tp;
}

// tpk_keys_other_prf: the ticket as that KMS opens it (Ticket Policy PRF swapped; the MAC is still
// computed over the TICKET bytes as received).
inline codec::Ticket with_other_prf(codec::Ticket t) {
  t.policy.prf_func = t.policy.prf_func == codec::PrfFunc::mikey_1 ? codec::PrfFunc::prf_hmac_sha256
                                                                   : codec::PrfFunc::mikey_1;
  return t;
}

}  // namespace kms_faults
}  // namespace mikey::roles
