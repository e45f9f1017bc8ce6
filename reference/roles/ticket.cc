#include "roles/ticket.h"

#include <algorithm>
#include <new>

#include "codec/message.h"
#include "crypto/derive.h"
#include "crypto/labels.h"
#include "roles/message_util.h"
#include "roles/protect.h"

namespace mikey::roles {

namespace {

TicketFormat format_of(const codec::TicketPolicy& p) noexcept {
  return {p.ticket_type, p.subtype, p.version};
}

// App. A.2.1: encr / auth / salt keys from the TPK, Ticket Policy PRF, label type 0x05.
Result<crypto::MessageKeys, Failure> tpk_keys(codec::PrfFunc prf, ByteView tpk, ByteView rand,
                                              codec::EncrAlg encr, codec::MacAlg mac) noexcept {
  auto encr_len = crypto::encr_key_length(to_crypto(encr));
  auto salt_len = crypto::salt_key_length(to_crypto(encr));
  if (!encr_len.ok() || !salt_len.ok()) return Failure::unsupported_encr_alg;
  auto auth_len = crypto::auth_key_length(to_crypto(mac));
  if (!auth_len.ok()) return Failure::unsupported_mac_alg;
  if (!crypto::is_known(to_crypto(prf))) return Failure::unsupported_prf;
  auto keys = crypto::derive_tpk_keys(to_crypto(prf), tpk, rand, encr_len.value(), auth_len.value(),
                                      salt_len.value());
  if (!keys.ok()) return Failure::internal_error;
  return std::move(keys).value();
}

// RFC 3830 §6.1 HDR with no crypto sessions and the Empty map (RFC 4563 §5: no map info):
// version, data type, next payload, V|PRF func, CSB ID (4), #CS, CS ID map type.
constexpr std::size_t kEmptyMapHdrBytes = 10;

// The TICKET payload's bytes as the codec emits them (wrapped in a minimal message so that the
// codec, not the role, lays out the bytes): everything after that message's HDR.
Result<Bytes, Failure> ticket_payload_bytes(const codec::Ticket& ticket) {
  codec::Message m;
  m.hdr = make_hdr(codec::DataType::error, false, codec::PrfFunc::mikey_1, 0);
  m.payloads.push_back(codec::make_payload(ticket));
  auto bytes = codec::serialize_message(m);
  if (!bytes.ok() || bytes->size() <= kEmptyMapHdrBytes) return Failure::internal_error;
  bytes->erase(bytes->begin(), bytes->begin() + kEmptyMapHdrBytes);
  return std::move(bytes).value();
}

KeySet ticket_plaintext(const TicketContents& c) {
  KeySet plain;
  plain.push_back(c.mpk.clone());
  for (const KeyItem& k : c.keys) plain.push_back(k.clone());
  return plain;
}

// `keys`: the TPK's encr, auth and salt keys for this ticket's RAND (App. A.2.1).
Result<codec::TicketData, Failure> draft_ticket_data(const TicketContents& contents,
                                                     const TicketKey& key,
                                                     const crypto::MessageKeys& keys, NtpTime t,
                                                     const Bytes& rand) {
  auto kemac = seal_kemac(key.encr, keys, kTicketCsbId, t, ticket_plaintext(contents));
  if (!kemac.ok()) return kemac.error();
  codec::TicketData data;
  data.payloads.push_back(make_t(t));
  data.payloads.push_back(codec::make_payload(codec::Rand{rand}));
  data.payloads.push_back(codec::make_payload(std::move(kemac).value()));
  if (!key.id.empty()) {
    data.payloads.push_back(make_idr(codec::IdRole::idrpsk, {codec::IdType::byte_string, key.id}));
  }
  data.payloads.push_back(make_v(key.mac));
  return data;
}

// App. A.1: V over TICKET[1 .. 12+t+d−mac_len), keyed with the TPK's auth key.
Result<Bytes, Failure> ticket_mac(const codec::Ticket& ticket, const TicketKey& key,
                                  ByteView auth_key) {
  auto payload = ticket_payload_bytes(ticket);
  if (!payload.ok()) return payload.error();
  auto input = codec::base_ticket_mac_input(payload.value());
  if (!input.ok()) return Failure::internal_error;
  const ByteView parts[] = {input.value()};
  auto mac = crypto::compute_mac(to_crypto(key.mac), auth_key, parts);
  if (!mac.ok()) return Failure::internal_error;
  return std::move(mac).value();
}

Result<SealedTicket, Failure> seal(const codec::TicketPolicy& policy,
                                   const TicketContents& contents, const TicketKey& key, NtpTime t,
                                   crypto::Rng& rng) {
  if (format_of(policy) != key.format || codec::find_ticket_codec(policy) == nullptr) {
    return Failure::unsupported_ticket_type;
  }
  if (key.mac == codec::MacAlg::null) return Failure::unsupported_mac_alg;
  // T-12.1-4: the RAND is at least as long as the longest of TPK and MPK.
  const Bytes rand =
      rng.bytes(std::max({std::size_t{16}, key.tpk.size(), contents.mpk.key.size()}));
  // One derivation for the KEMAC's keys and the V's auth key (App. A.2.1).
  auto keys = tpk_keys(policy.prf_func, key.tpk.view(), rand, key.encr, key.mac);
  if (!keys.ok()) return keys.error();
  auto data = draft_ticket_data(contents, key, keys.value(), t, rand);
  if (!data.ok()) return data.error();
  codec::Ticket ticket;
  ticket.policy = policy;
  auto bytes = codec::serialize_ticket_data(policy, data.value());
  if (!bytes.ok()) return Failure::internal_error;
  ticket.ticket_data = std::move(bytes).value();
  auto mac = ticket_mac(ticket, key, keys->auth.view());
  if (!mac.ok()) return mac.error();
  data->payloads.back().get<codec::Verification>()->mac = std::move(mac).value();
  bytes = codec::serialize_ticket_data(policy, data.value());
  if (!bytes.ok()) return Failure::internal_error;
  ticket.ticket_data = std::move(bytes).value();
  auto pair = derive_mpk_pair(policy.prf_func, contents.mpk.key.view(), rand);
  if (!pair.ok()) return pair.error();
  return SealedTicket{std::move(ticket), std::move(pair->mpki), std::move(pair->mpkr)};
}

struct TicketParts {
  const codec::Timestamp* t = nullptr;
  const codec::Rand* rand = nullptr;
  const codec::Kemac* kemac = nullptr;
  const codec::Verification* v = nullptr;
  const codec::IdWithRole* idrpsk = nullptr;
};

Result<TicketParts, Failure> ticket_parts(const codec::TicketData& d) {
  TicketParts p;
  p.t = find_body<codec::Timestamp>(d.payloads);
  p.rand = find_body<codec::Rand>(d.payloads);
  p.kemac = find_body<codec::Kemac>(d.payloads);
  p.v = d.payloads.empty() ? nullptr : d.payloads.back().get<codec::Verification>();
  p.idrpsk = find_idr(d.payloads, codec::IdRole::idrpsk);
  if (p.t == nullptr || p.rand == nullptr || p.kemac == nullptr || p.v == nullptr) {
    return Failure::missing_payload;
  }
  if (p.v->auth_alg == codec::MacAlg::null) return Failure::unsupported_mac_alg;
  return p;
}

// The key among `keys` whose auth key verifies the ticket's V (App. A.1).
Result<const TicketKey*, Failure> verifying_key(ByteView ticket_payload,
                                                const codec::Ticket& ticket,
                                                const TicketParts& parts,
                                                std::span<const TicketKey> keys) {
  auto input = codec::base_ticket_mac_input(ticket_payload);
  if (!input.ok()) return Failure::malformed_message;
  bool candidate = false;
  for (const TicketKey& k : keys) {
    if (k.format != format_of(ticket.policy)) continue;
    if (parts.idrpsk != nullptr && k.id != parts.idrpsk->data) continue;
    candidate = true;
    auto auth = tpk_keys(ticket.policy.prf_func, k.tpk.view(), parts.rand->rand,
                         codec::EncrAlg::null, parts.v->auth_alg);
    if (!auth.ok()) return auth.error();
    const ByteView in[] = {input.value()};
    if (mac_verifies(parts.v->auth_alg, auth->auth.view(), in, parts.v->mac)) return &k;
  }
  return candidate ? Failure::ticket_integrity_failure : Failure::ticket_issuer_unknown;
}

Result<OpenedTicket, Failure> open(ByteView ticket_payload, const codec::Ticket& ticket,
                                   std::span<const TicketKey> keys) {
  const codec::TicketCodec* tc = codec::find_ticket_codec(ticket.policy);
  if (tc == nullptr) return Failure::unsupported_ticket_type;
  OpenedTicket out;
  codec::ParseState st;
  st.options.record_layout = false;
  if (tc->parse(ticket.ticket_data, 0, st, "ticket_data", out.data).code != codec::Errc::ok) {
    return Failure::malformed_message;
  }
  auto parts = ticket_parts(out.data);
  if (!parts.ok()) return parts.error();
  auto key = verifying_key(ticket_payload, ticket, parts.value(), keys);
  if (!key.ok()) return key.error();
  out.key = key.value();
  const codec::PrfFunc prf = ticket.policy.prf_func;
  auto enc = tpk_keys(prf, out.key->tpk.view(), parts->rand->rand, parts->kemac->encr_alg,
                      codec::MacAlg::null);
  if (!enc.ok()) return enc.error();
  auto plain = open_kemac(*parts->kemac, enc.value(), kTicketCsbId,
                          ts_iv_value(parts->t->ts_type, parts->t->value));
  if (!plain.ok()) return plain.error();
  // App. A.1: KEMAC = E(encr_key, MPK || {TEK|TGK|GTGK}).
  if (plain->empty() || plain->front().type != codec::KeyDataType::mpk) {
    return Failure::malformed_message;
  }
  out.contents.mpk = std::move(plain->front());
  for (std::size_t i = 1; i < plain->size(); ++i)
    out.contents.keys.push_back(std::move((*plain)[i]));
  auto pair = derive_mpk_pair(prf, out.contents.mpk.key.view(), parts->rand->rand);
  if (!pair.ok()) return pair.error();
  out.mpki = std::move(pair->mpki);
  out.mpkr = std::move(pair->mpkr);
  return out;
}

}  // namespace

TicketKey TicketKey::clone() const {
  TicketKey k;
  k.id = id;
  k.format = format;
  k.tpk = tpk.clone();
  k.encr = encr;
  k.mac = mac;
  k.shared_with = shared_with;
  return k;
}

Result<SealedTicket, Failure> seal_ticket(const codec::TicketPolicy& policy,
                                          const TicketContents& contents, const TicketKey& key,
                                          NtpTime t, crypto::Rng& rng) noexcept {
  try {
    return seal(policy, contents, key, t, rng);
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

Result<OpenedTicket, Failure> open_ticket(ByteView ticket_payload, const codec::Ticket& ticket,
                                          std::span<const TicketKey> keys) noexcept {
  try {
    return open(ticket_payload, ticket, keys);
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

Result<MpkPair, Failure> derive_mpk_pair(codec::PrfFunc prf, ByteView mpk, ByteView rand) noexcept {
  if (!crypto::is_known(to_crypto(prf))) return Failure::unsupported_prf;
  auto mpki = crypto::derive_mpki(to_crypto(prf), mpk, rand);
  auto mpkr = crypto::derive_mpkr(to_crypto(prf), mpk, rand);
  if (!mpki.ok() || !mpkr.ok()) return Failure::internal_error;
  return MpkPair{std::move(mpki).value(), std::move(mpkr).value()};
}

}  // namespace mikey::roles
