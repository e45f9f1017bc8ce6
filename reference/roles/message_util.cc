#include "roles/message_util.h"

#include <new>

#include "crypto/kemac_cipher.h"

namespace mikey::roles {

using codec::Payload;
using codec::PayloadType;

const codec::IdWithRole* find_idr(const std::vector<Payload>& ps, codec::IdRole role) noexcept {
  for (const Payload& p : ps)
    if (const auto* idr = p.get<codec::IdWithRole>(); idr != nullptr && idr->role == role)
      return idr;
  return nullptr;
}

std::vector<const codec::IdWithRole*> find_all_idr(const std::vector<Payload>& ps,
                                                   codec::IdRole role) {
  std::vector<const codec::IdWithRole*> out;
  for (const Payload& p : ps)
    if (const auto* idr = p.get<codec::IdWithRole>(); idr != nullptr && idr->role == role)
      out.push_back(idr);
  return out;
}

const codec::RandWithRole* find_randr(const std::vector<Payload>& ps,
                                      codec::RandRole role) noexcept {
  for (const Payload& p : ps)
    if (const auto* r = p.get<codec::RandWithRole>(); r != nullptr && r->role == role) return r;
  return nullptr;
}

const codec::TimestampWithRole* find_tr(const std::vector<Payload>& ps,
                                        codec::TsRole role) noexcept {
  for (const Payload& p : ps)
    if (const auto* t = p.get<codec::TimestampWithRole>(); t != nullptr && t->role == role)
      return t;
  return nullptr;
}

const codec::Verification* last_v(const codec::Message& m) noexcept {
  if (m.payloads.empty()) return nullptr;
  return m.payloads.back().get<codec::Verification>();
}

const Payload* find_payload(const codec::Message& m, PayloadType t) noexcept { return m.find(t); }

Identity identity_of(const codec::IdWithRole& idr) { return {idr.id_type, idr.data}; }

ByteView id_data_or(const codec::IdWithRole* idr, const Identity& fallback) noexcept {
  return idr != nullptr ? ByteView(idr->data) : ByteView(fallback.data);
}

ByteView payload_bytes(ByteView message, const Payload& p) noexcept {
  if (p.offset > message.size() || p.length > message.size() - p.offset) return {};
  return message.subspan(p.offset, p.length);
}

namespace {

// Whether a reader of `parsed` needs its layout map (receive()).
bool needs_layout(const codec::ParseOutcome& parsed) noexcept {
  if (!parsed.ok() || parsed.message.hdr.data_type == codec::DataType::transfer_init) return true;
  for (const Payload& p : parsed.message.payloads) {
    const auto* t = p.get<codec::Ticket>();
    if (t != nullptr && t->initiator_data.present) return true;
  }
  return false;
}

}  // namespace

Received receive(ByteView bytes) noexcept {
  Received r;
  try {
    r.bytes.assign(bytes.begin(), bytes.end());
    r.parsed = codec::parse_message(r.bytes);
    // The same parse again, recording the map: the model it reads is the same.
    if (needs_layout(r.parsed)) r.parsed = codec::parse_message(r.bytes, codec::kWithLayout);
  } catch (const std::bad_alloc&) {
    r.bytes.clear();
    r.parsed.error = {codec::Errc::too_many_payloads, 0, codec::PayloadType::last};
  }
  return r;
}

std::optional<codec::FieldRange> final_v_mac(const Received& r) noexcept {
  const codec::Message& m = r.message();
  const codec::Verification* v = last_v(m);
  if (v == nullptr) return std::nullopt;
  // The MAC is as long as its algorithm says only when the parser read it whole (RFC 3830 §6.9).
  const std::optional<std::size_t> n = codec::mac_length(v->auth_alg);
  const Payload& p = m.payloads.back();
  if (!n || *n != v->mac.size() || p.length != 2 + *n || p.offset > r.bytes.size() ||
      p.length > r.bytes.size() - p.offset) {
    return std::nullopt;
  }
  codec::FieldRange range;
  range.offset = p.offset + 2;
  range.length = static_cast<std::uint32_t>(*n);
  return range;
}

codec::Hdr make_hdr(codec::DataType type, bool v, codec::PrfFunc prf, std::uint32_t csb_id) {
  codec::Hdr h;
  h.data_type = type;
  h.v = v;
  h.prf_func = prf;
  h.csb_id = csb_id;
  h.cs_count = 0;
  h.map_type = codec::MapType::empty;
  return h;
}

Payload make_t(NtpTime t) {
  return codec::make_payload(codec::Timestamp{codec::TsType::ntp_utc, t});
}

Payload make_idr(codec::IdRole role, const Identity& id) {
  return codec::make_payload(codec::IdWithRole{role, id.type, id.data});
}

Payload make_randr(codec::RandRole role, ByteView rand) {
  return codec::make_payload(codec::RandWithRole{role, Bytes(rand.begin(), rand.end())});
}

Payload make_v(codec::MacAlg alg) {
  std::size_t n = codec::mac_length(alg).value_or(0);
  return codec::make_payload(codec::Verification{alg, Bytes(n, 0)});
}

Payload make_err(codec::ErrorNo no) { return codec::make_payload(codec::Err{no, 0}); }

Result<Bytes, Failure> encode_keys(const KeySet& keys) noexcept {
  try {
    codec::KeyDataChain chain;
    for (const KeyItem& k : keys) {
      codec::KeyData d;
      d.type = k.type;
      d.kv = codec::KvType::spi;  // RFC 6043 §6.2.1: an SPI/MKI on every key
      d.key.assign(k.key.view().begin(), k.key.view().end());
      if (codec::has_salt(k.type)) d.salt.assign(k.salt.view().begin(), k.salt.view().end());
      d.kv_data.spi = k.spi;
      chain.keys.push_back(std::move(d));
    }
    Bytes out;
    codec::Errc e = codec::serialize_key_data_chain(chain, out);
    for (codec::KeyData& d : chain.keys) wipe(d.key), wipe(d.salt);
    if (e != codec::Errc::ok) return Failure::internal_error;
    return out;
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

Result<KeySet, Failure> decode_keys(ByteView plaintext) noexcept {
  try {
    codec::ParseState st;
    st.options.record_layout = false;
    codec::KeyDataChain chain;
    codec::ParseError e = codec::parse_key_data_chain(plaintext, 0, st, "kemac", chain);
    bool clean = e.code == codec::Errc::ok && chain.trailing.empty();
    KeySet keys;
    for (codec::KeyData& d : chain.keys) {
      if (clean) {
        KeyItem k;
        k.type = d.type;
        k.key = crypto::SecureBytes(d.key);
        k.salt = crypto::SecureBytes(d.salt);
        k.spi = d.kv_data.spi;
        keys.push_back(std::move(k));
      }
      wipe(d.key), wipe(d.salt);
    }
    if (!clean) return Failure::malformed_message;
    return keys;
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

Refusal refuse(Failure f, std::string detail) noexcept {
  Refusal r;
  r.failure = f;
  r.detail = std::move(detail);
  return r;
}

}  // namespace mikey::roles
