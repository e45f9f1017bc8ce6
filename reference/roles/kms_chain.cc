// Kms as KMS_R: resolving, through the issuing KMS (KMS_I), a ticket this KMS did not issue
// (RFC 6043 §10; TS 33.328 §6.2.3.8 and Annex B, whose re-encoding details are UNCONFIRMED and
// follow the INTERPRETATION that RFC 6043 §4.2.3.5 and §5.5 force: KMS_R builds a new
// RESOLVE_RESP protected with the Responder's credential). And as KMS_I: which key and
// which MAC identity a peer KMS's request may use (link_context, verify_request_mac). Where the
// specifications allow several readings, PeerKms / KmsUser select one (docs/latitude.md).
#include <algorithm>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "roles/error_message.h"
#include "roles/kms_exchange.h"

namespace mikey::roles {

using kms_detail::contains;

namespace {

// Our RESOLVE_INIT towards KMS_I and what is needed to check its answer.
struct Forward {
  Bytes bytes;
  std::uint32_t csb_id = 0;
  codec::PrfFunc prf = codec::PrfFunc::mikey_1;
  Bytes randrr;
  Bytes responder_id;  // Identity_r of the MAC input: the forwarded IDRr (B.0-5)
  std::uint64_t t = 0;
};

// The peer that resolves the ticket: the one listing its issuer (TP Data IDRkms), or for a ticket
// naming none (optional, RFC 6043 §6.10; docs/latitude.md "tp-idrkms") the default peer.
const PeerKms* peer_for(const KmsConfig& cfg, const PolicyView& view) noexcept {
  for (const PeerKms& p : cfg.peers) {
    if (view.idrkms ? contains(p.issuers, *view.idrkms) : p.default_route) return &p;
  }
  return nullptr;
}

// docs/latitude.md "forwarded-copied": the Responder's IDRr as received (B.0-5, SHOULD), or one
// built from the identity the Responder authenticated as. A Responder that sent no IDRr is named
// by the identity it authenticated as either way.
codec::Payload forwarded_idrr(const Kms::Exchange& x, const PeerKms& peer) {
  const auto* idr = find_idr(x.in.message().payloads, codec::IdRole::idrr);
  if (idr != nullptr && peer.forward_idrr == ForwardedIdrr::copy) return codec::make_payload(*idr);
  return make_idr(codec::IdRole::idrr, x.user->identity);
}

MessageProtection forward_protection(const PskCredential& cred, const Forward& f,
                                     const PeerKms& peer) {
  MessageProtection p;
  p.inkey = cred.psk();
  p.prf = f.prf;
  p.csb_id = f.csb_id;
  p.direction = crypto::MessageDirection::initial;
  p.randrr = f.randrr;
  p.identity_a = f.responder_id;
  p.identity_b = peer.identity.data;
  return p;
}

// B.1-2 / B.0-5: our own HDR (CSB ID), T and RANDRr; IDRr and TICKET copied from the Responder's
// RESOLVE_INIT; IDRkms = the peer; IDRpsk = our credential towards it; V with our key. `self`:
// this KMS's identity, Identity_r of the MAC input when the peer is so configured.
Result<Forward, Refusal> build_forward(const Kms::Exchange& x, const PeerKms& peer,
                                       const PskCredential& cred, const Identity& self, NtpTime t,
                                       crypto::Rng& rng) {
  const codec::Message& in = x.in.message();
  Forward f;
  f.csb_id = rng.u32();
  f.prf = peer.algorithms.prf;
  f.randrr = rng.bytes(peer.algorithms.key_length());
  f.t = t;
  codec::Message m;
  m.hdr = make_hdr(codec::DataType::resolve_init_psk, true, f.prf, f.csb_id);  // V = 1 (§4.2.3.1)
  m.payloads.push_back(make_t(t));
  m.payloads.push_back(make_randr(codec::RandRole::randrr, f.randrr));
  m.payloads.push_back(forwarded_idrr(x, peer));
  // docs/latitude.md "link-mac-identity": RFC 6043 §5.5 names Identity_r; forwarding, that is
  // the IDRr we carry or ourselves.
  f.responder_id = peer.mac_identity == LinkMacIdentity::kms_r
                       ? self.data
                       : m.payloads.back().get<codec::IdWithRole>()->data;
  m.payloads.push_back(make_idr(codec::IdRole::idrkms, peer.identity));
  m.payloads.push_back(*in.find(codec::PayloadType::ticket));  // the TICKET as received
  // docs/latitude.md "link-idrpsk": IDRpsk MAY be left out (RFC 6043 §4.2.3.2).
  if (cred.psk_id() && peer.send_idrpsk) {
    m.payloads.push_back(make_idr(codec::IdRole::idrpsk, *cred.psk_id()));
  }
  m.payloads.push_back(make_v(peer.algorithms.mac));
  auto bytes = protect_message(std::move(m), forward_protection(cred, f, peer));
  if (!bytes.ok()) return refuse(bytes.error(), "building the RESOLVE_INIT to the peer KMS");
  f.bytes = std::move(bytes).value();
  return f;
}

struct PeerAnswer {
  Received r;
  KeySet keys;
};

// B.1-3: verify KMS_I's RESOLVE_RESP (MAC over RESOLVE_RESP ‖ our RESOLVE_INIT) and decrypt it.
// B.1-6: every failure becomes an Error towards the Responder.
Result<PeerAnswer, Refusal> read_answer(ByteView answer, const Forward& f, const PeerKms& peer,
                                        const PskCredential& cred, IvTimestamp iv) {
  PeerAnswer a;
  a.r = receive(answer);
  const codec::Message& m = a.r.message();
  if (!a.r.parsed.ok()) return refuse(Failure::peer_kms_bad_response, "unparseable answer");
  if (m.hdr.data_type == codec::DataType::error) {
    Refusal refusal = refuse(Failure::peer_kms_refused);
    refusal.peer_errors = error_numbers(m);
    return refusal;
  }
  if (m.hdr.data_type != codec::DataType::resolve_resp || m.hdr.csb_id != f.csb_id) {
    return refuse(Failure::peer_kms_bad_response, "not a RESOLVE_RESP to our RESOLVE_INIT");
  }
  MessageProtection p = forward_protection(cred, f, peer);
  p.direction = crypto::MessageDirection::response;
  p.initial_message = f.bytes;
  p.iv = iv;
  p.initial_t = f.t;
  auto keys = verify_message(a.r, p);
  if (!keys.ok())
    return refuse(Failure::peer_kms_bad_response, std::string(to_string(keys.error())));
  if (keys->empty()) return refuse(Failure::peer_kms_bad_response, "no KEMAC");
  a.keys = std::move(keys).value();
  return a;
}

}  // namespace

Result<Bytes, Refusal> Kms::serve_chained(Exchange& x, const PolicyView& view) {
  const PeerKms* peer = peer_for(config_, view);
  if (peer == nullptr) return refuse(Failure::ticket_issuer_unknown);
  // B.1-1: the Responder is authenticated (preflight) and authorized before KMS_I is contacted;
  // only the Ticket Policy is readable here, KMS_I checks the rest (ticket MAC, Vr). KMS_I's clock
  // wrote TRs: it may run ahead of ours within the skew (docs/latitude.md "clock-offset").
  const std::int64_t early = std::max<std::int64_t>(config_.policy.latitude.ticket_start_grace_s,
                                                    config_.policy.clock_skew_s);
  if (auto v = check_validity(view, now(), early); !v.ok()) return refuse(v.error());
  if (!authorizes(view, kms_detail::candidates(x)))
    return refuse(Failure::responder_not_authorized);
  const PskCredential* cred = as_psk(peer->credential.get());
  if (cred == nullptr) return refuse(Failure::pk_not_implemented, "PK credential towards peer");
  if (peers_ == nullptr) return refuse(Failure::peer_kms_unreachable, "no KMS-KMS transport");
  auto fwd = build_forward(x, *peer, *cred, config_.identity, timestamps_.next(*clock_), *rng_);
  if (!fwd.ok()) return fwd.error();
  auto answer = peers_->resolve(*peer, fwd->bytes);
  if (!answer.ok()) {
    // B.1-6: Error 12, unless the link says KMS_I is only busy, slow or away for now (A.3-1).
    Refusal refusal = refuse(Failure::peer_kms_unreachable, answer.error().detail);
    refusal.retry_after_s = answer.error().retry_after_s;
    return refusal;
  }
  auto a = read_answer(answer.value(), fwd.value(), *peer, *cred, config_.policy.iv_timestamp);
  if (!a.ok()) return a.error();
  // B.1-4 / B.1-5: the same key material and modifier, re-encrypted for the Responder and MACed
  // over RESOLVE_RESP ‖ the Responder's RESOLVE_INIT.
  const codec::EncrAlg encr = kms_detail::encr_for(x.v->auth_alg);
  if (!contains(config_.policy.encr_algs, encr)) return refuse(Failure::unsupported_encr_alg);
  const auto& theirs = a->r.message().payloads;
  codec::Message resp;
  resp.hdr = kms_detail::response_hdr(x.in.message().hdr, codec::DataType::resolve_resp);
  resp.payloads.push_back(make_t(timestamps_.next(*clock_)));
  resp.payloads.push_back(make_idr(codec::IdRole::idrkms, config_.identity));
  resp.payloads.push_back(codec::make_payload(codec::Kemac{}));
  if (const auto* idr = find_idr(theirs, codec::IdRole::idrr)) {
    resp.payloads.push_back(codec::make_payload(*idr));
  }
  if (const auto* rk = find_randr(theirs, codec::RandRole::randrkms)) {
    resp.payloads.push_back(codec::make_payload(*rk));
  }
  resp.payloads.push_back(make_v(x.v->auth_alg));
  auto bytes = protect_message(std::move(resp),
                               kms_detail::response_protection(x, config_.policy, encr), &a->keys);
  if (!bytes.ok()) return refuse(bytes.error());
  return std::move(bytes).value();
}

// ---- KMS_I: requests from a peer KMS ----

bool names_idrpsk(ByteView request) noexcept {
  try {
    const Received r = receive(request);  // a partial parse still shows the payloads before it
    return find_idr(r.message().payloads, codec::IdRole::idrpsk) != nullptr;
  } catch (const std::bad_alloc&) {
    return false;
  }
}

RequestContext link_context(const KmsConfig& config, ByteView request,
                            const std::vector<std::string>& certificate_names) {
  RequestContext context;
  if (certificate_names.empty()) return context;
  const bool idrpsk = names_idrpsk(request);
  for (const KmsUser& u : config.users) {
    if (!u.peer_kms || (idrpsk && !u.tls_identity_first)) continue;
    for (const std::string& name : certificate_names) {
      if (contains(u.tls_names, name)) {
        context.authenticated_peer = u.identity;
        return context;
      }
    }
  }
  return context;
}

namespace {

// docs/latitude.md "link-mac-identity": a peer KMS's MAC may cover the forwarded IDRr or its own
// identity as Identity_r (RFC 6043 §5.5); x.peer_id is the IDRr (or the user's identity).
std::vector<Bytes> mac_identities(const Kms::Exchange& x) {
  if (!x.user->peer_kms) return {x.peer_id};
  switch (x.user->mac_identity) {
    case LinkMacIdentity::forwarded_idrr:
      return {x.peer_id};
    case LinkMacIdentity::kms_r:
      return {x.user->identity.data};
    case LinkMacIdentity::any:
      break;
  }
  if (x.peer_id == x.user->identity.data) return {x.peer_id};
  return {x.peer_id, x.user->identity.data};
}

}  // namespace

namespace kms_detail {

Result<bool, Refusal> verify_request_mac(Kms::Exchange& x) {
  std::optional<Failure> first;
  for (Bytes& id : mac_identities(x)) {
    x.peer_id = std::move(id);
    x.protection.identity_a = x.peer_id;  // a view: x.peer_id outlives the exchange's MAC uses
    auto verified = verify_message(x.in, x.protection);
    if (verified.ok()) return true;
    if (!first) first = verified.error();
  }
  return refuse(first.value_or(Failure::auth_failure));
}

}  // namespace kms_detail

}  // namespace mikey::roles
