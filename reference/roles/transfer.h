// State both parties of a Ticket Transfer keep once the initial exchange is complete, and what
// they share: SRTP keys per crypto session (RFC 6043 §5.1.3) and the protection of CSB updates
// (§5.2: "protected with the same keys ... that protected the last message of the initial
// exchange": TRANSFER_RESP when one was sent, else TRANSFER_INIT).
#pragma once

#include <optional>
#include <vector>

#include "codec/payloads.h"
#include "crypto/labels.h"
#include "crypto/secure_bytes.h"
#include "roles/clock.h"
#include "roles/failure.h"
#include "roles/protect.h"
#include "roles/session_keys.h"
#include "roles/types.h"

namespace mikey::roles {

struct TransferSession {
  codec::PrfFunc prf = codec::PrfFunc::mikey_1;  // HDR PRF of the exchange
  std::uint32_t csb_id = 0;
  codec::TicketFlags flags;  // of the ticket's policy (H, G, L, M, I, J)
  Bytes randri;
  Bytes randrr;                                 // TRANSFER_RESP's RANDRr, used only when G = 1
  std::vector<codec::GenericIdEntry> sessions;  // the final CS ID map
  std::vector<codec::SecurityPolicy> policies;  // SPs of both messages
  KeySet keys;                                  // session keys in force (TGK' when forking)
  Identity initiator;
  Identity responder;
  codec::MacAlg mac = codec::MacAlg::hmac_sha1_160;
  codec::EncrAlg encr = codec::EncrAlg::aes_cm_128;
  // INTERPRETATION (§5.2 "the same keys"): the update messages use the identical encr/auth/salt
  // keys, i.e. the same derivation inputs (inkey, CSB ID, label type, RANDs) as that message.
  crypto::SecureBytes update_inkey;
  crypto::MessageDirection update_direction = crypto::MessageDirection::initial;
  std::int64_t last_peer_t = 0;  // newest timestamp received (updates must be newer)
};

// SRTP master keys and salts per crypto session of a complete exchange.
Result<std::vector<SrtpKeys>, Failure> session_srtp_keys(const TransferSession& s) noexcept;
// The same for a party's session: invalid_state while no transfer has completed.
Result<std::vector<SrtpKeys>, Refusal> completed_srtp_keys(
    const std::optional<TransferSession>& s) noexcept;

// The MessageProtection of a CSB update message (its coverage follows from its data type).
MessageProtection update_protection(const TransferSession& s);

// RFC 6043 §6.1.1 / §4.2.2.3: a response map has exactly one policy per CS, SRTP only.
bool response_map_ok(const codec::Hdr& hdr) noexcept;

// The session keys of a ticket's KEMAC as the Transfer uses them: with forking (I = 1) the TGKs
// are replaced by TGK' (§5.1.1; TEKs and GTGKs are never forked). Fails with internal_error.
Result<KeySet, Failure> forked_session_keys(const KeySet& keys, codec::PrfFunc tp_prf,
                                            ByteView modifier_id, ByteView randrkms) noexcept;

}  // namespace mikey::roles
