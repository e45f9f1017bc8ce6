// A small world for the role tests: a manual clock, a deterministic RNG, Alice (Initiator), Bob
// (Responder), a KMS, their PSKs and ticket keys, and the full three-party exchange.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/rng.h"
#include "roles/clock.h"
#include "roles/credential.h"
#include "roles/failure.h"
#include "roles/initiator.h"
#include "roles/kms.h"
#include "roles/responder.h"
#include "roles/samples.h"
#include "roles/ticket.h"
#include "roles/types.h"

namespace mikey::roles::testing {

// 2027-01-15 08:00:00 UTC (era 0 of NTP).
inline constexpr std::int64_t kStartUnix = 1'800'000'000;

using samples::pattern;
using samples::psk_credential;
using samples::ticket_key;
Bytes hex(std::string_view text);
std::string hex_of(ByteView b);

inline const Identity kAlice = Identity::uri("sip:alice@example.org");
inline const Identity kBob = Identity::uri("sip:bob@example.org");
inline const Identity kCarol = Identity::uri("sip:carol@example.org");
inline const Identity kKms = Identity::uri("sip:kms.example.org");
inline const Identity kKmsR = Identity::uri("sip:kms-r.example.net");

// What the exchange helpers record.
struct Transcript {
  Bytes request_init, request_resp, transfer_init, resolve_init, resolve_resp, transfer_resp;
};

class World {
 public:
  explicit World(const Algorithms& algs = kSuite128, std::uint64_t seed = 1);

  KmsConfig kms_config() const;
  // kms_config() with `change` applied.
  template <class F>
  KmsConfig kms_config_with(F change) const {
    KmsConfig c = kms_config();
    change(c);
    return c;
  }
  InitiatorConfig alice_config() const;
  ResponderConfig bob_config() const;
  TicketRequest ticket_request(bool forking = false, TicketFormat format = kBaseTicket) const;

  // Ticket Request: returns the granted policy or fails the test.
  codec::TicketPolicy obtain_ticket(Initiator& alice, Kms& kms, const TicketRequest& r,
                                    Transcript* t = nullptr);
  // Ticket Transfer + Resolve: returns true when both sides completed.
  bool transfer(Initiator& alice, Responder& bob, Kms& kms, Transcript* t = nullptr,
                const TransferOptions* options = nullptr);
  // Both sides' SRTP keys are identical and non-empty.
  void expect_same_srtp_keys(const Initiator& alice, const Responder& bob);

  ManualClock clock{unix_to_ntp(kStartUnix)};
  crypto::DeterministicRng rng;
  Algorithms algs;
  std::shared_ptr<const PskCredential> alice_psk;
  std::shared_ptr<const PskCredential> bob_psk;
};

// Transfer options addressing Bob (the Responder of every World).
inline TransferOptions to_bob() {
  TransferOptions o;
  o.responder = kBob;
  return o;
}

// The three parties of one exchange in one World, each with the World's configuration.
// Tests name them with `auto& [w, kms, alice, bob] = parties;`.
struct Parties {
  explicit Parties(const Algorithms& algs = kSuite128, std::uint64_t seed = 1)
      : w(algs, seed),
        kms(w.kms_config(), w.clock, w.rng),
        alice(w.alice_config(), w.clock, w.rng),
        bob(w.bob_config(), w.clock, w.rng) {}
  World w;
  Kms kms;
  Initiator alice;
  Responder bob;
};

// A REQUEST_INIT built with the given desired policy and algorithms (the Initiator's builder).
Bytes request_init(World& w, const TicketRequest& r, InitiatorConfig cfg);

// The ErrorNo of an Error message (fails the test if `message` is not one).
std::optional<codec::ErrorNo> error_no_of(ByteView message);
// Whether the Error message carries a V payload.
bool error_is_authenticated(ByteView message);

// A message with `mutate` applied to its parsed model, re-serialised (the MAC is not recomputed).
template <class F>
Bytes mutate(ByteView message, F mutate_model) {
  auto parsed = codec::parse_message(message);
  EXPECT_TRUE(parsed.ok());
  mutate_model(parsed.message);
  auto bytes = codec::serialize_message(parsed.message);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? bytes.value() : Bytes{};
}

}  // namespace mikey::roles::testing
