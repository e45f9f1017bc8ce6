#include "roles/protect.h"

#include <array>
#include <new>
#include <string>

#include "codec/ticket_codec.h"
#include "crypto/kemac_cipher.h"
#include "crypto/mac.h"
#include "crypto/secure_bytes.h"
#include "roles/clock.h"

namespace mikey::roles {

using codec::DataType;
using codec::Message;
using codec::Payload;

namespace {

// The one switch of fuzzer mode (protect.h "MAC decisions").
#if defined(MIKEY_FUZZER_MODE)
constexpr bool kFuzzerMode = true;
#else
constexpr bool kFuzzerMode = false;
#endif

Failure from_crypto(const crypto::Error& e, Failure unsupported) noexcept {
  return e.code == crypto::Errc::unsupported_algorithm ? unsupported : Failure::internal_error;
}

std::string field_path(std::size_t index, std::string_view rest) {
  return "payload[" + std::to_string(index) + "]." + std::string(rest);
}

// The range of a field in a layout map.
std::optional<codec::FieldRange> field(const codec::Layout& layout, std::size_t index,
                                       std::string_view rest) {
  return layout.find(field_path(index, rest));
}

// bytes minus [cut.offset, cut.offset+cut.length), followed by `extra`.
Result<Bytes, Failure> cut_and_append(ByteView bytes, const codec::FieldRange& cut,
                                      std::span<const ByteView> extra) {
  if (cut.offset > bytes.size() || cut.length > bytes.size() - cut.offset) {
    return Failure::internal_error;
  }
  Bytes out(bytes.begin(), bytes.begin() + cut.offset);
  out.insert(out.end(), bytes.begin() + cut.offset + cut.length, bytes.end());
  for (ByteView e : extra) out.insert(out.end(), e.begin(), e.end());
  return out;
}

// RFC 6043 §5.5: the MAC input of `bytes`, whose final V's MAC field is `v_mac`; `layout` (the
// bytes' whole field map) is read only for a TRANSFER_INIT.
Result<Bytes, Failure> mac_input(DataType type, ByteView bytes, const codec::Layout& layout,
                                 const std::optional<codec::FieldRange>& v_mac,
                                 const MessageProtection& p) {
  if (coverage_of(type) == Coverage::transfer_init) {
    auto in = codec::transfer_init_mac_input(bytes, layout, p.identity_a, p.identity_b);
    if (!in.ok()) return Failure::missing_payload;
    return std::move(in).value();
  }
  if (!v_mac) return Failure::missing_payload;
  switch (coverage_of(type)) {
    case Coverage::identities: {
      const ByteView extra[] = {p.identity_a, p.identity_b};
      return cut_and_append(bytes, *v_mac, extra);
    }
    case Coverage::initial_message: {
      const ByteView extra[] = {p.initial_message};
      return cut_and_append(bytes, *v_mac, extra);
    }
    default:
      return cut_and_append(bytes, *v_mac, {});
  }
}

// The 64-bit T of the AES-CM IV for a KEMAC in message `m` under `reading`.
std::uint64_t iv_time(const Message& m, IvTimestamp reading, std::uint64_t initial_t) {
  if (reading == IvTimestamp::initial_message) return initial_t;
  const auto* t = find_body<codec::Timestamp>(m.payloads);
  return t != nullptr ? ts_iv_value(t->ts_type, t->value) : 0;
}

Result<Bytes, Failure> serialize(const Message& m, codec::Layout* layout) {
  auto bytes = codec::serialize_message(m, layout);
  if (!bytes.ok()) return Failure::internal_error;
  return std::move(bytes).value();
}

Result<Bytes, Failure> compute(codec::MacAlg alg, ByteView key, ByteView input) {
  const ByteView parts[] = {input};
  auto mac = crypto::compute_mac(to_crypto(alg), key, parts);
  if (!mac.ok()) return from_crypto(mac.error(), Failure::unsupported_mac_alg);
  return std::move(mac).value();
}

// The TICKET payload of `m` holding Initiator Data [Vi, Vr] (both V), or nullptr.
codec::Ticket* forking_ticket(Message& m, std::size_t& index) {
  for (std::size_t i = 0; i < m.payloads.size(); ++i) {
    auto* t = m.payloads[i].get<codec::Ticket>();
    if (t == nullptr || !t->initiator_data.present) continue;
    auto& ps = t->initiator_data.payloads;
    if (ps.size() >= 2 && ps.front().get<codec::Verification>() != nullptr &&
        ps.back().get<codec::Verification>() != nullptr) {
      index = i;
      return t;
    }
  }
  return nullptr;
}

// RFC 6043 §6.10: Vr's MAC covers the entire Initiator Data field except the MAC itself.
Result<Bytes, Failure> vr_input(ByteView bytes, const codec::Layout& layout, std::size_t index,
                                std::size_t mac_len) {
  auto data = field(layout, index, "TICKET.initiator_data");
  if (!data || data->offset > bytes.size() || data->length > bytes.size() - data->offset ||
      data->length < mac_len) {
    return Failure::initiator_data_failure;
  }
  ByteView d = ByteView(bytes).subspan(data->offset, data->length - mac_len);
  return Bytes(d.begin(), d.end());
}

// TRANSFER_INIT with key forking: Vi = V of the message (§6.10 "identical"; the MAC does not
// cover the Initiator Data, so it is known first), then Vr over the Initiator Data.
Result<Bytes, Failure> seal_initiator_data(Message& m, const MessageProtection& p,
                                           const Bytes& mac) {
  std::size_t index = 0;
  codec::Ticket* t = forking_ticket(m, index);
  if (t == nullptr || p.vr_key.empty()) return serialize(m, nullptr);
  auto& ids = t->initiator_data.payloads;
  auto* vi = ids.front().get<codec::Verification>();
  auto* vr = ids.back().get<codec::Verification>();
  vi->mac = mac;
  codec::Layout layout;
  auto draft = serialize(m, &layout);
  if (!draft.ok()) return draft.error();
  auto in = vr_input(draft.value(), layout, index, vr->mac.size());
  if (!in.ok()) return in.error();
  auto vr_mac = compute(vr->auth_alg, p.vr_key, in.value());
  if (!vr_mac.ok()) return vr_mac.error();
  vr->mac = std::move(vr_mac).value();
  return serialize(m, nullptr);
}

Result<Bytes, Failure> seal_v(Message m, const MessageProtection& p, ByteView auth_key) {
  auto* v = m.payloads.empty() ? nullptr : m.payloads.back().get<codec::Verification>();
  if (v == nullptr) return Failure::missing_payload;
  // V is the last payload: without trailing bytes its MAC field ends the draft, and only the
  // TRANSFER_INIT MAC input (RFC 6043 §5.5) needs the whole layout map (a path per field).
  const bool whole_layout =
      coverage_of(m.hdr.data_type) == Coverage::transfer_init || !m.trailing.empty();
  codec::Layout layout;
  auto draft = serialize(m, whole_layout ? &layout : nullptr);
  if (!draft.ok()) return draft.error();
  std::optional<codec::FieldRange> v_mac;
  if (whole_layout) {
    v_mac = field(layout, m.payloads.size() - 1, "V.mac");
  } else {
    v_mac.emplace();
    v_mac->offset = static_cast<std::uint32_t>(draft->size() - v->mac.size());
    v_mac->length = static_cast<std::uint32_t>(v->mac.size());
  }
  auto in = mac_input(m.hdr.data_type, draft.value(), layout, v_mac, p);
  if (!in.ok()) return in.error();
  auto mac = compute(v->auth_alg, auth_key, in.value());
  if (!mac.ok()) return mac.error();
  v->mac = mac.value();
  if (m.hdr.data_type == DataType::transfer_init) return seal_initiator_data(m, p, mac.value());
  return serialize(m, nullptr);
}

Result<KeySet, Failure> open_with_reading(const Received& r, const MessageProtection& p,
                                          const crypto::MessageKeys& keys,
                                          const codec::Kemac& kemac, IvTimestamp reading) {
  return open_kemac(kemac, keys, p.csb_id, iv_time(r.message(), reading, p.initial_t));
}

}  // namespace

Coverage coverage_of(DataType t) noexcept {
  switch (t) {
    case DataType::request_init_psk:
    case DataType::request_init_pk:
    case DataType::resolve_init_psk:
    case DataType::resolve_init_pk:
      return Coverage::identities;
    case DataType::transfer_init:
      return Coverage::transfer_init;
    case DataType::request_resp:
    case DataType::transfer_resp:
    case DataType::resolve_resp:
      return Coverage::initial_message;
    default:
      return Coverage::none;
  }
}

crypto::MessageDirection direction_of(DataType t) noexcept {
  return coverage_of(t) == Coverage::initial_message ? crypto::MessageDirection::response
                                                     : crypto::MessageDirection::initial;
}

Result<crypto::MessageKeys, Failure> message_keys(const MessageProtection& p, codec::EncrAlg encr,
                                                  codec::MacAlg mac) noexcept {
  auto encr_len = crypto::encr_key_length(to_crypto(encr));
  auto salt_len = crypto::salt_key_length(to_crypto(encr));
  if (!encr_len.ok() || !salt_len.ok()) return Failure::unsupported_encr_alg;
  auto auth_len = crypto::auth_key_length(to_crypto(mac));
  if (!auth_len.ok()) return Failure::unsupported_mac_alg;
  if (!crypto::is_known(to_crypto(p.prf))) return Failure::unsupported_prf;
  auto keys =
      crypto::derive_message_keys(to_crypto(p.prf), p.inkey, p.csb_id, p.direction, p.randri,
                                  p.randrr, encr_len.value(), auth_len.value(), salt_len.value());
  if (!keys.ok()) return from_crypto(keys.error(), Failure::unsupported_prf);
  return std::move(keys).value();
}

Result<Bytes, Failure> protect_message(Message m, const MessageProtection& p,
                                       const KeySet* kemac_keys) noexcept {
  try {
    const codec::Verification* v = last_v(m);
    if (v == nullptr) return Failure::missing_payload;
    if (v->auth_alg == codec::MacAlg::null) return Failure::unsupported_mac_alg;
    codec::EncrAlg encr = kemac_keys != nullptr ? p.encr : codec::EncrAlg::null;
    auto keys = message_keys(p, encr, v->auth_alg);
    if (!keys.ok()) return keys.error();
    if (kemac_keys != nullptr) {
      codec::Kemac* slot = nullptr;
      for (Payload& pl : m.payloads)
        if (auto* k = pl.get<codec::Kemac>(); k != nullptr && slot == nullptr) slot = k;
      if (slot == nullptr) return Failure::missing_payload;
      auto sealed =
          seal_kemac(p.encr, keys.value(), p.csb_id, iv_time(m, p.iv, p.initial_t), *kemac_keys);
      if (!sealed.ok()) return sealed.error();
      *slot = std::move(sealed).value();
    }
    return seal_v(std::move(m), p, keys->auth.view());
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

Result<Bytes, Failure> received_mac_input(const Received& r,
                                          std::span<const ByteView> extra) noexcept {
  try {
    const Message& m = r.message();
    if (last_v(m) == nullptr) return Failure::missing_payload;
    auto mac = final_v_mac(r);
    if (!mac) return Failure::missing_payload;
    return cut_and_append(r.bytes, *mac, extra);
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

Result<KeySet, Failure> verify_message(const Received& r, const MessageProtection& p) noexcept {
  try {
    const Message& m = r.message();
    const codec::Verification* v = last_v(m);
    if (v == nullptr) return Failure::missing_payload;
    // A NULL Auth alg would "verify" any message with an empty MAC: never accept it in V.
    if (v->auth_alg == codec::MacAlg::null) return Failure::unsupported_mac_alg;
    auto auth = message_keys(p, codec::EncrAlg::null, v->auth_alg);
    if (!auth.ok()) return auth.error();
    auto in = mac_input(m.hdr.data_type, r.bytes, r.parsed.layout, final_v_mac(r), p);
    if (!in.ok()) return in.error();
    const ByteView parts[] = {in.value()};
    if (!mac_verifies(v->auth_alg, auth->auth.view(), parts, v->mac)) {
      return Failure::auth_failure;
    }
    // Only an authenticated message gets as far as its KEMAC.
    const auto* kemac = find_body<codec::Kemac>(m.payloads);
    if (kemac == nullptr) return KeySet{};
    auto keys = message_keys(p, kemac->encr_alg, codec::MacAlg::null);
    if (!keys.ok()) return keys.error();
    IvTimestamp other = p.iv == IvTimestamp::carrying_message ? IvTimestamp::initial_message
                                                              : IvTimestamp::carrying_message;
    auto opened = open_with_reading(r, p, keys.value(), *kemac, p.iv);
    if (opened.ok() || opened.error() != Failure::malformed_message || p.only_this_iv) {
      return opened;
    }
    return open_with_reading(r, p, keys.value(), *kemac, other);
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

bool mac_verifies(codec::MacAlg alg, ByteView key, std::span<const ByteView> parts,
                  ByteView received) noexcept {
  auto verified = crypto::verify_mac(to_crypto(alg), key, parts, received);
  if (verified.ok()) return true;
  return kFuzzerMode && verified.error().code == crypto::Errc::integrity_failure;
}

bool macs_equal(ByteView a, ByteView b) noexcept {
  return crypto::constant_time_equal(a, b) || kFuzzerMode;
}

bool fuzzer_mode() noexcept { return kFuzzerMode; }

Result<codec::Kemac, Failure> seal_kemac(codec::EncrAlg encr, const crypto::MessageKeys& keys,
                                         std::uint32_t csb_id, std::uint64_t t_iv,
                                         const KeySet& plain) noexcept {
  auto pt = encode_keys(plain);
  if (!pt.ok()) return pt.error();
  auto ct = crypto::encrypt_kemac(to_crypto(encr), keys.encr.view(), keys.salt.view(), csb_id, t_iv,
                                  pt.value());
  wipe(pt.value());
  if (!ct.ok()) return from_crypto(ct.error(), Failure::unsupported_encr_alg);
  try {
    // RFC 6043 §4.2.1.5, §4.2.3.5, App. A.1: the KEMAC's Mac alg is NULL, the MAC is in V.
    return codec::Kemac{encr, std::move(ct).value(), codec::MacAlg::null, {}};
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

Result<KeySet, Failure> open_kemac(const codec::Kemac& kemac, const crypto::MessageKeys& keys,
                                   std::uint32_t csb_id, std::uint64_t t_iv) noexcept {
  auto pt = crypto::decrypt_kemac(to_crypto(kemac.encr_alg), keys.encr.view(), keys.salt.view(),
                                  csb_id, t_iv, kemac.encr_data);
  if (!pt.ok()) return from_crypto(pt.error(), Failure::unsupported_encr_alg);
  return decode_keys(pt->view());
}

Result<crypto::Verified, Failure> verify_vr(const Received& r, std::size_t ticket_index,
                                            ByteView vr_key) noexcept {
  try {
    const auto* t = r.message().payloads.at(ticket_index).get<codec::Ticket>();
    if (t == nullptr || !t->initiator_data.present || t->initiator_data.payloads.empty()) {
      return Failure::initiator_data_failure;
    }
    const auto* vr = t->initiator_data.payloads.back().get<codec::Verification>();
    if (vr == nullptr) return Failure::initiator_data_failure;
    auto in = vr_input(r.bytes, r.parsed.layout, ticket_index, vr->mac.size());
    if (!in.ok()) return in.error();
    const ByteView parts[] = {in.value()};
    if (!mac_verifies(vr->auth_alg, vr_key, parts, vr->mac)) {
      return Failure::initiator_data_failure;
    }
    return crypto::Verified{};
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

}  // namespace mikey::roles
