// The KMS-role runner's Ticket Resolve (kms_runner.h): the Responder's RESOLVE_INIT_PSK sent to
// the KMS under test, and the transfer it completes (RFC 6043 §4.2.3). The chaining paths of
// TS 33.328 Annex B build on it in chain_runner.cc.
#include "codec/message.h"
#include "harness/kms_runner.h"
#include "roles/message_util.h"

namespace mikeyconf::harness {

// The Responder's RESOLVE_INIT_PSK for the holder's TRANSFER_INIT (RFC 6043 §4.2.3), with its
// keys; addressed to `kms_of` the Responder's settings (default: its home KMS).
KmsSession::Resolve KmsSession::prepare_resolve(std::size_t i, const SendStep& step,
                                                const KmsOf& kms_of) {
  if (step.resend) return Resolve{last_resolve_.bytes, last_resolve_, "resent", nullptr, nullptr};
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
  const roles::Identity kms = kms_of ? kms_of(p) : home_kms_identity(prof_, *p.user);
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
  SentRequest keys{st->message, p.user->psk, p.user->identity, true};
  keys.kms = kms;
  keys.bytes = shift_t(i, keys.bytes, p.t_offset_ms, keys, true);
  return Resolve{keys.bytes, keys, p.user->name, responder_.get(), p.user};
}

void KmsSession::judge_resolve(const SentRequest& keys, TranscriptEntry& e) {
  last_resolve_ = keys;
  last_resolve_.bytes = last_.sent;
  last_.verify = verify_answer(keys, true);
  annotate(e);
}

void KmsSession::send_resolve(std::size_t i, const SendStep& step, const Resolve& r,
                              const std::function<void()>& after_send) {
  TranscriptEntry& e = transmit(i, step, "RESOLVE_INIT_PSK from responder (" + r.who + ")", r.built,
                                r.keys, mikey::transport::RequestType::ticket_resolve);
  judge_resolve(r.keys, e);
  if (after_send) after_send();
  const bool altered = step.resend || !step.mutate.empty();
  if (r.responder == nullptr || altered || !last_.http.mikey || !last_.verify.ok) {
    last_.keys_detail = altered ? "the request was altered, so the transfer was not completed"
                                : "the Ticket Resolve did not succeed";
    return;
  }
  const codec::ParseOutcome resp = codec::parse_message(*last_.http.mikey);
  if (!resp.ok() || resp.message.hdr.data_type != codec::DataType::resolve_resp) {
    last_.keys_detail = "no RESOLVE_RESP";
    return;
  }
  complete_transfer(i, *r.responder, *last_.http.mikey);
}

}  // namespace mikeyconf::harness
