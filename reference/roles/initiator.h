// The reference Initiator (RFC 6043 §4.2.1, §4.2.2, §5.2, §5.3): requests a ticket from its KMS
// (or creates one itself in mode 3), transfers it to the Responder, derives the SRTP keys, and
// runs CSB updates and ticket reuse. Pure: messages in, messages out; one Initiator holds one
// ticket and one Ticket Transfer at a time. Not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "crypto/rng.h"
#include "roles/clock.h"
#include "roles/credential.h"
#include "roles/failure.h"
#include "roles/message_util.h"
#include "roles/session_keys.h"
#include "roles/ticket.h"
#include "roles/transfer.h"
#include "roles/types.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::roles {

struct InitiatorConfig {
  Identity identity;                             // IDRi
  Identity kms_identity;                         // IDRkms of REQUEST_INIT
  std::shared_ptr<const Credential> credential;  // towards the KMS (PSK; PK later)
  Algorithms algorithms = kSuite128;             // of the messages this Initiator builds
  IvTimestamp iv_timestamp = IvTimestamp::carrying_message;  // RFC 3830 §4.2.3 reading, default (a)
  std::uint32_t clock_skew_s = 300;
  // What a granted Ticket Policy must satisfy (RFC 6043 §4.2.1.6, T-4.2.1.6-3).
  std::vector<TicketFormat> ticket_formats{kBaseTicket, kProvisionalType2};
  bool require_forking = false;  // refuse a grant that dropped a requested I flag
  bool include_idrpsk = true;    // T-4.2.1.2-2: MAY be omitted
  bool include_idrkms = true;    // T-4.2.1.1-7: SHOULD be included
};

// One key asked for in the desired Ticket Policy's KEMAC (RFC 6043 §6.10): Key Data zero.
struct DesiredKey {
  codec::KeyDataType type = codec::KeyDataType::tgk;
  std::size_t length = 16;
};

// The desired Ticket Policy (RFC 6043 §6.10).
struct TicketRequest {
  TicketFormat format = kBaseTicket;
  codec::PrfFunc prf = codec::PrfFunc::mikey_1;  // Ticket Policy PRF Func
  codec::TicketFlags flags = default_flags();
  std::vector<Identity> responders;         // IDRr: at least one
  std::optional<std::uint32_t> lifetime_s;  // TRs = now, TRe = now + lifetime; none = omitted
  std::int64_t start_offset_s = 0;          // TRs = now + this (a ticket valid later)
  std::vector<DesiredKey> keys;             // the desired KEMAC; empty = none (KMS default)
  std::vector<Identity> applications;       // IDRapp

  // D F H N O: a KMS ticket, TRANSFER_RESP, RANDRi in the session keys, plain RFC 6043
  // processing (the flags of the self-generated worked REQUEST_INIT_PSK).
  static codec::TicketFlags default_flags() noexcept;
};

// One crypto session offered in TRANSFER_INIT (GENERIC-ID map, RFC 6043 §6.1.1).
struct CryptoSession {
  std::uint8_t cs_id = 1;
  std::optional<codec::SecurityPolicy> policy;  // offered SP (its Policy no is referenced)
  Bytes ssrc;                                   // SRTP Session Data; empty = left to R
};

struct TransferOptions {
  Identity responder;  // IDRr of TRANSFER_INIT
  std::vector<CryptoSession> sessions{CryptoSession{}};
};

// A CSB update the Initiator starts (RFC 6043 §5.2).
struct UpdateOptions {
  bool expect_response = true;  // the TRANSFER_INIT V flag
  KeySet new_keys;              // new session keys in KEMAC (only if L = 1); empty = none
  std::vector<codec::SecurityPolicy> policies;
};

// The desired Ticket Policy for `r` at Unix time `now`: TP Data = First Payload, [TRs, TRe],
// [KEMAC (NULL/NULL, Key Data zero: T-6.10-12)], {IDRapp}, (IDRr); K = 0 (T-6.10-3).
codec::TicketPolicy desired_policy(const TicketRequest& r, std::int64_t now);

// Every field of a REQUEST_INIT_PSK (RFC 6043 §4.2.1.1, §4.2.1.2), for the Initiator and for
// known-answer tests (the self-generated worked REQUEST_INIT_PSK).
struct RequestInitFields {
  std::uint32_t csb_id = 0;
  NtpTime t = 0;
  Bytes randri;
  std::optional<Identity> idri;
  std::optional<Identity> idrkms;
  codec::TicketPolicy tp;
  std::optional<Identity> idrpsk;
  codec::PrfFunc prf = codec::PrfFunc::mikey_1;
  codec::MacAlg mac = codec::MacAlg::hmac_sha1_160;
};
// HDR (V = 1, #CS 0, Empty map), T, RANDRi, [IDRi], [IDRkms], TP, [IDRpsk], V with the MAC over
// REQUEST_INIT ‖ Identity_i ‖ Identity_kms keyed from `psk` (label type 0x01). An omitted IDRi /
// IDRkms contributes `identity_i` / `identity_kms` to the MAC input
// (INTERPRETATION: RFC 6043 §5.5 leaves identities "identified by other means" undefined).
Result<Bytes, Failure> build_request_init_psk(const RequestInitFields& f, ByteView psk,
                                              ByteView identity_i, ByteView identity_kms) noexcept;

class Initiator {
 public:
  // `clock` and `rng` must outlive the Initiator.
  Initiator(InitiatorConfig config, const Clock& clock, crypto::Rng& rng);

  // Ticket Request (RFC 6043 §4.2.1.1, §4.2.1.2): REQUEST_INIT_PSK = HDR (V = 1, #CS 0, Empty
  // map), T, RANDRi, IDRi, IDRkms, TP, IDRpsk, V. Fails with pk_not_implemented (PK credential),
  // ticket_policy_invalid (no responder), internal_error.
  Result<Bytes, Refusal> request_ticket(const TicketRequest& desired) noexcept;
  // REQUEST_RESP (§4.2.1.6): verify, decrypt MPKi [MPKr] and the keys, and check the granted
  // policy; on success the ticket is stored and its granted policy returned. An unacceptable
  // grant is discarded (T-4.2.1.6-3).
  Result<codec::TicketPolicy, Refusal> process_request_resp(ByteView response) noexcept;

  // Mode 3 (RFC 6043 §4.1.1; TS 33.328 §6.2.3.1): the Initiator creates the ticket itself with a
  // TPK it shares with the KMS (D = 0, hence L = 1). Returns the ticket's policy.
  Result<codec::TicketPolicy, Refusal> create_ticket(const TicketRequest& desired,
                                                     const TicketKey& tpk) noexcept;

  // Ticket Transfer (§4.2.2.1): TRANSFER_INIT = HDR (V = F, GENERIC-ID map), T, RANDRi, IDRi,
  // IDRr, {SP}, TICKET (+ Initiator Data [Vi, Vr] with forking), V keyed from MPKi. Every call
  // starts a new transfer with a new CSB ID, T and RANDRi (ticket reuse, §5.3); refuses
  // ticket_reuse_forbidden for a used ticket with J = 0.
  Result<Bytes, Refusal> transfer_init(const TransferOptions& options) noexcept;
  // TRANSFER_RESP (§4.2.2.4): verify (MPKr' from the modifier with forking, else MPKi), check
  // the Responder's policies, complete the session.
  Result<bool, Refusal> process_transfer_resp(ByteView response) noexcept;

  // SRTP master key and salt per crypto session of the completed transfer (§5.1.3).
  Result<std::vector<SrtpKeys>, Refusal> srtp_keys() const noexcept;

  // CSB update (§5.2): TRANSFER_INIT = HDR (same CSB ID, V = response expected), T, IDRi, IDRr,
  // {SP}, [KEMAC], V with the keys of the last message of the initial exchange.
  Result<Bytes, Refusal> csb_update(const UpdateOptions& options) noexcept;
  Result<bool, Refusal> process_update_resp(ByteView response) noexcept;

  bool has_ticket() const noexcept { return ticket_.has_value(); }
  bool transfer_complete() const noexcept { return session_.has_value(); }
  const TransferSession* session() const noexcept { return session_ ? &*session_ : nullptr; }

 private:
  struct HeldTicket {
    codec::Ticket ticket;
    crypto::SecureBytes mpki;
    crypto::SecureBytes mpkr;
    KeySet keys;  // session keys as issued (not forked)
    bool used = false;
  };
  struct PendingRequest {
    Bytes bytes;
    std::uint32_t csb_id = 0;
    Bytes randri;
    std::uint64_t t = 0;
    TicketRequest desired;
  };
  struct PendingTransfer {
    Bytes bytes;
    codec::Message message;
    std::uint32_t csb_id = 0;
    Bytes randri;
    std::uint64_t t = 0;
    Identity responder;
  };
  struct TransferKeys {
    crypto::SecureBytes inkey;  // MPKi, or MPKr' with forking
    KeySet keys;                // session keys, TGK' with forking
  };
  struct PendingUpdate {
    Bytes bytes;
    UpdateOptions options;
  };

  Result<codec::TicketPolicy, Refusal> accept_grant(const Received& r, KeySet keys);
  Result<bool, Refusal> complete_transfer(const Received& r, KeySet resp_keys,
                                          crypto::SecureBytes update_inkey, KeySet session_keys);
  Result<Bytes, Refusal> build_transfer_init(const TransferOptions& options);
  Result<bool, Refusal> read_transfer_resp(ByteView response);
  Result<TransferKeys, Refusal> transfer_keys(const codec::Message& m);
  Result<Bytes, Refusal> build_update(const UpdateOptions& options);
  Result<bool, Refusal> read_update_resp(ByteView response);
  codec::Message transfer_init_model(const TransferOptions& options, std::uint32_t csb, NtpTime t,
                                     const Bytes& randri) const;
  bool t_fresh(const codec::Timestamp* t) const noexcept;

  InitiatorConfig config_;
  const Clock* clock_;
  crypto::Rng* rng_;
  TimestampSource timestamps_;
  std::optional<PendingRequest> request_;
  std::optional<HeldTicket> ticket_;
  std::optional<PendingTransfer> transfer_;
  std::optional<TransferSession> session_;
  std::optional<PendingUpdate> update_;
};

}  // namespace mikey::roles
