// Value types shared by the reference roles: identities, algorithm suites, key material and the
// ticket-format triple. Secrets live in crypto::SecureBytes (cleansed on destruction), so the
// types that hold keys are move-only and offer an explicit clone().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "codec/codepoints.h"
#include "codec/payloads.h"
#include "crypto/kemac_cipher.h"
#include "crypto/mac.h"
#include "crypto/prf.h"
#include "crypto/secure_bytes.h"
#include "wire/bytes.h"

namespace mikey::roles {

// An identity as carried in an IDR payload (RFC 6043 §6.6): ID Type and ID Data. MAC inputs use
// the ID Data bytes only (RFC 6043 §5.5 "identities (not whole payloads)").
struct Identity {
  codec::IdType type = codec::IdType::uri;
  Bytes data;

  static Identity uri(std::string_view s) { return {codec::IdType::uri, to_bytes(s)}; }
  static Identity nai(std::string_view s) { return {codec::IdType::nai, to_bytes(s)}; }
  static Identity byte_string(std::string_view s) {
    return {codec::IdType::byte_string, to_bytes(s)};
  }
  bool operator==(const Identity&) const = default;
};

// The algorithms one party uses for the messages it builds: HDR PRF func (RFC 6043 §5.1.2 message
// keys and §5.1.3 session keys), KEMAC Encr alg and V Auth alg. RFC 6043 §12.1: the 256-bit
// algorithms are used together and not mixed with 128-bit ones.
struct Algorithms {
  codec::PrfFunc prf = codec::PrfFunc::mikey_1;
  codec::EncrAlg encr = codec::EncrAlg::aes_cm_128;
  codec::MacAlg mac = codec::MacAlg::hmac_sha1_160;

  // Length of the keys (MPK, TGK, TEK) and RANDs a party creates for this suite: 16 bytes for
  // the 128-bit suite, 32 for PRF-HMAC-SHA-256 (RFC 6043 §12.1 key and RAND lengths).
  std::size_t key_length() const noexcept { return prf == codec::PrfFunc::mikey_1 ? 16 : 32; }
  bool operator==(const Algorithms&) const = default;
};
inline constexpr Algorithms kSuite128{codec::PrfFunc::mikey_1, codec::EncrAlg::aes_cm_128,
                                      codec::MacAlg::hmac_sha1_160};
inline constexpr Algorithms kSuite256{codec::PrfFunc::prf_hmac_sha256, codec::EncrAlg::aes_cm_256,
                                      codec::MacAlg::hmac_sha256_256};

// Which timestamp enters the AES-CM IV of a KEMAC carried in a response message (REQUEST_RESP,
// RESOLVE_RESP, TRANSFER_RESP). RFC 3830 §4.2.3 names "the timestamp
// sent by the Initiator", RFC 6043 responders send a fresh T: not settled by any primary text.
enum class IvTimestamp : std::uint8_t {
  carrying_message,  // reading (a), the default: T of the message carrying the KEMAC
  initial_message,   // reading (b): T of the exchange's initial message (RFC 3830 wording)
};

// The Ticket Type / Subtype / Version triple that selects a ticket format (RFC 6043 §6.10).
struct TicketFormat {
  codec::TicketType type = codec::TicketType::mikey_base_ticket;
  std::uint8_t subtype = 1;
  std::uint8_t version = 1;
  bool operator==(const TicketFormat&) const = default;
};
inline constexpr TicketFormat kBaseTicket{codec::TicketType::mikey_base_ticket, 1, 1};
// PROVISIONAL, NOT 3GPP: Type 2 / Subtype 0 / Version 0 read with the base-ticket layout
// (codec/ticket_type2.cc; TS 33.328 Annex D unavailable).
inline constexpr TicketFormat kProvisionalType2{codec::TicketType::three_gpp_base_ticket, 0, 0};

// One key data sub-payload (RFC 3830 §6.13; RFC 6043 §6.2.1): an MPK, TEK, TGK or GTGK (with
// salt for the +SALT types) and its SPI/MKI (KV = SPI: RFC 6043 §6.2.1 wants one on every key).
struct KeyItem {
  codec::KeyDataType type = codec::KeyDataType::tgk;
  crypto::SecureBytes key;
  crypto::SecureBytes salt;  // +SALT types only
  Bytes spi;

  KeyItem clone() const;
};
using KeySet = std::vector<KeyItem>;
KeySet clone_keys(const KeySet& keys);

// Conversions between the codec's and the crypto layer's copies of the code-point enums (same
// values; the layers keep separate tables so neither depends on the other).
inline crypto::PrfFunc to_crypto(codec::PrfFunc f) noexcept {
  return static_cast<crypto::PrfFunc>(codec::raw(f));
}
inline crypto::EncrAlg to_crypto(codec::EncrAlg a) noexcept {
  return static_cast<crypto::EncrAlg>(codec::raw(a));
}
inline crypto::MacAlg to_crypto(codec::MacAlg a) noexcept {
  return static_cast<crypto::MacAlg>(codec::raw(a));
}

// Overwrites and empties a vector that briefly held key material on its way through the codec
// (the codec model keeps keys in plain Bytes).
void wipe(Bytes& b) noexcept;

}  // namespace mikey::roles
