// The fixed world the role fuzz targets (kms_http, roles_sequence and their *_fuzzmode twins),
// their seed generator (fuzz_assets) and the KMS benchmark share: Alice (Initiator), Bob
// (Responder) and a KMS with their PSKs, ticket keys (type 1, PROVISIONAL type 2, and a mode-3
// TPK Alice shares with the KMS), and a clock fixed at the seeds' timestamp so that recorded
// requests pass the RFC 3830 §5.3 clock-skew check whenever they are replayed. Header-only, so
// each target compiles it against the roles library it links (normal or fuzzer mode).
// Keys are fixed patterns: this world exercises logic, it protects nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "crypto/rng.h"
#include "roles/clock.h"
#include "roles/credential.h"
#include "roles/initiator.h"
#include "roles/kms.h"
#include "roles/responder.h"
#include "roles/samples.h"
#include "roles/ticket.h"
#include "roles/types.h"
#include "transport/annex_a.h"
#include "transport/request_parser.h"
#include "wire/bytes.h"

namespace mikey::fuzz {

// 2027-01-15 08:00:00 UTC: the time every seed was recorded at and every target runs at.
inline constexpr std::int64_t kSeedUnix = 1'800'000'000;
inline roles::NtpTime seed_time() noexcept { return roles::unix_to_ntp(kSeedUnix); }

inline roles::Identity alice_id() { return roles::Identity::uri("sip:alice@example.org"); }
inline roles::Identity bob_id() { return roles::Identity::uri("sip:bob@example.org"); }
inline roles::Identity kms_id() { return roles::Identity::uri("sip:kms.example.org"); }

using roles::samples::pattern;

// The PSK of a user for `algs` (16 bytes for the 128-bit suite, 32 for the 256-bit one).
inline std::shared_ptr<const roles::PskCredential> psk(const roles::Algorithms& algs,
                                                       std::uint8_t start,
                                                       std::string_view psk_id) {
  return roles::samples::psk_credential(start, algs.key_length(), psk_id);
}
inline std::shared_ptr<const roles::PskCredential> alice_psk(const roles::Algorithms& algs) {
  return psk(algs, 0x40, "psk-alice");
}
inline std::shared_ptr<const roles::PskCredential> bob_psk(const roles::Algorithms& algs) {
  return psk(algs, 0x60, "psk-bob");
}

using roles::samples::ticket_key;
// Mode 3 (RFC 6043 §4.1.1): the TPK Alice shares with the KMS to create tickets herself.
inline roles::TicketKey mode3_key(const roles::Algorithms& algs) {
  roles::TicketKey k = ticket_key(roles::kBaseTicket, algs, "tpk-alice", 0xc0);
  k.shared_with = alice_id();
  return k;
}

inline roles::KmsConfig kms_config(const roles::Algorithms& algs = roles::kSuite128) {
  roles::KmsConfig c;
  c.identity = kms_id();
  c.users.push_back(roles::KmsUser{alice_id(), alice_psk(algs), {}, false});
  c.users.push_back(roles::KmsUser{bob_id(), bob_psk(algs), {}, false});
  c.ticket_keys.push_back(ticket_key(roles::kBaseTicket, algs, "tpk-1", 0x80));
  c.ticket_keys.push_back(ticket_key(roles::kProvisionalType2, algs, "tpk-2", 0xa0));
  c.ticket_keys.push_back(mode3_key(algs));
  return c;
}

inline roles::InitiatorConfig alice_config(const roles::Algorithms& algs = roles::kSuite128) {
  return roles::samples::party_config<roles::InitiatorConfig>(alice_id(), kms_id(), alice_psk(algs),
                                                              algs);
}

inline roles::ResponderConfig bob_config(const roles::Algorithms& algs = roles::kSuite128) {
  return roles::samples::party_config<roles::ResponderConfig>(bob_id(), kms_id(), bob_psk(algs),
                                                              algs);
}

// A ticket for Bob, valid 600 s; with forking I (and E, §6.10: I ⇒ E).
inline roles::TicketRequest ticket_request(bool forking = false,
                                           roles::TicketFormat format = roles::kBaseTicket,
                                           const roles::Algorithms& algs = roles::kSuite128) {
  roles::TicketRequest r;
  r.format = format;
  r.prf = algs.prf;
  r.responders = {bob_id()};
  r.lifetime_s = 600;
  if (forking) {
    r.flags.i = true;
    r.flags.e = true;
  }
  return r;
}

// Annex A request → KMS logic: the KmsHandler body of the reference KMS. The KMS answers every
// request it is handed with a MIKEY message (REQUEST_RESP / RESOLVE_RESP or Error); an empty
// answer (the request was an Error message, RFC 6043 §5.4) becomes a KMS failure (500).
inline transport::KmsAnswer kms_answer(roles::Kms& kms, transport::RequestType type,
                                       ByteView mikey) {
  roles::KmsReply reply = type == transport::RequestType::ticket_request
                              ? kms.handle_request_init(mikey)
                              : kms.handle_resolve_init(mikey);
  transport::KmsAnswer answer;
  answer.kms_failed = reply.message.empty();
  answer.mikey = std::move(reply.message);
  if (reply.failure) answer.log_detail = std::string(roles::to_string(*reply.failure));
  if (!reply.detail.empty()) answer.log_detail += ": " + reply.detail;
  return answer;
}

// The HTTP response a fresh KMS of this world gives one request, as the KMS server computes it
// (transport::handle_request_bytes with the default Annex A profile).
inline Bytes kms_http_response(ByteView request) {
  roles::ManualClock clock(seed_time());
  crypto::DeterministicRng rng(0x6b6d73);
  roles::Kms kms(kms_config(), clock, rng);
  const transport::KmsHandler handler = [&kms](transport::RequestType type, ByteView mikey) {
    return kms_answer(kms, type, mikey);
  };
  return transport::handle_request_bytes(transport::AnnexAProfile{}, handler, request);
}

}  // namespace mikey::fuzz
