// The KMS-role runner's Ticket Resolve (kms_runner.h): the Responder's RESOLVE_INIT_PSK, and the
// chaining paths of TS 33.328 Annex B — the tap on the harness KMS_I (sut_role kms_r) and the
// harness KMS_R's own RESOLVE_INIT (sut_role kms_i, from: kms_r).
#include <exception>

#include "codec/message.h"
#include "harness/kms_runner.h"
#include "roles/message_util.h"

namespace mikeyconf::harness {

namespace {

// sut_role kms_i: the harness KMS_R sends this RESOLVE_INIT_PSK (chain.h).
bool via_kms_r(const SendStep& s) noexcept { return s.from == Party::kms_r; }

}  // namespace

// The Responder's RESOLVE_INIT_PSK for the holder's TRANSFER_INIT (RFC 6043 §4.2.3), with its
// keys in `keys`; chaining: addressed to its own KMS (kms_i: the harness KMS_R).
KmsCaseRunner::Party KmsCaseRunner::responder_resolve(std::size_t i, const SendStep& step,
                                                      SentRequest& keys) {
  if (!holder_ || !holder_->has_ticket()) {
    throw HarnessError("step " + std::to_string(i + 1) +
                       ": RESOLVE_INIT_PSK needs a ticket: an earlier REQUEST_INIT_PSK must be "
                       "granted (or a create_ticket step)");
  }
  Party p = settings(step.set, Party{}, prof_.responder);
  const UserProfile& to = p.to != nullptr ? *p.to : *p.user;
  roles::TransferOptions topt;
  topt.responder = to.identity;
  auto ti = holder_->transfer_init(topt);
  if (!ti.ok()) {
    throw HarnessError("step " + std::to_string(i + 1) +
                       ": the reference Initiator could not build TRANSFER_INIT: " +
                       std::string(roles::to_string(ti.error().failure)) + " " + ti.error().detail);
  }
  if (via_kms_r(step) && !prof_.chaining) {
    throw HarnessError("step " + std::to_string(i + 1) +
                       ": from: kms_r needs a SUT profile of role kms_i (chaining:)");
  }
  // Chaining: the Responder asks its own KMS (kms_i: the harness KMS_R).
  const roles::Identity& kms =
      via_kms_r(step) ? prof_.chaining->peer_identity : home_kms_identity(prof_, *p.user);
  responder_ = std::make_unique<roles::Responder>(responder_config(p, to, kms),
                                                  clock(p.clock_offset_ms), rng_);
  auto st = responder_->process_transfer_init(ti.value());
  local(i,
        "TRANSFER_INIT " + holder_user_ + " -> " + to.name +
            (&to != p.user ? " (handled by " + p.user->name + ")" : ""),
        ti.value(),
        st.ok() ? "the reference Responder asks the KMS (RESOLVE_INIT)"
                : "refused: " + std::string(roles::to_string(st.error().failure)));
  if (!st.ok() || st->action != roles::ResponderAction::send_resolve_init) {
    throw HarnessError(
        "step " + std::to_string(i + 1) +
        ": the reference Responder did not produce a RESOLVE_INIT_PSK (" +
        (st.ok() ? std::string("it resolved without the KMS")
                 : std::string(roles::to_string(st.error().failure)) + " " + st.error().detail) +
        ")");
  }
  keys = SentRequest{st->message, p.user->psk, p.user->identity, true};
  keys.kms = kms;
  keys.bytes = shift_t(i, keys.bytes, p.t_offset_ms, keys, true);
  return p;
}

void KmsCaseRunner::send_resolve(std::size_t i, const SendStep& step) {
  Bytes built;
  SentRequest keys;
  std::string who;
  roles::Responder* responder = nullptr;
  KmsIAnswer kms_i_answer = KmsIAnswer::normal;
  if (step.resend) {
    keys = last_resolve_;
    built = keys.bytes;
    who = "resent";
  } else {
    const Party p = responder_resolve(i, step, keys);
    built = keys.bytes;
    kms_i_answer = p.kms_i_answer;
    who = p.user->name;
    responder = responder_.get();
    if (via_kms_r(step)) {
      relay_resolve(i, step, p, built, *responder);
      return;
    }
  }
  // sut_role kms_r: the harness KMS_I records what the SUT forwards for this ticket (chain.h).
  KmsITap* tap = drv_.kms_i_tap();
  const Bytes ticket = tap != nullptr ? ticket_of(built) : Bytes{};
  if (tap != nullptr) tap->arm(ticket, kms_i_answer);
  TranscriptEntry& e = transmit(i, step, "RESOLVE_INIT_PSK from responder (" + who + ")", built,
                                keys, mikey::transport::RequestType::ticket_resolve);
  if (tap != nullptr) last_.forwarded = tap->take_forwarded(ticket);
  last_resolve_ = keys;
  last_resolve_.bytes = last_.sent;
  last_.verify = verify_answer(keys, true);
  annotate(e);
  if (last_.forwarded) log_forwarded(i, *last_.forwarded);
  const bool altered = step.resend || !step.mutate.empty();
  if (responder == nullptr || altered || !last_.http.mikey || !last_.verify.ok) {
    last_.keys_detail = altered ? "the request was altered, so the transfer was not completed"
                                : "the Ticket Resolve did not succeed";
    return;
  }
  const codec::ParseOutcome resp = codec::parse_message(*last_.http.mikey);
  if (!resp.ok() || resp.message.hdr.data_type != codec::DataType::resolve_resp) {
    last_.keys_detail = "no RESOLVE_RESP";
    return;
  }
  complete_transfer(i, *responder, *last_.http.mikey);
}

// sut_role kms_r: what the SUT sent the harness KMS_I and what that answered, for the report.
void KmsCaseRunner::log_forwarded(std::size_t i, const std::vector<ForwardedRequest>& forwarded) {
  for (const ForwardedRequest& f : forwarded) {
    local(i, "RESOLVE_INIT_PSK the SUT forwarded to the harness KMS_I", f.request,
          (f.accepted ? std::string("accepted by the reference KMS_I")
                      : "refused by the reference KMS_I: " + f.detail) +
              (f.mutual_tls ? "; over mutual TLS" : ""));
    local(i, "answer of the harness KMS_I -> SUT", f.answer,
          f.answer.empty() ? "no MIKEY answer" : "as sent (kms_i.answer applied)");
  }
}

// sut_role kms_i (from: kms_r): the Responder's RESOLVE_INIT goes to the harness KMS_R, whose
// own RESOLVE_INIT to the SUT (B.1-2) is what this step mutates, sends and judges, with the
// KMS-to-KMS keys; the KMS_R's re-encoded answer then completes the transfer (keys_equal).
void KmsCaseRunner::relay_resolve(std::size_t i, const SendStep& step, const Party& p,
                                  const Bytes& request, roles::Responder& responder) {
  KmsRRelay* relay = drv_.kms_r_relay();
  if (relay == nullptr) {
    throw HarnessError("step " + std::to_string(i + 1) +
                       ": from: kms_r needs the kms_i driver (the harness plays KMS_R)");
  }
  local(i, "RESOLVE_INIT_PSK from responder (" + p.user->name + ") to the harness KMS_R", request,
        "the harness KMS_R sends its own RESOLVE_INIT to the SUT");
  std::exception_ptr failure;
  bool forwarded = false;
  const KmsRRelay::Forward forward = [&](ByteView fwd) -> mikey::Result<Bytes, roles::PeerError> {
    try {  // nothing may unwind through the reference Kms (noexcept)
      const SentRequest keys = link_keys(fwd, p);
      TranscriptEntry& e =
          transmit(i, step, "RESOLVE_INIT_PSK from the harness KMS_R (for " + p.user->name + ")",
                   keys.bytes, keys, mikey::transport::RequestType::ticket_resolve);
      forwarded = true;
      last_resolve_ = keys;
      last_resolve_.bytes = last_.sent;
      last_.verify = verify_answer(keys, true);
      annotate(e);
      const HttpExchange& x = last_.http;
      if (!x.responded) return roles::PeerError{x.transport_error + " " + x.transport_detail};
      if (x.status != 200 || !x.mikey) return roles::PeerError{"HTTP " + std::to_string(x.status)};
      return *x.mikey;
    } catch (...) {
      failure = std::current_exception();
      return roles::PeerError{"harness error"};
    }
  };
  const roles::KmsReply reply = relay->relay(request, forward);
  if (failure) std::rethrow_exception(failure);
  const std::string refusal =
      reply.failure ? std::string(roles::to_string(*reply.failure)) + " " + reply.detail : "";
  if (!forwarded) {
    throw HarnessError("step " + std::to_string(i + 1) +
                       ": the harness KMS_R refused the Responder and forwarded nothing (" +
                       refusal + ")");
  }
  local(i, "answer of the harness KMS_R -> responder (" + p.user->name + ")", reply.message,
        refusal.empty() ? "re-encoded for the Responder" : "refused: " + refusal);
  const codec::ParseOutcome answer = codec::parse_message(reply.message);
  if (!step.mutate.empty() || !last_.verify.ok || !answer.ok() ||
      answer.message.hdr.data_type != codec::DataType::resolve_resp) {
    last_.keys_detail = !step.mutate.empty()
                            ? "the request was altered, so the transfer was not completed"
                            : "the Ticket Resolve did not succeed";
    return;
  }
  complete_transfer(i, responder, reply.message);
}

// The harness KMS_R's RESOLVE_INIT `fwd` as a sent request: keyed with the KMS-to-KMS PSK, its
// IDRr as Identity_r (B.0-5), the SUT as Identity_kms, over the link.
SentRequest KmsCaseRunner::link_keys(ByteView fwd, const Party& p) const {
  SentRequest k;
  k.bytes.assign(fwd.begin(), fwd.end());
  k.psk = prof_.chaining->psk;
  const roles::Received r = roles::receive(fwd);
  const auto* idr =
      r.parsed.ok() ? roles::find_idr(r.message().payloads, codec::IdRole::idrr) : nullptr;
  k.peer = idr != nullptr ? roles::identity_of(*idr) : p.user->identity;
  if (auto own = link_mac_identity_r(prof_)) {  // docs/latitude.md "link-mac-identity"
    k.peer = *own;
    k.peer_is_mac_identity = true;
  }
  k.valid = true;
  k.route = Route::kms_link;
  k.kms = prof_.kms_identity;
  k.without_client_certificate = !p.link_client_certificate;
  return k;
}

}  // namespace mikeyconf::harness
