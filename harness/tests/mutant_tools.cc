#include "harness/tests/mutant_tools.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

#include "codec/ticket_codec.h"
#include "crypto/derive.h"
#include "crypto/labels.h"
#include "crypto/mac.h"
#include "harness/embedded_kms.h"
#include "harness/mutate.h"
#include "roles/clock.h"
#include "roles/error_message.h"
#include "roles/policy.h"

namespace mikeyconf::harness::mutants {

namespace crypto = mikey::crypto;

bool is_error(ByteView m) noexcept { return m.size() >= 2 && m[1] == 6; }

std::optional<codec::DataType> data_type_of(ByteView m) noexcept {
  const codec::ParseOutcome p = codec::parse_message(m);
  if (!p.ok()) return std::nullopt;
  return p.message.hdr.data_type;
}

std::optional<codec::ErrorNo> error_number(ByteView m) {
  if (!is_error(m)) return std::nullopt;
  auto numbers = roles::error_numbers(codec::parse_message(m).message);
  if (numbers.empty()) return std::nullopt;
  return numbers.front();
}

namespace {

bool is_resolve(const codec::Message& m) {
  return m.hdr.data_type == codec::DataType::resolve_init_psk ||
         m.hdr.data_type == codec::DataType::resolve_init_pk;
}

std::string failed(std::string_view what, roles::Failure f) {
  return std::string(what) + ": " + std::string(roles::to_string(f));
}

// The index of the first top-level payload of type `t`, or nullopt.
std::optional<std::size_t> index_of(const codec::Message& m, codec::PayloadType t) {
  for (std::size_t i = 0; i < m.payloads.size(); ++i)
    if (m.payloads[i].type == t) return i;
  return std::nullopt;
}

}  // namespace

const UserProfile* requester(const SutProfile& profile, const roles::Received& request) {
  if (!request.parsed.ok()) return nullptr;
  const auto& ps = request.message().payloads;
  if (const auto* psk_id = roles::find_idr(ps, codec::IdRole::idrpsk)) {
    for (const UserProfile& u : profile.users)
      if (u.psk_id && u.psk_id->data == psk_id->data) return &u;
    return nullptr;
  }
  const auto role = is_resolve(request.message()) ? codec::IdRole::idrr : codec::IdRole::idri;
  if (const auto* idr = roles::find_idr(ps, role)) {
    for (const UserProfile& u : profile.users)
      if (u.identity.data == idr->data) return &u;
  }
  return nullptr;
}

roles::MessageProtection ExchangeKeys::initial() const {
  roles::MessageProtection p;
  p.inkey = psk;
  p.prf = prf;
  p.csb_id = csb_id;
  p.direction = crypto::MessageDirection::initial;
  (resolve ? p.randrr : p.randri) = rand;  // RFC 6043 §7.3: RANDRi or RANDRr
  return p;
}

roles::MessageProtection ExchangeKeys::response(codec::EncrAlg encr) const {
  roles::MessageProtection p = initial();
  p.direction = crypto::MessageDirection::response;
  p.initial_message = request;  // §5.5: the whole request, MAC included
  p.encr = encr;
  p.iv = roles::IvTimestamp::carrying_message;
  p.initial_t = request_t;
  return p;
}

std::optional<ExchangeKeys> exchange_keys(ByteView request, ByteView psk) {
  const roles::Received r = roles::receive(request);
  if (!r.parsed.ok()) return std::nullopt;
  const codec::Message& m = r.message();
  ExchangeKeys k;
  k.resolve = is_resolve(m);
  const auto* rand =
      roles::find_randr(m.payloads, k.resolve ? codec::RandRole::randrr : codec::RandRole::randri);
  const auto* t = roles::find_body<codec::Timestamp>(m.payloads);
  if (rand == nullptr || t == nullptr) return std::nullopt;
  k.psk.assign(psk.begin(), psk.end());
  k.request.assign(request.begin(), request.end());
  k.prf = m.hdr.prf_func;
  k.csb_id = m.hdr.csb_id;
  k.rand = rand->rand;
  k.request_t = roles::ts_iv_value(t->ts_type, t->value);
  return k;
}

mikey::Result<OpenAnswer, std::string> open_answer(ByteView answer, const ExchangeKeys& k) {
  const roles::Received r = roles::receive(answer);
  if (!r.parsed.ok()) return std::string("the answer does not parse");
  const auto* kemac = roles::find_body<codec::Kemac>(r.message().payloads);
  if (kemac == nullptr) return std::string("the answer has no KEMAC");
  OpenAnswer a;
  a.encr = kemac->encr_alg;
  auto keys = roles::verify_message(r, k.response(a.encr));
  if (!keys.ok()) return failed("opening the answer", keys.error());
  a.model = r.message();
  a.keys = std::move(keys).value();
  return a;
}

namespace {

// The model ready for protect_message: KEMAC a placeholder, the final V with a MAC to compute.
mikey::Result<codec::Message, std::string> unsealed(codec::Message m) {
  const codec::Verification* v = roles::last_v(m);
  if (v == nullptr) return std::string("the answer does not end with V");
  const codec::MacAlg alg = v->auth_alg;
  m.payloads.back() = roles::make_v(alg);
  for (codec::Payload& p : m.payloads)
    if (auto* k = p.get<codec::Kemac>()) *k = codec::Kemac{};
  return m;
}

}  // namespace

mikey::Result<Bytes, std::string> seal_answer(const OpenAnswer& a, const ExchangeKeys& k,
                                              SealOptions o) {
  auto m = unsealed(a.model);
  if (!m.ok()) return m.error();
  const roles::MessageProtection kp =
      (o.kemac_keys != nullptr ? *o.kemac_keys : k).response(a.encr);
  auto keys = roles::message_keys(kp, a.encr, codec::MacAlg::null);
  if (!keys.ok()) return failed("the KEMAC keys", keys.error());
  const auto* t = roles::find_body<codec::Timestamp>(m->payloads);
  const std::uint64_t t_iv = t != nullptr ? roles::ts_iv_value(t->ts_type, t->value) : 0;
  auto kemac =
      roles::seal_kemac(a.encr, keys.value(), o.kemac_iv_csb_id.value_or(kp.csb_id), t_iv, a.keys);
  if (!kemac.ok()) return failed("sealing the KEMAC", kemac.error());
  if (o.kemac_label) kemac->encr_alg = *o.kemac_label;
  for (codec::Payload& p : m->payloads)
    if (auto* slot = p.get<codec::Kemac>()) *slot = kemac.value();
  roles::MessageProtection mac = k.response(a.encr);
  if (!o.mac_covers_request) mac.initial_message = {};
  const codec::MacAlg alg = roles::last_v(m.value())->auth_alg;
  auto bytes = roles::protect_message(std::move(m).value(), mac, nullptr);
  if (!bytes.ok()) return failed("sealing the answer", bytes.error());
  if (!o.auth_constant && !o.auth_key_length) return std::move(bytes).value();
  // An auth_key derived against RFC 6043 §5.1.2 (constant or length), the same label otherwise.
  auto len = crypto::auth_key_length(roles::to_crypto(alg));
  if (!len.ok()) return std::string("no auth key length");
  auto key = crypto::derive_message_key(
      roles::to_crypto(mac.prf), mac.inkey, o.auth_constant.value_or(crypto::kConstAuth),
      mac.csb_id, mac.direction, mac.randri, mac.randrr, o.auth_key_length.value_or(len.value()));
  if (!key.ok()) return std::string("no auth key");
  return remac(bytes.value(), key->view(), mac.initial_message);
}

mikey::Result<Bytes, std::string> remac(ByteView message, ByteView auth_key, ByteView tail) {
  const roles::Received r = roles::receive(message);
  const codec::Verification* v = r.parsed.ok() ? roles::last_v(r.message()) : nullptr;
  if (v == nullptr) return std::string("no final V");
  const ByteView extra[] = {tail};
  auto input = roles::received_mac_input(r, extra);
  if (!input.ok()) return failed("the MAC input", input.error());
  const ByteView parts[] = {input.value()};
  auto mac = crypto::compute_mac(roles::to_crypto(v->auth_alg), auth_key, parts);
  const auto field = roles::final_v_mac(r);
  if (!mac.ok() || !field || field->length != mac->size()) return std::string("no MAC");
  Bytes out(message.begin(), message.end());
  std::copy(mac->begin(), mac->end(), out.begin() + field->offset);
  return out;
}

transport::KmsHandler rewriting_answers(transport::KmsHandler inner, SutProfile profile,
                                        codec::DataType which, AnswerChange change,
                                        Bytes link_psk) {
  return [inner, profile, which, change, link_psk](transport::RequestType t, ByteView req) {
    transport::KmsAnswer a = inner(t, req);
    if (data_type_of(a.mikey) != which) return a;
    const roles::Received request = roles::receive(req);
    const UserProfile* user = requester(profile, request);
    auto keys = exchange_keys(req, user != nullptr ? ByteView(user->psk) : ByteView(link_psk));
    if (!keys || keys->psk.empty()) return a;
    auto opened = open_answer(a.mikey, *keys);
    if (!opened.ok()) return a;
    AnswerEdit e{request, profile, std::move(*keys), std::move(opened).value(), {}, {}};
    if (!change(e)) return a;
    if (e.kemac_keys) e.seal.kemac_keys = &*e.kemac_keys;
    auto sealed = seal_answer(e.answer, e.keys, e.seal);
    if (sealed.ok()) a.mikey = std::move(sealed).value();
    return a;
  };
}

transport::KmsHandler answering_replays(transport::KmsHandler inner) {
  struct Seen {
    std::mutex mu;
    std::map<Bytes, Bytes> answers;
  };
  auto seen = std::make_shared<Seen>();
  return [inner, seen](transport::RequestType t, ByteView req) {
    const Bytes key(req.begin(), req.end());
    {
      std::lock_guard<std::mutex> lock(seen->mu);
      auto it = seen->answers.find(key);
      if (it != seen->answers.end()) {
        transport::KmsAnswer cached;
        cached.mikey = it->second;
        return cached;
      }
    }
    transport::KmsAnswer a = inner(t, req);
    std::lock_guard<std::mutex> lock(seen->mu);
    if (!a.mikey.empty() && !is_error(a.mikey)) seen->answers[key] = a.mikey;
    return a;
  };
}

transport::KmsHandler refusing(transport::KmsHandler inner, SutProfile profile,
                               codec::DataType granted, Judge judge, Bytes link_psk) {
  return [inner, profile, granted, judge, link_psk](transport::RequestType t, ByteView req) {
    transport::KmsAnswer a = inner(t, req);
    if (data_type_of(a.mikey) != granted) return a;
    const roles::Received request = roles::receive(req);
    const UserProfile* user = requester(profile, request);
    const auto no = judge(request);
    if (!no) return a;
    auto keys = exchange_keys(req, user != nullptr ? ByteView(user->psk) : ByteView(link_psk));
    if (keys && !keys->psk.empty()) a.mikey = authenticated_error(req, *keys, *no);
    return a;
  };
}

Bytes authenticated_error(ByteView request, const ExchangeKeys& k, codec::ErrorNo no) {
  const roles::Received r = roles::receive(request);
  const codec::Verification* v = r.parsed.ok() ? roles::last_v(r.message()) : nullptr;
  const roles::MessageProtection p = k.initial();
  return roles::build_error(roles::error_context(r.parsed), no, roles::SystemClock().now(), &p,
                            v != nullptr ? v->auth_alg : codec::MacAlg::null);
}

std::vector<roles::TicketKey> ticket_keys(const SutProfile& profile) {
  auto config = kms_config_from_profile(profile);
  if (!config.ok()) return {};
  return std::move(config->ticket_keys);
}

std::optional<roles::NtpTime> ticket_start(ByteView resolve_init) {
  const codec::ParseOutcome p = codec::parse_message(resolve_init);
  const auto* ticket = p.ok() ? roles::find_body<codec::Ticket>(p.message.payloads) : nullptr;
  if (ticket == nullptr) return std::nullopt;
  auto view = roles::view_policy(ticket->policy);
  if (!view.ok() || !view->trs) return std::nullopt;
  return roles::unix_to_ntp(*view->trs);
}

namespace {

// The TICKET payload's bytes as the codec lays them out (from its Next payload byte).
mikey::Result<Bytes, std::string> ticket_bytes(const codec::Ticket& ticket) {
  codec::Message m;
  m.hdr = roles::make_hdr(codec::DataType::error, false, codec::PrfFunc::mikey_1, 0);
  m.payloads.push_back(codec::make_payload(ticket));
  codec::Layout layout;
  auto bytes = codec::serialize_message(m, &layout);
  auto start = layout.find("payload[0].TICKET.next_payload");
  if (!bytes.ok() || !start) return std::string("the TICKET does not serialise");
  return Bytes(bytes->begin() + start->offset, bytes->end());
}

const roles::TicketKey* key_for(std::span<const roles::TicketKey> keys, const codec::Ticket& t,
                                const codec::TicketData& data) {
  const roles::TicketFormat format{t.policy.ticket_type, t.policy.subtype, t.policy.version};
  const auto* idrpsk = roles::find_idr(data.payloads, codec::IdRole::idrpsk);
  for (const roles::TicketKey& k : keys) {
    if (k.format == format && (idrpsk == nullptr || idrpsk->data == k.id)) return &k;
  }
  return nullptr;
}

// The App. A.1 MAC of `t` under `key`, keyed with the Ticket Data RAND.
mikey::Result<Bytes, std::string> ticket_mac(const codec::Ticket& t, const roles::TicketKey& key,
                                             ByteView rand, codec::MacAlg alg) {
  auto payload = ticket_bytes(t);
  if (!payload.ok()) return payload.error();
  auto input = codec::base_ticket_mac_input(payload.value());
  auto len = crypto::auth_key_length(roles::to_crypto(alg));
  if (!input.ok() || !len.ok()) return std::string("no MAC input for the ticket");
  auto keys = crypto::derive_tpk_keys(roles::to_crypto(t.policy.prf_func), key.tpk.view(), rand, 0,
                                      len.value(), 0);
  if (!keys.ok()) return std::string("no TPK-derived key");
  const ByteView parts[] = {input.value()};
  auto mac = crypto::compute_mac(roles::to_crypto(alg), keys->auth.view(), parts);
  if (!mac.ok()) return std::string("the ticket MAC failed");
  return std::move(mac).value();
}

}  // namespace

mikey::Result<Bytes, std::string> remac_ticket(ByteView message,
                                               std::span<const roles::TicketKey> keys) {
  const roles::Received r = roles::receive(message);
  const auto at = r.parsed.ok() ? index_of(r.message(), codec::PayloadType::ticket) : std::nullopt;
  if (!at) return std::string("no TICKET");
  codec::Message m = r.message();
  auto& ticket = *m.payloads[*at].get<codec::Ticket>();
  codec::TicketData data;
  codec::ParseState st;
  st.options.record_layout = false;
  if (codec::parse_ticket_data(ticket, 0, st, "ticket_data", data).code != codec::Errc::ok ||
      data.payloads.empty()) {
    return std::string("the Ticket Data does not parse");
  }
  auto* v = data.payloads.back().get<codec::Verification>();
  const auto* rand = roles::find_body<codec::Rand>(data.payloads);
  const roles::TicketKey* key = key_for(keys, ticket, data);
  if (v == nullptr || rand == nullptr || key == nullptr) return std::string("no TPK for it");
  auto mac = ticket_mac(ticket, *key, rand->rand, v->auth_alg);
  if (!mac.ok()) return mac.error();
  v->mac = std::move(mac).value();
  auto td = codec::serialize_ticket_data(ticket.policy, data);
  if (!td.ok()) return std::string("the Ticket Data does not serialise");
  ticket.ticket_data = std::move(td).value();
  auto out = codec::serialize_message(m);
  if (!out.ok()) return std::string("the message does not serialise");
  return std::move(out).value();
}

std::optional<roles::OpenedTicket> open_ticket_of(ByteView message,
                                                  std::span<const roles::TicketKey> keys) {
  const roles::Received r = roles::receive(message);
  const codec::Payload* p =
      r.parsed.ok() ? roles::find_payload(r.message(), codec::PayloadType::ticket) : nullptr;
  if (p == nullptr || p->get<codec::Ticket>() == nullptr) return std::nullopt;
  auto opened =
      roles::open_ticket(roles::payload_bytes(r.bytes, *p), *p->get<codec::Ticket>(), keys);
  if (!opened.ok()) return std::nullopt;
  return std::move(opened).value();
}

mikey::Result<Bytes, std::string> reprotect_for(ByteView message, const UserProfile& user,
                                                const roles::Identity& kms) {
  const auto type = data_type_of(message);
  ProtectionKeys keys;
  keys.psk = user.psk;
  keys.identity_peer = user.identity.data;
  keys.identity_kms = kms.data;
  keys.resolve = type == codec::DataType::resolve_init_psk;
  return re_protect(message, keys);
}

transport::KmsHandler substituting(transport::KmsHandler inner, SutProfile profile,
                                   Substitute substitute) {
  return [inner, profile, substitute](transport::RequestType t, ByteView req) {
    const roles::Received r = roles::receive(req);
    const UserProfile* user = requester(profile, r);
    auto changed = user != nullptr ? substitute(r) : std::nullopt;
    if (!changed) return inner(t, req);
    auto sent = reprotect_for(*changed, *user, profile.kms_identity);
    auto keys = exchange_keys(req, user->psk);
    if (!sent.ok() || !keys || sent.value() == r.bytes) return inner(t, req);
    return answer_substitute(inner, t, sent.value(), *keys);
  };
}

transport::KmsAnswer answer_substitute(const transport::KmsHandler& inner, transport::RequestType t,
                                       ByteView substitute, const ExchangeKeys& keys) {
  transport::KmsAnswer a = inner(t, substitute);
  const auto type = data_type_of(a.mikey);
  if (type != codec::DataType::request_resp && type != codec::DataType::resolve_resp) return a;
  auto used = exchange_keys(substitute, keys.psk);
  if (!used) return a;
  auto opened = open_answer(a.mikey, *used);
  if (!opened.ok()) return a;
  auto sealed = seal_answer(opened.value(), keys);
  if (sealed.ok()) a.mikey = std::move(sealed).value();
  return a;
}

}  // namespace mikeyconf::harness::mutants
