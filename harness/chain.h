// KMS-to-KMS chaining (RFC 6043 §10; TS 33.328 §6.2.3.8, Annex A.1, Annex B — Annex B's details
// UNCONFIRMED: B.1-1 … B.1-6 are derived from RFC 6043 §10 and §4.2.3): what the harness plays
// opposite a SUT of role kms_r or kms_i (harness/README.md "Chaining"), as the engine sees it.
//
//   SUT kms_r  the harness plays the Responder (its RESOLVE_INITs go to the SUT) and KMS_I, a
//              reference KMS the SUT is configured to call. Ticket requests of the KMS_I's users
//              go to that KMS_I; a tap on it records what the SUT forwarded (KmsITap), and a
//              switch per ticket makes it misbehave (KmsIAnswer).
//   SUT kms_i  the harness plays KMS_R: a reference KMS_R in the driver takes the Responder's
//              RESOLVE_INIT and forwards its own to the SUT with the KMS-to-KMS credentials
//              (KmsRRelay); the engine sends that forward (mutations apply to it) and judges the
//              SUT's answer to it.
//
// Records are matched to a case by the TICKET payload (its bytes after the Next payload byte),
// unique per ticket, so concurrent workers (--jobs) never see each other's forwards.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/profile.h"
#include "harness/results.h"
#include "harness/scenario.h"
#include "roles/kms.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikeyconf::harness {

// How the harness KMS_I answers a forwarded RESOLVE_INIT (setting `kms_i.answer`). Every one
// but `normal` is a KMS_I failure KMS_R must report to the Responder as an error (B.1-6).
enum class KmsIAnswer : std::uint8_t {
  normal,     // the reference KMS_I's own answer
  error,      // a MIKEY Error (Invalid ID, with V keyed like the forwarded request, RFC 6043 §5.4)
  http_500,   // HTTP 500 (A.3-1: the KMS could not serve)
  not_mikey,  // 200 application/mikey whose body is no MIKEY message
  bad_mac,    // the reference RESOLVE_RESP with one MAC bit flipped (B.1-3: KMS_R verifies it)
  silent,     // no answer before the SUT's KMS-to-KMS timeout (chaining.peer_timeout_ms)
};
std::string_view to_string(KmsIAnswer a) noexcept;
std::optional<KmsIAnswer> parse_kms_i_answer(std::string_view s) noexcept;
// "normal, error, http_500, not_mikey, bad_mac, silent" (loader messages).
std::string_view kms_i_answer_names() noexcept;

// One RESOLVE_INIT the SUT (KMS_R) sent to the harness KMS_I.
struct ForwardedRequest {
  mikey::Bytes request;     // as received
  mikey::Bytes answer;      // the MIKEY message the harness KMS_I answered (empty: none)
  bool accepted = false;    // the reference KMS_I verified, authorized and resolved it
  std::string detail;       // its refusal otherwise
  bool mutual_tls = false;  // it came over TLS with a client certificate the KMS_I verified
};

// SUT kms_r: the harness KMS_I.
class KmsITap {
 public:
  virtual ~KmsITap() = default;
  // Forwards carrying `ticket` (TICKET payload bytes) are answered so until take_forwarded.
  virtual void arm(mikey::ByteView ticket, KmsIAnswer answer) = 0;
  // The forwards carrying `ticket` received so far (and forgets them and the switch).
  virtual std::vector<ForwardedRequest> take_forwarded(mikey::ByteView ticket) = 0;
};

// SUT kms_i: the harness KMS_R (a reference roles::Kms with the KMS-to-KMS credentials).
class KmsRRelay {
 public:
  using Forward =
      std::function<mikey::Result<mikey::Bytes, mikey::roles::PeerError>(mikey::ByteView)>;
  virtual ~KmsRRelay() = default;
  // The harness KMS_R handles the Responder's RESOLVE_INIT; the RESOLVE_INIT it builds for the
  // SUT (B.1-2) goes to `forward`, which returns the SUT's answer. Returns the KMS_R's answer to
  // the Responder (RESOLVE_RESP or Error).
  virtual mikey::roles::KmsReply relay(mikey::ByteView responder_resolve_init,
                                       const Forward& forward) = 0;
};

// ---- Helpers for the engine ----

// The KMS a user of the profile sends to: the SUT's identity, or for a user registered only at
// the KMS the harness plays (home: peer), that KMS's identity.
const mikey::roles::Identity& home_kms_identity(const SutProfile& p, const UserProfile& u);
bool at_harness_kms(const UserProfile& u) noexcept;  // home: peer

// The TICKET payload of a RESOLVE_INIT without its Next payload byte (empty when it has none).
mikey::Bytes ticket_of(mikey::ByteView resolve_init);

// sut_role kms_i: the Identity_r the harness KMS_R's MAC covers when it is not the forward's IDRr —
// its own identity (chaining.peer_identity) when the profile declares `latitude.link-mac-identity:
// kms_r` (docs/latitude.md "link-mac-identity"); nullopt otherwise (the IDRr, mutated or not).
std::optional<mikey::roles::Identity> link_mac_identity_r(const SutProfile& p);

// What a `forwarded.*` check (Check::key == CheckKey::forwarded, a ForwardedCheck) is
// judged on: the forwards the SUT sent for the last RESOLVE_INIT_PSK, that request as sent, the
// SUT's answer to it, and the keys to open both answers.
struct ForwardedContext {
  const std::vector<ForwardedRequest>* forwarded = nullptr;  // null: no RESOLVE sent yet
  mikey::ByteView responder_request;
  std::optional<mikey::ByteView> sut_answer;
  mikey::ByteView responder_psk;
  mikey::ByteView link_psk;
  const mikey::roles::Identity* kms_i_identity = nullptr;
};
ExpectationResult check_forwarded(const Check& c, const ForwardedContext& x);

// Opens a RESOLVE_RESP: verifies its MAC with `psk` over the bytes as received (RFC 6043 §5.5:
// ‖ the RESOLVE_INIT) and decrypts its KEMAC.
mikey::Result<mikey::roles::KeySet, std::string> open_resolve_resp(mikey::ByteView request,
                                                                   mikey::ByteView answer,
                                                                   mikey::ByteView psk);

}  // namespace mikeyconf::harness
