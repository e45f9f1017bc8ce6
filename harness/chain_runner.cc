// The chaining case runner (chain_runner.h): the Ticket Resolve paths of TS 33.328 Annex B — the
// tap on the harness KMS_I (sut_role kms_r) and the harness KMS_R's own RESOLVE_INIT (sut_role
// kms_i, from: kms_r).
#include "harness/chain_runner.h"

#include <exception>

#include "codec/message.h"
#include "roles/message_util.h"

namespace mikeyconf::harness {

void ChainRunner::run() {
  session_.run([this](std::size_t i, const SendStep& step) { send_resolve(i, step); });
}

ChainRunner::LinkSettings ChainRunner::link_settings(const std::vector<Setting>& set) {
  LinkSettings l;
  for (const Setting& s : set) {
    if (s.key == "kms_i.answer") {
      l.kms_i_answer =
          parse_kms_i_answer(std::get<std::string>(s.value)).value_or(KmsIAnswer::normal);
    } else if (s.key == "link.client_certificate") {
      l.client_certificate = std::get<bool>(s.value);
    }
  }
  return l;
}

void ChainRunner::send_resolve(std::size_t i, const SendStep& step) {
  // sut_role kms_i: the harness KMS_R sends this RESOLVE_INIT_PSK (chain.h).
  const bool via_kms_r = !step.resend && step.from == Party::kms_r;
  const SutProfile& prof = session_.profile();
  const KmsSession::Resolve r =
      session_.prepare_resolve(i, step, [&](const KmsSession::Party& p) -> roles::Identity {
        if (!via_kms_r) return home_kms_identity(prof, *p.user);
        if (!prof.chaining) {
          throw HarnessError("step " + std::to_string(i + 1) +
                             ": from: kms_r needs a SUT profile of role kms_i (chaining:)");
        }
        return prof.chaining->peer_identity;  // the Responder asks its own KMS, the KMS_R
      });
  if (via_kms_r) {
    relay_resolve(i, step, r);
    return;
  }
  // sut_role kms_r: the harness KMS_I records what the SUT forwards for this ticket (chain.h).
  KmsITap* tap = session_.driver().kms_i_tap();
  if (tap == nullptr) {
    session_.send_resolve(i, step, r);
    return;
  }
  const Bytes ticket = ticket_of(r.built);
  tap->arm(ticket, step.resend ? KmsIAnswer::normal : link_settings(step.set).kms_i_answer);
  session_.send_resolve(i, step, r, [&] {
    Evidence& last = session_.evidence();
    last.forwarded = tap->take_forwarded(ticket);
    if (last.forwarded) log_forwarded(i, *last.forwarded);
  });
}

// sut_role kms_r: what the SUT sent the harness KMS_I and what that answered, for the report.
void ChainRunner::log_forwarded(std::size_t i, const std::vector<ForwardedRequest>& forwarded) {
  for (const ForwardedRequest& f : forwarded) {
    session_.local(i, "RESOLVE_INIT_PSK the SUT forwarded to the harness KMS_I", f.request,
                   (f.accepted ? std::string("accepted by the reference KMS_I")
                               : "refused by the reference KMS_I: " + f.detail) +
                       (f.mutual_tls ? "; over mutual TLS" : ""));
    session_.local(i, "answer of the harness KMS_I -> SUT", f.answer,
                   f.answer.empty() ? "no MIKEY answer" : "as sent (kms_i.answer applied)");
  }
}

// sut_role kms_i (from: kms_r): the Responder's RESOLVE_INIT goes to the harness KMS_R, whose
// own RESOLVE_INIT to the SUT (B.1-2) is what this step mutates, sends and judges, with the
// KMS-to-KMS keys; the KMS_R's re-encoded answer then completes the transfer (keys_equal).
void ChainRunner::relay_resolve(std::size_t i, const SendStep& step, const KmsSession::Resolve& r) {
  KmsRRelay* relay = session_.driver().kms_r_relay();
  if (relay == nullptr) {
    throw HarnessError("step " + std::to_string(i + 1) +
                       ": from: kms_r needs the kms_i driver (the harness plays KMS_R)");
  }
  const UserProfile& user = *r.user;
  const bool client_certificate = link_settings(step.set).client_certificate;
  session_.local(i, "RESOLVE_INIT_PSK from responder (" + user.name + ") to the harness KMS_R",
                 r.built, "the harness KMS_R sends its own RESOLVE_INIT to the SUT");
  std::exception_ptr failure;
  bool forwarded = false;
  const KmsRRelay::Forward forward = [&](ByteView fwd) -> mikey::Result<Bytes, roles::PeerError> {
    try {  // nothing may unwind through the reference Kms (noexcept)
      const SentRequest keys = link_keys(fwd, user, client_certificate);
      TranscriptEntry& e = session_.transmit(
          i, step, "RESOLVE_INIT_PSK from the harness KMS_R (for " + user.name + ")", keys.bytes,
          keys, mikey::transport::RequestType::ticket_resolve);
      forwarded = true;
      session_.judge_resolve(keys, e);
      const HttpExchange& x = session_.evidence().http;
      if (!x.responded) return roles::PeerError{x.transport_error + " " + x.transport_detail};
      if (x.status != 200 || !x.mikey) return roles::PeerError{"HTTP " + std::to_string(x.status)};
      return *x.mikey;
    } catch (...) {
      failure = std::current_exception();
      return roles::PeerError{"harness error"};
    }
  };
  const roles::KmsReply reply = relay->relay(r.built, forward);
  if (failure) std::rethrow_exception(failure);
  const std::string refusal =
      reply.failure ? std::string(roles::to_string(*reply.failure)) + " " + reply.detail : "";
  if (!forwarded) {
    throw HarnessError("step " + std::to_string(i + 1) +
                       ": the harness KMS_R refused the Responder and forwarded nothing (" +
                       refusal + ")");
  }
  session_.local(i, "answer of the harness KMS_R -> responder (" + user.name + ")", reply.message,
                 refusal.empty() ? "re-encoded for the Responder" : "refused: " + refusal);
  const codec::ParseOutcome answer = codec::parse_message(reply.message);
  Evidence& last = session_.evidence();
  if (!step.mutate.empty() || !last.verify.ok || !answer.ok() ||
      answer.message.hdr.data_type != codec::DataType::resolve_resp) {
    last.keys_detail = !step.mutate.empty()
                           ? "the request was altered, so the transfer was not completed"
                           : "the Ticket Resolve did not succeed";
    return;
  }
  session_.complete_transfer(i, *r.responder, reply.message);
}

// The harness KMS_R's RESOLVE_INIT `fwd` as a sent request: keyed with the KMS-to-KMS PSK, its
// IDRr as Identity_r (B.0-5), the SUT as Identity_kms, over the link.
SentRequest ChainRunner::link_keys(ByteView fwd, const UserProfile& user,
                                   bool client_certificate) const {
  const SutProfile& prof = session_.profile();
  SentRequest k;
  k.bytes.assign(fwd.begin(), fwd.end());
  k.psk = prof.chaining->psk;
  const roles::Received r = roles::receive(fwd);
  const auto* idr =
      r.parsed.ok() ? roles::find_idr(r.message().payloads, codec::IdRole::idrr) : nullptr;
  k.peer = idr != nullptr ? roles::identity_of(*idr) : user.identity;
  if (auto own = link_mac_identity_r(prof)) {  // docs/latitude.md "link-mac-identity"
    k.peer = *own;
    k.peer_is_mac_identity = true;
  }
  k.valid = true;
  k.route = Route::kms_link;
  k.kms = prof.kms_identity;
  k.without_client_certificate = !client_certificate;
  return k;
}

}  // namespace mikeyconf::harness
