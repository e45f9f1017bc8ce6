// The reference Responder (RFC 6043 §4.2.2.2, §4.2.2.3, §4.2.3, §5.2, §5.3): receives
// TRANSFER_INIT, rejects unacceptable policies before contacting the KMS (§4.2.2.2), resolves the
// ticket through its KMS (RESOLVE_INIT_PSK / RESOLVE_RESP) or itself (modes 2 and 4, a TPK shared
// with the ticket's creator, E = 0), verifies TRANSFER_INIT with MPKi, answers with TRANSFER_RESP
// when F = 1 and derives the SRTP keys. One Responder handles one Ticket Transfer at a time;
// resolved tickets are remembered: reused when J = 1, refused when J = 0 (§5.3). Not
// thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "crypto/rng.h"
#include "roles/clock.h"
#include "roles/credential.h"
#include "roles/failure.h"
#include "roles/message_util.h"
#include "roles/replay_cache.h"
#include "roles/session_keys.h"
#include "roles/ticket.h"
#include "roles/transfer.h"
#include "roles/types.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::roles {

struct ResponderConfig {
  Identity identity;              // IDRr of RESOLVE_INIT
  std::vector<Identity> aliases;  // other identities it answers for (e.g. a group address)
  Identity kms_identity;          // IDRkms of RESOLVE_INIT
  std::shared_ptr<const Credential> credential;              // towards the KMS (PSK; PK later)
  Algorithms algorithms = kSuite128;                         // HDR PRF and V alg of RESOLVE_INIT
  IvTimestamp iv_timestamp = IvTimestamp::carrying_message;  // RFC 3830 §4.2.3 reading, default (a)
  std::uint32_t clock_skew_s = 300;
  // A ticket whose TRs lies up to this far in the future is still resolved: another party's
  // clock wrote it (docs/latitude.md "clock-offset"). A test driver that wants the KMS to judge
  // every ticket sets it high.
  std::int64_t ticket_start_grace_s = 300;
  std::size_t replay_cache_size = 1024;
  // The early-reject policy of §4.2.2.2.
  std::vector<TicketFormat> ticket_formats{kBaseTicket, kProvisionalType2};
  bool accept_forking = true;
  // Modes 2 and 4: TPKs this Responder shares with the KMS or the Initiator; a ticket with E = 0
  // protected by one of them is resolved locally, without a Ticket Resolve exchange.
  std::vector<TicketKey> ticket_keys;
};

// What to do after a step.
enum class ResponderAction : std::uint8_t {
  send_resolve_init,   // send `message` (RESOLVE_INIT) to the KMS, then process_resolve_resp()
  send_transfer_resp,  // send `message` (TRANSFER_RESP) to the Initiator; the transfer is done
  done,                // nothing to send (F = 0, or an update without response)
};
struct ResponderStep {
  ResponderAction action = ResponderAction::done;
  Bytes message;
};

class Responder {
 public:
  // `clock` and `rng` must outlive the Responder.
  Responder(ResponderConfig config, const Clock& clock, crypto::Rng& rng);

  // TRANSFER_INIT (§4.2.2.2). On refusal the Refusal carries the Transfer Error message for the
  // Initiator (HDR, T, ERR; unauthenticated, since the message could not be authenticated yet).
  Result<ResponderStep, Refusal> process_transfer_init(ByteView transfer_init) noexcept;
  // RESOLVE_RESP (§4.2.3.6): verify, decrypt MPKi [MPKr'] and the keys, verify TRANSFER_INIT with
  // MPKi (and V == Vi with forking), then TRANSFER_RESP when F = 1.
  Result<ResponderStep, Refusal> process_resolve_resp(ByteView resolve_resp) noexcept;
  // SRTP master key and salt per crypto session of the completed transfer (§5.1.3).
  Result<std::vector<SrtpKeys>, Refusal> srtp_keys() const noexcept;
  // An Initiator-started CSB update TRANSFER_INIT (§5.2); answers TRANSFER_RESP when its V flag
  // asks for one.
  Result<ResponderStep, Refusal> process_update(ByteView transfer_init) noexcept;

  bool transfer_complete() const noexcept { return session_.has_value(); }
  const TransferSession* session() const noexcept { return session_ ? &*session_ : nullptr; }

 private:
  // The keys a resolution yields: MPKi, [MPKr'], session keys (TGK' with forking), modifier.
  struct Resolution {
    crypto::SecureBytes mpki;
    crypto::SecureBytes mpkr;  // MPKr' with forking, else empty
    KeySet keys;
    std::optional<Identity> idrr;  // the modifier (§4.2.3.5), echoed in TRANSFER_RESP
    Bytes randrkms;
    Resolution clone() const;
  };
  struct PendingResolve {
    Bytes bytes;
    std::uint32_t csb_id = 0;
    Bytes randrr;
    std::uint64_t t = 0;
  };

  Result<ResponderStep, Refusal> read_transfer_init(ByteView bytes);
  Result<bool, Refusal> early_reject(const Received& r) const;
  Result<ResponderStep, Refusal> resolve(Received r);
  Result<ResponderStep, Refusal> read_resolve_resp(ByteView bytes);
  Result<Resolution, Refusal> resolve_locally(const Received& r) const;
  Result<ResponderStep, Refusal> finish(Resolution res);
  Result<ResponderStep, Refusal> answer(Resolution res, KeySet init_keys);
  TransferSession new_session(const codec::Message& m, Resolution& res, KeySet init_keys,
                              codec::Hdr& hdr, std::vector<codec::Payload>& sps);
  Result<ResponderStep, Refusal> read_update(ByteView bytes);
  Result<KeySet, Refusal> verify_update(const Received& r);
  Result<ResponderStep, Refusal> update_resp(const Received& r);
  static Result<Resolution, Refusal> resolution_from(const codec::Message& m, KeySet keys,
                                                     bool forking);
  Refusal with_error(Refusal refusal, const Received& offending);
  const Resolution* cached(const codec::Ticket& ticket) const noexcept;
  bool t_fresh(const codec::Timestamp* t, std::int64_t& seconds) const noexcept;

  ResponderConfig config_;
  const Clock* clock_;
  crypto::Rng* rng_;
  TimestampSource timestamps_;
  ReplayCache replay_;
  std::optional<Received> transfer_;  // the TRANSFER_INIT being handled, as received
  std::optional<PendingResolve> resolve_;
  std::optional<TransferSession> session_;
  std::vector<std::pair<Bytes, Resolution>> resolved_;  // Ticket Data → resolution
};

}  // namespace mikey::roles
