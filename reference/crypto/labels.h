// Key-derivation label constants and label byte strings (RFC 3830 §4.1.3, §4.1.4; RFC 6043
// §5.1.1-§5.1.3, §6.10, App. A.2). The builders are public so tests can compare the exact label
// bytes with the spec digests and with an independent implementation.
#pragma once

#include <cstdint>

#include "crypto/errc.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::crypto {

// RFC 3830 §4.1.3: keys derived from a TGK (9-digit groups of e as 32-bit numbers).
inline constexpr std::uint32_t kConstTek = 0x2AD01C64;
inline constexpr std::uint32_t kConstTgkAuth = 0x1B5C7973;
inline constexpr std::uint32_t kConstTgkEncr = 0x15798CEF;
inline constexpr std::uint32_t kConstTgkSalt = 0x39A2C14B;
// RFC 3830 §4.1.4: keys derived from a PSK or envelope key; reused by RFC 6043 §5.1.2, §6.10
// and App. A.2.1 with new label layouts.
inline constexpr std::uint32_t kConstEncr = 0x150533E1;
inline constexpr std::uint32_t kConstAuth = 0x2D22AC75;
inline constexpr std::uint32_t kConstSalt = 0x29B88916;
// RFC 6043 §5.1.1: forked keys.
inline constexpr std::uint32_t kConstMpkrFork = 0x2B288856;
inline constexpr std::uint32_t kConstTgkFork = 0x1512B54A;
// RFC 6043 App. A.2.2: MPKi / MPKr from the MPK of a MIKEY base ticket.
inline constexpr std::uint32_t kConstMpki = 0x220E99A2;
inline constexpr std::uint32_t kConstMpkr = 0x1F4D675B;

// The type byte RFC 6043 puts after 0xFF || 0xFFFFFFFF (or CSB ID) in its labels.
enum class LabelType : std::uint8_t {
  forking = 0x00,   // §5.1.1 MPKr', TGK'
  initial = 0x01,   // §5.1.2 keys protecting *_INIT messages
  response = 0x02,  // §5.1.2 keys protecting *_RESP messages
  session = 0x03,   // §5.1.3 TEK/salt from TGK, TGK' or GTGK
  vr = 0x04,        // §6.10 auth_key of Vr
  tpk = 0x05,       // App. A.2.1 keys from the TPK
  mpk = 0x06,       // App. A.2.2 MPKi / MPKr from the MPK
};

// Which message of an exchange the §5.1.2 keys protect.
enum class MessageDirection : std::uint8_t {
  initial = static_cast<std::uint8_t>(LabelType::initial),
  response = static_cast<std::uint8_t>(LabelType::response),
};

// All builders return out_of_memory if allocation fails; other errors are listed per builder.

// RFC 3830 §4.1.3: constant || cs_id (8) || csb_id (32) || RAND.
Result<Bytes, Error> label_tgk_3830(std::uint32_t constant, std::uint8_t cs_id,
                                    std::uint32_t csb_id, ByteView rand) noexcept;

// RFC 3830 §4.1.4: constant || 0xFF || csb_id (32) || RAND.
Result<Bytes, Error> label_psk_3830(std::uint32_t constant, std::uint32_t csb_id,
                                    ByteView rand) noexcept;

// RFC 6043 §5.1.1: constant || 0xFF || 0xFFFFFFFF || 0x00 || len(ID Data) (16 bits) ||
// ID Data || len(RANDRkms) (8 bits) || RANDRkms. id_data is the ID Data field of the IDRr
// payload. Returns bad_length if id_data exceeds 65535 bytes or randr_kms 255 bytes.
Result<Bytes, Error> label_forking(std::uint32_t constant, ByteView id_data,
                                   ByteView randr_kms) noexcept;

// RFC 6043 §5.1.2: constant || 0xFF || CSB ID (32) || type (0x01 initial, 0x02 response) ||
// len(RANDRi) (8) || RANDRi || len(RANDRr) (8) || RANDRr. An omitted RAND is passed empty and
// contributes only its length byte 0. Returns bad_parameter for a direction other than
// initial/response, bad_length for a RAND longer than 255 bytes.
Result<Bytes, Error> label_message_key(std::uint32_t constant, std::uint32_t csb_id,
                                       MessageDirection direction, ByteView randri,
                                       ByteView randrr) noexcept;

// RFC 6043 §5.1.3: constant || CS ID (8) || 0xFFFFFFFF || 0x03 || len(RANDRi) (8) || RANDRi ||
// len(RANDRr) (8) || RANDRr (RANDRi present iff H = 1, RANDRr iff G = 1; empty = length 0).
// Returns bad_length for a RAND longer than 255 bytes.
Result<Bytes, Error> label_session_key(std::uint32_t constant, std::uint8_t cs_id, ByteView randri,
                                       ByteView randrr) noexcept;

// RFC 6043 §6.10: constant || 0xFF || 0xFFFFFFFF || 0x04 (the RFC uses constant = kConstAuth).
Result<Bytes, Error> label_vr(std::uint32_t constant = kConstAuth) noexcept;

// RFC 6043 App. A.2.1: constant || 0xFF || 0xFFFFFFFF || 0x05 || len(RAND) (8) || RAND, RAND
// of the Ticket Data. Returns bad_length for a RAND longer than 255 bytes.
Result<Bytes, Error> label_tpk(std::uint32_t constant, ByteView rand) noexcept;

// RFC 6043 App. A.2.2: constant || 0xFF || 0xFFFFFFFF || 0x06 || len(RAND) (8) || RAND.
// Returns bad_length for a RAND longer than 255 bytes.
Result<Bytes, Error> label_mpk(std::uint32_t constant, ByteView rand) noexcept;

}  // namespace mikey::crypto
