// The KMS-role runner's judgement of an answer with the sender's keys (RFC 6043 §5.3, §5.5), and
// the transfer that completes a Ticket Resolve (kms_runner.h).
#include "codec/message.h"
#include "crypto/secure_bytes.h"
#include "harness/checks/text.h"
#include "harness/kms_runner.h"
#include "roles/error_message.h"
#include "roles/message_util.h"

namespace mikeyconf::harness {

// Verifies the answer with the sender's keys over the bytes as sent (independent of the party's
// state, so it also works for mutated and resent requests).
VerifyOutcome KmsSession::verify_answer(const SentRequest& keys, bool resolve) const {
  const HttpExchange& x = last_.http;
  if (!x.responded) return {false, "no HTTP response"};
  if (!x.mikey) {
    return {false, "no MIKEY message in the answer (HTTP " + std::to_string(x.status) +
                       (x.mikey_problem.empty() ? "" : ": " + x.mikey_problem) + ")"};
  }
  roles::Received resp = roles::receive(*x.mikey);
  if (!resp.parsed.ok()) {
    return {false, "the answer does not parse (" +
                       std::string(codec::to_string(resp.parsed.error.code)) + " at offset " +
                       std::to_string(resp.parsed.error.offset) + ")"};
  }
  const codec::ParseOutcome req = codec::parse_message(last_.sent);
  if (!req.ok()) return {false, "the request as sent does not parse, so no keys to verify with"};
  roles::MessageProtection p;
  p.inkey = keys.psk;
  p.prf = req.message.hdr.prf_func;
  p.csb_id = req.message.hdr.csb_id;
  set_iv_reading(p, req.message);
  const auto* rand = roles::find_randr(req.message.payloads,
                                       resolve ? codec::RandRole::randrr : codec::RandRole::randri);
  if (rand != nullptr) (resolve ? p.randrr : p.randri) = rand->rand;
  const codec::DataType type = resp.message().hdr.data_type;
  const codec::DataType expected =
      resolve ? codec::DataType::resolve_resp : codec::DataType::request_resp;
  if (type == codec::DataType::error) {
    if (roles::last_v(resp.message()) == nullptr) {
      return {false, "unauthenticated Error message (no V) " +
                         numbers_text(roles::error_numbers(resp.message()))};
    }
    p.direction = mikey::crypto::MessageDirection::initial;  // RFC 6043 §5.4
  } else if (type != expected) {
    return {false, "unexpected data type " + data_type_name(codec::raw(type))};
  } else {
    p.direction = mikey::crypto::MessageDirection::response;
    p.initial_message = last_.sent;
  }
  auto v = roles::verify_message(resp, p);
  if (!v.ok()) {
    return {false, "the MAC/KEMAC check failed: " + std::string(roles::to_string(v.error()))};
  }
  return {true, type == codec::DataType::error ? "authenticated Error message"
                                               : "MAC verified, KEMAC decrypted"};
}

// docs/latitude.md "iv-timestamp": the KEMAC IV takes the T of the answer (a) or of the
// request (b); verify_message tries both unless the profile declares one.
void KmsSession::set_iv_reading(roles::MessageProtection& p, const codec::Message& request) const {
  if (const auto* t = roles::find_body<codec::Timestamp>(request.payloads))
    p.initial_t = roles::ts_iv_value(t->ts_type, t->value);
  const std::string_view declared = prof_.latitude.reading("iv-timestamp");
  p.iv =
      declared == "b" ? roles::IvTimestamp::initial_message : roles::IvTimestamp::carrying_message;
  p.only_this_iv = declared != "any";
}

void KmsSession::annotate(TranscriptEntry& e) const {
  const HttpExchange& x = last_.http;
  if (!x.responded) {
    e.note = "no response";
    return;
  }
  std::string note = std::to_string(x.status);
  if (x.mikey) {
    auto parsed = codec::parse_message(*x.mikey);
    if (x.mikey->size() >= 2) note += " " + data_type_name(static_cast<int>((*x.mikey)[1]));
    if (parsed.ok() && parsed.message.hdr.data_type == codec::DataType::error) {
      note += " " + numbers_text(roles::error_numbers(parsed.message));
    }
    if (!parsed.ok()) note += " (does not parse)";
  }
  note += last_.verify.ok ? "; verified" : "; not verified: " + last_.verify.detail;
  e.note = note;
}

// RESOLVE_RESP → TRANSFER_RESP → the Initiator; then compare both sides' SRTP keys.
void KmsSession::complete_transfer(std::size_t i, roles::Responder& responder, ByteView answer) {
  auto st = responder.process_resolve_resp(answer);
  if (!st.ok()) {
    last_.verify = {false, "the reference Responder refused the RESOLVE_RESP: " +
                               std::string(roles::to_string(st.error().failure)) + " " +
                               st.error().detail};
    last_.keys_detail = last_.verify.detail;
    return;
  }
  last_.verify.detail += "; keys accepted by the reference Responder";
  if (st->action == roles::ResponderAction::send_transfer_resp) {
    auto done = holder_->process_transfer_resp(st->message);
    local(i, "TRANSFER_RESP -> " + holder_user_, st->message,
          done.ok() ? "accepted by the reference Initiator"
                    : "refused: " + std::string(roles::to_string(done.error().failure)));
    if (!done.ok()) {
      last_.keys_equal = false;
      last_.keys_detail = "the reference Initiator refused TRANSFER_RESP: " +
                          std::string(roles::to_string(done.error().failure));
      return;
    }
  }
  auto a = holder_->srtp_keys();
  auto b = responder.srtp_keys();
  if (!a.ok() || !b.ok()) {
    last_.keys_equal = false;
    last_.keys_detail =
        "SRTP keys unavailable on " + std::string(!a.ok() ? "the Initiator" : "the Responder");
    return;
  }
  bool equal = a->size() == b->size() && !a->empty();
  for (std::size_t k = 0; equal && k < a->size(); ++k) {
    const roles::SrtpKeys& x = (*a)[k];
    const roles::SrtpKeys& y = (*b)[k];
    equal = x.cs_id == y.cs_id && !x.master_key.empty() &&
            mikey::crypto::constant_time_equal(x.master_key.view(), y.master_key.view()) &&
            mikey::crypto::constant_time_equal(x.master_salt.view(), y.master_salt.view());
  }
  last_.keys_equal = equal;
  last_.keys_detail =
      equal ? std::to_string(a->size()) + " crypto session(s), same SRTP master keys and salts"
            : "the SRTP master keys differ";
}

}  // namespace mikeyconf::harness
