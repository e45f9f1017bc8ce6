// SUT profiles (what the system under test is, where it listens, which users the harness may play
// towards it and what it supports) and per-SUT baselines (expected failures and disabled cases).
// harness/README.md documents both YAML schemas; cases/profiles/reference.yaml describes the
// embedded reference KMS.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/latitude.h"
#include "harness/load_error.h"
#include "harness/scenario.h"
#include "roles/types.h"
#include "transport/annex_a.h"
#include "wire/bytes.h"

namespace mikeyconf::harness {

// A ticket protection key (RFC 6043 App. A.2.1) as a profile spells it.
struct TicketKeySpec {
  mikey::Bytes id;  // ID Data of the Ticket Data's IDRpsk (empty: none)
  mikey::roles::TicketFormat format = mikey::roles::kBaseTicket;
  mikey::Bytes key;
  mikey::codec::EncrAlg encr = mikey::codec::EncrAlg::aes_cm_128;
  mikey::codec::MacAlg mac = mikey::codec::MacAlg::hmac_sha1_160;
};

// Which KMS a user is registered at (chaining roles kms_r / kms_i; harness/README.md
// "Chaining"): the SUT, the KMS the harness plays opposite it (kms_r: KMS_I; kms_i: KMS_R), or
// both (the same credential at each).
enum class UserHome : std::uint8_t { sut, peer, both };

// A user the harness may play (Initiator or Responder) and its credential towards the KMS.
struct UserProfile {
  std::string name;  // the key under `users:`; cases refer to users by it (set: {as: carol})
  mikey::roles::Identity identity;
  mikey::Bytes psk;
  std::optional<mikey::roles::Identity> psk_id;  // IDRpsk
  // Mode 3 (RFC 6043 §4.1.1): the TPK this user shares with the KMS to create tickets itself.
  std::optional<TicketKeySpec> mode3_tpk;
  UserHome home = UserHome::sut;  // `home:` (chaining roles only)
};

struct TlsProfile {
  std::string ca_file;    // resolved against the profile's directory
  std::string cert_file;  // client certificate (mutual TLS); empty: none
  std::string key_file;
  std::string sni;
  bool verify = true;
};

struct Timeouts {
  std::uint32_t connect_ms = 5'000;
  std::uint32_t request_ms = 10'000;
  std::uint32_t case_ms = 60'000;  // default per-case limit (a scenario's timeout_ms wins)
};

// What the embedded reference KMS needs beyond the users (only read by EmbeddedKms).
struct EmbeddedSpec {
  bool present = false;
  std::vector<TicketKeySpec> ticket_keys;  // KMS-only TPKs (D = 1 tickets)
  std::uint32_t clock_skew_s = 300;
  std::uint32_t max_lifetime_s = 86'400;
  std::uint32_t default_lifetime_s = 3'600;
};

// The KMS-to-KMS link of the chaining roles (RFC 6043 §10; TS 33.328 §6.2.3.8, Annex A.1,
// Annex B; harness/README.md "Chaining"). kms_r: the harness plays KMS_I, the SUT calls it at
// `url`; kms_i: the harness plays KMS_R and calls the SUT at `url` (default: base_url).
struct ChainingSpec {
  mikey::roles::Identity peer_identity;  // the KMS the harness plays
  std::string url;                       // scheme://host[:port] of the link; port 0: embedded only
  std::string scheme;
  std::string host;
  std::uint16_t port = 0;
  mikey::Bytes psk;                              // the KMS-to-KMS PSK (KMS_R's towards KMS_I)
  std::optional<mikey::roles::Identity> psk_id;  // its IDRpsk
  mikey::roles::Algorithms algorithms = mikey::roles::kSuite128;  // of KMS_R's RESOLVE_INIT
  // The harness end of an https link. kms_r: the harness KMS_I's server certificate and key, `ca`
  // verifies the SUT's client certificate (mutual TLS); kms_i: `ca` verifies the SUT's server
  // certificate, cert/key are the harness KMS_R's client certificate. Unset for http.
  std::optional<TlsProfile> tls;
  // Embedded SUT only: a throwaway CA and certificates for both KMSs, made at setup
  // (`tls: ephemeral`).
  bool ephemeral_pki = false;
  std::vector<TicketKeySpec> ticket_keys;  // kms_r: the harness KMS_I's (empty: random ones)
  // kms_r: how long the SUT waits for KMS_I (the embedded KMS_R's limit); the harness KMS_I's
  // `silent` answer comes later than this.
  std::uint32_t peer_timeout_ms = 2'000;
};

// How the harness reaches a UE under test (role initiator | responder; README "UE hooks").
struct UeHookSpec {
  // exec: the argv of a process started per case that reads one JSON request per line on stdin
  // and writes one JSON reply per line on stdout. "{mikeyconf}" (the running mikeyconf
  // executable), "{profile}" (this profile, absolute path) and "{profile_dir}" are substituted.
  std::vector<std::string> exec;
  std::string url;                    // http: every request POSTed here, the body is the reply
  std::uint32_t timeout_ms = 10'000;  // per request (the case limit still applies)
};

struct SutProfile {
  std::string name;
  SutInfo info;  // `sut:`
  SutRole role = SutRole::kms;
  std::string base_url;  // scheme://host[:port]; port 0 = filled in by the embedded KMS
  std::string scheme;    // http | https
  std::string host;
  std::uint16_t port = 0;
  std::string host_header;  // empty: "host:port" (A.2-4)
  std::optional<TlsProfile> tls;
  mikey::roles::Identity kms_identity;
  std::vector<UserProfile> users;
  std::string initiator;                                      // default user playing the Initiator
  std::string responder;                                      // default user playing the Responder
  std::vector<std::string> capabilities;                      // what `needs:` is matched against
  std::vector<Level> levels{Level::shall, Level::shall_not};  // levels run without --strict
  LatitudeDeclaration latitude;  // `latitude:` (docs/latitude.md), every point `any` by default
  // Measured at the start of a run, not read from the file: the KMS's clock minus ours
  // (sut_clock.h). The parties the harness plays keep the KMS's time.
  std::int64_t sut_clock_offset_ms = 0;
  mikey::roles::Algorithms algorithms = mikey::roles::kSuite128;  // the parties' default suite
  mikey::roles::TicketFormat ticket_format = mikey::roles::kBaseTicket;
  std::uint32_t ticket_lifetime_s = 600;
  mikey::transport::AnnexAProfile annex_a;
  Timeouts timeouts;
  EmbeddedSpec embedded;
  std::optional<UeHookSpec> hook;        // role initiator | responder: required
  std::optional<ChainingSpec> chaining;  // role kms_r | kms_i: required
  std::string file;

  const UserProfile* user(std::string_view name) const noexcept;
  bool has_capability(std::string_view c) const noexcept;
  // A copy whose base_url / port point at `port` on the same host.
  SutProfile with_port(std::uint16_t port) const;
};

LoadResult<SutProfile> load_profile(const std::filesystem::path& path);
// `base_dir` resolves relative TLS file names (the profile file's directory when loading a file).
LoadResult<SutProfile> parse_profile_text(std::string_view text, std::string_view name,
                                          const std::filesystem::path& base_dir = {});

// "uri:sip:alice@example.org", "nai:alice@example.org", "bytes:psk-alice" → Identity.
std::optional<mikey::roles::Identity> parse_identity(std::string_view text);
std::string identity_text(const mikey::roles::Identity& id);

// ---- Baselines ----

struct BaselineEntry {
  std::string id;
  std::string reason;  // required: why the SUT fails it / why it is disabled
  std::string since;   // optional: the day it was recorded, YYYY-MM-DD ("" when not given)
  SourcePos pos;
};

struct Baseline {
  std::string sut;                               // the profile name it belongs to
  std::vector<BaselineEntry> expected_failures;  // fail → xfail; pass → xpass (fails the run)
  std::vector<BaselineEntry> disabled;           // not run → skipped with the reason
  std::string file;

  const BaselineEntry* expected_failure(std::string_view id) const noexcept;
  const BaselineEntry* disabled_entry(std::string_view id) const noexcept;
};

LoadResult<Baseline> load_baseline(const std::filesystem::path& path);
LoadResult<Baseline> parse_baseline_text(std::string_view text, std::string_view name);

}  // namespace mikeyconf::harness
