// KMS_R and KMS_I variants (RFC 6043 §10; TS 33.328 §6.2.3.8, Annex A.1, Annex B — the B.1-*
// rows are an UNCONFIRMED derivation from RFC 6043 §10): the embedded reference of the role with
// its Annex A handler wrapped, its configuration edited, its end of the KMS-to-KMS link changed, or
// (KMS_R) its KMS-to-KMS transport wrapped (ChainSetupOptions).
#include <algorithm>

#include "crypto/labels.h"
#include "harness/chain_peers.h"
#include "harness/mutate.h"
#include "harness/tests/answer_changes.h"
#include "harness/tests/mutant_tools.h"
#include "harness/tests/mutants.h"
#include "roles/clock.h"

namespace mikeyconf::harness::mutants {

namespace {

using transport::KmsAnswer;
using transport::KmsHandler;
using transport::RequestType;

// The Responder's RESOLVE_INIT the embedded KMS_R is handling on this thread (its KMS-to-KMS
// call runs synchronously inside the handler).
thread_local const Bytes* tl_responder_request = nullptr;
// KMS_I's answer to the forward made for it.
thread_local Bytes tl_kms_i_answer;

// Sets tl_responder_request around the wrapped handler.
KmsHandler remembering_request(KmsHandler inner) {
  return [inner](RequestType t, ByteView req) {
    const Bytes request(req.begin(), req.end());
    tl_responder_request = &request;
    tl_kms_i_answer.clear();
    KmsAnswer a = inner(t, req);
    tl_responder_request = nullptr;
    return a;
  };
}

// A KMS-to-KMS transport that lets `edit` change the forward and `answer` KMS_I's answer.
class EditedPeer final : public roles::KmsPeer {
 public:
  using Edit = std::function<Bytes(ByteView forward)>;
  using Answer = std::function<Bytes(ByteView forward, ByteView sent, Bytes answer)>;
  EditedPeer(std::unique_ptr<roles::KmsPeer> inner, Edit edit, Answer answer)
      : inner_(std::move(inner)), edit_(std::move(edit)), answer_(std::move(answer)) {}
  mikey::Result<Bytes, roles::PeerError> resolve(const roles::PeerKms& peer,
                                                 ByteView forward) noexcept override {
    try {
      const Bytes sent = edit_ ? edit_(forward) : Bytes(forward.begin(), forward.end());
      auto a = inner_->resolve(peer, sent);
      if (!a.ok()) return a;
      tl_kms_i_answer = a.value();
      return answer_ ? answer_(forward, sent, std::move(a).value()) : std::move(a).value();
    } catch (...) {
      return roles::PeerError{"faulty peer wrapper failed"};
    }
  }

 private:
  std::unique_ptr<roles::KmsPeer> inner_;
  Edit edit_;
  Answer answer_;
};

ChainSetupOptions peer_edited(EditedPeer::Edit edit, EditedPeer::Answer answer) {
  ChainSetupOptions o;
  o.wrap_sut = remembering_request;
  o.wrap_sut_peer = [edit, answer](std::unique_ptr<roles::KmsPeer> inner) {
    return std::make_unique<EditedPeer>(std::move(inner), edit, answer);
  };
  return o;
}

Runner kms_r(ChainSetupOptions o) { return chain_variant(SutRole::kms_r, std::move(o)); }
Runner kms_i(ChainSetupOptions o) { return chain_variant(SutRole::kms_i, std::move(o)); }

ChainSetupOptions wrapping(std::function<KmsHandler(KmsHandler)> wrap) {
  ChainSetupOptions o;
  o.wrap_sut = std::move(wrap);
  return o;
}

ChainSetupOptions rewriting(SutRole role, codec::DataType which, AnswerChange change) {
  const SutProfile profile = profile_of(role);
  return wrapping([profile, which, change](KmsHandler inner) {
    return rewriting_answers(std::move(inner), profile, which, change, profile.chaining->psk);
  });
}

// The keys of KMS_R's forward under the KMS-to-KMS PSK, towards the KMS `kms` (default: the
// profile's peer, KMS_I when the SUT is KMS_R).
ProtectionKeys link_keys(const SutProfile& p, ByteView forward,
                         const roles::Identity* kms = nullptr) {
  const roles::Received r = roles::receive(forward);
  const auto* idrr =
      r.parsed.ok() ? roles::find_idr(r.message().payloads, codec::IdRole::idrr) : nullptr;
  ProtectionKeys k;
  k.psk = p.chaining->psk;
  // ProtectionKeys holds views: point into `forward` (the caller keeps it), not into `r`, which
  // dies with this call.
  if (idrr != nullptr && !idrr->data.empty()) {
    const auto at =
        std::search(forward.begin(), forward.end(), idrr->data.begin(), idrr->data.end());
    if (at != forward.end()) k.identity_peer = ByteView(&*at, idrr->data.size());
  }
  k.identity_kms = (kms != nullptr ? *kms : p.chaining->peer_identity).data;
  k.resolve = true;
  return k;
}

// `request` re-MACed with the key of the user it names (a Responder whose MAC failed).
std::optional<Bytes> remaced_for_user(const SutProfile& p, ByteView request) {
  const roles::Received r = roles::receive(request);
  const UserProfile* user = requester(p, r);
  if (user == nullptr) return std::nullopt;
  auto fixed = reprotect_for(request, *user, p.kms_identity);
  if (!fixed.ok() || fixed.value() == r.bytes) return std::nullopt;
  return std::move(fixed).value();
}

// B.1-1: the Responder's MAC is checked only after KMS_I was asked: a resolve refused for its
// MAC was first forwarded all the same.
KmsHandler verifies_after_forwarding(KmsHandler inner) {
  const SutProfile p = profile_of(SutRole::kms_r);
  return [inner, p](RequestType t, ByteView req) {
    KmsAnswer a = inner(t, req);
    if (t != RequestType::ticket_resolve || error_number(a.mikey) != codec::ErrorNo::auth_failure) {
      return a;
    }
    if (auto fixed = remaced_for_user(p, req)) inner(t, *fixed);
    return a;
  };
}

// T-5.4-2 (KMS_R): a Responder RESOLVE_INIT whose MAC fails is served.
KmsHandler serves_failing_mac(KmsHandler inner) {
  const SutProfile p = profile_of(SutRole::kms_r);
  return [inner, p](RequestType t, ByteView req) {
    const roles::Received r = roles::receive(req);
    const UserProfile* user = requester(p, r);
    auto fixed = t == RequestType::ticket_resolve ? remaced_for_user(p, req) : std::nullopt;
    auto keys = user != nullptr ? exchange_keys(req, user->psk) : std::nullopt;
    if (!fixed || !keys) return inner(t, req);
    return answer_substitute(inner, t, *fixed, *keys);
  };
}

// B.1-2: KMS_R's forward carries the Responder's CSB ID (re-MACed with the KMS-to-KMS key);
// KMS_I's answer is translated back so KMS_R's own checks still pass.
ChainSetupOptions forward_reuses_csb_id() {
  const SutProfile p = profile_of(SutRole::kms_r);
  auto edit = [p](ByteView forward) -> Bytes {
    const Bytes original(forward.begin(), forward.end());
    const auto responder =
        tl_responder_request ? codec::parse_message(*tl_responder_request) : codec::ParseOutcome{};
    codec::ParseOutcome f = codec::parse_message(forward);
    if (!responder.ok() || !f.ok()) return original;
    f.message.hdr.csb_id = responder.message.hdr.csb_id;
    auto bytes = codec::serialize_message(f.message);
    auto sent = bytes.ok() ? re_protect(bytes.value(), link_keys(p, forward))
                           : mikey::Result<Bytes, std::string>(std::string("no"));
    return sent.ok() ? std::move(sent).value() : original;
  };
  auto answer = [p](ByteView forward, ByteView sent, Bytes a) -> Bytes {
    auto used = exchange_keys(sent, p.chaining->psk);
    auto own = exchange_keys(forward, p.chaining->psk);
    if (!used || !own) return a;
    auto opened = open_answer(a, *used);
    if (!opened.ok()) return a;
    opened->model.hdr.csb_id = own->csb_id;
    auto sealed = seal_answer(opened.value(), *own);
    return sealed.ok() ? std::move(sealed).value() : a;
  };
  return peer_edited(edit, answer);
}

// B.1-3: KMS_I's RESOLVE_RESP is used without checking its MAC (re-MACed here so the
// reference KMS_R, which checks, finds it right).
ChainSetupOptions kms_i_mac_unchecked() {
  const SutProfile p = profile_of(SutRole::kms_r);
  auto answer = [p](ByteView, ByteView sent, Bytes a) -> Bytes {
    auto keys = exchange_keys(sent, p.chaining->psk);
    const roles::Received r = roles::receive(a);
    const codec::Verification* v = r.parsed.ok() ? roles::last_v(r.message()) : nullptr;
    if (!keys || v == nullptr || r.message().hdr.data_type != codec::DataType::resolve_resp) {
      return a;
    }
    auto auth = roles::message_keys(keys->response(codec::EncrAlg::null), codec::EncrAlg::null,
                                    v->auth_alg);
    auto fixed = auth.ok() ? remac(a, auth->auth.view(), keys->request)
                           : mikey::Result<Bytes, std::string>(std::string("no key"));
    return fixed.ok() ? std::move(fixed).value() : a;
  };
  return peer_edited({}, answer);
}

// S-6.2.3.8-3: KMS_I's RESOLVE_RESP is handed to the Responder as it came, not re-encoded.
ChainSetupOptions passes_kms_i_answer_through() {
  ChainSetupOptions o = peer_edited({}, {});
  o.wrap_sut = [](KmsHandler inner) -> KmsHandler {
    return remembering_request([inner](RequestType t, ByteView req) {
      KmsAnswer a = inner(t, req);
      if (data_type_of(a.mikey) == codec::DataType::resolve_resp && !tl_kms_i_answer.empty()) {
        a.mikey = tl_kms_i_answer;
      }
      return a;
    });
  };
  return o;
}

// B.1-6: a KMS_I failure (the reference KMS_R's Error 12) is answered with a RESOLVE_RESP
// carrying keys KMS_R made up.
KmsHandler failure_reported_as_keys(KmsHandler inner) {
  const SutProfile p = profile_of(SutRole::kms_r);
  return [inner, p](RequestType t, ByteView req) {
    KmsAnswer a = inner(t, req);
    const roles::Received r = roles::receive(req);
    const UserProfile* user = requester(p, r);
    auto keys = user != nullptr ? exchange_keys(req, user->psk) : std::nullopt;
    const codec::Verification* v = r.parsed.ok() ? roles::last_v(r.message()) : nullptr;
    if (error_number(a.mikey) != codec::ErrorNo::unspecified || !keys || v == nullptr) return a;
    OpenAnswer made_up;
    made_up.model.hdr = r.message().hdr;
    made_up.model.hdr.data_type = codec::DataType::resolve_resp;
    made_up.model.hdr.v = false;
    made_up.model.payloads.push_back(roles::make_t(roles::SystemClock().now()));
    made_up.model.payloads.push_back(roles::make_idr(codec::IdRole::idrkms, p.kms_identity));
    made_up.model.payloads.push_back(codec::make_payload(codec::Kemac{}));
    made_up.model.payloads.push_back(roles::make_v(v->auth_alg));
    roles::KeyItem mpki;
    mpki.type = codec::KeyDataType::mpk;
    mpki.key = mikey::crypto::SecureBytes(Bytes(16, 0x42));
    mpki.spi = {1, 2, 3, 4};
    roles::KeyItem tgk = mpki.clone();
    tgk.type = codec::KeyDataType::tgk;
    made_up.keys.push_back(std::move(mpki));
    made_up.keys.push_back(std::move(tgk));
    auto sealed = seal_answer(made_up, *keys);
    if (sealed.ok()) a.mikey = std::move(sealed).value();
    return a;
  };
}

// Every user may resolve for every other user (KMS_R leaves authorization to KMS_I).
void everyone_resolves(roles::KmsConfig& c) {
  for (roles::KmsUser& u : c.users)
    for (const roles::KmsUser& other : c.users)
      if (&other != &u && !other.peer_kms) u.resolves_for.push_back(other.identity);
}

// ---- KMS_I ----

// Whether `r` is a forward from the harness KMS_R (its IDRpsk names the KMS-to-KMS key).
bool is_forward(const SutProfile& p, const roles::Received& r) {
  const auto* psk_id =
      r.parsed.ok() ? roles::find_idr(r.message().payloads, codec::IdRole::idrpsk) : nullptr;
  return psk_id != nullptr && p.chaining->psk_id && psk_id->data == p.chaining->psk_id->data;
}

// Whether `id` is a user registered at the SUT (home: sut or both).
bool own_user(const SutProfile& p, const Bytes& id) {
  for (const UserProfile& u : p.users)
    if (u.home != UserHome::peer && u.identity.data == id) return true;
  return false;
}

// B.0-6: when a forward's IDRr names one of its own users, the key is looked up by that IDRr
// (KMS_R's IDRpsk dropped before the reference sees the request, so it falls back to the IDRr).
KmsHandler keyed_by_forwarded_idrr(KmsHandler inner) {
  const SutProfile p = profile_of(SutRole::kms_i);
  return [inner, p](RequestType t, ByteView req) {
    const roles::Received r = roles::receive(req);
    const auto* idr =
        r.parsed.ok() ? roles::find_idr(r.message().payloads, codec::IdRole::idrr) : nullptr;
    const auto psk_at =
        r.parsed.ok() ? testing::idr_index(r.message(), codec::IdRole::idrpsk) : std::nullopt;
    if (t != RequestType::ticket_resolve || idr == nullptr || !psk_at || !is_forward(p, r) ||
        !own_user(p, idr->data)) {
      return inner(t, req);
    }
    Mutation drop;
    drop.knob = Knob::delete_field;
    drop.field = "payload[IDR:" + std::to_string(*psk_at) + "]";
    auto by_idrr = apply_mutation(req, drop);
    return by_idrr.ok() ? inner(t, by_idrr.value()) : inner(t, req);
  };
}

// S-6.2.3.8-1, T-5.4-2 (KMS_I): a forward is re-MACed with the KMS-to-KMS key before the
// reference sees it: whatever MAC KMS_R sent is accepted.
KmsHandler ignores_kms_r_mac(KmsHandler inner) {
  const SutProfile p = profile_of(SutRole::kms_i);
  return [inner, p](RequestType t, ByteView req) {
    const roles::Received r = roles::receive(req);
    if (t != RequestType::ticket_resolve || !is_forward(p, r)) return inner(t, req);
    auto fixed = re_protect(req, link_keys(p, req, &p.kms_identity));
    auto keys = exchange_keys(req, p.chaining->psk);
    if (!fixed.ok() || !keys || fixed.value() == r.bytes) return inner(t, req);
    return answer_substitute(inner, t, fixed.value(), *keys);
  };
}

// S-6.2.3.8-4 (KMS_I): trust is not hop by hop — a forward for a Responder this KMS does not know
// itself is refused (7 Invalid ID), as if only its own users could be vouched for.
KmsHandler authenticates_responder(KmsHandler inner) {
  const SutProfile p = profile_of(SutRole::kms_i);
  return [inner, p](RequestType t, ByteView req) {
    const roles::Received r = roles::receive(req);
    const auto* idrr =
        r.parsed.ok() ? roles::find_idr(r.message().payloads, codec::IdRole::idrr) : nullptr;
    auto keys = exchange_keys(req, p.chaining->psk);
    if (t != RequestType::ticket_resolve || !is_forward(p, r) || idrr == nullptr || !keys ||
        own_user(p, idrr->data)) {
      return inner(t, req);
    }
    KmsAnswer a;
    a.mikey = authenticated_error(req, *keys, codec::ErrorNo::invalid_id);
    return a;
  };
}

// A RESOLVE_INIT for an identity the ticket's IDRr list lacks, with its IDRr changed to the first
// listed one, or nullopt.
std::optional<Bytes> as_first_listed(const roles::Received& r) {
  const auto* ticket =
      r.parsed.ok() ? roles::find_body<codec::Ticket>(r.message().payloads) : nullptr;
  const auto* idrr =
      ticket != nullptr ? roles::find_idr(r.message().payloads, codec::IdRole::idrr) : nullptr;
  auto view =
      ticket != nullptr
          ? roles::view_policy(ticket->policy)
          : mikey::Result<roles::PolicyView, roles::Failure>(roles::Failure::missing_payload);
  if (idrr == nullptr || !view.ok() || view->idrr.empty()) return std::nullopt;
  for (const roles::Identity& listed : view->idrr)
    if (listed.data == idrr->data) return std::nullopt;
  codec::Message m = r.message();
  for (codec::Payload& p : m.payloads) {
    auto* id = p.get<codec::IdWithRole>();
    if (id != nullptr && id->role == codec::IdRole::idrr) {
      *id = {codec::IdRole::idrr, view->idrr.front().type, view->idrr.front().data};
    }
  }
  auto bytes = codec::serialize_message(m);
  if (!bytes.ok()) return std::nullopt;
  return std::move(bytes).value();
}

// T-12.5-1 (KMS_R): a Responder outside the ticket's IDRr list is forwarded as the first listed
// one (its own key still protects its exchange), so KMS_I resolves for it.
KmsHandler maps_onto_listed_identity(KmsHandler inner) {
  const SutProfile p = profile_of(SutRole::kms_r);
  return substituting(std::move(inner), p, as_first_listed);
}

// T-12.5-1 (KMS_I): a forward for an identity the ticket does not list is served as one for the
// first listed identity (re-MACed with the KMS-to-KMS key): the forwarded IDRr is not authorized.
KmsHandler trusts_any_forwarded_idrr(KmsHandler inner) {
  const SutProfile p = profile_of(SutRole::kms_i);
  return [inner, p](RequestType t, ByteView req) {
    const roles::Received r = roles::receive(req);
    auto changed =
        t == RequestType::ticket_resolve && is_forward(p, r) ? as_first_listed(r) : std::nullopt;
    auto keys = exchange_keys(req, p.chaining->psk);
    if (!changed || !keys) return inner(t, req);
    auto sent = re_protect(*changed, link_keys(p, *changed, &p.kms_identity));
    return sent.ok() ? answer_substitute(inner, t, sent.value(), *keys) : inner(t, req);
  };
}

}  // namespace

namespace {

// The KMS_R under test (sut_role kms_r).
void add_kms_r_mutants(std::vector<Mutant>& out) {
  auto r = [&out](std::string name, ChainSetupOptions o) {
    out.push_back({std::move(name), SutRole::kms_r, kms_r(std::move(o))});
  };
  // A.1-1: KMS_R posts its RESOLVE_INIT to KMS_I as a ticketrequest.
  ChainSetupOptions as_request;
  as_request.edit_sut_link_client = [](transport::ClientOptions& c) {
    c.profile.ticket_resolve_value = c.profile.ticket_request_value;
  };
  r("kms-r-link-posts-ticket-request", as_request);
  // B.0-1: KMS_R connects to KMS_I without its client certificate (no mutual authentication).
  ChainSetupOptions no_client_cert;
  no_client_cert.edit_sut_link_tls = [](chain_detail::LinkTls& t) {
    t.cert.clear();
    t.key.clear();
  };
  r("kms-r-link-without-client-certificate", no_client_cert);
  // S-6.2.3.8-1: KMS_R talks to KMS_I in plain HTTP (no integrity or confidentiality).
  ChainSetupOptions plain;
  plain.edit_sut_link_client = [](transport::ClientOptions& c) { c.tls.reset(); };
  r("kms-r-link-plain-http", plain);
  r("kms-r-verifies-after-forwarding", wrapping(verifies_after_forwarding));  // B.1-1
  r("kms-r-serves-responder-failing-mac", wrapping(serves_failing_mac));      // T-5.4-2
  r("kms-r-forward-reuses-responder-csb-id", forward_reuses_csb_id());        // B.1-2
  r("kms-r-kms-i-mac-unchecked", kms_i_mac_unchecked());                      // B.1-3
  const auto kms_r_resp = [](AnswerChange c) {
    return rewriting(SutRole::kms_r, codec::DataType::resolve_resp, std::move(c));
  };
  // B.1-4: the keys are not re-encrypted for the Responder: the KEMAC stays under the KMS-to-KMS
  // key (the V MAC is the Responder's).
  r("kms-r-kemac-under-link-key", kms_r_resp([](AnswerEdit& e) {
      auto link = exchange_keys(e.keys.request, profile_of(SutRole::kms_r).chaining->psk);
      if (!link) return false;
      e.kemac_keys = std::move(link);
      return true;
    }));
  // T-4.2.3.5-8 (KMS_R): the re-encoded RESOLVE_RESP is MACed without the Responder's request.
  r("kms-r-re-encoded-mac-without-request", kms_r_resp(mac_without_request));
  r("kms-r-answers-replays", wrapping(answering_replays));  // M-5.4-1
  // T-12.5-1 (KMS_R): a Responder the ticket does not list is forwarded as a listed one.
  ChainSetupOptions mapped;
  mapped.edit_sut_config = everyone_resolves;
  mapped.wrap_sut = maps_onto_listed_identity;
  r("kms-r-maps-responder-onto-listed-identity", mapped);
  // T-4.2.3.4-1 (KMS_R): a resolve KMS_I answered is refused to the Responder (12).
  r("kms-r-refuses-authorized-resolves", wrapping([](KmsHandler inner) {
      return refusing(
          std::move(inner), profile_of(SutRole::kms_r), codec::DataType::resolve_resp,
          [](const roles::Received&) { return std::optional(codec::ErrorNo::unspecified); });
    }));
  r("kms-r-resolve-resp-csb-id-not-copied", kms_r_resp(csb_id_not_copied));     // T-4.2.3.5-1
  r("kms-r-kemac-keyed-for-another-user", kms_r_resp(kemac_for_another_user));  // T-4.2.3.5-3
  r("kms-r-resolve-resp-without-randrkms", kms_r_resp(without_randrkms));       // T-4.2.3.5-6
  // B.1-5: KMS_R changes the forking modifier (one bit of RANDRkms) it passes on.
  r("kms-r-changes-randrkms",
    rewriting(SutRole::kms_r, codec::DataType::resolve_resp, [](AnswerEdit& e) {
      for (codec::Payload& p : e.answer.model.payloads) {
        auto* rk = p.get<codec::RandWithRole>();
        if (rk != nullptr && rk->role == codec::RandRole::randrkms && !rk->rand.empty()) {
          rk->rand.front() ^= 0x01;
          return true;
        }
      }
      return false;
    }));
  r("kms-r-reports-kms-i-failure-as-keys", wrapping(failure_reported_as_keys));  // B.1-6
  r("kms-r-passes-kms-i-answer-through", passes_kms_i_answer_through());         // S-6.2.3.8-3
  // S-6.2.3.8-4: KMS_R leaves the Responder's authorization to KMS_I.
  ChainSetupOptions unauthorized;
  unauthorized.edit_sut_config = everyone_resolves;
  r("kms-r-leaves-authorization-to-kms-i", unauthorized);
  // T-6.2-1: the re-encoded KEMAC named AES-CM-256 but encrypted with a 128-bit key.
  r("kms-r-aes-cm-256-with-128-bit-key",
    rewriting(SutRole::kms_r, codec::DataType::resolve_resp, [](AnswerEdit& e) {
      if (e.answer.encr != codec::EncrAlg::aes_cm_256) return false;
      e.answer.encr = codec::EncrAlg::aes_cm_128;
      e.seal.kemac_label = codec::EncrAlg::aes_cm_256;
      return true;
    }));
}

// The KMS_I under test (sut_role kms_i).
void add_kms_i_mutants(std::vector<Mutant>& out) {
  auto i = [&out](std::string name, ChainSetupOptions o) {
    out.push_back({std::move(name), SutRole::kms_i, kms_i(std::move(o))});
  };
  const auto kms_i_resp = [](AnswerChange c) {
    return rewriting(SutRole::kms_i, codec::DataType::resolve_resp, std::move(c));
  };
  // B.0-1: the KMS_I link listener asks for no client certificate.
  ChainSetupOptions open_link;
  open_link.edit_sut_link_tls = [](chain_detail::LinkTls& t) { t.ca.clear(); };
  i("kms-i-link-without-client-certificate", open_link);
  i("kms-i-keys-forward-by-idrr", wrapping(keyed_by_forwarded_idrr));  // B.0-6
  // S-6.2.3.8-1, T-5.4-2: a forward whose MAC fails is served.
  i("kms-i-ignores-kms-r-mac", wrapping(ignores_kms_r_mac));
  i("kms-i-authenticates-responder-itself", wrapping(authenticates_responder));  // S-6.2.3.8-4
  i("kms-i-answers-replays", wrapping(answering_replays));                       // M-5.4-1
  i("kms-i-trusts-any-forwarded-idrr", wrapping(trusts_any_forwarded_idrr));     // T-12.5-1
  // T-4.2.3.4-1 (KMS_I): an authorized, verified resolve is refused (12).
  i("kms-i-refuses-authorized-resolves", wrapping([](KmsHandler inner) {
      const SutProfile p = profile_of(SutRole::kms_i);
      return refusing(
          std::move(inner), p, codec::DataType::resolve_resp,
          [](const roles::Received&) { return std::optional(codec::ErrorNo::unspecified); },
          p.chaining->psk);
    }));
  i("kms-i-resolve-resp-csb-id-not-copied", kms_i_resp(csb_id_not_copied));    // T-4.2.3.5-1
  i("kms-i-resolve-resp-without-mpkr-prime", kms_i_resp(without_mpkr_prime));  // T-4.2.3.5-5
  // T-4.2.3.5-6 (KMS_I): the modifier's IDRr is not the answering endpoint the keys were forked
  // for. (A modifier left out altogether is a legal reading towards a peer KMS: docs/latitude.md
  // "chain-forking".)
  i("kms-i-modifier-names-another-endpoint", kms_i_resp(modifier_names_another_endpoint));
  i("kms-i-resolve-resp-mac-without-request", kms_i_resp(mac_without_request));  // T-4.2.3.5-8
  // T-5.1.1-1 (KMS_I): MPKr' and TGK' forked with RANDRkms only (no IDRr ID Data).
  i("kms-i-forks-without-idrr", kms_i_resp(reforked(true, mikey::crypto::kConstTgkFork)));
}

}  // namespace

void add_chain_mutants(std::vector<Mutant>& out) {
  add_kms_r_mutants(out);
  add_kms_i_mutants(out);
}

}  // namespace mikeyconf::harness::mutants
