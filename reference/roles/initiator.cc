#include "roles/initiator.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "crypto/derive.h"
#include "roles/error_message.h"
#include "roles/policy.h"
#include "roles/protect.h"

namespace mikey::roles {

using codec::DataType;
using codec::IdRole;

codec::TicketFlags TicketRequest::default_flags() noexcept {
  codec::TicketFlags f;
  f.d = f.f = f.h = f.n = f.o = true;
  return f;
}

namespace {

codec::Payload desired_kemac(const std::vector<DesiredKey>& keys) {
  KeySet zero;
  for (const DesiredKey& k : keys) {
    KeyItem item;
    item.type = k.type;
    item.key = crypto::SecureBytes(k.length);  // §6.10: Key Data SHALL be zero
    if (codec::has_salt(k.type)) item.salt = crypto::SecureBytes(std::size_t{14});
    zero.push_back(std::move(item));
  }
  auto chain = encode_keys(zero);
  return codec::make_payload(codec::Kemac{codec::EncrAlg::null,
                                          chain.ok() ? std::move(chain).value() : Bytes{},
                                          codec::MacAlg::null,
                                          {}});
}

// §4.2.1.6: the Initiator checks the granted policy before using it.
Result<PolicyView, Refusal> acceptable_grant(const InitiatorConfig& cfg, const TicketRequest& asked,
                                             const codec::TicketPolicy& granted, std::int64_t now) {
  const TicketFormat format{granted.ticket_type, granted.subtype, granted.version};
  if (std::find(cfg.ticket_formats.begin(), cfg.ticket_formats.end(), format) ==
      cfg.ticket_formats.end()) {
    return refuse(Failure::unsupported_ticket_type, "granted ticket format");
  }
  // A start the Initiator asked for is not a reason to refuse; the KMS's clock may run ahead.
  auto view = check_ticket_policy(granted, now + std::max<std::int64_t>(asked.start_offset_s, 0),
                                  cfg.clock_skew_s);
  if (!view.ok()) return refuse(view.error(), "granted policy");
  if (cfg.require_forking && asked.flags.i && !granted.flags.i) {
    return refuse(Failure::policy_unacceptable, "the KMS dropped key forking");
  }
  for (const Identity& r : asked.responders) {
    if (!authorizes(view.value(), {r})) {
      return refuse(Failure::policy_unacceptable, "a requested responder is not authorized");
    }
  }
  return std::move(view).value();
}

std::size_t longest_key(const KeySet& keys, const crypto::SecureBytes& mpk) noexcept {
  std::size_t n = std::max<std::size_t>(16, mpk.size());
  for (const KeyItem& k : keys) n = std::max(n, k.key.size());
  return n;
}

Refusal received_error(const codec::Message& m) {
  Refusal r = refuse(Failure::error_message_received);
  r.peer_errors = error_numbers(m);
  return r;
}

// The common reading of a response: parsed, not an Error, the expected type, T and V present.
Result<bool, Refusal> check_response(const Received& r, DataType expected) {
  if (!r.parsed.ok()) return refuse(Failure::malformed_message);
  const codec::Message& m = r.message();
  if (m.hdr.data_type == DataType::error) return received_error(m);
  if (m.hdr.data_type != expected) return refuse(Failure::wrong_data_type);
  if (find_body<codec::Timestamp>(m.payloads) == nullptr || last_v(m) == nullptr) {
    return refuse(Failure::missing_payload);
  }
  return true;
}

bool policies_ok(const std::vector<codec::Payload>& ps) noexcept {
  for (const codec::Payload& p : ps)
    if (const auto* sp = p.get<codec::SecurityPolicy>();
        sp && sp->prot_type != codec::ProtType::srtp)
      return false;
  return true;
}

std::vector<codec::SecurityPolicy> policies_of(const codec::Message& m) {
  std::vector<codec::SecurityPolicy> out;
  for (const codec::Payload& p : m.payloads)
    if (const auto* sp = p.get<codec::SecurityPolicy>()) out.push_back(*sp);
  return out;
}

// Mode 3: the MPK and session keys the Initiator puts in its own ticket (one TGK unless asked
// otherwise, as a KMS does: T-4.2.1.5-8), each with a random SPI (RFC 6043 §6.2.1).
// Whether the ticket made for `r` encodes a TGK (fresh_contents: a TGK when no key is named).
bool requests_tgk(const TicketRequest& r) {
  return r.keys.empty() || std::any_of(r.keys.begin(), r.keys.end(),
                                       [](const DesiredKey& k) { return is_tgk(k.type); });
}

TicketContents fresh_contents(crypto::Rng& rng, const TicketRequest& r) {
  const std::size_t len = Algorithms{r.prf, {}, {}}.key_length();
  TicketContents c;
  c.mpk.type = codec::KeyDataType::mpk;
  c.mpk.key = rng.secret(len);
  c.mpk.spi = rng.bytes(4);
  const std::vector<DesiredKey> wanted =
      r.keys.empty() ? std::vector<DesiredKey>{{codec::KeyDataType::tgk, len}} : r.keys;
  for (const DesiredKey& w : wanted) {
    KeyItem k;
    k.type = w.type;
    k.key = rng.secret(w.length);
    if (codec::has_salt(w.type)) k.salt = rng.secret(14);
    k.spi = rng.bytes(4);
    c.keys.push_back(std::move(k));
  }
  return c;
}

}  // namespace

codec::TicketPolicy desired_policy(const TicketRequest& r, std::int64_t now) {
  codec::TicketPolicy tp;
  tp.ticket_type = r.format.type;
  tp.subtype = r.format.subtype;
  tp.version = r.format.version;
  tp.prf_func = r.prf;
  tp.flags = r.flags;
  tp.flags.k = false;  // T-6.10-3
  tp.tp_data.present = true;
  auto& d = tp.tp_data.payloads;
  if (r.lifetime_s) {
    d.push_back(make_tr(codec::TsRole::trs, now + r.start_offset_s));
    d.push_back(make_tr(codec::TsRole::tre, now + r.start_offset_s + *r.lifetime_s));
  }
  if (!r.keys.empty()) d.push_back(desired_kemac(r.keys));
  for (const Identity& a : r.applications) d.push_back(make_idr(IdRole::idrapp, a));
  for (const Identity& x : r.responders) d.push_back(make_idr(IdRole::idrr, x));  // T-6.10-15
  return tp;
}

Result<Bytes, Failure> build_request_init_psk(const RequestInitFields& f, ByteView psk,
                                              ByteView identity_i, ByteView identity_kms) noexcept {
  try {
    codec::Message m;
    // §4.2.1.1: V = 1 (ignored by the KMS), #CS = 0, Empty map.
    m.hdr = make_hdr(DataType::request_init_psk, true, f.prf, f.csb_id);
    m.payloads.push_back(make_t(f.t));
    m.payloads.push_back(make_randr(codec::RandRole::randri, f.randri));
    if (f.idri) m.payloads.push_back(make_idr(IdRole::idri, *f.idri));
    if (f.idrkms) m.payloads.push_back(make_idr(IdRole::idrkms, *f.idrkms));
    m.payloads.push_back(codec::make_payload(f.tp));
    if (f.idrpsk) m.payloads.push_back(make_idr(IdRole::idrpsk, *f.idrpsk));
    m.payloads.push_back(make_v(f.mac));
    MessageProtection p;
    p.inkey = psk;
    p.prf = f.prf;
    p.csb_id = f.csb_id;
    p.direction = crypto::MessageDirection::initial;
    p.randri = f.randri;  // §7.3: Request keys use RANDRi only
    p.identity_a = f.idri ? ByteView(f.idri->data) : identity_i;
    p.identity_b = f.idrkms ? ByteView(f.idrkms->data) : identity_kms;
    return protect_message(std::move(m), p);
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

Initiator::Initiator(InitiatorConfig config, const Clock& clock, crypto::Rng& rng)
    : config_(std::move(config)), clock_(&clock), rng_(&rng) {}

bool Initiator::t_fresh(const codec::Timestamp* t) const noexcept {
  if (t == nullptr) return false;
  // A COUNTER carries no time; a response's freshness then rests on its MAC, which covers our
  // own fresh initial message (RFC 6043 §5.5).
  if (t->ts_type == codec::TsType::counter) return true;
  auto s = ts_unix_seconds(t->ts_type, t->value);
  return s && std::llabs(*s - clock_->now_unix()) <= std::int64_t{config_.clock_skew_s};
}

// ---- Ticket Request ----

Result<Bytes, Refusal> Initiator::request_ticket(const TicketRequest& desired) noexcept {
  try {
    const PskCredential* psk = as_psk(config_.credential.get());
    if (psk == nullptr) return refuse(Failure::pk_not_implemented, "REQUEST_INIT_PK");
    if (desired.responders.empty()) return refuse(Failure::ticket_policy_invalid, "no IDRr");
    PendingRequest pr;
    pr.csb_id = rng_->u32();  // M-6.1-4: random CSB ID
    // RFC 6043 §12.1: len(RANDRi) + len(RANDRr) >= the longest PSK; each RAND alone is that long,
    // so no KMS can find either too short (docs/latitude.md "rand-length").
    pr.randri = rng_->bytes(
        std::max({std::size_t{16}, config_.algorithms.key_length(), psk->psk().size()}));
    RequestInitFields f;
    f.csb_id = pr.csb_id;
    f.t = timestamps_.next(*clock_);
    f.randri = pr.randri;
    f.idri = config_.identity;
    if (config_.include_idrkms) f.idrkms = config_.kms_identity;
    f.tp = desired_policy(desired, clock_->now_unix());
    if (config_.include_idrpsk) f.idrpsk = psk->psk_id();
    f.prf = config_.algorithms.prf;
    f.mac = config_.algorithms.mac;
    auto bytes =
        build_request_init_psk(f, psk->psk(), config_.identity.data, config_.kms_identity.data);
    if (!bytes.ok()) return refuse(bytes.error());
    pr.bytes = bytes.value();
    pr.t = f.t;
    pr.desired = desired;
    request_ = std::move(pr);
    return std::move(bytes).value();
  } catch (const std::bad_alloc&) {
    return refuse(Failure::internal_error);
  }
}

Result<codec::TicketPolicy, Refusal> Initiator::process_request_resp(ByteView response) noexcept {
  try {
    if (!request_) return refuse(Failure::invalid_state, "no REQUEST_INIT pending");
    const PskCredential* psk = as_psk(config_.credential.get());
    Received r = receive(response);
    if (auto ok = check_response(r, DataType::request_resp); !ok.ok()) return ok.error();
    const codec::Message& m = r.message();
    if (m.find(codec::PayloadType::ticket) == nullptr ||
        find_body<codec::Kemac>(m.payloads) == nullptr) {
      return refuse(Failure::missing_payload);
    }
    if (!t_fresh(find_body<codec::Timestamp>(m.payloads))) return refuse(Failure::timestamp_skew);
    // The HDR PRF of our REQUEST_INIT (§4.2.1.5 copies it).
    MessageProtection p =
        response_protection(psk->psk(), config_.algorithms.prf, *request_, config_.iv_timestamp);
    p.randri = request_->randri;
    auto keys = verify_message(r, p);
    if (!keys.ok()) return refuse(keys.error());
    return accept_grant(r, std::move(keys).value());
  } catch (const std::bad_alloc&) {
    return refuse(Failure::internal_error);
  }
}

Result<codec::TicketPolicy, Refusal> Initiator::accept_grant(const Received& r, KeySet keys) {
  const codec::Ticket& ticket = *find_body<codec::Ticket>(r.message().payloads);
  // §4.2.1.5: KEMAC = MPKi || [MPKr] || {TEK|TGK|GTGK}.
  if (keys.empty() || keys.front().type != codec::KeyDataType::mpk) {
    return refuse(Failure::malformed_message, "KEMAC does not start with MPKi");
  }
  const bool forking = ticket.policy.flags.i;
  if (forking && (keys.size() < 2 || keys[1].type != codec::KeyDataType::mpk)) {
    return refuse(Failure::missing_payload, "no MPKr with key forking");
  }
  auto view = acceptable_grant(config_, request_->desired, ticket.policy, clock_->now_unix());
  if (!view.ok()) return view.error();  // discarded (T-4.2.1.6-3)
  HeldTicket h;
  h.ticket = ticket;
  h.ticket.initiator_data = {};
  h.mpki = std::move(keys[0].key);
  std::size_t first = 1;
  if (forking) h.mpkr = std::move(keys[first++].key);
  for (std::size_t i = first; i < keys.size(); ++i) h.keys.push_back(std::move(keys[i]));
  ticket_ = std::move(h);
  request_.reset();
  transfer_.reset();
  session_.reset();
  return ticket.policy;
}

// ---- Mode 3 ----

Result<codec::TicketPolicy, Refusal> Initiator::create_ticket(const TicketRequest& desired,
                                                              const TicketKey& tpk) noexcept {
  try {
    if (desired.responders.empty()) return refuse(Failure::ticket_policy_invalid, "no IDRr");
    TicketRequest r = desired;
    r.flags.d = false;  // generated by the Initiator
    r.flags.l = true;   // §6.10: NOT D ⇒ L
    // T-6.10-2: F = 1 when I = 1 and a TGK is encoded — the forked TGK' reaches the Initiator
    // only through TRANSFER_RESP's modifier (§5.1.1). As the KMS grants (kms_request.cc).
    if (r.flags.i && requests_tgk(r)) r.flags.f = true;
    if (!r.lifetime_s) r.lifetime_s = 3600;
    const std::int64_t now = clock_->now_unix();
    codec::TicketPolicy policy = desired_policy(r, now);
    // TP Data: IDRkms = the KMS that can resolve it, IDRi = its creator (§6.10).
    auto& d = policy.tp_data.payloads;
    d.insert(d.begin(), make_idr(IdRole::idri, config_.identity));
    d.insert(d.begin(), make_idr(IdRole::idrkms, config_.kms_identity));
    if (auto rule = flag_violation(policy.flags)) {
      return refuse(Failure::ticket_policy_invalid, std::string(*rule));
    }
    TicketContents c = fresh_contents(*rng_, r);
    auto sealed = seal_ticket(policy, c, tpk, timestamps_.next(*clock_), *rng_);
    if (!sealed.ok()) return refuse(sealed.error());
    HeldTicket h{std::move(sealed->ticket), std::move(sealed->mpki), std::move(sealed->mpkr),
                 std::move(c.keys), false};
    ticket_ = std::move(h);
    transfer_.reset();
    session_.reset();
    return policy;
  } catch (const std::bad_alloc&) {
    return refuse(Failure::internal_error);
  }
}

// ---- Ticket Transfer ----

codec::Message Initiator::transfer_init_model(const TransferOptions& o, std::uint32_t csb,
                                              NtpTime t, const Bytes& randri) const {
  const codec::TicketFlags& flags = ticket_->ticket.policy.flags;
  codec::Message m;
  // §4.2.2.1: V = F; GENERIC-ID map (SRTP-ID SHALL NOT be used, §6.1).
  m.hdr = make_hdr(DataType::transfer_init, flags.f, config_.algorithms.prf, csb);
  m.hdr.map_type = codec::MapType::generic_id;
  const Bytes spi = ticket_->keys.empty() ? Bytes{} : ticket_->keys.front().spi;
  std::vector<codec::Payload> sps;
  for (const CryptoSession& cs : o.sessions) {
    codec::GenericIdEntry e;
    e.cs_id = cs.cs_id;
    if (cs.policy) {
      e.policies = {cs.policy->policy_no};
      sps.push_back(codec::make_payload(*cs.policy));
    }
    e.session_data = cs.ssrc;
    e.spi = spi;  // the key this CS uses (§6.1.1)
    m.hdr.generic_id.push_back(std::move(e));
  }
  m.hdr.cs_count = static_cast<std::uint8_t>(m.hdr.generic_id.size());
  m.payloads.push_back(make_t(t));
  m.payloads.push_back(make_randr(codec::RandRole::randri, randri));
  m.payloads.push_back(make_idr(IdRole::idri, config_.identity));
  m.payloads.push_back(make_idr(IdRole::idrr, o.responder));
  for (codec::Payload& sp : sps) m.payloads.push_back(std::move(sp));
  codec::Ticket ticket = ticket_->ticket;
  if (flags.i) {
    // §6.10: Initiator Data = First Payload, Vi, Vr (filled by protect_message).
    ticket.initiator_data.present = true;
    ticket.initiator_data.payloads = {make_v(config_.algorithms.mac),
                                      make_v(config_.algorithms.mac)};
  }
  m.payloads.push_back(codec::make_payload(std::move(ticket)));
  m.payloads.push_back(make_v(config_.algorithms.mac));
  return m;
}

Result<Bytes, Refusal> Initiator::build_transfer_init(const TransferOptions& o) {
  if (!ticket_) return refuse(Failure::invalid_state, "no ticket");
  const codec::TicketPolicy& tp = ticket_->ticket.policy;
  if (ticket_->used && !tp.flags.j) return refuse(Failure::ticket_reuse_forbidden);  // §5.3
  if (o.sessions.empty() || o.sessions.size() > 255) {
    return refuse(Failure::unsupported_security_policy, "1 to 255 crypto sessions");
  }
  PendingTransfer pt;
  pt.csb_id = rng_->u32();  // §5.3: a new CSB ID, T and RANDRi for every transfer
  pt.t = timestamps_.next(*clock_);
  pt.randri = rng_->bytes(longest_key(ticket_->keys, ticket_->mpki));  // T-12.1-2
  pt.responder = o.responder;
  pt.message = transfer_init_model(o, pt.csb_id, pt.t, pt.randri);
  MessageProtection p;
  p.inkey = ticket_->mpki.view();
  p.prf = config_.algorithms.prf;
  p.csb_id = pt.csb_id;
  p.direction = crypto::MessageDirection::initial;
  p.randri = pt.randri;
  p.identity_a = config_.identity.data;
  p.identity_b = o.responder.data;
  crypto::SecureBytes vr_key;
  if (tp.flags.i) {
    // §6.10: Vr keyed from the non-forked MPKr (Ticket Policy PRF: INTERPRETATION, §7.5).
    auto len = crypto::auth_key_length(to_crypto(config_.algorithms.mac));
    auto k = crypto::derive_vr_key(to_crypto(tp.prf_func), ticket_->mpkr.view(),
                                   len.ok() ? len.value() : 0);
    if (!len.ok() || !k.ok()) return refuse(Failure::internal_error, "Vr key");
    vr_key = std::move(k).value();
    p.vr_key = vr_key.view();
  }
  auto bytes = protect_message(pt.message, p);
  if (!bytes.ok()) return refuse(bytes.error());
  pt.bytes = bytes.value();
  ticket_->used = true;
  session_.reset();
  transfer_ = std::move(pt);
  return std::move(bytes).value();
}

Result<Bytes, Refusal> Initiator::transfer_init(const TransferOptions& options) noexcept {
  try {
    auto bytes = build_transfer_init(options);
    if (!bytes.ok() || ticket_->ticket.policy.flags.f) return bytes;
    // §6.10 F = 0: no TRANSFER_RESP; the transfer is complete once sent.
    auto done = complete_transfer(Received{}, {}, ticket_->mpki.clone(), clone_keys(ticket_->keys));
    if (!done.ok()) return done.error();
    return bytes;
  } catch (const std::bad_alloc&) {
    return refuse(Failure::internal_error);
  }
}

Result<bool, Refusal> Initiator::complete_transfer(const Received& r, KeySet resp_keys,
                                                   crypto::SecureBytes update_inkey,
                                                   KeySet session_keys) {
  const bool has_resp = r.parsed.ok() && !r.bytes.empty();
  TransferSession s;
  s.prf = config_.algorithms.prf;
  s.csb_id = transfer_->csb_id;
  s.flags = ticket_->ticket.policy.flags;
  s.randri = transfer_->randri;
  const codec::Message& resp = r.message();
  if (const auto* rr = has_resp ? find_randr(resp.payloads, codec::RandRole::randrr) : nullptr) {
    s.randrr = rr->rand;
  }
  s.sessions = has_resp ? resp.hdr.generic_id : transfer_->message.hdr.generic_id;
  s.policies = policies_of(transfer_->message);
  if (has_resp) {
    for (codec::SecurityPolicy& sp : policies_of(resp)) s.policies.push_back(std::move(sp));
  }
  s.keys = std::move(session_keys);
  for (KeyItem& k : resp_keys) s.keys.push_back(std::move(k));  // R-supplied keys (M = 1)
  s.initiator = config_.identity;
  s.responder = transfer_->responder;
  s.mac = config_.algorithms.mac;
  s.encr = config_.algorithms.encr;
  s.update_inkey = std::move(update_inkey);
  s.update_direction =
      has_resp ? crypto::MessageDirection::response : crypto::MessageDirection::initial;
  s.last_peer_t = clock_->now_unix();
  session_ = std::move(s);
  return true;
}

// The key protecting TRANSFER_RESP and the session keys: MPKi and the ticket's keys, or with
// forking (§5.1.1) MPKr' and TGK' from the modifier the Responder echoes (IDRr, RANDRkms).
Result<Initiator::TransferKeys, Refusal> Initiator::transfer_keys(const codec::Message& m) {
  const codec::TicketPolicy& tp = ticket_->ticket.policy;
  TransferKeys out;
  if (!tp.flags.i) {
    out.inkey = ticket_->mpki.clone();
    out.keys = clone_keys(ticket_->keys);
    return out;
  }
  const auto* idrr = find_idr(m.payloads, IdRole::idrr);
  const auto* rkms = find_randr(m.payloads, codec::RandRole::randrkms);
  if (idrr == nullptr || rkms == nullptr) return refuse(Failure::missing_payload, "modifier");
  auto mpkr =
      crypto::fork_mpkr(to_crypto(tp.prf_func), ticket_->mpkr.view(), idrr->data, rkms->rand);
  auto keys = forked_session_keys(ticket_->keys, tp.prf_func, idrr->data, rkms->rand);
  if (!mpkr.ok() || !keys.ok()) return refuse(Failure::internal_error, "forking");
  out.inkey = std::move(mpkr).value();
  out.keys = std::move(keys).value();
  return out;
}

Result<bool, Refusal> Initiator::read_transfer_resp(ByteView response) {
  if (!transfer_ || !ticket_ || !ticket_->ticket.policy.flags.f) {
    return refuse(Failure::invalid_state, "no TRANSFER_RESP expected");
  }
  // One answer per TRANSFER_INIT: a re-delivered TRANSFER_RESP is a replay (RFC 3830 §5.4) and must
  // not rebuild the session, which would undo CSB updates made since.
  if (session_) return refuse(Failure::replayed_message, "TRANSFER_RESP already processed");
  const codec::TicketPolicy& tp = ticket_->ticket.policy;
  Received r = receive(response);
  if (auto ok = check_response(r, DataType::transfer_resp); !ok.ok()) return ok.error();
  const codec::Message& m = r.message();
  if (!t_fresh(find_body<codec::Timestamp>(m.payloads))) return refuse(Failure::timestamp_skew);
  if (!response_map_ok(m.hdr) || !policies_ok(m.payloads)) {
    return refuse(Failure::unsupported_security_policy, "T-4.2.2.4-1");
  }
  const auto* randrr = find_randr(m.payloads, codec::RandRole::randrr);
  if (tp.flags.g && randrr == nullptr) return refuse(Failure::missing_payload, "RANDRr (G = 1)");
  auto forked = transfer_keys(m);
  if (!forked.ok()) return forked.error();
  crypto::SecureBytes inkey = std::move(forked->inkey);
  KeySet keys = std::move(forked->keys);
  MessageProtection p;
  p.inkey = inkey.view();
  p.prf = config_.algorithms.prf;
  p.csb_id = transfer_->csb_id;
  p.direction = crypto::MessageDirection::response;
  p.randri = transfer_->randri;
  if (tp.flags.g) p.randrr = randrr->rand;  // §7.3: RANDRr iff G
  p.initial_message = transfer_->bytes;
  p.iv = config_.iv_timestamp;
  p.initial_t = transfer_->t;
  auto resp_keys = verify_message(r, p);
  if (!resp_keys.ok()) return refuse(resp_keys.error());
  if (!resp_keys->empty() && !tp.flags.m) {
    return refuse(Failure::policy_unacceptable, "Responder keys with M = 0 (T-4.2.2.3-12)");
  }
  if (const auto* idrr = find_idr(m.payloads, IdRole::idrr); idrr != nullptr && tp.flags.i) {
    transfer_->responder = identity_of(*idrr);  // the answering endpoint (§4.2.2.3)
  }
  return complete_transfer(r, std::move(resp_keys).value(), std::move(inkey), std::move(keys));
}

Result<bool, Refusal> Initiator::process_transfer_resp(ByteView response) noexcept {
  return refuse_on_throw([&] { return read_transfer_resp(response); });
}

Result<std::vector<SrtpKeys>, Refusal> Initiator::srtp_keys() const noexcept {
  return completed_srtp_keys(session_);
}

// ---- CSB update (§5.2) ----

Result<Bytes, Refusal> Initiator::build_update(const UpdateOptions& o) {
  if (!session_) return refuse(Failure::invalid_state, "no completed transfer");
  TransferSession& s = *session_;
  if (!o.new_keys.empty() && !s.flags.l) return refuse(Failure::policy_unacceptable, "L = 0");
  codec::Message m;
  m.hdr = make_hdr(DataType::transfer_init, o.expect_response, s.prf, s.csb_id);  // same CSB ID
  m.hdr.map_type = codec::MapType::generic_id;
  m.hdr.generic_id = s.sessions;
  for (codec::GenericIdEntry& e : m.hdr.generic_id)
    if (!o.new_keys.empty()) e.spi = o.new_keys.front().spi;
  m.hdr.cs_count = static_cast<std::uint8_t>(m.hdr.generic_id.size());
  m.payloads.push_back(make_t(timestamps_.next(*clock_)));  // a new timestamp (§5.2)
  m.payloads.push_back(make_idr(IdRole::idri, s.initiator));
  m.payloads.push_back(make_idr(IdRole::idrr, s.responder));
  for (const codec::SecurityPolicy& sp : o.policies) m.payloads.push_back(codec::make_payload(sp));
  if (!o.new_keys.empty()) m.payloads.push_back(codec::make_payload(codec::Kemac{}));
  m.payloads.push_back(make_v(s.mac));
  auto bytes = protect_message(std::move(m), update_protection(s),
                               o.new_keys.empty() ? nullptr : &o.new_keys);
  if (!bytes.ok()) return refuse(bytes.error());
  return std::move(bytes).value();
}

namespace {

void commit_update(TransferSession& s, const UpdateOptions& o) {
  if (!o.new_keys.empty()) {
    s.keys = clone_keys(o.new_keys);  // §5.2: new keys are not forked
    for (codec::GenericIdEntry& e : s.sessions) e.spi = o.new_keys.front().spi;
  }
  s.policies.insert(s.policies.end(), o.policies.begin(), o.policies.end());
}

}  // namespace

Result<Bytes, Refusal> Initiator::csb_update(const UpdateOptions& options) noexcept {
  try {
    auto bytes = build_update(options);
    if (!bytes.ok()) return bytes;
    if (options.expect_response) {
      update_ = PendingUpdate{
          bytes.value(),
          UpdateOptions{options.expect_response, clone_keys(options.new_keys), options.policies}};
    } else {
      commit_update(*session_, options);
    }
    return bytes;
  } catch (const std::bad_alloc&) {
    return refuse(Failure::internal_error);
  }
}

Result<bool, Refusal> Initiator::read_update_resp(ByteView response) {
  if (!update_ || !session_) return refuse(Failure::invalid_state, "no CSB update pending");
  Received r = receive(response);
  if (auto ok = check_response(r, DataType::transfer_resp); !ok.ok()) return ok.error();
  if (!t_fresh(find_body<codec::Timestamp>(r.message().payloads))) {
    return refuse(Failure::timestamp_skew);
  }
  MessageProtection p = update_protection(*session_);
  p.initial_message = update_->bytes;
  auto keys = verify_message(r, p);
  if (!keys.ok()) return refuse(keys.error());
  commit_update(*session_, update_->options);
  update_.reset();
  return true;
}

Result<bool, Refusal> Initiator::process_update_resp(ByteView response) noexcept {
  return refuse_on_throw([&] { return read_update_resp(response); });
}

}  // namespace mikey::roles
