// Code-point tables for every MIKEY / MIKEY-TICKET registry the codec knows
// (RFC 3830 §6.1–§6.15, RFC 6043 §6 and §14). One X-macro table per registry
// generates the enum, to_string(), is_known() and the fuzz-dictionary tokens (s2n's technique).
// Enums keep any received value: an unknown code point is stored as its number so the harness
// can send and report it; only role logic rejects it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "wire/enum_table.h"

namespace mikey::codec {

// X(enumerator, value, "name as in the RFC")

// Data type, HDR byte 1 (RFC 3830 §6.1; RFC 4650 §4.1; RFC 4738 §3.9.1; RFC 6043 §6.1;
// RFC 6267 §6.1; RFC 6509 §4.1). Values above 26 were not found in any RFC read
// (UNCONFIRMED).
#define MIKEY_DATA_TYPE(X)                    \
  X(psk_init, 0, "Pre-shared")                \
  X(psk_verify, 1, "PSK ver msg")             \
  X(pk_init, 2, "Public key")                 \
  X(pk_verify, 3, "PK ver msg")               \
  X(dh_init, 4, "D-H init")                   \
  X(dh_resp, 5, "D-H resp")                   \
  X(error, 6, "Error")                        \
  X(dhhmac_init, 7, "DHHMAC init")            \
  X(dhhmac_resp, 8, "DHHMAC resp")            \
  X(rsa_r_i_msg, 9, "RSA-R I_MSG")            \
  X(rsa_r_r_msg, 10, "RSA-R R_MSG")           \
  X(request_init_psk, 11, "REQUEST_INIT_PSK") \
  X(request_init_pk, 12, "REQUEST_INIT_PK")   \
  X(request_resp, 13, "REQUEST_RESP")         \
  X(transfer_init, 14, "TRANSFER_INIT")       \
  X(transfer_resp, 15, "TRANSFER_RESP")       \
  X(resolve_init_psk, 16, "RESOLVE_INIT_PSK") \
  X(resolve_init_pk, 17, "RESOLVE_INIT_PK")   \
  X(resolve_resp, 18, "RESOLVE_RESP")         \
  X(request_key_psk, 19, "REQUEST_KEY_PSK")   \
  X(request_key_pke, 20, "REQUEST_KEY_PKE")   \
  X(request_key_resp, 21, "REQUEST_KEY_RESP") \
  X(ibake_i_message_1, 22, "I_MESSAGE_1")     \
  X(ibake_r_message_1, 23, "R_MESSAGE_1")     \
  X(ibake_i_message_2, 24, "I_MESSAGE_2")     \
  X(ibake_r_message_2, 25, "R_MESSAGE_2")     \
  X(sakke_msg, 26, "SAKKE msg")

// Next payload / payload type (RFC 3830 §6.1 Table 6.1.b; RFC 6043 §6.1; RFC 6267 §6.1;
// RFC 6509 §4.2). 18 and 19 are unassigned.
#define MIKEY_PAYLOAD_TYPE(X)       \
  X(last, 0, "Last payload")        \
  X(kemac, 1, "KEMAC")              \
  X(pke, 2, "PKE")                  \
  X(dh, 3, "DH")                    \
  X(sign, 4, "SIGN")                \
  X(t, 5, "T")                      \
  X(id, 6, "ID")                    \
  X(cert, 7, "CERT")                \
  X(chash, 8, "CHASH")              \
  X(v, 9, "V")                      \
  X(sp, 10, "SP")                   \
  X(rand, 11, "RAND")               \
  X(err, 12, "ERR")                 \
  X(tr, 13, "TR")                   \
  X(idr, 14, "IDR")                 \
  X(randr, 15, "RANDR")             \
  X(tp, 16, "TP")                   \
  X(ticket, 17, "TICKET")           \
  X(key_data, 20, "Key data")       \
  X(general_ext, 21, "General Ext") \
  X(ibake, 22, "IBAKE")             \
  X(esk, 23, "ESK")                 \
  X(sk, 24, "SK")                   \
  X(eccpt, 25, "ECCPT")             \
  X(sakke, 26, "SAKKE")

// PRF func, HDR byte 3 low 7 bits (RFC 3830 §6.1; RFC 6043 §6.1). 112–127 Private Use.
#define MIKEY_PRF_FUNC(X)  \
  X(mikey_1, 0, "MIKEY-1") \
  X(prf_hmac_sha256, 1, "PRF-HMAC-SHA-256")

// CS ID map type, HDR byte 9 (RFC 3830 §6.1; RFC 4563 §5; RFC 6043 §6.1.1).
#define MIKEY_MAP_TYPE(X)  \
  X(srtp_id, 0, "SRTP-ID") \
  X(empty, 1, "Empty map") \
  X(generic_id, 2, "GENERIC-ID")

// KEMAC Encr alg (RFC 3830 §6.2 Table 6.2.a; RFC 6043 §6.2).
#define MIKEY_ENCR_ALG(X)        \
  X(null, 0, "NULL")             \
  X(aes_cm_128, 1, "AES-CM-128") \
  X(aes_kw_128, 2, "AES-KW-128") \
  X(aes_cm_256, 3, "AES-CM-256")

// KEMAC Mac alg and V Auth alg (RFC 3830 §6.2 Table 6.2.b; RFC 6043 §6.2).
#define MIKEY_MAC_ALG(X)                \
  X(null, 0, "NULL")                    \
  X(hmac_sha1_160, 1, "HMAC-SHA-1-160") \
  X(hmac_sha256_256, 2, "HMAC-SHA-256-256")

// Key data Type, 4 bits (RFC 3830 §6.13; RFC 6043 §6.2.1; RFC 6267 §6.1.3).
#define MIKEY_KEY_DATA_TYPE(X) \
  X(tgk, 0, "TGK")             \
  X(tgk_salt, 1, "TGK+SALT")   \
  X(tek, 2, "TEK")             \
  X(tek_salt, 3, "TEK+SALT")   \
  X(gtgk, 4, "GTGK")           \
  X(gtgk_salt, 5, "GTGK+SALT") \
  X(mpk, 6, "MPK")             \
  X(k_pr, 7, "K_PR")

// KV (key validity) type, 4 bits (RFC 3830 §6.13 Table 6.13.b).
#define MIKEY_KV_TYPE(X) \
  X(null, 0, "Null")     \
  X(spi, 1, "SPI/MKI")   \
  X(interval, 2, "Interval")

// TS type (RFC 3830 §6.6; RFC 6043 §6.3).
#define MIKEY_TS_TYPE(X)   \
  X(ntp_utc, 0, "NTP-UTC") \
  X(ntp, 1, "NTP")         \
  X(counter, 2, "COUNTER") \
  X(ntp_utc_32, 3, "NTP-UTC-32")

// ID Type (RFC 3830 §6.7; RFC 6043 §6.5).
#define MIKEY_ID_TYPE(X) \
  X(nai, 0, "NAI")       \
  X(uri, 1, "URI")       \
  X(byte_string, 2, "Byte string")

// Cert Type (RFC 3830 §6.7).
#define MIKEY_CERT_TYPE(X)          \
  X(x509v3, 0, "X.509v3")           \
  X(x509v3_url, 1, "X.509v3 URL")   \
  X(x509v3_sign, 2, "X.509v3 Sign") \
  X(x509v3_encr, 3, "X.509v3 Encr")

// CHASH Hash func (RFC 3830 §6.8; RFC 6043 §6.7).
#define MIKEY_HASH_FUNC(X) \
  X(sha1, 0, "SHA-1")      \
  X(md5, 1, "MD5")         \
  X(sha256, 2, "SHA-256")

// DH-Group (RFC 3830 §6.4).
#define MIKEY_DH_GROUP(X)    \
  X(oakley_5, 0, "OAKLEY 5") \
  X(oakley_1, 1, "OAKLEY 1") \
  X(oakley_2, 2, "OAKLEY 2")

// SIGN S type, 4 bits (RFC 3830 §6.5; RFC 6509 §4.3).
#define MIKEY_SIGN_TYPE(X)              \
  X(rsa_pkcs1_v15, 0, "RSA/PKCS#1/1.5") \
  X(rsa_pss, 1, "RSA/PSS")              \
  X(eccsi, 2, "ECCSI")

// SP Prot type (RFC 3830 §6.10; RFC 4442 §4).
#define MIKEY_PROT_TYPE(X) \
  X(srtp, 0, "SRTP")       \
  X(tesla, 1, "TESLA")

// SRTP policy parameter Type (RFC 3830 §6.10.1 Table 6.10.1.a). Types 16–21 seen in 3GPP
// mission-critical traffic have no confirmed names and stay numbers (names UNCONFIRMED).
#define MIKEY_SRTP_PARAM(X)                         \
  X(encr_alg, 0, "Encryption algorithm")            \
  X(encr_key_len, 1, "Session Encr. key length")    \
  X(auth_alg, 2, "Authentication algorithm")        \
  X(auth_key_len, 3, "Session Auth. key length")    \
  X(salt_key_len, 4, "Session Salt key length")     \
  X(srtp_prf, 5, "SRTP Pseudo Random Function")     \
  X(key_derivation_rate, 6, "Key derivation rate")  \
  X(srtp_encryption, 7, "SRTP encryption off/on")   \
  X(srtcp_encryption, 8, "SRTCP encryption off/on") \
  X(fec_order, 9, "sender's FEC order")             \
  X(srtp_auth, 10, "SRTP authentication off/on")    \
  X(auth_tag_len, 11, "Authentication tag length")  \
  X(srtp_prefix_len, 12, "SRTP prefix length")

// Error no (RFC 3830 §6.12 Table 6.12; RFC 4738 §3.9.2; RFC 6043 §6.9).
#define MIKEY_ERROR_NO(X)                                     \
  X(auth_failure, 0, "Auth failure")                          \
  X(invalid_ts, 1, "Invalid TS")                              \
  X(invalid_prf, 2, "Invalid PRF")                            \
  X(invalid_mac, 3, "Invalid MAC")                            \
  X(invalid_ea, 4, "Invalid EA")                              \
  X(invalid_ha, 5, "Invalid HA")                              \
  X(invalid_dh, 6, "Invalid DH")                              \
  X(invalid_id, 7, "Invalid ID")                              \
  X(invalid_cert, 8, "Invalid Cert")                          \
  X(invalid_sp, 9, "Invalid SP")                              \
  X(invalid_sppar, 10, "Invalid SPpar")                       \
  X(invalid_dt, 11, "Invalid DT")                             \
  X(unspecified, 12, "Unspecified error")                     \
  X(unsupported_message_type, 13, "Unsupported message type") \
  X(invalid_ticket, 14, "Invalid TICKET")                     \
  X(invalid_tppar, 15, "Invalid TPpar")

// General Extension Type (RFC 3830 §6.15; RFC 4442 §4.4; RFC 4563 §4; RFC 4738 §3.9.3;
// RFC 5410 §3). Type 7 seen in 3GPP traffic has no confirmed name.
#define MIKEY_GEN_EXT_TYPE(X)      \
  X(vendor_id, 0, "Vendor ID")     \
  X(sdp_ids, 1, "SDP IDs")         \
  X(tesla_i_key, 2, "TESLA I-Key") \
  X(key_id, 3, "Key ID")           \
  X(csb_id, 4, "CSB_ID")           \
  X(oma_bcast, 5, "OMA BCAST")

// Key ID Type inside the RFC 4563 Key ID extension (RFC 4563 §4).
#define MIKEY_KEY_ID_TYPE(X)                       \
  X(mbms_key_domain_id, 0, "MBMS Key Domain ID")   \
  X(mbms_service_key_id, 1, "MBMS Service Key ID") \
  X(mbms_traffic_key_id, 2, "MBMS Traffic Key ID")

// PKE C (cache indicator), 2 bits (RFC 3830 §6.3).
#define MIKEY_PKE_CACHE(X)   \
  X(no_cache, 0, "No cache") \
  X(cache, 1, "Cache")       \
  X(cache_for_csb, 2, "Cache for CSB")

// TS Role (RFC 6043 §6.4). 0 and 255 Reserved, 240–254 Private Use.
#define MIKEY_TS_ROLE(X)               \
  X(tri, 1, "TRi (time of issue)")     \
  X(trs, 2, "TRs (start of validity)") \
  X(tre, 3, "TRe (end of validity)")   \
  X(trr, 4, "TRr (rekeying interval)")

// ID Role (RFC 6043 §6.6; RFC 6509 §4.4). Roles 8–9 seen in 3GPP traffic are unnamed.
#define MIKEY_ID_ROLE(X)   \
  X(idri, 1, "IDRi")       \
  X(idrr, 2, "IDRr")       \
  X(idrkms, 3, "IDRkms")   \
  X(idrpsk, 4, "IDRpsk")   \
  X(idrapp, 5, "IDRapp")   \
  X(idrkmsi, 6, "IDRkmsi") \
  X(idrkmsr, 7, "IDRkmsr")

// RAND Role (RFC 6043 §6.8).
#define MIKEY_RAND_ROLE(X) \
  X(randri, 1, "RANDRi")   \
  X(randrr, 2, "RANDRr")   \
  X(randrkms, 3, "RANDRkms")

// Ticket Type, 16 bits (RFC 6043 §6.10 Table 6.15). 61440–65534 Private Use.
#define MIKEY_TICKET_TYPE(X)                   \
  X(mikey_base_ticket, 1, "MIKEY base ticket") \
  X(three_gpp_base_ticket, 2, "3GPP base ticket")

#define MIKEY_REGISTRIES(R)                         \
  R(DataType, std::uint8_t, MIKEY_DATA_TYPE)        \
  R(PayloadType, std::uint8_t, MIKEY_PAYLOAD_TYPE)  \
  R(PrfFunc, std::uint8_t, MIKEY_PRF_FUNC)          \
  R(MapType, std::uint8_t, MIKEY_MAP_TYPE)          \
  R(EncrAlg, std::uint8_t, MIKEY_ENCR_ALG)          \
  R(MacAlg, std::uint8_t, MIKEY_MAC_ALG)            \
  R(KeyDataType, std::uint8_t, MIKEY_KEY_DATA_TYPE) \
  R(KvType, std::uint8_t, MIKEY_KV_TYPE)            \
  R(TsType, std::uint8_t, MIKEY_TS_TYPE)            \
  R(IdType, std::uint8_t, MIKEY_ID_TYPE)            \
  R(CertType, std::uint8_t, MIKEY_CERT_TYPE)        \
  R(HashFunc, std::uint8_t, MIKEY_HASH_FUNC)        \
  R(DhGroup, std::uint8_t, MIKEY_DH_GROUP)          \
  R(SignType, std::uint8_t, MIKEY_SIGN_TYPE)        \
  R(ProtType, std::uint8_t, MIKEY_PROT_TYPE)        \
  R(SrtpParam, std::uint8_t, MIKEY_SRTP_PARAM)      \
  R(ErrorNo, std::uint8_t, MIKEY_ERROR_NO)          \
  R(GenExtType, std::uint8_t, MIKEY_GEN_EXT_TYPE)   \
  R(KeyIdType, std::uint8_t, MIKEY_KEY_ID_TYPE)     \
  R(PkeCache, std::uint8_t, MIKEY_PKE_CACHE)        \
  R(TsRole, std::uint8_t, MIKEY_TS_ROLE)            \
  R(IdRole, std::uint8_t, MIKEY_ID_ROLE)            \
  R(RandRole, std::uint8_t, MIKEY_RAND_ROLE)        \
  R(TicketType, std::uint16_t, MIKEY_TICKET_TYPE)

// Each registry's enum, to_string (the RFC name, or "" for a value no RFC read assigns) and
// is_known.
MIKEY_REGISTRIES(MIKEY_DECLARE_CODE_POINTS)

// One row per code point of every registry, for dictionaries, JSON and docs.
struct CodePoint {
  std::string_view registry;  // enum name, e.g. "PayloadType"
  std::string_view name;      // RFC name
  std::uint32_t value;
  std::uint8_t width;  // bytes on the wire (1 or 2; 4-bit fields report 1)
};
std::span<const CodePoint> all_code_points() noexcept;

template <class E>
constexpr auto raw(E e) noexcept {
  return static_cast<std::underlying_type_t<E>>(e);
}

}  // namespace mikey::codec
