// Message protection for the six MIKEY-TICKET messages and the Error message: the RFC 6043 §5.1.2
// message keys, the §5.5 MAC coverage, and KEMAC encryption (RFC 3830 §4.2.3, RFC 6043 §6.2).
//
// MACs are computed over the serialised bytes and verified over the bytes AS RECEIVED, located
// with the parser's layout map, never over a re-serialisation: bytes as received are kept, never
// rebuilt.
//
//   message        keys (§5.1.2, label type)  RANDs in the label (§7.3)  MAC input (§5.5)
//   REQUEST_INIT   PSK / env key, 0x01         RANDRi                    msg ‖ ID_i ‖ ID_kms
//   REQUEST_RESP   PSK / env key, 0x02         RANDRi                    msg ‖ REQUEST_INIT
//   TRANSFER_INIT  MPKi, 0x01                  RANDRi                    msg − Initiator Data ‖
//   ID_i ‖ ID_r TRANSFER_RESP  MPKi or MPKr', 0x02         RANDRi, RANDRr iff G      msg ‖
//   TRANSFER_INIT RESOLVE_INIT   PSK / env key, 0x01         RANDRr                    msg ‖ ID_r ‖
//   ID_kms RESOLVE_RESP   PSK / env key, 0x02         RANDRr                    msg ‖ RESOLVE_INIT
//   Error          the erroneous message's     (as that message)         msg alone
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "codec/message.h"
#include "crypto/derive.h"
#include "crypto/labels.h"
#include "roles/failure.h"
#include "roles/message_util.h"
#include "roles/types.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::roles {

// What follows the message in its MAC input (RFC 6043 §5.5 Table 5.2).
enum class Coverage : std::uint8_t {
  identities,     // REQUEST_INIT, RESOLVE_INIT: ‖ identity_a ‖ identity_b
  transfer_init,  // TRANSFER_INIT: without Initiator Data length/Initiator Data, ‖ ID_i ‖ ID_r
  initial_message,  // responses: ‖ the whole initial message including its MAC
  none,             // Error message
};
// The coverage and key direction a data type calls for. Error messages take the direction of
// the message in error (RFC 6043 §5.4), so direction_of(error) is not meaningful.
Coverage coverage_of(codec::DataType t) noexcept;
crypto::MessageDirection direction_of(codec::DataType t) noexcept;

// Everything needed to protect or verify one message. Views must outlive the call.
struct MessageProtection {
  ByteView inkey;  // PSK, envelope key, MPKi or MPKr'
  // The HDR PRF func: RFC 6043 §5.1.2 does not name the PRF; it is read as the HDR's
  // (INTERPRETATION).
  codec::PrfFunc prf = codec::PrfFunc::mikey_1;
  std::uint32_t csb_id = 0;
  crypto::MessageDirection direction = crypto::MessageDirection::initial;
  ByteView randri;  // empty = omitted from the label (length byte 0), §7.3 table
  ByteView randrr;
  ByteView identity_a;       // Coverage::identities / transfer_init: ID_i or ID_r
  ByteView identity_b;       // ID_kms or ID_r
  ByteView initial_message;  // Coverage::initial_message
  // KEMAC sealing: the Encr alg and which T enters the AES-CM IV (reading (a) or (b)).
  codec::EncrAlg encr = codec::EncrAlg::aes_cm_128;
  IvTimestamp iv = IvTimestamp::carrying_message;
  std::uint64_t initial_t = 0;  // reading (b): the 64-bit T of the exchange's initial message
  bool only_this_iv = false;    // verify_message: do not fall back to the other reading
  // TRANSFER_INIT with key forking: auth_key of Vr (RFC 6043 §6.10, derive_vr_key). When set and
  // the TICKET carries Initiator Data [V, V], Vi gets the message's MAC and Vr its own.
  ByteView vr_key;
};

// The protection of the KMS's answer to a request this party sent (REQUEST_RESP, RESOLVE_RESP):
// keyed by its PSK and the request's CSB ID, response direction, covering the request as sent
// (§5.5) and reading the IV from its T. The caller adds the RANDs of the label.
template <class Sent>
MessageProtection response_protection(ByteView psk, codec::PrfFunc prf, const Sent& sent,
                                      IvTimestamp iv) {
  MessageProtection p;
  p.inkey = psk;
  p.prf = prf;
  p.csb_id = sent.csb_id;
  p.direction = crypto::MessageDirection::response;
  p.initial_message = sent.bytes;
  p.iv = iv;
  p.initial_t = sent.t;
  return p;
}

// The §5.1.2 keys (encr and salt for `encr`, auth for `mac`). Fails with unsupported_encr_alg /
// unsupported_mac_alg / unsupported_prf for algorithms the crypto layer lacks, internal_error
// when the PRF fails (e.g. an empty key).
Result<crypto::MessageKeys, Failure> message_keys(const MessageProtection& p, codec::EncrAlg encr,
                                                  codec::MacAlg mac) noexcept;

// Serialises `m` (last payload a V built with make_v(); a KEMAC payload, if any, is a
// placeholder) with the KEMAC sealing `kemac_keys` (KEMAC Mac alg NULL, RFC 6043 §4.2.1.5) and
// the V MAC per the table above. Fails with the errors of message_keys, missing_payload (no V
// last), internal_error (codec or cipher failure).
Result<Bytes, Failure> protect_message(codec::Message m, const MessageProtection& p,
                                       const KeySet* kemac_keys = nullptr) noexcept;

// Verifies the V MAC of a received message over the bytes as received, then decrypts its KEMAC
// (if any). The IV reading `p.iv` is tried first and the other reading second (RFC 3830
// §4.2.3, RFC 6043 §6.2: neither reading is confirmed, so a receiver tries both). Returns the KEMAC
// keys (empty without KEMAC). Fails with missing_payload (V not last), unsupported_mac_alg,
// unsupported_encr_alg, auth_failure, malformed_message (the KEMAC plaintext is no Key data chain
// under either reading), internal_error.
Result<KeySet, Failure> verify_message(const Received& r, const MessageProtection& p) noexcept;

// The MAC input of a received message: its bytes minus the MAC field of its last payload (V),
// followed by `extra` (what Table 5.2 appends). Located through the layout map.
Result<Bytes, Failure> received_mac_input(const Received& r,
                                          std::span<const ByteView> extra) noexcept;

// ---- MAC decisions ----

// The only places the roles judge a received MAC: V of every message (verify_message), the
// ticket's V (App. A.1), Vr (§6.10) and Vi == V (§4.2.3.6) all decide through these two.
//
// Fuzzer mode (BoringSSL's BORINGSSL_UNSAFE_FUZZER_MODE): in a library compiled with
// MIKEY_FUZZER_MODE (mikey_roles_fuzzmode, linked only by the *_fuzzmode fuzz twins and their
// test, never by mikeyconf or a release build) the MAC is still located, its key derived and
// its value computed, but the outcome of the comparison is ignored, so fuzzers reach the logic
// behind the integrity checks. A MAC that cannot be computed (unknown algorithm, OpenSSL
// failure) still fails.

// True when `received` is the `alg` MAC of `parts` under `key`.
bool mac_verifies(codec::MacAlg alg, ByteView key, std::span<const ByteView> parts,
                  ByteView received) noexcept;
// True when two received MAC values are identical (constant time for equal lengths).
bool macs_equal(ByteView a, ByteView b) noexcept;
// Whether this library was compiled with MIKEY_FUZZER_MODE.
bool fuzzer_mode() noexcept;

// ---- KEMAC (RFC 3830 §4.2.3) ----

// The KEMAC payload body holding E(encr_key, keys) with Mac alg NULL. `t_iv` is the 64-bit T of
// the IV; `csb_id` the CSB ID (0xFFFFFFFF inside a base ticket, App. A.1).
Result<codec::Kemac, Failure> seal_kemac(codec::EncrAlg encr, const crypto::MessageKeys& keys,
                                         std::uint32_t csb_id, std::uint64_t t_iv,
                                         const KeySet& plain) noexcept;
Result<KeySet, Failure> open_kemac(const codec::Kemac& kemac, const crypto::MessageKeys& keys,
                                   std::uint32_t csb_id, std::uint64_t t_iv) noexcept;

// ---- Initiator Data (RFC 6043 §6.10) ----

// Verifies Vr of the TICKET at payload index `ticket_index` of a received message: MAC over the
// entire Initiator Data field except Vr's MAC, keyed by `vr_key` (from the non-forked MPKr).
// Fails with initiator_data_failure (no Initiator Data [.., V], or the MAC differs).
Result<crypto::Verified, Failure> verify_vr(const Received& r, std::size_t ticket_index,
                                            ByteView vr_key) noexcept;

}  // namespace mikey::roles
