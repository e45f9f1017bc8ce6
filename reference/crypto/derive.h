// Key derivations of RFC 3830 §4.1.3/§4.1.4 and RFC 6043 §5.1.1-§5.1.3, §6.10, App. A.2: one
// function per label, each PRF(inkey, label, outkey_len) with the label from labels.h.
//
// Which PRF to pass is the caller's decision because the RFCs name it per derivation: the HDR
// PRF func for §5.1.2 message keys and §5.1.3 session keys (INTERPRETATION: §5.1.2 does not name
// it; RFC 3830 defines the HDR PRF func as the key-derivation PRF), the Ticket Policy PRF Func for
// forking (§5.1.1), the Vr key (not stated; INTERPRETATION: the Ticket Policy PRF) and the
// base-ticket keys (App. A.2).
//
// Every function returns the errors of the label builder it uses (bad_length, bad_parameter)
// and of prf() (unsupported_algorithm, bad_key_length, bad_length, openssl_failure,
// out_of_memory).
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/errc.h"
#include "crypto/labels.h"
#include "crypto/prf.h"
#include "crypto/secure_bytes.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::crypto {

// encr_key, auth_key and salt_key of one protection context (a message, or a ticket for the
// TPK keys). A zero length asked for gives an empty key without running the PRF.
struct MessageKeys {
  SecureBytes encr;
  SecureBytes auth;
  SecureBytes salt;
};

// RFC 3830 §4.1.3: TEK / auth / encr / salt key from a TGK (constant kConstTek, kConstTgkAuth,
// kConstTgkEncr or kConstTgkSalt).
Result<SecureBytes, Error> derive_tgk_key_3830(PrfFunc prf_func, ByteView tgk,
                                               std::uint32_t constant, std::uint8_t cs_id,
                                               std::uint32_t csb_id, ByteView rand,
                                               std::size_t out_bytes) noexcept;

// RFC 3830 §4.1.4: encr / auth / salt key from a PSK or envelope key (kConstEncr, kConstAuth,
// kConstSalt).
Result<SecureBytes, Error> derive_psk_key_3830(PrfFunc prf_func, ByteView psk,
                                               std::uint32_t constant, std::uint32_t csb_id,
                                               ByteView rand, std::size_t out_bytes) noexcept;
Result<MessageKeys, Error> derive_psk_keys_3830(PrfFunc prf_func, ByteView psk,
                                                std::uint32_t csb_id, ByteView rand,
                                                std::size_t encr_len, std::size_t auth_len,
                                                std::size_t salt_len) noexcept;

// RFC 6043 §5.1.1: a forked key (MPKr' with kConstMpkrFork, TGK' with kConstTgkFork);
// outkey_len = inkey_len. id_data = ID Data of the IDRr sent in RESOLVE_RESP / TRANSFER_RESP.
Result<SecureBytes, Error> derive_forked_key(PrfFunc prf_func, ByteView inkey,
                                             std::uint32_t constant, ByteView id_data,
                                             ByteView randr_kms) noexcept;
Result<SecureBytes, Error> fork_mpkr(PrfFunc prf_func, ByteView mpkr, ByteView id_data,
                                     ByteView randr_kms) noexcept;
Result<SecureBytes, Error> fork_tgk(PrfFunc prf_func, ByteView tgk, ByteView id_data,
                                    ByteView randr_kms) noexcept;

// RFC 6043 §5.1.2: one message-protection key (kConstEncr, kConstAuth, kConstSalt) from a PSK,
// envelope key, MPKi or MPKr'. Pass an omitted RAND as empty (which RANDs a message uses:
// RFC 6043 §5.1.2).
Result<SecureBytes, Error> derive_message_key(PrfFunc prf_func, ByteView inkey,
                                              std::uint32_t constant, std::uint32_t csb_id,
                                              MessageDirection direction, ByteView randri,
                                              ByteView randrr, std::size_t out_bytes) noexcept;
// All three §5.1.2 keys at once.
Result<MessageKeys, Error> derive_message_keys(PrfFunc prf_func, ByteView inkey,
                                               std::uint32_t csb_id, MessageDirection direction,
                                               ByteView randri, ByteView randrr,
                                               std::size_t encr_len, std::size_t auth_len,
                                               std::size_t salt_len) noexcept;

// RFC 6043 §5.1.3: a session key (kConstTek, kConstTgkAuth, kConstTgkEncr, kConstTgkSalt) from
// a TGK, TGK' or GTGK. cs_id from the GENERIC-ID map; RANDRi iff H = 1, RANDRr iff G = 1.
Result<SecureBytes, Error> derive_session_key(PrfFunc prf_func, ByteView tgk,
                                              std::uint32_t constant, std::uint8_t cs_id,
                                              ByteView randri, ByteView randrr,
                                              std::size_t out_bytes) noexcept;

// RFC 6043 §6.10: auth_key of the Vr payload from the non-forked MPKr.
Result<SecureBytes, Error> derive_vr_key(PrfFunc prf_func, ByteView mpkr,
                                         std::size_t out_bytes) noexcept;

// RFC 6043 App. A.2.1: encr / auth / salt key protecting a MIKEY base ticket, from the TPK and
// the Ticket Data RAND.
Result<SecureBytes, Error> derive_tpk_key(PrfFunc prf_func, ByteView tpk, std::uint32_t constant,
                                          ByteView rand, std::size_t out_bytes) noexcept;
Result<MessageKeys, Error> derive_tpk_keys(PrfFunc prf_func, ByteView tpk, ByteView rand,
                                           std::size_t encr_len, std::size_t auth_len,
                                           std::size_t salt_len) noexcept;

// RFC 6043 App. A.2.2: MPKi (kConstMpki) or MPKr (kConstMpkr) from the ticket's MPK;
// outkey_len = inkey_len.
Result<SecureBytes, Error> derive_mpk_key(PrfFunc prf_func, ByteView mpk, std::uint32_t constant,
                                          ByteView rand) noexcept;
Result<SecureBytes, Error> derive_mpki(PrfFunc prf_func, ByteView mpk, ByteView rand) noexcept;
Result<SecureBytes, Error> derive_mpkr(PrfFunc prf_func, ByteView mpk, ByteView rand) noexcept;

}  // namespace mikey::crypto
