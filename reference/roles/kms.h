// The reference Key Management Service (RFC 6043 §4.2.1.4–§4.2.1.5, §4.2.3.4–§4.2.3.5, §10; TS
// 33.328 §6.2.3.8 / Annex B for KMS-to-KMS chaining). Pure: the KMS owns no socket, file or thread;
// it turns a request's bytes into the bytes to send back. The KMS-to-KMS transport is injected
// (KmsPeer).
//
// Receiver processing follows RFC 3830 §5.3: parse and structure, timestamp within the clock
// skew, replay cache, identity → key, MAC, and only then the message's meaning; only
// authenticated messages enter the replay cache. Refusals before the MAC verified are answered
// with an unauthenticated Error (RFC 3830 §5.1.2); later ones with an Error carrying V keyed like
// the request (RFC 6043 §5.4).
//
// Thread-safe: one Kms answers requests on several threads at once (the service's io threads).
// Its configuration never changes; what changes is guarded where it lives: the replay cache (whose
// post-MAC insert is atomic, replay_cache.h), the strictly increasing timestamps (TimestampSource).
// The Clock and the Rng it is given are called concurrently, so they must be safe for that:
// SystemClock and OpenSslRng are (OpenSSL 3's DRBGs), a DeterministicRng is not
// (service::KmsService puts one behind a lock); a ManualClock must not be set while requests run. A
// chained resolve's call to KmsPeer::resolve() holds only the calling thread: several may wait on
// peers at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/rng.h"
#include "roles/clock.h"
#include "roles/credential.h"
#include "roles/failure.h"
#include "roles/kms_faults.h"
#include "roles/message_util.h"
#include "roles/policy.h"
#include "roles/protect.h"
#include "roles/replay_cache.h"
#include "roles/ticket.h"
#include "roles/types.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::roles {

// Identity_r of the MAC input of a forwarded RESOLVE_INIT (RFC 6043 §5.5: RESOLVE_INIT ‖
// Identity_r ‖ Identity_kms). Which one a forwarding KMS_R uses is a reading (docs/latitude.md
// "link-mac-identity"): the forwarded IDRr (the payload it carries), or KMS_R's own identity (the
// party the key belongs to). `any`: a receiver accepting either.
enum class LinkMacIdentity : std::uint8_t { forwarded_idrr, kms_r, any };

// The IDRr a KMS_R puts into its RESOLVE_INIT to KMS_I (docs/latitude.md "forwarded-copied"):
// RFC 6043 §10 says the received IDRr SHOULD be reused (B.0-5). `copy`: the Responder's IDRr
// payload as received; `authenticated`: one built from the identity KMS_R authenticated the
// Responder as (its user entry), which differs when the Responder named another identity it may
// resolve for, or none.
enum class ForwardedIdrr : std::uint8_t { copy, authenticated };

// A party the KMS shares a credential with: an Initiator, a Responder, or a peer KMS (KMS_R)
// forwarding Responders' resolve requests.
struct KmsUser {
  Identity identity;
  // PskCredential (its psk_id is the IDRpsk that names it) or, later, a PK credential. For GBA
  // users use gba_credential() (PSK = Ks_NAF, IDRpsk = B-TID; UNCONFIRMED, A.3-2 / G.2-3).
  std::shared_ptr<const Credential> credential;
  // Identities, besides its own, whose tickets this user may resolve (e.g. a group address it
  // answers for; RFC 6043 §12.5 maps individual identities to group membership).
  std::vector<Identity> resolves_for;
  // A peer KMS (KMS_R). Its RESOLVE_INITs carry the Responder's IDRr (B.0-5); the key is found by
  // its IDRpsk or the transport's authenticated identity, never by that IDRr (B.0-6), and the
  // forwarded IDRr is what gets authorized (B.0-7; trust is hop by hop, S-6.2.3.8-4).
  bool peer_kms = false;
  // peer_kms: names (subject CN, SAN DNS or URI) of the client certificate with which this peer
  // authenticates on a mutually authenticated link (B.0-1); link_context() maps a verified
  // certificate to this user. docs/latitude.md "link-idrpsk": RFC 6043 §4.2.3.2 lets KMS_R leave
  // IDRpsk out when the key is known by other means.
  std::vector<std::string> tls_names{};
  // peer_kms, docs/latitude.md "link-key-lookup": the link identity selects the key even when the
  // request names an IDRpsk (true), or only when it names none (false).
  bool tls_identity_first = false;
  // peer_kms, docs/latitude.md "link-mac-identity": which Identity_r the MAC of this peer's
  // RESOLVE_INITs may cover.
  LinkMacIdentity mac_identity = LinkMacIdentity::any;
};

// A peer KMS this KMS (acting as KMS_R) asks to resolve tickets it did not issue (§10, B.1-*).
struct PeerKms {
  Identity identity;              // the peer's identity: IDRkms of our RESOLVE_INIT to it
  std::vector<Identity> issuers;  // KMS identities (TP Data IDRkms) whose tickets it resolves
  std::shared_ptr<const Credential> credential;  // this KMS's credential towards the peer
  Algorithms algorithms = kSuite128;             // HDR PRF and V alg of our RESOLVE_INIT
  // docs/latitude.md "tp-idrkms": the peer also resolves tickets whose TP Data names no issuer
  // (IDRkms is optional there, RFC 6043 §6.10). At most one peer should be the default.
  bool default_route = false;
  // docs/latitude.md "link-idrpsk": our RESOLVE_INIT names our key with IDRpsk (true), or leaves it
  // out for the peer to find by the link's authenticated identity (RFC 6043 §4.2.3.2 MAY).
  bool send_idrpsk = true;
  // docs/latitude.md "link-mac-identity": Identity_r of our RESOLVE_INIT's MAC input (RFC 6043
  // §5.5): the forwarded IDRr or our own identity (`any` is not a sender's choice: IDRr).
  LinkMacIdentity mac_identity = LinkMacIdentity::forwarded_idrr;
  // docs/latitude.md "forwarded-copied": the IDRr we forward.
  ForwardedIdrr forward_idrr = ForwardedIdrr::copy;
};

// Why the peer transport could not deliver (connection refused, timeout, TLS failure, ...).
struct PeerError {
  std::string detail;
  // Non-zero: the peer is busy, slow or unreachable right now (the link's bound reached, its
  // deadline passed, the peer answered 503): the Kms cannot serve now and answers its own client
  // HTTP 503 with this Retry-After (A.3-1) instead of Error 12. Zero: the link failed in a way a
  // retry will not mend (TLS verification, a malformed answer); Error 12 (B.1-6).
  unsigned retry_after_s = 0;
};

// The KMS-to-KMS transport (mutually authenticated, integrity and confidentiality protected:
// B.0-1, S-6.2.3.8-1; how is out of scope of RFC 6043 and of this library).
class KmsPeer {
 public:
  virtual ~KmsPeer() = default;
  // Sends `resolve_init` to `peer` and returns its answer (a RESOLVE_RESP or an Error message).
  // Called by several threads at once (the Kms is thread-safe); each call blocks its thread.
  virtual Result<Bytes, PeerError> resolve(const PeerKms& peer, ByteView resolve_init) noexcept = 0;
  // How many resolve() calls may block at once, all peers together (a bounded transport refuses
  // the others at once): the service keeps that many threads beyond the ones that serve its
  // own users. 0: no bound is known.
  virtual std::size_t max_in_flight() const noexcept { return 0; }
};

// Where the specifications let a correct KMS behave in more than one way (docs/latitude.md):
// each knob selects one legal reading; the defaults are the embedded reference's. The latitude
// matrix test runs every role's suite with each knob flipped.
struct KmsLatitude {
  // docs/latitude.md "clock-offset": this KMS's clock runs this far from the host's (RFC 3830
  // §5.3: peers' clocks differ within the allowed skew).
  std::int64_t clock_offset_ms = 0;
  // HTTP status (400..499) that replaces the MIKEY Error message for a class of refusal, 0 = the
  // Error message in a 200 (A.2-12). "auth-failure-answer": the Error is OPTIONAL after an
  // authentication failure (RFC 6043 §5.4, RFC 3830 §5.3); "malformed-answer": a fatal parse
  // error SHOULD draw an Error (§5.4); "discard-answer": a message outside the clock skew or a
  // replay is discarded (RFC 3830 §5.3, §5.4) and needs no Error.
  std::uint16_t auth_failure_status = 0;
  std::uint16_t malformed_status = 0;
  std::uint16_t discarded_status = 0;
  // "granted-idri" / "granted-idrkms": the requester (T-4.2.1.1-8, SHOULD) and the issuer
  // (optional TP Data payloads, RFC 6043 §6.10) in the granted Ticket Policy.
  bool add_idri = true;
  bool add_idrkms = true;
  // "trailing-bytes": bytes after the last payload make the message malformed (false), or are
  // dropped before the MAC check (true).
  bool ignore_trailing_bytes = false;
  // "idrkms-id-type": an IDRkms whose ID Type differs from this KMS's (same ID Data) is accepted.
  bool accept_idrkms_other_type = false;
  // "inconsistent-policy": a desired Ticket Policy whose flags break a §6.10 rule is refused with
  // 15 Invalid TPpar (false) or repaired and granted with K = 1 ("a modified Ticket Policy",
  // RFC 6043 §4.2.1.4).
  bool repair_inconsistent_policy = false;
  // "open-ended-lifetime": a desired Ticket Policy without TRe is granted without one (no
  // defined end, §6.10) instead of with the default lifetime.
  bool open_ended_lifetime = false;
  // "ticket-start-grace": a ticket whose TRs lies up to this far in this KMS's future is resolved
  // (the Initiator's clock, or a mode-3 Initiator's, may run ahead within the skew).
  std::uint32_t ticket_start_grace_s = 0;
  // "rand-length": RFC 6043 §12.1 wants len(RANDRi) + len(RANDRr) at least as long as the
  // longest PSK; the KMS sees one of the two, so it refuses a RAND shorter than half the PSK.
  bool enforce_rand_length = false;
};

// KMS policy: what it grants and accepts.
struct KmsPolicy {
  std::vector<codec::PrfFunc> prfs{codec::PrfFunc::mikey_1, codec::PrfFunc::prf_hmac_sha256};
  std::vector<codec::EncrAlg> encr_algs{codec::EncrAlg::aes_cm_128, codec::EncrAlg::aes_cm_256};
  std::vector<codec::MacAlg> mac_algs{codec::MacAlg::hmac_sha1_160, codec::MacAlg::hmac_sha256_256};
  std::vector<TicketFormat> ticket_formats{kBaseTicket, kProvisionalType2};
  // Modes (RFC 6043 §4.1.1): modes 1/2 = the KMS issues tickets (Ticket Request served); mode 3 =
  // tickets an Initiator created with a TPK it shares with the KMS (D = 0) are resolved.
  bool issue_tickets = true;
  bool resolve_initiator_tickets = true;
  bool allow_forking = true;                // grant the I flag
  bool allow_reuse = true;                  // grant the J flag
  std::uint32_t default_lifetime_s = 3600;  // TRe − TRs when the desired TP has no TRe
  std::uint32_t max_lifetime_s = 86400;     // longer desired lifetimes are shortened (K = 1)
  std::uint32_t clock_skew_s = 300;         // RFC 3830 §5.3 allowable clock skew
  // RFC 3830 §5.4 replay cache (replay_cache.h): at most this many authenticated messages within
  // the skew window; sustains replay_cache_size / (clock_skew_s + 1) requests per second (the
  // default: 9,966/s at 300 s, 96 MiB). Beyond it the KMS answers 503 + Retry-After (A.3-1),
  // never a false replay.
  std::size_t replay_cache_size = 3'000'000;
  // Allocate the replay cache's whole table, resident, when the Kms is built (a served KMS: its
  // memory stays flat) instead of growing it as messages arrive (tests, fuzz targets).
  bool replay_cache_reserve = false;
  IvTimestamp iv_timestamp = IvTimestamp::carrying_message;  // RFC 3830 §4.2.3 reading, default (a)
  ErrorPolicy errors;
  KmsLatitude latitude;
};

struct KmsConfig {
  Identity identity;  // IDRkms; also written into the TP Data of granted tickets (issuer)
  std::vector<KmsUser> users;
  std::vector<TicketKey> ticket_keys;  // KMS-only TPKs (D = 1) and mode-3 TPKs (shared_with)
  std::vector<PeerKms> peers;
  KmsPolicy policy;
  // Test-only fault injection (kms_faults.h): the configuration file loader never sets it.
  KmsFaults faults;
};

// The answer to a request: the message to send back (REQUEST_RESP / RESOLVE_RESP, or an Error
// message) and, on refusal, the Failure and a detail for the log. `message` is empty only when
// the request was itself an Error message (never answered, RFC 6043 §5.4).
struct KmsReply {
  Bytes message;
  std::optional<Failure> failure;
  std::string detail;
  // 4xx: the KMS refuses at the HTTP level instead of sending `message` (KmsLatitude).
  std::uint16_t http_status = 0;
  // Non-zero: the KMS cannot serve the request now and answers HTTP 503 with this Retry-After
  // (seconds) instead of `message` (A.3-1): a full replay memory, a busy or unreachable peer KMS.
  unsigned unavailable_retry_after_s = 0;
};

// What the transport knows about the requester beyond the bytes.
struct RequestContext {
  // The identity a mutually authenticated KMS–KMS transport established (a peer_kms user). When
  // set, that user's key protects the request, whatever IDRr/IDRpsk say (B.0-6).
  std::optional<Identity> authenticated_peer;
};

// The context of `request` received from a client whose certificate the transport verified and
// which carries `certificate_names` (empty: no verified certificate): authenticated_peer is the
// peer_kms user with one of those tls_names when the request names no IDRpsk, or always for a
// user with tls_identity_first (docs/latitude.md "link-idrpsk", "link-key-lookup"). Otherwise
// empty: the key is found by IDRpsk as usual.
RequestContext link_context(const KmsConfig& config, ByteView request,
                            const std::vector<std::string>& certificate_names);
// Whether `request` parses far enough to show an IDRpsk payload.
bool names_idrpsk(ByteView request) noexcept;

class Kms {
 public:
  // `clock`, `rng` and `peers` must outlive the Kms; `peers` may be null (no chaining).
  Kms(KmsConfig config, const Clock& clock, crypto::Rng& rng, KmsPeer* peers = nullptr);

  // REQUEST_INIT_PSK → REQUEST_RESP or Error (RFC 6043 §4.2.1.4, §4.2.1.5).
  KmsReply handle_request_init(ByteView request) noexcept;
  // RESOLVE_INIT_PSK → RESOLVE_RESP or Error (RFC 6043 §4.2.3.4, §4.2.3.5), chaining to a peer KMS
  // for tickets this KMS did not issue (§10; TS 33.328 §6.2.3.8, Annex B).
  KmsReply handle_resolve_init(ByteView request, const RequestContext& context = {}) noexcept;

  const KmsConfig& config() const noexcept { return config_; }
  std::size_t replay_cache_size() const noexcept { return replay_.size(); }

  // One request in flight (internal; public so the implementation files can share it).
  struct Exchange;

 private:
  Result<Bytes, Refusal> serve_request(Exchange& x);
  Result<Bytes, Refusal> serve_resolve(Exchange& x);
  Result<Bytes, Refusal> serve_chained(Exchange& x, const PolicyView& view);
  Result<bool, Refusal> preflight(Exchange& x);
  Result<bool, Refusal> find_key(Exchange& x);
  Result<bool, Refusal> check_algorithms(const Exchange& x) const;
  KmsReply reply_error(const Exchange& x, Refusal refusal) noexcept;
  KmsReply handle(Exchange& x) noexcept;

  const KmsUser* user_by_psk_id(const Identity& id) const noexcept;
  const KmsUser* user_by_identity(const Identity& id, bool peer_kms) const noexcept;
  std::int64_t now() const noexcept { return clock_->now_unix(); }
  std::uint16_t http_status_for(Failure f) const noexcept;
  bool names_this_kms(const codec::IdWithRole& idrkms) const noexcept;

  KmsConfig config_;
  ShiftedClock own_clock_;  // the host's clock shifted by latitude.clock_offset_ms
  const Clock* clock_;
  crypto::Rng* rng_;
  KmsPeer* peers_;
  ReplayCache replay_;
  TimestampSource timestamps_;
};

}  // namespace mikey::roles
