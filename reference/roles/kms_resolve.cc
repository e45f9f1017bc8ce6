// Kms: the Ticket Resolve exchange (RFC 6043 §4.2.3.4, §4.2.3.5): ticket verification, validity,
// authorization, the Initiator Data check, key forking and RESOLVE_RESP.
#include <algorithm>
#include <optional>

#include "crypto/derive.h"
#include "roles/kms_exchange.h"
#include "roles/session_keys.h"
#include "roles/transfer.h"

namespace mikey::roles {

using kms_detail::contains;

namespace {

// D = 1 tickets must verify under a KMS-only key, D = 0 (mode 3) tickets under a key the KMS
// shares with the Initiator named in the ticket: a ticket claiming another origin was not made by
// who it says.
Result<bool, Refusal> check_origin(const KmsPolicy& pol, const codec::TicketPolicy& tp,
                                   const TicketKey& key, const PolicyView& view) {
  if (tp.flags.d == key.shared_with.has_value()) {
    return refuse(Failure::ticket_integrity_failure, "D flag does not match the ticket key");
  }
  if (!tp.flags.d && !pol.resolve_initiator_tickets) {
    return refuse(Failure::policy_unacceptable, "mode 3 tickets are not resolved here");
  }
  if (!tp.flags.d && view.idri && *view.idri != *key.shared_with) {
    return refuse(Failure::ticket_integrity_failure, "IDRi is not the key's Initiator");
  }
  return true;
}

struct Forked {
  KeySet kemac;  // MPKi || [MPKr'] || keys (TGK' when forking)
  Bytes randrkms;
};

// §5.1.1: with the I flag the KMS forks MPKr and the TGKs with the modifier (IDRr, RANDRkms);
// TEKs and GTGKs are never forked (T-5.1.1-3, T-6.2.1-2). RANDRkms is at least as long as the
// longest of MPKr and TGK (T-12.1-3).
Result<Forked, Refusal> resolve_keys(const OpenedTicket& t, const codec::TicketPolicy& tp,
                                     const Identity& modifier, crypto::Rng& rng) {
  Forked out;
  out.kemac.push_back(kms_detail::mpk_item(t.mpki, t.contents.mpk.spi));
  if (!tp.flags.i) {
    for (const KeyItem& k : t.contents.keys) out.kemac.push_back(k.clone());
    return out;
  }
  std::size_t n = std::max<std::size_t>(16, t.mpkr.size());
  for (const KeyItem& k : t.contents.keys) n = std::max(n, k.key.size());
  out.randrkms = rng.bytes(n);
  const crypto::PrfFunc prf = to_crypto(tp.prf_func);
  auto mpkr = crypto::fork_mpkr(prf, t.mpkr.view(), modifier.data, out.randrkms);
  if (!mpkr.ok()) return refuse(Failure::internal_error, "forking MPKr");
  out.kemac.push_back(kms_detail::mpk_item(mpkr.value(), t.contents.mpk.spi));
  auto keys = forked_session_keys(t.contents.keys, tp.prf_func, modifier.data, out.randrkms);
  if (!keys.ok()) return refuse(keys.error(), "forking the TGKs");
  for (KeyItem& k : keys.value()) out.kemac.push_back(std::move(k));
  return out;
}

// §6.10: Vr keyed by the non-forked MPKr (label type 0x04); the PRF is not stated,
// the Ticket Policy PRF is assumed (INTERPRETATION).
Result<bool, Refusal> check_initiator_data(const Kms::Exchange& x, const OpenedTicket& t,
                                           const codec::Ticket& ticket) {
  const auto& ids = ticket.initiator_data.payloads;
  const auto* vr = ids.empty() ? nullptr : ids.back().get<codec::Verification>();
  if (vr == nullptr || vr->auth_alg == codec::MacAlg::null) {
    return refuse(Failure::initiator_data_failure, "no Initiator Data [Vi, Vr]");
  }
  auto len = crypto::auth_key_length(to_crypto(vr->auth_alg));
  if (!len.ok()) return refuse(Failure::unsupported_mac_alg, "Vr Auth alg");
  auto key = crypto::derive_vr_key(to_crypto(ticket.policy.prf_func), t.mpkr.view(), len.value());
  if (!key.ok()) return refuse(Failure::internal_error, "Vr key");
  const std::size_t index = kms_detail::payload_index(x.in.message(), codec::PayloadType::ticket);
  auto ok = verify_vr(x.in, index, key->view());
  if (!ok.ok()) return refuse(ok.error());
  return true;
}

// The Ticket Policy as readable before the ticket is opened: a format this KMS serves, §6.10
// flag dependencies, a readable TP Data with at least one IDRr.
Result<PolicyView, Refusal> readable_policy(const KmsPolicy& kp, const codec::TicketPolicy& pol) {
  if (!contains(kp.ticket_formats, TicketFormat{pol.ticket_type, pol.subtype, pol.version})) {
    return refuse(Failure::unsupported_ticket_type);
  }
  if (auto rule = flag_violation(pol.flags)) {
    return refuse(Failure::ticket_policy_invalid, std::string(*rule));
  }
  auto view = view_policy(pol);
  if (!view.ok()) return refuse(view.error());
  if (view->idrr.empty()) return refuse(Failure::ticket_policy_invalid, "no IDRr in TP Data");
  return std::move(view).value();
}

// RESOLVE_RESP = HDR, T, [IDRkms], KEMAC, [IDRr], [RANDRkms], V (§4.2.3.5); the modifier is sent
// only with forking.
codec::Message resolve_resp_model(const Kms::Exchange& x, const Identity& kms, NtpTime t,
                                  const Identity& modifier, const Forked& keys, bool forking) {
  codec::Message resp;
  resp.hdr = kms_detail::response_hdr(x.in.message().hdr, codec::DataType::resolve_resp);
  resp.payloads.push_back(make_t(t));
  resp.payloads.push_back(make_idr(codec::IdRole::idrkms, kms));
  resp.payloads.push_back(codec::make_payload(codec::Kemac{}));
  if (forking) {
    resp.payloads.push_back(make_idr(codec::IdRole::idrr, modifier));
    resp.payloads.push_back(make_randr(codec::RandRole::randrkms, keys.randrkms));
  }
  resp.payloads.push_back(make_v(x.v->auth_alg));
  return resp;
}

}  // namespace

Result<Bytes, Refusal> Kms::serve_resolve(Exchange& x) {
  if (auto ok = preflight(x); !ok.ok()) return ok.error();
  const codec::Payload& tp = *x.in.message().find(codec::PayloadType::ticket);
  const codec::Ticket& ticket = *tp.get<codec::Ticket>();
  const codec::TicketPolicy& pol = ticket.policy;
  auto view = readable_policy(config_.policy, pol);
  if (!view.ok()) return view.error();
  std::optional<codec::Ticket> faulty;  // test-only fault (kms_faults.h)
  if (config_.faults.tpk_keys_other_prf && !pol.flags.d)
    faulty = kms_faults::with_other_prf(ticket);
  auto opened =
      open_ticket(payload_bytes(x.in.bytes, tp), faulty ? *faulty : ticket, config_.ticket_keys);
  if (!opened.ok() && opened.error() == Failure::ticket_issuer_unknown) {
    return serve_chained(x, view.value());  // §10: not ours; a peer may resolve it
  }
  if (!opened.ok()) return refuse(opened.error());
  if (config_.faults.mpki_mpkr_swapped) std::swap(opened->mpki, opened->mpkr);
  if (auto o = check_origin(config_.policy, pol, *opened->key, view.value()); !o.ok()) {
    return o.error();
  }
  if (auto v = check_validity(view.value(), now(), config_.policy.latitude.ticket_start_grace_s);
      !v.ok())
    return refuse(v.error());
  if (!authorizes(view.value(), kms_detail::candidates(x))) {
    return refuse(Failure::responder_not_authorized);
  }
  if (pol.flags.i && !config_.faults.skip_initiator_data_check) {
    if (auto ok = check_initiator_data(x, opened.value(), ticket); !ok.ok()) return ok.error();
  }
  const codec::EncrAlg encr = kms_detail::encr_for(x.v->auth_alg);
  if (!contains(config_.policy.encr_algs, encr)) return refuse(Failure::unsupported_encr_alg);
  const Identity modifier = kms_detail::answering_endpoint(x);
  auto keys = resolve_keys(opened.value(), pol, modifier, *rng_);
  if (!keys.ok()) return keys.error();
  auto bytes =
      protect_message(resolve_resp_model(x, config_.identity, timestamps_.next(*clock_), modifier,
                                         keys.value(), pol.flags.i),
                      kms_detail::response_protection(x, config_.policy, encr), &keys->kemac);
  if (!bytes.ok()) return refuse(bytes.error());
  return std::move(bytes).value();
}

}  // namespace mikey::roles
