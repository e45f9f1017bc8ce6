// KMS variants whose decisions break one rule: who is served (RFC 6043 §4.2.1.4, §4.2.3.4,
// §12.2, §12.5), what is granted (§6.10), replays (RFC 3830 §5.4), the V flag (§4.2.1.1). Each
// wraps the reference: it refuses where the reference grants (an authenticated Error, as the
// reference sends after the MAC verified), grants where it refuses (a substitute request, or a
// second reference KMS without the check), or a second reference KMS with one roles::KmsFaults.
#include <map>
#include <mutex>
#include <set>

#include "harness/tests/mutant_tools.h"
#include "harness/tests/mutants.h"
#include "roles/error_message.h"
#include "roles/policy.h"

namespace mikeyconf::harness::mutants {

namespace {

using transport::KmsAnswer;
using transport::KmsHandler;
using transport::RequestType;

// The reference refusing what `judge` picks among the requests it answered with `granted`.
Runner refusing_some(codec::DataType granted, Judge judge) {
  return kms_wrapped([granted, judge](KmsHandler inner) {
    return refusing(std::move(inner), testing::reference_profile(), granted, judge);
  });
}

// The Ticket Policy of a REQUEST_INIT (desired) or of the TICKET of a RESOLVE_INIT.
std::optional<roles::PolicyView> policy_of(const roles::Received& r) {
  const auto& ps = r.message().payloads;
  const codec::TicketPolicy* tp = roles::find_body<codec::TicketPolicy>(ps);
  if (const auto* ticket = roles::find_body<codec::Ticket>(ps)) tp = &ticket->policy;
  if (tp == nullptr) return std::nullopt;
  auto view = roles::view_policy(*tp);
  if (!view.ok()) return std::nullopt;
  return std::move(view).value();
}

// The identity a RESOLVE_INIT resolves for: its IDRr.
std::optional<roles::Identity> resolving_for(const roles::Received& r) {
  const auto* idrr = roles::find_idr(r.message().payloads, codec::IdRole::idrr);
  if (idrr == nullptr) return std::nullopt;
  return roles::identity_of(*idrr);
}

// Whether any key in the desired KEMAC has a non-zero byte (T-6.10-13 wants them ignored).
bool desired_key_data_set(const roles::PolicyView& view) {
  if (view.desired_kemac == nullptr) return false;
  auto keys = roles::decode_keys(view.desired_kemac->encr_data);
  if (!keys.ok()) return false;
  for (const roles::KeyItem& k : keys.value())
    for (std::uint8_t b : k.key.view())
      if (b != 0) return true;
  return false;
}

// The reference, except that a resolve it refuses with `refusal` is answered by `fallback`
// when `when` holds (a KMS that skips the check behind that refusal).
Runner falls_back_on(codec::ErrorNo refusal, KmsHandler fallback,
                     std::function<bool(const roles::Received&)> when = {}) {
  return kms_wrapped([refusal, fallback, when](KmsHandler inner) -> KmsHandler {
    return [inner, refusal, fallback, when](RequestType t, ByteView req) {
      KmsAnswer a = inner(t, req);
      if (t != RequestType::ticket_resolve || error_number(a.mikey) != refusal) return a;
      if (when && !when(roles::receive(req))) return a;
      return fallback(t, req);
    };
  });
}

// Every user may resolve for every other user: the IDRr list of a ticket is not enforced.
void everyone_resolves(roles::KmsConfig& c) {
  for (roles::KmsUser& u : c.users)
    for (const roles::KmsUser& other : c.users)
      if (&other != &u) u.resolves_for.push_back(other.identity);
}

// T-4.2.1.4-1: a REQUEST_INIT whose IDRi is not the owner of the key (IDRpsk) is served as if
// it named the owner: the Initiator's authorization is never checked.
KmsHandler initiator_unchecked(KmsHandler inner) {
  const SutProfile profile = testing::reference_profile();
  return [inner, profile](RequestType t, ByteView req) {
    const roles::Received r = roles::receive(req);
    const UserProfile* owner = requester(profile, r);
    const auto* idri =
        r.parsed.ok() ? roles::find_idr(r.message().payloads, codec::IdRole::idri) : nullptr;
    if (t != RequestType::ticket_request || owner == nullptr || idri == nullptr ||
        idri->data == owner->identity.data) {
      return inner(t, req);
    }
    codec::Message m = r.message();
    for (codec::Payload& p : m.payloads) {
      auto* id = p.get<codec::IdWithRole>();
      if (id != nullptr && id->role == codec::IdRole::idri) id->data = owner->identity.data;
    }
    auto bytes = codec::serialize_message(m);
    if (!bytes.ok()) return inner(t, req);
    auto substitute = reprotect_for(bytes.value(), *owner, profile.kms_identity);
    auto keys = exchange_keys(req, owner->psk);
    if (!substitute.ok() || !keys) return inner(t, req);
    return answer_substitute(inner, t, substitute.value(), *keys);
  };
}

}  // namespace

void add_kms_policy_mutants(std::vector<Mutant>& out) {
  auto add = [&out](std::string name, Runner run) {
    out.push_back({std::move(name), SutRole::kms, std::move(run)});
  };
  // T-4.2.1.1-4: a REQUEST_INIT with V = 0 is taken to want no answer (HTTP 500, no MIKEY).
  add("no-answer-when-v-flag-0", kms_wrapped([](KmsHandler inner) -> KmsHandler {
        return [inner](RequestType t, ByteView req) {
          const codec::ParseOutcome p = codec::parse_message(req);
          if (t == RequestType::ticket_request && p.ok() && !p.message.hdr.v) {
            KmsAnswer none;
            none.kms_failed = true;
            return none;
          }
          return inner(t, req);
        };
      }));
  add("initiator-not-authorized", kms_wrapped(initiator_unchecked));  // T-4.2.1.4-1
  // T-4.2.1.4-2: a desired Ticket Policy without TRe is refused (15) instead of granted with
  // the KMS's own end (the policy "possibly modified").
  add("refuses-policy-without-tre",
      refusing_some(codec::DataType::request_resp,
                    [](const roles::Received& r) -> std::optional<codec::ErrorNo> {
                      auto view = policy_of(r);
                      if (!view || view->tre) return std::nullopt;
                      return codec::ErrorNo::invalid_tppar;
                    }));
  // T-4.2.3.4-1: an authorized, verified RESOLVE_INIT is refused (12).
  add("refuses-authorized-resolves",
      refusing_some(codec::DataType::resolve_resp, [](const roles::Received&) {
        return std::optional(codec::ErrorNo::unspecified);
      }));
  // T-6.10-15: only the first IDRr of the TP Data is taken as an authorized responder.
  add("first-listed-responder-only",
      refusing_some(codec::DataType::resolve_resp,
                    [](const roles::Received& r) -> std::optional<codec::ErrorNo> {
                      auto view = policy_of(r);
                      auto who = resolving_for(r);
                      if (!view || !who || view->idrr.empty() || view->idrr.front() == *who) {
                        return std::nullopt;
                      }
                      return codec::ErrorNo::invalid_id;
                    }));
  // T-6.10-13: the key data values of the desired KEMAC are not ignored: non-zero ones are
  // refused (15).
  add("refuses-desired-key-data",
      refusing_some(codec::DataType::request_resp,
                    [](const roles::Received& r) -> std::optional<codec::ErrorNo> {
                      auto view = policy_of(r);
                      if (!view || !desired_key_data_set(*view)) return std::nullopt;
                      return codec::ErrorNo::invalid_tppar;
                    }));
  // T-12.5-1: responders outside a ticket's IDRr list resolve it.
  add("unlisted-responders-resolve",
      falls_back_on(codec::ErrorNo::invalid_id, testing::altered_kms(everyone_resolves)));
  // T-12.2-1: with key forking, responders outside the IDRr list resolve it too.
  add("forking-tickets-resolved-by-anyone",
      falls_back_on(codec::ErrorNo::invalid_id, testing::altered_kms(everyone_resolves),
                    [](const roles::Received& r) {
                      const auto* t = roles::find_body<codec::Ticket>(r.message().payloads);
                      return t != nullptr && t->policy.flags.i;
                    }));
  add("answers-replays", kms_wrapped(answering_replays));  // M-5.4-1
  // T-6.10-1: desired policies that break the §6.10 flag rules are granted as they are.
  add("grants-inconsistent-flags",
      kms_altered([](roles::KmsConfig& c) { c.faults.ignore_flag_dependencies = true; }));
  // P.1-4: key forking silently dropped (tickets granted without the I flag).
  add("drops-key-forking",
      kms_altered([](roles::KmsConfig& c) { c.policy.allow_forking = false; }));
  // T-4.2.3.4-2: the Initiator Data (Vr) of a forking ticket is not verified.
  add("initiator-data-not-verified",
      kms_altered([](roles::KmsConfig& c) { c.faults.skip_initiator_data_check = true; }));
}

}  // namespace mikeyconf::harness::mutants
