// KMS variants whose REQUEST_RESP or RESOLVE_RESP breaks one rule of RFC 6043 §4.2.1.5 /
// §4.2.3.5 / §5.1.1: the reference's answer is opened with the requester's keys, changed in that
// one respect and sealed again (re-encrypted and re-MACed with the user's keys), so nothing else
// about it is wrong.
#include <algorithm>
#include <functional>

#include "crypto/derive.h"
#include "crypto/labels.h"
#include "harness/tests/answer_changes.h"
#include "harness/tests/mutant_tools.h"
#include "harness/tests/mutants.h"

namespace mikeyconf::harness::mutants {

namespace {

// The reference KMS with every answer of type `which` rewritten by `change`.
Runner rewriting(codec::DataType which, AnswerChange change) {
  return kms_wrapped([which, change](transport::KmsHandler inner) {
    return rewriting_answers(std::move(inner), testing::reference_profile(), which, change);
  });
}

const codec::DataType kRequestResp = codec::DataType::request_resp;
const codec::DataType kResolveResp = codec::DataType::resolve_resp;

// The answer's TICKET re-MACed with the KMS's TPK after its policy was changed, as a KMS that
// issued it so would have sealed it (App. A.1).
bool remac_answer_ticket(AnswerEdit& e) {
  auto bytes = codec::serialize_message(e.answer.model);
  if (!bytes.ok()) return false;
  auto remaced = remac_ticket(bytes.value(), ticket_keys(e.profile));
  if (!remaced.ok()) return false;
  const codec::ParseOutcome p = codec::parse_message(remaced.value());
  if (!p.ok()) return false;
  e.answer.model = p.message;
  return true;
}

codec::TicketPolicy* granted_policy(AnswerEdit& e) {
  for (codec::Payload& p : e.answer.model.payloads)
    if (auto* t = p.get<codec::Ticket>()) return &t->policy;
  return nullptr;
}

}  // namespace

void add_kms_answer_mutants(std::vector<Mutant>& out) {
  auto add = [&out](std::string name, codec::DataType which, AnswerChange change) {
    out.push_back({std::move(name), SutRole::kms, rewriting(which, std::move(change))});
  };
  // T-4.2.1-2: REQUEST_RESP protected with another user's PSK, not the one the request named.
  add("request-resp-keyed-for-another-user", kRequestResp, [](AnswerEdit& e) {
    e.keys.psk = another_psk(e.profile, e.keys.psk);
    return !e.keys.psk.empty();
  });
  add("request-resp-csb-id-not-copied", kRequestResp, csb_id_not_copied);  // T-4.2.1.5-1
  add("request-resp-v-flag-set", kRequestResp, v_flag_set);                // T-4.2.1.5-2
  add("request-resp-stale-timestamp", kRequestResp, stale_timestamp);      // T-4.2.1.5-4
  add("request-resp-without-mpki", kRequestResp, without_mpki);            // T-4.2.1.5-9
  // T-4.2.1.5-10: with key forking, MPKr after the session keys instead of right after MPKi.
  add("request-resp-mpkr-after-session-keys", kRequestResp, [](AnswerEdit& e) {
    roles::KeySet& k = e.answer.keys;
    if (k.size() < 3 || k[1].type != codec::KeyDataType::mpk) return false;
    std::rotate(k.begin() + 1, k.begin() + 2, k.end());
    return true;
  });
  add("request-resp-mac-without-request", kRequestResp, mac_without_request);  // T-4.2.1.5-11
  // D.1-1: a 3GPP ticket (Type 2) issued with Version 1 instead of 0.
  add("type2-ticket-version-1", kRequestResp, [](AnswerEdit& e) {
    codec::TicketPolicy* tp = granted_policy(e);
    if (tp == nullptr || tp->ticket_type != codec::TicketType::three_gpp_base_ticket) return false;
    tp->version = 1;
    return true;
  });
  // T-6.10-2: a forking grant (I = 1) with F = 0 although a TGK is encoded.
  add("forking-grant-without-f", kRequestResp, [](AnswerEdit& e) {
    codec::TicketPolicy* tp = granted_policy(e);
    if (tp == nullptr || !tp->flags.i || !tp->flags.f) return false;
    tp->flags.f = false;
    return remac_answer_ticket(e);
  });
  add("resolve-resp-csb-id-not-copied", kResolveResp, csb_id_not_copied);  // T-4.2.3.5-1
  add("resolve-resp-stale-timestamp", kResolveResp, stale_timestamp);      // T-4.2.3.5-2
  // T-4.2.3.5-3: the KEMAC under keys from another user's PSK; the V MAC still the Responder's.
  add("resolve-resp-kemac-keyed-for-another-user", kResolveResp, kemac_for_another_user);
  add("resolve-resp-without-mpki", kResolveResp, without_mpki);  // T-4.2.3.5-4
  // T-4.2.3.5-5: with key forking, no MPKr' in the KEMAC.
  add("resolve-resp-without-mpkr-prime", kResolveResp, without_mpkr_prime);
  // T-4.2.3.5-6: with key forking, the modifier's RANDRkms left out.
  add("resolve-resp-without-randrkms", kResolveResp, without_randrkms);
  add("resolve-resp-mac-without-request", kResolveResp, mac_without_request);  // T-4.2.3.5-8
  // T-5.1.1-1: MPKr' and TGK' forked with RANDRkms only (no IDRr ID Data in the modifier).
  add("forks-without-idrr", kResolveResp, reforked(true, mikey::crypto::kConstTgkFork));
  // T-5.1.1-4: TGK' forked with the MPKr' constant 0x2B288856.
  add("tgk-forked-with-mpkr-constant", kResolveResp,
      reforked(false, mikey::crypto::kConstMpkrFork));
  // T-5.1.1-3: TEKs forked like TGKs.
  add("forks-teks", kResolveResp,
      forking_also({codec::KeyDataType::tek, codec::KeyDataType::tek_salt}));
  // T-6.2.1-2: GTGKs forked like TGKs.
  add("forks-gtgks", kResolveResp,
      forking_also({codec::KeyDataType::gtgk, codec::KeyDataType::gtgk_salt}));
}

}  // namespace mikeyconf::harness::mutants
