// Errors and deviations of the codec layer.
//
// A ParseError stops parsing: the input cannot be read as MIKEY past `offset`.
// A Deviation does not stop parsing: the bytes are readable but not what a strict sender
// emits (reserved bits set, trailing bytes, the RFC 6043 V-flag conflict, ...). The harness
// reports deviations as non-strict behaviour of the system under test.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "codec/codepoints.h"
#include "wire/enum_table.h"

namespace mikey::codec {

#define MIKEY_CODEC_ERRORS(X)                                                               \
  X(truncated, "input ends inside a payload")                                               \
  X(unknown_payload_type, "unknown payload type: its length cannot be determined")          \
  X(unknown_map_type, "unknown CS ID map type: the map info length cannot be determined")   \
  X(unknown_ts_type, "unknown TS type: the timestamp length cannot be determined")          \
  X(unknown_mac_alg, "unknown MAC/Auth alg: the MAC length cannot be determined")           \
  X(unknown_hash_func, "unknown CHASH hash function: the hash length cannot be determined") \
  X(unknown_dh_group, "unknown DH group: the DH value length cannot be determined")         \
  X(unknown_kv_type, "unknown KV type: the KV data length cannot be determined")            \
  X(unexpected_payload_type, "payload type not allowed at this position")                   \
  X(kemac_too_large, "KEMAC larger than 2^16 bytes (RFC 3830 §6.13)")                       \
  X(nesting_too_deep, "embedded payload chains nested too deeply")                          \
  X(too_many_payloads, "more payloads than the configured limit")                           \
  X(missing_hdr, "message is empty: HDR must be first")                                     \
  X(inconsistent_model, "model cannot be encoded: a count or length disagrees")             \
  X(field_too_large, "a value does not fit its length field")                               \
  X(unsupported_ticket_format, "no codec for this Ticket Type/Subtype/Version")

MIKEY_DECLARE_ERRC(MIKEY_CODEC_ERRORS, codec_category)

// Where parsing stopped: the code, the absolute offset of the offending field in the outermost
// input, and the payload being parsed (PayloadType::last for HDR / message level).
struct ParseError {
  Errc code = Errc::ok;
  std::uint32_t offset = 0;
  PayloadType where = PayloadType::last;
  bool operator==(const ParseError&) const = default;
};

#define MIKEY_DEVIATIONS(X)                                                               \
  X(trailing_bytes, "bytes after the last payload")                                       \
  X(container_trailing_bytes, "bytes left in a container after its embedded chain ended") \
  X(reserved_bits_set, "reserved bits or bytes are not zero")                             \
  X(v_flag_conflict, "HDR V flag differs from the RFC 6043 §4 per-message rule")          \
  X(unknown_version, "HDR version is not 1 (RFC 3830 §6.1)")                              \
  X(error_without_err, "Error message carries no ERR payload (RFC 6043 §5.4 wants one)")  \
  X(cs_count_mismatch, "#CS disagrees with the map info")                                 \
  X(srtp_id_in_ticket_message, "SRTP-ID map in a MIKEY-TICKET message (RFC 6043 §6.1)")   \
  X(sign_not_last, "SIGN payload is followed by more bytes")

enum class DeviationKind : std::uint8_t { MIKEY_DEVIATIONS(MIKEY_ERRC_ENUMERATOR) };
std::string_view to_string(DeviationKind d) noexcept;

struct Deviation {
  DeviationKind kind;
  std::uint32_t offset = 0;
  std::string detail;  // human-readable, cites the spec section
};

}  // namespace mikey::codec

template <>
struct std::is_error_code_enum<mikey::codec::Errc> : std::true_type {};
