// Key data sub-payload (RFC 3830 §6.13; RFC 6043 §6.2.1; RFC 6267 §6.1.3), KV data
// (RFC 3830 §6.14) and the Key data chain carried, once decrypted, in KEMAC Encr data
// (RFC 3830 §6.2).
//
// Key data: Type (4 bits) | KV (4 bits), Key data len (16 bits), Key data, then Salt len
// (16 bits) and Salt data only for the +SALT types, then KV data.
#include "codec/payloads.h"

#include <new>
#include <string>

namespace mikey::codec {

namespace {

constexpr BitField kType{"type", 0xf0};
constexpr BitField kKv{"kv", 0x0f};
constexpr Counted kKey{"key_data_len", "key_data", 2};
constexpr Counted kSalt{"salt_len", "salt_data", 2};
constexpr Counted kSpi{"spi_length", "spi", 1};
constexpr Counted kValidFrom{"vf_length", "valid_from", 1};
constexpr Counted kValidTo{"vt_length", "valid_to", 1};

}  // namespace

ParseError parse_kv_data(FieldReader& r, KvType kv, KvData& out) noexcept {
  switch (kv) {
    case KvType::null:
      return {};
    case KvType::spi:  // SPI Length (1) | SPI
      return r.result(r.counted(kSpi, out.spi));
    case KvType::interval:  // VF Length (1) | Valid From | VT Length (1) | Valid To
      return r.result(r.counted(kValidFrom, out.valid_from) && r.counted(kValidTo, out.valid_to));
  }
  // Callers that know where the KV nibble stood report it there (DH, Key data); this is the
  // fallback for a direct caller: the offset where the KV data would start.
  return r.fail(Errc::unknown_kv_type, r.offset());
}

void serialize_kv_data(FieldWriter& w, KvType kv, const KvData& in) {
  switch (kv) {
    case KvType::null:
      if (!in.spi.empty() || !in.valid_from.empty() || !in.valid_to.empty()) {
        return w.fail(Errc::inconsistent_model);
      }
      return;
    case KvType::spi:
      if (!in.valid_from.empty() || !in.valid_to.empty()) return w.fail(Errc::inconsistent_model);
      w.counted(kSpi, in.spi);
      return;
    case KvType::interval:
      if (!in.spi.empty()) return w.fail(Errc::inconsistent_model);
      w.counted(kValidFrom, in.valid_from);
      w.counted(kValidTo, in.valid_to);
      return;
  }
  w.fail(Errc::inconsistent_model);  // unknown KV: no KV data layout to emit
}

ParseError parse_body(FieldReader& r, KeyData& out) noexcept {
  std::size_t type_at = r.offset();
  std::uint8_t type_kv = 0;
  if (!r.bits(type_kv, {kType, kKv})) return r.error();
  out.type = static_cast<KeyDataType>(type_kv >> 4);
  out.kv = static_cast<KvType>(type_kv & 0x0f);
  if (!r.counted(kKey, out.key)) return r.error();
  // An unassigned Type (8–15) is read as carrying no salt: only the +SALT types are known to.
  if (has_salt(out.type) && !r.counted(kSalt, out.salt)) return r.error();
  if (!is_known(out.kv)) return r.fail(Errc::unknown_kv_type, type_at);
  return parse_kv_data(r, out.kv, out.kv_data);
}

void serialize_body(FieldWriter& w, const KeyData& in) {
  if (raw(in.type) > 0x0f || raw(in.kv) > 0x0f || (!has_salt(in.type) && !in.salt.empty())) {
    return w.fail(Errc::inconsistent_model);
  }
  w.bits(static_cast<std::uint8_t>((raw(in.type) << 4) | raw(in.kv)), {kType, kKv});
  w.counted(kKey, in.key);
  if (has_salt(in.type)) w.counted(kSalt, in.salt);
  serialize_kv_data(w, in.kv, in.kv_data);
}

ParseError parse_key_data_chain(ByteView data, std::size_t base, ParseState& st,
                                const std::string& prefix, KeyDataChain& out) noexcept {
  std::size_t at = base;  // where the Key data being read starts, for the allocation failure
  try {
    FieldReader r(wire::Reader(data, base), st, prefix, PayloadType::key_data);
    out = KeyDataChain{};
    // RFC 3830 §6.2: a CSB update may carry no Key data at all (Encr data len 0).
    if (r.remaining() == 0) return {};
    while (true) {
      at = r.offset();
      if (out.keys.size() >= st.options.max_payloads) return r.fail(Errc::too_many_payloads, at);
      FieldReader kr = r.child("key_data", out.keys.size(), PayloadType::key_data);
      std::uint8_t next = 0;
      if (!kr.u8("next_payload", next)) return kr.error();
      ParseError e = parse_body(kr, out.keys.emplace_back());
      r.reader() = kr.reader();
      if (e.code != Errc::ok) return e;
      // RFC 3830 §6.13: Next payload is Key data (20) while another one follows, else Last.
      if (next == raw(PayloadType::last)) break;
      if (next != raw(PayloadType::key_data)) return r.fail(Errc::unexpected_payload_type, at);
    }
    if (r.remaining() > 0) {
      at = r.offset();
      r.deviate(DeviationKind::container_trailing_bytes, at,
                std::to_string(r.remaining()) + " byte(s) after the Key data chain" +
                    (prefix.empty() ? std::string() : " of " + prefix));
      if (!r.bytes("trailing", r.remaining(), out.trailing)) return r.error();
    }
    return {};
  } catch (
      const std::bad_alloc&) {  // std::bad_alloc from a pathological input: report, never propagate
    return {Errc::too_many_payloads, static_cast<std::uint32_t>(at), PayloadType::key_data};
  }
}

Errc serialize_key_data_chain(const KeyDataChain& in, Bytes& out, Layout* layout,
                              const std::string& prefix) {
  // Trailing bytes without a chain would be read back as Key data.
  if (in.keys.empty() && !in.trailing.empty()) return Errc::inconsistent_model;
  try {
    SerializeState st;
    st.layout = layout;
    FieldWriter root(st, prefix);
    for (std::size_t i = 0; i < in.keys.size(); ++i) {
      FieldWriter kw = root.child("key_data", i);
      kw.code("next_payload", i + 1 < in.keys.size() ? PayloadType::key_data : PayloadType::last);
      serialize_body(kw, in.keys[i]);
    }
    if (!in.trailing.empty()) root.bytes("trailing", in.trailing);
    if (!st.ok()) return st.status();
    out = std::move(st.writer).take();
    return Errc::ok;
  } catch (const std::bad_alloc&) {  // allocation failure
    return Errc::field_too_large;
  }
}

}  // namespace mikey::codec
