// Ticket Policy semantics (RFC 6043 §6.10): flag dependencies, the TP
// Data contents, validity and authorization.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "codec/payloads.h"
#include "roles/failure.h"
#include "roles/types.h"
#include "wire/result.h"

namespace mikey::roles {

// RFC 6043 §6.10: NOT D ⇒ L; G ⇒ F; NOT G ⇒ H; NOT H ⇒ G; I ⇒ E; K ⇒ D; M ⇒ F. Returns the first
// rule that `f` violates ("G => F", ...), or nullopt.
std::optional<std::string_view> flag_violation(const codec::TicketFlags& f) noexcept;
// The keys forking changes (§5.1.1: TGKs, not TEKs or GTGKs); a ticket holding one needs F = 1
// when I = 1 (§6.10, T-6.10-2).
bool is_tgk(codec::KeyDataType t) noexcept;

// What the TP Data of a Ticket Policy says (RFC 6043 §6.10):
//   First Payload, [IDRkms], [IDRi], [TRs], [TRe], [TRr], [KEMAC], {IDRapp}, (IDRr)
struct PolicyView {
  std::optional<Identity> idrkms;    // a KMS that can resolve the ticket (the issuer, here)
  std::optional<Identity> idri;      // the peer that requested or created the ticket
  std::optional<std::int64_t> trs;   // Unix seconds; nullopt = no defined start
  std::optional<std::int64_t> tre;   // Unix seconds; nullopt = no defined end
  std::optional<std::uint32_t> trr;  // rekeying interval, seconds (NTP-UTC-32, §6.10)
  const codec::Kemac* desired_kemac = nullptr;  // only in a desired TP; points into the policy
  std::vector<Identity> idrapp;
  std::vector<Identity> idrr;  // responders authorized to resolve
};

// Reads the TP Data. Fails with ticket_policy_invalid when TRs/TRe carry no time (COUNTER or an
// unknown TS type), TRe precedes TRs, or TRr is not NTP-UTC-32 (§6.10).
Result<PolicyView, Failure> view_policy(const codec::TicketPolicy& tp) noexcept;

// Whether `now` (Unix seconds) lies within [TRs − early_s, TRe]: ok, or ticket_not_yet_valid /
// ticket_expired (INTERPRETATION: RFC 6043 defines TRs/TRe but not the
// receiver action). `early_s`: a party judging a ticket written with another party's clock
// allows that clock to run ahead by up to the skew (docs/latitude.md "clock-offset"); the KMS
// judging its own tickets allows nothing.
Result<PolicyView, Failure> check_validity(PolicyView view, std::int64_t now,
                                           std::int64_t early_s = 0) noexcept;

// Flags (ticket_policy_invalid), TP Data (view_policy) and validity (check_validity) together.
Result<PolicyView, Failure> check_ticket_policy(const codec::TicketPolicy& tp, std::int64_t now,
                                                std::int64_t early_s = 0) noexcept;

// Whether any identity of `candidates` is listed as an IDRr of the policy (RFC 6043 §6.10, §12.5).
bool authorizes(const PolicyView& view, const std::vector<Identity>& candidates) noexcept;

// TP Data builders for the granted policy (TRs/TRe as NTP-UTC-32, RFC 6043 §6.3).
codec::Payload make_tr(codec::TsRole role, std::int64_t unix_seconds);

}  // namespace mikey::roles
