// KMS variants that mishandle tickets: their integrity (RFC 6043 §11, App. A.1), formats
// (TS 33.328 Annex D, §6.2.3.4.2), key derivations (App. A.2) and validity (§6.10; TS 33.328
// lifetimes). A TICKET the reference would refuse is re-MACed with the KMS's own TPK (the faulty
// KMS does not check what the reference checks), or a substitute request is served in place of
// the one sent; derivation faults are roles::KmsFaults in a second reference KMS.
#include <mutex>
#include <set>

#include "crypto/rng.h"
#include "harness/embedded_kms.h"
#include "harness/tests/mutant_tools.h"
#include "harness/tests/mutants.h"
#include "roles/clock.h"
#include "roles/error_message.h"
#include "roles/kms.h"
#include "roles/policy.h"

namespace mikeyconf::harness::mutants {

namespace {

using transport::KmsAnswer;
using transport::KmsHandler;
using transport::RequestType;

// The TICKET (resolve) or Ticket Policy (request) of `m`, for editing.
codec::TicketPolicy* policy_in(codec::Message& m) {
  for (codec::Payload& p : m.payloads) {
    if (auto* t = p.get<codec::Ticket>()) return &t->policy;
    if (auto* tp = p.get<codec::TicketPolicy>()) return tp;
  }
  return nullptr;
}

Runner serving_substitutes(Substitute substitute) {
  return kms_wrapped([substitute](KmsHandler inner) -> KmsHandler {
    return substituting(std::move(inner), testing::reference_profile(), substitute);
  });
}

// `r` with its Ticket Policy / TICKET format changed by `edit` (nullopt when `edit` says no).
std::optional<Bytes> with_format(const roles::Received& r,
                                 const std::function<bool(codec::TicketPolicy&)>& edit) {
  if (!r.parsed.ok()) return std::nullopt;
  codec::Message m = r.message();
  codec::TicketPolicy* tp = policy_in(m);
  if (tp == nullptr || !edit(*tp)) return std::nullopt;
  auto bytes = codec::serialize_message(m);
  if (!bytes.ok()) return std::nullopt;
  return std::move(bytes).value();
}

// D.1-4: an unsupported Ticket Type is read as the MIKEY base ticket (1/1/1), not refused.
bool unknown_type_as_base_ticket(codec::TicketPolicy& tp) {
  const auto type = codec::raw(tp.ticket_type);
  if (type == 1 || type == 2) return false;
  tp.ticket_type = codec::TicketType::mikey_base_ticket;
  tp.subtype = 1;
  tp.version = 1;
  return true;
}

// S-6.2.3.4.2-1: any Subtype / Version of Ticket Type 2 is taken for 0 / 0.
bool any_type2_subtype(codec::TicketPolicy& tp) {
  if (tp.ticket_type != codec::TicketType::three_gpp_base_ticket ||
      (tp.subtype == 0 && tp.version == 0)) {
    return false;
  }
  tp.subtype = 0;
  tp.version = 0;
  return true;
}

// The resolve's TICKET re-MACed with the KMS's TPK when `unchecked` says this variant would not
// notice what changed in it (T-11-1, T-A.1-6).
Substitute remaced_when(std::function<bool(const codec::Ticket&)> unchecked) {
  auto keys = std::make_shared<const std::vector<roles::TicketKey>>(
      ticket_keys(testing::reference_profile()));
  return [keys, unchecked](const roles::Received& r) -> std::optional<Bytes> {
    const auto* ticket = roles::find_body<codec::Ticket>(r.message().payloads);
    if (ticket == nullptr || !unchecked(*ticket)) return std::nullopt;
    auto remaced = remac_ticket(r.bytes, *keys);
    if (!remaced.ok() || remaced.value() == r.bytes) return std::nullopt;
    return std::move(remaced).value();
  };
}

// T-A.1-6: the ticket MAC leaves out the Ticket Policy, so a TICKET whose Ticket Data this KMS
// issued passes whatever its policy now says.
KmsHandler mac_skips_policy(KmsHandler inner) {
  struct Issued {
    std::mutex mu;
    std::set<Bytes> ticket_data;
  };
  auto issued = std::make_shared<Issued>();
  KmsHandler resolve = substituting(inner, testing::reference_profile(),
                                    remaced_when([issued](const codec::Ticket& t) {
                                      std::lock_guard<std::mutex> lock(issued->mu);
                                      return issued->ticket_data.count(t.ticket_data) > 0;
                                    }));
  return [inner, resolve, issued](RequestType t, ByteView req) {
    if (t == RequestType::ticket_resolve) return resolve(t, req);
    KmsAnswer a = inner(t, req);
    const codec::ParseOutcome p = codec::parse_message(a.mikey);
    const auto* ticket = p.ok() ? roles::find_body<codec::Ticket>(p.message.payloads) : nullptr;
    std::lock_guard<std::mutex> lock(issued->mu);
    if (ticket != nullptr) issued->ticket_data.insert(ticket->ticket_data);
    return a;
  };
}

// P.1-6: TRs / TRe are not enforced. A resolve the reference refuses with 14 goes to a second
// reference KMS that judges every ticket at its TRs (its T checks still pass: the suite's
// expired tickets start less than the 300 s clock skew before their resolve) and lets tickets
// start a year late.
KmsHandler validity_ignored(KmsHandler inner) {
  KmsHandler second = testing::altered_kms(
      [](roles::KmsConfig& c) { c.policy.latitude.ticket_start_grace_s = 366 * 86'400; },
      ticket_start);
  return [inner, second](RequestType t, ByteView req) {
    KmsAnswer a = inner(t, req);
    if (t != RequestType::ticket_resolve ||
        error_number(a.mikey) != codec::ErrorNo::invalid_ticket) {
      return a;
    }
    return second(t, req);
  };
}

}  // namespace

void add_kms_ticket_mutants(std::vector<Mutant>& out) {
  auto add = [&out](std::string name, Runner run) {
    out.push_back({std::move(name), SutRole::kms, std::move(run)});
  };
  // T-11-1: the TICKET's MAC is never verified.
  add("ticket-mac-not-verified",
      serving_substitutes(remaced_when([](const codec::Ticket&) { return true; })));
  add("ticket-mac-skips-policy", kms_wrapped(mac_skips_policy));  // T-A.1-6
  add("unknown-ticket-type-as-base-ticket", serving_substitutes([](const roles::Received& r) {
        return with_format(r, unknown_type_as_base_ticket);
      }));  // D.1-4
  add("type2-any-subtype", serving_substitutes([](const roles::Received& r) {
        return with_format(r, any_type2_subtype);
      }));                                                        // S-6.2.3.4.2-1
  add("ignores-ticket-validity", kms_wrapped(validity_ignored));  // P.1-6
  // T-6.10-10: TRs / TRe read one NTP era late, so every ticket seems to start after 2036.
  add("tr-era-late", kms_altered([](roles::KmsConfig& c) { c.faults.tr_era_late = true; }));
  // T-A.2.1-1: a received ticket's keys derived from the TPK with the wrong PRF.
  add("tpk-keys-other-prf",
      kms_altered([](roles::KmsConfig& c) { c.faults.tpk_keys_other_prf = true; }));
  // T-A.2.2-1: MPKi and MPKr derived with each other's constant.
  add("mpki-mpkr-swapped",
      kms_altered([](roles::KmsConfig& c) { c.faults.mpki_mpkr_swapped = true; }));
}

}  // namespace mikeyconf::harness::mutants
