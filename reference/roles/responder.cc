#include "roles/responder.h"

#include <algorithm>
#include <cstdlib>

#include "roles/error_message.h"
#include "roles/policy.h"
#include "roles/protect.h"

namespace mikey::roles {

using codec::DataType;
using codec::IdRole;

namespace {

constexpr std::size_t kMaxResolvedTickets = 256;

bool contains(const std::vector<TicketFormat>& v, const TicketFormat& f) {
  return std::find(v.begin(), v.end(), f) != v.end();
}

std::vector<codec::SecurityPolicy> policies_of(const codec::Message& m) {
  std::vector<codec::SecurityPolicy> out;
  for (const codec::Payload& p : m.payloads)
    if (const auto* sp = p.get<codec::SecurityPolicy>()) out.push_back(*sp);
  return out;
}

// §6.1 / §6.1.1: GENERIC-ID map (SRTP-ID SHALL NOT be used) of SRTP crypto sessions, SRTP SPs.
bool sessions_ok(const codec::Message& m) noexcept {
  if (m.hdr.map_type != codec::MapType::generic_id || m.hdr.generic_id.empty()) return false;
  for (const codec::GenericIdEntry& e : m.hdr.generic_id)
    if (e.prot_type != codec::ProtType::srtp) return false;
  for (const codec::Payload& p : m.payloads)
    if (const auto* sp = p.get<codec::SecurityPolicy>();
        sp && sp->prot_type != codec::ProtType::srtp)
      return false;
  return true;
}

const codec::Ticket* ticket_of(const codec::Message& m) noexcept {
  return find_body<codec::Ticket>(m.payloads);
}

// The MPKs and session keys of a RESOLVE_RESP KEMAC: MPKi || [MPKr'] || {TEK|TGK'|GTGK}.
struct KemacParts {
  KeyItem* mpki = nullptr;
  KeyItem* mpkr = nullptr;
  std::size_t first_key = 0;
};
Result<KemacParts, Refusal> split_kemac(KeySet& keys, bool forking) {
  KemacParts k;
  if (keys.empty() || keys[0].type != codec::KeyDataType::mpk) {
    return refuse(Failure::malformed_message, "KEMAC does not start with MPKi");
  }
  k.mpki = &keys[0];
  k.first_key = 1;
  if (forking) {
    if (keys.size() < 2 || keys[1].type != codec::KeyDataType::mpk) {
      return refuse(Failure::missing_payload, "no MPKr' with key forking");
    }
    k.mpkr = &keys[1];
    k.first_key = 2;
  }
  return k;
}

}  // namespace

Responder::Resolution Responder::Resolution::clone() const {
  Resolution r;
  r.mpki = mpki.clone();
  r.mpkr = mpkr.clone();
  r.keys = clone_keys(keys);
  r.idrr = idrr;
  r.randrkms = randrkms;
  return r;
}

Responder::Responder(ResponderConfig config, const Clock& clock, crypto::Rng& rng)
    : config_(std::move(config)),
      clock_(&clock),
      rng_(&rng),
      replay_(config_.replay_cache_size, config_.clock_skew_s) {}

bool Responder::t_fresh(const codec::Timestamp* t, std::int64_t& seconds) const noexcept {
  if (t == nullptr) return false;
  auto s = ts_unix_seconds(t->ts_type, t->value);
  if (!s) return false;
  seconds = *s;
  return std::llabs(*s - clock_->now_unix()) <= std::int64_t{config_.clock_skew_s};
}

Refusal Responder::with_error(Refusal refusal, const Received& offending) {
  // §5.4: never an Error in answer to an Error; otherwise a Transfer Error = HDR, T, (ERR).
  if (scope(refusal.failure) == FailureScope::answer) {
    refusal.error_message = build_error(error_context(offending.parsed), error_no(refusal.failure),
                                        timestamps_.next(*clock_));
  }
  return refusal;
}

// ---- TRANSFER_INIT ----

Result<bool, Refusal> Responder::early_reject(const Received& r) const {
  const codec::Message& m = r.message();
  if (!sessions_ok(m)) return refuse(Failure::unsupported_security_policy);
  const codec::TicketPolicy& tp = ticket_of(m)->policy;
  if (!contains(config_.ticket_formats, {tp.ticket_type, tp.subtype, tp.version}) ||
      codec::find_ticket_codec(tp) == nullptr) {
    return refuse(Failure::unsupported_ticket_type);
  }
  // The ticket's times are the KMS's (or a mode-3 Initiator's): allow their clock the skew.
  auto view = check_ticket_policy(tp, clock_->now_unix(), config_.ticket_start_grace_s);
  if (!view.ok()) return refuse(view.error());
  if (tp.flags.i && !config_.accept_forking) {
    return refuse(Failure::policy_unacceptable, "key forking not accepted");
  }
  if (const auto* idrr = find_idr(m.payloads, IdRole::idrr)) {
    Identity to = identity_of(*idrr);
    if (to != config_.identity &&
        std::find(config_.aliases.begin(), config_.aliases.end(), to) == config_.aliases.end()) {
      return refuse(Failure::unknown_identity, "TRANSFER_INIT is addressed to someone else");
    }
  }
  return true;
}

const Responder::Resolution* Responder::cached(const codec::Ticket& ticket) const noexcept {
  for (const auto& [data, res] : resolved_)
    if (data == ticket.ticket_data) return &res;
  return nullptr;
}

Result<ResponderStep, Refusal> Responder::read_transfer_init(ByteView bytes) {
  Received r = receive(bytes);
  if (!r.parsed.ok()) return with_error(refuse(Failure::malformed_message), r);
  const codec::Message& m = r.message();
  if (m.hdr.data_type == DataType::error) return refuse(Failure::error_message_received);
  if (m.hdr.data_type != DataType::transfer_init)
    return with_error(refuse(Failure::wrong_data_type), r);
  // §4.2.2.1: HDR, T, RANDRi, TICKET, V.
  const auto* v = last_v(m);
  if (find_body<codec::Timestamp>(m.payloads) == nullptr || v == nullptr ||
      ticket_of(m) == nullptr || find_randr(m.payloads, codec::RandRole::randri) == nullptr) {
    return with_error(refuse(Failure::missing_payload), r);
  }
  // §4.2.2.2: reject an unacceptable policy before contacting the KMS.
  if (auto ok = early_reject(r); !ok.ok()) return with_error(ok.error(), r);
  std::int64_t t = 0;
  if (!t_fresh(find_body<codec::Timestamp>(m.payloads), t)) {
    return with_error(refuse(Failure::timestamp_skew), r);
  }
  if (replay_.seen(v->mac, t)) return with_error(refuse(Failure::replayed_message), r);
  const codec::Ticket& ticket = *ticket_of(m);
  session_.reset();
  resolve_.reset();
  transfer_ = std::move(r);
  if (const Resolution* c = cached(ticket)) {
    // §5.3: a reused ticket; J = 0 tickets must not be reused.
    if (!ticket.policy.flags.j)
      return with_error(refuse(Failure::ticket_reuse_forbidden), *transfer_);
    return finish(c->clone());  // the same modifier as before (T-5.3-2)
  }
  if (!ticket.policy.flags.e && !config_.ticket_keys.empty()) {
    auto local = resolve_locally(*transfer_);
    if (local.ok()) return finish(std::move(local).value());
    if (local.error().failure != Failure::ticket_issuer_unknown) {
      return with_error(local.error(), *transfer_);
    }
  }
  return resolve(*transfer_);
}

Result<ResponderStep, Refusal> Responder::process_transfer_init(ByteView transfer_init) noexcept {
  return refuse_on_throw([&] { return read_transfer_init(transfer_init); });
}

// Modes 2 / 4: the Responder holds the TPK (E = 0 lets it resolve itself, §6.10). No forking is
// possible here (I ⇒ E).
Result<Responder::Resolution, Refusal> Responder::resolve_locally(const Received& r) const {
  const codec::Payload& p = *r.message().find(codec::PayloadType::ticket);
  auto opened =
      open_ticket(payload_bytes(r.bytes, p), *p.get<codec::Ticket>(), config_.ticket_keys);
  if (!opened.ok()) return refuse(opened.error());
  Resolution res;
  res.mpki = std::move(opened->mpki);
  res.keys = std::move(opened->contents.keys);
  return res;
}

// §4.2.3.1, §4.2.3.2: RESOLVE_INIT_PSK = HDR (V = 1, #CS 0, Empty map), T, RANDRr, IDRr, IDRkms,
// TICKET (as received, Initiator Data included: §4.2.3.4
// has the KMS verify it), IDRpsk, V.
Result<ResponderStep, Refusal> Responder::resolve(Received r) {
  const PskCredential* psk = as_psk(config_.credential.get());
  if (psk == nullptr) return with_error(refuse(Failure::pk_not_implemented, "RESOLVE_INIT_PK"), r);
  PendingResolve pr;
  pr.csb_id = rng_->u32();
  // RFC 6043 §12.1: len(RANDRi) + len(RANDRr) >= the longest PSK; each RAND alone is that long,
  // so no KMS can find either too short (docs/latitude.md "rand-length").
  pr.randrr =
      rng_->bytes(std::max({std::size_t{16}, config_.algorithms.key_length(), psk->psk().size()}));
  pr.t = timestamps_.next(*clock_);
  codec::Message m;
  m.hdr = make_hdr(DataType::resolve_init_psk, true, config_.algorithms.prf, pr.csb_id);
  m.payloads.push_back(make_t(pr.t));
  m.payloads.push_back(make_randr(codec::RandRole::randrr, pr.randrr));
  m.payloads.push_back(make_idr(IdRole::idrr, config_.identity));
  m.payloads.push_back(make_idr(IdRole::idrkms, config_.kms_identity));
  m.payloads.push_back(*r.message().find(codec::PayloadType::ticket));
  if (psk->psk_id()) m.payloads.push_back(make_idr(IdRole::idrpsk, *psk->psk_id()));
  m.payloads.push_back(make_v(config_.algorithms.mac));
  MessageProtection p;
  p.inkey = psk->psk();
  p.prf = config_.algorithms.prf;
  p.csb_id = pr.csb_id;
  p.direction = crypto::MessageDirection::initial;
  p.randrr = pr.randrr;  // §7.3: Resolve keys use RANDRr only
  p.identity_a = config_.identity.data;
  p.identity_b = config_.kms_identity.data;
  auto bytes = protect_message(std::move(m), p);
  if (!bytes.ok()) return with_error(refuse(bytes.error()), r);
  pr.bytes = bytes.value();
  resolve_ = std::move(pr);
  return ResponderStep{ResponderAction::send_resolve_init, std::move(bytes).value()};
}

// ---- RESOLVE_RESP ----

// §4.2.3.5: KEMAC = MPKi || [MPKr'] || keys; with forking the modifier (IDRr, RANDRkms).
Result<Responder::Resolution, Refusal> Responder::resolution_from(const codec::Message& m,
                                                                  KeySet keys, bool forking) {
  auto parts = split_kemac(keys, forking);
  if (!parts.ok()) return parts.error();
  Resolution res;
  res.mpki = std::move(parts->mpki->key);
  if (forking) res.mpkr = std::move(parts->mpkr->key);
  for (std::size_t i = parts->first_key; i < keys.size(); ++i)
    res.keys.push_back(std::move(keys[i]));
  if (const auto* idrr = find_idr(m.payloads, IdRole::idrr)) res.idrr = identity_of(*idrr);
  if (const auto* rk = find_randr(m.payloads, codec::RandRole::randrkms)) res.randrkms = rk->rand;
  if (forking && (!res.idrr || res.randrkms.empty())) {
    return refuse(Failure::missing_payload, "modifier (IDRr, RANDRkms)");
  }
  return res;
}

Result<ResponderStep, Refusal> Responder::read_resolve_resp(ByteView bytes) {
  if (!resolve_ || !transfer_) return refuse(Failure::invalid_state, "no RESOLVE_INIT pending");
  const Received& init = *transfer_;
  Received r = receive(bytes);
  if (!r.parsed.ok()) return with_error(refuse(Failure::malformed_message), init);
  const codec::Message& m = r.message();
  if (m.hdr.data_type == DataType::error) {
    Refusal refusal = refuse(Failure::kms_refused);
    refusal.peer_errors = error_numbers(m);
    return with_error(std::move(refusal), init);  // the Initiator learns of it (12)
  }
  if (m.hdr.data_type != DataType::resolve_resp)
    return with_error(refuse(Failure::wrong_data_type), init);
  std::int64_t t = 0;
  if (last_v(m) == nullptr) return with_error(refuse(Failure::missing_payload), init);
  if (!t_fresh(find_body<codec::Timestamp>(m.payloads), t)) {
    return with_error(refuse(Failure::timestamp_skew), init);
  }
  const PskCredential* psk = as_psk(config_.credential.get());
  MessageProtection p =
      response_protection(psk->psk(), config_.algorithms.prf, *resolve_, config_.iv_timestamp);
  p.randrr = resolve_->randrr;
  auto keys = verify_message(r, p);
  if (!keys.ok()) return with_error(refuse(keys.error()), init);
  const bool forking = ticket_of(init.message())->policy.flags.i;
  auto res = resolution_from(m, std::move(keys).value(), forking);
  if (!res.ok()) return with_error(res.error(), init);
  resolve_.reset();
  return finish(std::move(res).value());
}

Result<ResponderStep, Refusal> Responder::process_resolve_resp(ByteView resolve_resp) noexcept {
  return refuse_on_throw([&] { return read_resolve_resp(resolve_resp); });
}

// §4.2.3.6: verify TRANSFER_INIT with MPKi; with forking its V MAC equals Vi's MAC.
Result<ResponderStep, Refusal> Responder::finish(Resolution res) {
  const Received& init = *transfer_;
  const codec::Message& m = init.message();
  const codec::Ticket& ticket = *ticket_of(m);
  MessageProtection p;
  p.inkey = res.mpki.view();
  p.prf = m.hdr.prf_func;
  p.csb_id = m.hdr.csb_id;
  p.direction = crypto::MessageDirection::initial;
  p.randri = find_randr(m.payloads, codec::RandRole::randri)->rand;
  Identity idri_fallback;  // INTERPRETATION (RFC 6043 §5.5): the TP Data's IDRi, if any
  if (auto view = view_policy(ticket.policy); view.ok() && view->idri) idri_fallback = *view->idri;
  p.identity_a = id_data_or(find_idr(m.payloads, IdRole::idri), idri_fallback);
  p.identity_b = id_data_or(find_idr(m.payloads, IdRole::idrr), config_.identity);
  auto init_keys = verify_message(init, p);
  if (!init_keys.ok()) return with_error(refuse(init_keys.error(), "TRANSFER_INIT"), init);
  if (ticket.policy.flags.i) {
    const auto& ids = ticket.initiator_data.payloads;
    const auto* vi = ids.empty() ? nullptr : ids.front().get<codec::Verification>();
    if (vi == nullptr || !macs_equal(vi->mac, last_v(m)->mac)) {
      return with_error(refuse(Failure::initiator_data_failure, "V != Vi"), init);
    }
  }
  if (!init_keys->empty() && !ticket.policy.flags.l) {
    return with_error(refuse(Failure::policy_unacceptable, "Initiator keys with L = 0"), init);
  }
  std::int64_t t = 0;
  (void)t_fresh(find_body<codec::Timestamp>(m.payloads), t);
  // Authenticated now (RFC 3830 §5.3 step 5).
  if (auto refused = replay_.refusal_of(replay_.insert(last_v(m)->mac, t, clock_->now_unix()))) {
    return with_error(*std::move(refused), init);
  }
  // §5.3: remember the ticket: with J = 1 to reuse its resolution (same modifier), with J = 0 to
  // refuse a reuse (T-5.3-3). Bounded: the oldest entries go first.
  if (cached(ticket) == nullptr) {
    if (resolved_.size() >= kMaxResolvedTickets) resolved_.erase(resolved_.begin());
    resolved_.emplace_back(ticket.ticket_data, res.clone());
  }
  return answer(std::move(res), std::move(init_keys).value());
}

namespace {

// §4.2.2.3: the response map gives each CS exactly one policy, Session Data and an SPI.
void complete_map(codec::Hdr& hdr, std::vector<codec::Payload>& added, const KeySet& keys,
                  crypto::Rng& rng) {
  for (codec::GenericIdEntry& e : hdr.generic_id) {
    if (e.policies.empty()) {
      // #P = 0: R supplies a policy (SRTP defaults) in its own SP payload (T-6.1.1-2).
      const auto no = static_cast<std::uint8_t>(200 + added.size());
      added.push_back(codec::make_payload(codec::SecurityPolicy{no, codec::ProtType::srtp, {}}));
      e.policies = {no};
    } else {
      e.policies.resize(1);  // T-6.1.1-3: one of the offered policies
    }
    if (e.session_data.empty()) e.session_data = rng.bytes(4);     // an SSRC (T-6.1.1-5)
    if (e.spi.empty() && !keys.empty()) e.spi = keys.front().spi;  // T-6.1.1-6
  }
}

}  // namespace

// The session state both messages agree on: the Initiator's CSB, RANDRi and SPs, the resolved
// (and Initiator-supplied) keys, and the CS map the Responder completes (§4.2.2.3).
TransferSession Responder::new_session(const codec::Message& m, Resolution& res, KeySet init_keys,
                                       codec::Hdr& hdr, std::vector<codec::Payload>& sps) {
  TransferSession s;
  s.prf = m.hdr.prf_func;
  s.csb_id = m.hdr.csb_id;
  s.flags = ticket_of(m)->policy.flags;
  s.randri = find_randr(m.payloads, codec::RandRole::randri)->rand;
  s.keys = std::move(res.keys);
  for (KeyItem& k : init_keys) s.keys.push_back(std::move(k));
  s.policies = policies_of(m);
  if (const auto* idri = find_idr(m.payloads, IdRole::idri)) s.initiator = identity_of(*idri);
  s.responder = res.idrr.value_or(config_.identity);
  s.mac = last_v(m)->auth_alg;
  s.encr = config_.algorithms.encr;
  s.last_peer_t = clock_->now_unix();
  hdr = m.hdr;
  complete_map(hdr, sps, s.keys, *rng_);
  s.sessions = hdr.generic_id;
  for (const codec::Payload& sp : sps) s.policies.push_back(*sp.get<codec::SecurityPolicy>());
  return s;
}

Result<ResponderStep, Refusal> Responder::answer(Resolution res, KeySet init_keys) {
  const Received& init = *transfer_;
  codec::Hdr hdr;
  std::vector<codec::Payload> sps;
  TransferSession s = new_session(init.message(), res, std::move(init_keys), hdr, sps);
  if (!s.flags.f) {  // §6.10: F = 0, no TRANSFER_RESP; the update keys are TRANSFER_INIT's
    s.update_inkey = std::move(res.mpki);
    session_ = std::move(s);
    return ResponderStep{ResponderAction::done, {}};
  }
  // §4.2.2.3: TRANSFER_RESP = HDR, T, [RANDRr], [IDRr], [RANDRkms], {SP}, V.
  hdr.data_type = DataType::transfer_resp;
  hdr.v = false;
  codec::Message resp;
  resp.hdr = hdr;
  resp.payloads.push_back(make_t(timestamps_.next(*clock_)));
  if (s.flags.g) {
    s.randrr = rng_->bytes(std::max<std::size_t>(16, res.mpki.size()));  // fresh (T-4.2.2.3-8)
    resp.payloads.push_back(make_randr(codec::RandRole::randrr, s.randrr));
  }
  resp.payloads.push_back(make_idr(IdRole::idrr, s.responder));  // as RESOLVE_RESP said (-9)
  if (!res.randrkms.empty()) {
    resp.payloads.push_back(make_randr(codec::RandRole::randrkms, res.randrkms));  // (-10)
  }
  for (codec::Payload& sp : sps) resp.payloads.push_back(std::move(sp));
  resp.payloads.push_back(make_v(s.mac));
  // §5.1.2 / T-5.1.2-1: MPKr' protects TRANSFER_RESP with forking, MPKi otherwise.
  s.update_inkey = s.flags.i ? std::move(res.mpkr) : std::move(res.mpki);
  s.update_direction = crypto::MessageDirection::response;
  MessageProtection p = update_protection(s);
  p.initial_message = init.bytes;
  auto bytes = protect_message(std::move(resp), p);
  if (!bytes.ok()) return with_error(refuse(bytes.error()), init);
  session_ = std::move(s);
  return ResponderStep{ResponderAction::send_transfer_resp, std::move(bytes).value()};
}

Result<std::vector<SrtpKeys>, Refusal> Responder::srtp_keys() const noexcept {
  return completed_srtp_keys(session_);
}

// ---- CSB update (§5.2) ----

// §5.2: same CSB ID, a newer timestamp, the keys of the last message of the initial exchange.
Result<KeySet, Refusal> Responder::verify_update(const Received& r) {
  TransferSession& s = *session_;
  const codec::Message& m = r.message();
  std::int64_t t = 0;
  if (!t_fresh(find_body<codec::Timestamp>(m.payloads), t)) return refuse(Failure::timestamp_skew);
  if (t < s.last_peer_t || replay_.seen(last_v(m)->mac, t)) {
    return refuse(Failure::replayed_message);  // anything not newer is a replay
  }
  if (m.hdr.csb_id != s.csb_id) return refuse(Failure::auth_failure, "another session's CSB ID");
  MessageProtection p = update_protection(s);
  p.identity_a = id_data_or(find_idr(m.payloads, IdRole::idri), s.initiator);
  p.identity_b = id_data_or(find_idr(m.payloads, IdRole::idrr), s.responder);
  auto keys = verify_message(r, p);
  if (!keys.ok()) return refuse(keys.error(), "CSB update");
  if (!keys->empty() && !s.flags.l) return refuse(Failure::policy_unacceptable, "L = 0");
  if (auto refused = replay_.refusal_of(replay_.insert(last_v(m)->mac, t, clock_->now_unix()))) {
    return *std::move(refused);
  }
  s.last_peer_t = t;
  return std::move(keys).value();
}

// The update TRANSFER_RESP = HDR, T, [IDRr], {SP}, [KEMAC], V, MAC over it ‖ the update
// TRANSFER_INIT. INTERPRETATION: no KEMAC (R supplies keys only with M = 1, and this reference
// Responder has none of its own to supply).
Result<ResponderStep, Refusal> Responder::update_resp(const Received& r) {
  const TransferSession& s = *session_;
  codec::Message resp;
  resp.hdr = r.message().hdr;
  resp.hdr.data_type = DataType::transfer_resp;
  resp.hdr.v = false;
  resp.payloads.push_back(make_t(timestamps_.next(*clock_)));
  resp.payloads.push_back(make_idr(IdRole::idrr, s.responder));
  resp.payloads.push_back(make_v(s.mac));
  MessageProtection p = update_protection(s);
  p.initial_message = r.bytes;
  auto out = protect_message(std::move(resp), p);
  if (!out.ok()) return with_error(refuse(out.error()), r);
  return ResponderStep{ResponderAction::send_transfer_resp, std::move(out).value()};
}

Result<ResponderStep, Refusal> Responder::read_update(ByteView bytes) {
  if (!session_) return refuse(Failure::invalid_state, "no completed transfer");
  Received r = receive(bytes);
  if (!r.parsed.ok()) return with_error(refuse(Failure::malformed_message), r);
  const codec::Message& m = r.message();
  if (m.hdr.data_type == DataType::error) return refuse(Failure::error_message_received);
  if (m.hdr.data_type != DataType::transfer_init) {
    return with_error(refuse(Failure::wrong_data_type), r);
  }
  if (last_v(m) == nullptr) return with_error(refuse(Failure::missing_payload), r);
  auto keys = verify_update(r);
  if (!keys.ok()) return with_error(keys.error(), r);
  TransferSession& s = *session_;
  if (!keys->empty()) {
    s.keys = std::move(keys).value();  // §5.2: a new TGK is not forked
    if (m.hdr.map_type == codec::MapType::generic_id) s.sessions = m.hdr.generic_id;
  }
  for (codec::SecurityPolicy& sp : policies_of(m)) s.policies.push_back(std::move(sp));
  if (!m.hdr.v) return ResponderStep{ResponderAction::done, {}};  // no response asked for
  return update_resp(r);
}

Result<ResponderStep, Refusal> Responder::process_update(ByteView transfer_init) noexcept {
  return refuse_on_throw([&] { return read_update(transfer_init); });
}

}  // namespace mikey::roles
