// The payload model: one struct per MIKEY / MIKEY-TICKET payload, exactly the fields of the
// RFC figure (RFC 3830 §6.1–§6.15, RFC 6043 §6). Each payload's parse_body() and
// serialize_body() live side by side in <payload>.cc; the message walker (message.cc) reads and
// writes the Next payload byte, so a "body" is everything after it (all of SIGN, which has none).
//
// Round-trip rules: every byte of a received payload is kept in the model (reserved bits,
// unknown code points, trailing container bytes), so bytes → model → bytes is the identity.
// Lengths and counts that follow from the model (data lengths, Next payload) are computed by
// the serialiser, never stored.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "codec/codepoints.h"
#include "codec/errc.h"
#include "codec/field_io.h"
#include "wire/bytes.h"

namespace mikey::codec {

struct Payload;

// An embedded payload chain inside a container field (TP Data, Initiator Data): a "First
// Payload" byte, then payloads chained by Next payload (RFC 6043 §6.10). An empty container
// (length 0) has no First Payload byte: present == false.
struct Chain {
  bool present = false;
  std::vector<Payload> payloads;
  Bytes trailing;  // bytes after the chain ended (deviation container_trailing_bytes)
  bool operator==(const Chain&) const;
};

// ---- HDR (RFC 3830 §6.1; RFC 4563 §5; RFC 6043 §6.1) ----
struct SrtpIdEntry {  // RFC 3830 §6.1.1, 9 bytes per crypto session
  std::uint8_t policy_no = 0;
  std::uint32_t ssrc = 0;
  std::uint32_t roc = 0;
  bool operator==(const SrtpIdEntry&) const = default;
};
struct GenericIdEntry {  // RFC 6043 §6.1.1
  std::uint8_t cs_id = 0;
  ProtType prot_type = ProtType::srtp;
  bool s_flag = false;
  std::vector<std::uint8_t> policies;  // Ps, #P of them
  Bytes session_data;
  Bytes spi;
  bool operator==(const GenericIdEntry&) const = default;
};
struct Hdr {
  std::uint8_t version = 1;
  DataType data_type = DataType::psk_init;
  bool v = false;
  PrfFunc prf_func = PrfFunc::mikey_1;
  std::uint32_t csb_id = 0;
  std::uint8_t cs_count = 0;  // #CS as sent; must equal the entries for SRTP-ID / GENERIC-ID
  MapType map_type = MapType::empty;
  std::vector<SrtpIdEntry> srtp_id;        // map_type == srtp_id
  std::vector<GenericIdEntry> generic_id;  // map_type == generic_id
  bool operator==(const Hdr&) const = default;
};

// ---- RFC 3830 payloads ----
struct Kemac {  // §6.2, type 1
  EncrAlg encr_alg = EncrAlg::null;
  Bytes encr_data;
  MacAlg mac_alg = MacAlg::null;
  Bytes mac;  // length implied by mac_alg
  bool operator==(const Kemac&) const = default;
};
struct Pke {                            // §6.3, type 2
  PkeCache cache = PkeCache::no_cache;  // 2 bits
  Bytes data;                           // ≤ 0x3FFF bytes (14-bit length)
  bool operator==(const Pke&) const = default;
};
struct KvData {      // §6.14
  Bytes spi;         // KV = SPI
  Bytes valid_from;  // KV = Interval
  Bytes valid_to;
  bool operator==(const KvData&) const = default;
};
struct Dh {  // §6.4, type 3
  DhGroup group = DhGroup::oakley_5;
  Bytes value;                // length implied by group
  std::uint8_t reserved = 0;  // high 4 bits of the KV byte
  KvType kv = KvType::null;
  KvData kv_data;
  bool operator==(const Dh&) const = default;
};
struct Sign {                               // §6.5, type 4 (no Next payload field)
  SignType type = SignType::rsa_pkcs1_v15;  // 4 bits
  Bytes signature;                          // ≤ 0xFFF bytes (12-bit length)
  bool operator==(const Sign&) const = default;
};
struct Timestamp {  // §6.6, type 5; RFC 6043 §6.3
  TsType ts_type = TsType::ntp_utc;
  std::uint64_t value = 0;  // 32-bit types use the low 32 bits
  bool operator==(const Timestamp&) const = default;
};
struct Id {  // §6.7, type 6
  IdType id_type = IdType::uri;
  Bytes data;
  bool operator==(const Id&) const = default;
};
struct Cert {  // §6.7, type 7
  CertType cert_type = CertType::x509v3;
  Bytes data;
  bool operator==(const Cert&) const = default;
};
struct Chash {  // §6.8, type 8
  HashFunc hash_func = HashFunc::sha1;
  Bytes hash;  // length implied by hash_func
  bool operator==(const Chash&) const = default;
};
struct Verification {  // §6.9, type 9
  MacAlg auth_alg = MacAlg::null;
  Bytes mac;  // length implied by auth_alg
  bool operator==(const Verification&) const = default;
};
struct PolicyParam {      // §6.10 TLV
  std::uint8_t type = 0;  // SrtpParam for Prot type SRTP
  Bytes value;
  bool operator==(const PolicyParam&) const = default;
};
struct SecurityPolicy {  // §6.10, type 10
  std::uint8_t policy_no = 0;
  ProtType prot_type = ProtType::srtp;
  std::vector<PolicyParam> params;
  bool operator==(const SecurityPolicy&) const = default;
};
struct Rand {  // §6.11, type 11
  Bytes rand;
  bool operator==(const Rand&) const = default;
};
struct Err {  // §6.12, type 12
  ErrorNo error_no = ErrorNo::unspecified;
  std::uint16_t reserved = 0;
  bool operator==(const Err&) const = default;
};
struct KeyData {  // §6.13, type 20 — a sub-payload of KEMAC Encr data, never top level
  KeyDataType type = KeyDataType::tgk;  // 4 bits
  KvType kv = KvType::null;             // 4 bits
  Bytes key;
  Bytes salt;  // only for +SALT types
  KvData kv_data;
  bool operator==(const KeyData&) const = default;
};
struct GeneralExtension {  // §6.15, type 21
  GenExtType type = GenExtType::vendor_id;
  Bytes data;
  bool operator==(const GeneralExtension&) const = default;
};
struct KeyIdEntry {  // RFC 4563 §4, inside a General Extension of type 3
  KeyIdType type = KeyIdType::mbms_key_domain_id;
  Bytes key_id;
  bool operator==(const KeyIdEntry&) const = default;
};

// ---- RFC 6043 payloads ----
struct TimestampWithRole {  // §6.4 TR, type 13
  TsRole role = TsRole::tri;
  TsType ts_type = TsType::ntp_utc;
  std::uint64_t value = 0;
  bool operator==(const TimestampWithRole&) const = default;
};
struct IdWithRole {  // §6.6 IDR, type 14
  IdRole role = IdRole::idri;
  IdType id_type = IdType::uri;
  Bytes data;
  bool operator==(const IdWithRole&) const = default;
};
struct RandWithRole {  // §6.8 RANDR, type 15
  RandRole role = RandRole::randri;
  Bytes rand;
  bool operator==(const RandWithRole&) const = default;
};
struct TicketFlags {  // §6.10 bytes 5–7
  bool d = false, e = false, f = false, g = false, h = false, i = false, j = false, k = false,
       l = false, m = false, n = false, o = false;
  std::uint8_t reserved = 0;  // Res, 5 bits: send 0, ignore on receipt (INTERPRETATION)
  bool operator==(const TicketFlags&) const = default;
};
struct TicketPolicy {  // §6.10 TP, type 16
  TicketType ticket_type = TicketType::mikey_base_ticket;
  std::uint8_t subtype = 1;
  std::uint8_t version = 1;
  PrfFunc prf_func = PrfFunc::mikey_1;  // 7 bits
  TicketFlags flags;
  Chain tp_data;
  bool operator==(const TicketPolicy&) const = default;
};
struct Ticket {  // §6.10 TICKET, type 17: the TP layout plus Ticket Data and Initiator Data
  TicketPolicy policy;
  Bytes ticket_data;     // opaque here; ticket codecs (ticket_codec.h) read it
  Chain initiator_data;  // present iff Initiator Data length > 0
  bool operator==(const Ticket&) const;
};

// ---- Payloads of other MIKEY RFCs, kept so real traffic decodes (RFC 3830 §6.1) ----
struct OpaqueEncrData {  // RFC 6267 §6.1.1/§6.1.2 IBAKE (22) and ESK (23)
  Bytes encr_data;
  bool operator==(const OpaqueEncrData&) const = default;
};
struct Sakke {  // RFC 6509 §4.2, type 26
  std::uint8_t params = 0;
  std::uint8_t id_scheme = 0;
  Bytes data;
  bool operator==(const Sakke&) const = default;
};

using PayloadBody =
    std::variant<Kemac, Pke, Dh, Sign, Timestamp, Id, Cert, Chash, Verification, SecurityPolicy,
                 Rand, Err, TimestampWithRole, IdWithRole, RandWithRole, TicketPolicy, Ticket,
                 GeneralExtension, OpaqueEncrData, Sakke>;

struct Payload {
  PayloadType type = PayloadType::last;  // IBAKE and ESK share OpaqueEncrData, so kept here
  PayloadBody body;
  // Where the payload (from its Next payload byte) stood in the parsed input; 0/0 when built.
  std::uint32_t offset = 0;
  std::uint32_t length = 0;

  template <class T>
  T* get() noexcept {
    return std::get_if<T>(&body);
  }
  template <class T>
  const T* get() const noexcept {
    return std::get_if<T>(&body);
  }
  // Equality compares type and body only (not where it was found).
  bool operator==(const Payload& o) const { return type == o.type && body == o.body; }
};

// A payload built from a body; `type` follows from the body (IBAKE/ESK must be given).
template <class T>
Payload make_payload(T body, PayloadType type = PayloadType::last);
PayloadType default_type_of(const PayloadBody& body) noexcept;

// ---- Per-payload parse/serialize, side by side in <payload>.cc ----
// parse_body reads the payload after its Next payload byte. On failure it returns the error
// (offset = the field that could not be read) and `out` is partially filled.
#define MIKEY_PAYLOAD_OPS(T)                              \
  ParseError parse_body(FieldReader& r, T& out) noexcept; \
  void serialize_body(FieldWriter& w, const T& in);
MIKEY_PAYLOAD_OPS(Kemac)
MIKEY_PAYLOAD_OPS(Pke)
MIKEY_PAYLOAD_OPS(Dh)
MIKEY_PAYLOAD_OPS(Sign)
MIKEY_PAYLOAD_OPS(Timestamp)
MIKEY_PAYLOAD_OPS(Id)
MIKEY_PAYLOAD_OPS(Cert)
MIKEY_PAYLOAD_OPS(Chash)
MIKEY_PAYLOAD_OPS(Verification)
MIKEY_PAYLOAD_OPS(SecurityPolicy)
MIKEY_PAYLOAD_OPS(Rand)
MIKEY_PAYLOAD_OPS(Err)
MIKEY_PAYLOAD_OPS(TimestampWithRole)
MIKEY_PAYLOAD_OPS(IdWithRole)
MIKEY_PAYLOAD_OPS(RandWithRole)
MIKEY_PAYLOAD_OPS(TicketPolicy)
MIKEY_PAYLOAD_OPS(Ticket)
MIKEY_PAYLOAD_OPS(GeneralExtension)
MIKEY_PAYLOAD_OPS(OpaqueEncrData)
MIKEY_PAYLOAD_OPS(Sakke)
MIKEY_PAYLOAD_OPS(KeyData)  // includes its own Next payload byte handling via the KEMAC chain
#undef MIKEY_PAYLOAD_OPS

// HDR is not chained behind a Next payload byte; it carries the first one.
ParseError parse_hdr(FieldReader& r, Hdr& out, PayloadType& first_payload) noexcept;
void serialize_hdr(FieldWriter& w, const Hdr& in, PayloadType first_payload);

// ---- Implicit lengths (RFC 3830 §6, RFC 6043 §6 layouts) ----
std::optional<std::size_t> ts_value_length(TsType t) noexcept;   // 8, 8, 4, 4
std::optional<std::size_t> mac_length(MacAlg a) noexcept;        // 0, 20, 32
std::optional<std::size_t> hash_length(HashFunc h) noexcept;     // 20, 16, 32
std::optional<std::size_t> dh_value_length(DhGroup g) noexcept;  // 192, 96, 128
bool has_salt(KeyDataType t) noexcept;                           // the +SALT types

// KV data (RFC 3830 §6.14), shared by Key data and DH.
ParseError parse_kv_data(FieldReader& r, KvType kv, KvData& out) noexcept;
void serialize_kv_data(FieldWriter& w, KvType kv, const KvData& in);

// Key data sub-payload chain inside KEMAC Encr data (plaintext), RFC 3830 §6.2/§6.13: each
// sub-payload starts with Next payload (20 or 0). `base` is the absolute offset of data[0].
struct KeyDataChain {
  std::vector<KeyData> keys;
  Bytes trailing;
  bool operator==(const KeyDataChain&) const = default;
};
ParseError parse_key_data_chain(ByteView data, std::size_t base, ParseState& st,
                                const std::string& prefix, KeyDataChain& out) noexcept;
Errc serialize_key_data_chain(const KeyDataChain& in, Bytes& out, Layout* layout = nullptr,
                              const std::string& prefix = "");

// RFC 4563 §4 Key ID information inside a General Extension of type 3.
ParseError parse_key_id_info(ByteView data, std::size_t base, ParseState& st,
                             const std::string& prefix, std::vector<KeyIdEntry>& out) noexcept;

}  // namespace mikey::codec
