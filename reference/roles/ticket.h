// Tickets in the MIKEY Base Ticket layout (RFC 6043 App. A): Ticket Type 1
// (1/1/1) and, PROVISIONAL, NOT 3GPP, Ticket Type 2 (2/0/0) whose codec reads the same layout
// (TS 33.328 Annex D unavailable). Both are protected the same way:
//   Ticket Data = THDR, T, RAND, KEMAC, [IDRpsk], V
//   KEMAC = E(encr_key, MPK || {TEK|TGK|GTGK}) with TPK-derived keys (label type 0x05) and CSB ID
//           0xFFFFFFFF in the AES-CM IV (App. A.1), T = the Ticket Data's T;
//   V     = MAC over the TICKET payload except its Next Payload byte, the Initiator Data length,
//           the Initiator Data and the MAC (App. A.1, codec::base_ticket_mac_input);
//   MPKi / MPKr = PRF(MPK, label type 0x06 with the Ticket Data RAND) (App. A.2.2).
#pragma once

#include <optional>
#include <span>

#include "codec/payloads.h"
#include "codec/ticket_codec.h"
#include "crypto/rng.h"
#include "crypto/secure_bytes.h"
#include "roles/clock.h"
#include "roles/failure.h"
#include "roles/types.h"
#include "wire/result.h"

namespace mikey::roles {

// RFC 6043 App. A.1: a CSB ID needed for the ticket KEMAC's IV is 0xFFFFFFFF.
inline constexpr std::uint32_t kTicketCsbId = 0xFFFFFFFF;

// A Ticket Protection Key (App. A.2.1) and how it protects tickets.
struct TicketKey {
  Bytes id;  // ID Data of the Ticket Data's IDRpsk (Byte string); empty = no IDRpsk
  TicketFormat format = kBaseTicket;
  crypto::SecureBytes tpk;  // at least 128 bits (RFC 6043 §12.1)
  codec::EncrAlg encr = codec::EncrAlg::aes_cm_128;
  codec::MacAlg mac = codec::MacAlg::hmac_sha1_160;
  // Mode 3 (RFC 6043 §4.1.1): the Initiator that shares this TPK with the KMS and creates
  // tickets with it (D = 0). nullopt: a KMS-only key (D = 1 tickets).
  std::optional<Identity> shared_with;

  TicketKey clone() const;
};

// What the ticket KEMAC carries: one MPK, then the session keys (App. A.1; T-A.1-4).
struct TicketContents {
  KeyItem mpk;
  KeySet keys;
};

// A freshly built ticket and the MPKi / MPKr its creator hands out (REQUEST_RESP KEMAC, or the
// Initiator's own use in mode 3).
struct SealedTicket {
  codec::Ticket ticket;
  crypto::SecureBytes mpki;
  crypto::SecureBytes mpkr;
};

// Builds the TICKET (policy + Ticket Data, no Initiator Data) for `policy`, whose Ticket Type /
// Subtype / Version must equal key.format. `t` is the Ticket Data's T (NTP-UTC). The RAND is as
// long as the longest of TPK and MPK and at least 16 bytes (T-12.1-4). Fails with
// unsupported_ticket_type (no codec / format mismatch), unsupported_prf / unsupported_encr_alg /
// unsupported_mac_alg, internal_error.
Result<SealedTicket, Failure> seal_ticket(const codec::TicketPolicy& policy,
                                          const TicketContents& contents, const TicketKey& key,
                                          NtpTime t, crypto::Rng& rng) noexcept;

// A ticket whose V verified and whose KEMAC was decrypted.
struct OpenedTicket {
  codec::TicketData data;
  TicketContents contents;
  crypto::SecureBytes mpki;
  crypto::SecureBytes mpkr;
  const TicketKey* key = nullptr;  // the key that verified it (points into the span given)
};

// Verifies and decrypts a received TICKET. `ticket_payload` is the TICKET payload as received
// (from its Next Payload byte; message_util payload_bytes()), `ticket` its parsed model. The key is
// chosen by the Ticket Data's IDRpsk among `keys` of the ticket's format, or every key of that
// format is tried when the IDRpsk is absent (App. A.1 "MAY be omitted if the TPK can be found").
// Fails with unsupported_ticket_type (no codec), malformed_message / missing_payload (Ticket Data
// unreadable or lacking T, RAND, KEMAC or a final V), ticket_issuer_unknown (no key of this
// format with that IDRpsk), ticket_integrity_failure (no candidate key verifies V), and the
// algorithm failures.
Result<OpenedTicket, Failure> open_ticket(ByteView ticket_payload, const codec::Ticket& ticket,
                                          std::span<const TicketKey> keys) noexcept;

// MPKi and MPKr from the MPK and the Ticket Data RAND (App. A.2.2), Ticket Policy PRF.
struct MpkPair {
  crypto::SecureBytes mpki;
  crypto::SecureBytes mpkr;
};
Result<MpkPair, Failure> derive_mpk_pair(codec::PrfFunc prf, ByteView mpk, ByteView rand) noexcept;

}  // namespace mikey::roles
