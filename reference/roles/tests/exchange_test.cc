// The full three-party exchange in-process (Initiator ⇄ KMS ⇄ Responder, RFC 6043 §4.2): both
// sides end with identical SRTP master keys and salts, for both algorithm suites, with and
// without key forking, for ticket types 1 and (PROVISIONAL) 2; mode 2 and mode 3; the G flag;
// CSB update; ticket reuse; GBA credentials; determinism.
#include <gtest/gtest.h>

#include <tuple>

#include "codec/message.h"
#include "role_fixture.h"
#include "roles/message_util.h"

namespace mikey::roles {
namespace {

using testing::kAlice;
using testing::kBob;
using testing::kKms;
using testing::Parties;
using testing::Transcript;
using testing::World;

struct ExchangeCase {
  const char* name;
  Algorithms algs;
  TicketFormat format;
  bool forking;
};

void PrintTo(const ExchangeCase& c, std::ostream* os) { *os << c.name; }

// Mode 3 (RFC 6043 §4.1.1): the parties of Parties, the KMS also holding a TPK it shares with
// Alice, who creates her ticket with it.
struct Mode3Parties {
  static TicketKey shared_tpk(const Algorithms& algs) {
    TicketKey k = testing::ticket_key(kBaseTicket, algs, "tpk-alice", 0xc0);
    k.shared_with = kAlice;
    return k;
  }
  static KmsConfig with_tpk(KmsConfig c, const TicketKey& k) {
    c.ticket_keys.push_back(k.clone());
    return c;
  }
  explicit Mode3Parties(const Algorithms& algs = kSuite128)
      : w(algs),
        shared(shared_tpk(algs)),
        kms(with_tpk(w.kms_config(), shared), w.clock, w.rng),
        alice(w.alice_config(), w.clock, w.rng),
        bob(w.bob_config(), w.clock, w.rng) {}
  World w;
  TicketKey shared;
  Kms kms;
  Initiator alice;
  Responder bob;
};

// A CSB update bringing a new TGK (RFC 6043 §5.2; the ticket must grant L).
UpdateOptions new_tgk_update() {
  UpdateOptions u;
  u.new_keys.push_back(KeyItem{
      codec::KeyDataType::tgk, crypto::SecureBytes(testing::pattern(16, 0x55)), {}, {9, 9, 9, 9}});
  return u;
}

class ThreePartyExchange : public ::testing::TestWithParam<ExchangeCase> {};

TEST_P(ThreePartyExchange, EndsWithIdenticalSrtpKeysOnBothSides) {
  const ExchangeCase& c = GetParam();
  Parties parties(c.algs);
  auto& [w, kms, alice, bob] = parties;
  Transcript t;
  codec::TicketPolicy granted =
      w.obtain_ticket(alice, kms, w.ticket_request(c.forking, c.format), &t);
  EXPECT_EQ(granted.flags.i, c.forking);
  EXPECT_EQ(granted.ticket_type, c.format.type);
  ASSERT_TRUE(w.transfer(alice, bob, kms, &t));
  w.expect_same_srtp_keys(alice, bob);
  // With forking the RESOLVE_RESP and TRANSFER_RESP carry the modifier (IDRr, RANDRkms).
  auto resolve_resp = codec::parse_message(t.resolve_resp);
  auto transfer_resp = codec::parse_message(t.transfer_resp);
  ASSERT_TRUE(resolve_resp.ok() && transfer_resp.ok());
  const auto* kms_rand = find_randr(resolve_resp.message.payloads, codec::RandRole::randrkms);
  const auto* echoed = find_randr(transfer_resp.message.payloads, codec::RandRole::randrkms);
  EXPECT_EQ(kms_rand != nullptr, c.forking);
  if (c.forking) {
    ASSERT_NE(echoed, nullptr);
    EXPECT_EQ(echoed->rand, kms_rand->rand);                // T-4.2.2.3-10
    EXPECT_GE(kms_rand->rand.size(), c.algs.key_length());  // T-12.1-3
  }
}

INSTANTIATE_TEST_SUITE_P(
    Suites, ThreePartyExchange,
    ::testing::Values(
        ExchangeCase{"Mikey1Aes128Sha1Type1", kSuite128, kBaseTicket, false},
        ExchangeCase{"Mikey1Aes128Sha1Type1Forking", kSuite128, kBaseTicket, true},
        ExchangeCase{"Sha256Aes256Type1", kSuite256, kBaseTicket, false},
        ExchangeCase{"Sha256Aes256Type1Forking", kSuite256, kBaseTicket, true},
        ExchangeCase{"Mikey1Type2Provisional", kSuite128, kProvisionalType2, false},
        ExchangeCase{"Mikey1Type2ProvisionalForking", kSuite128, kProvisionalType2, true},
        ExchangeCase{"Sha256Type2Provisional", kSuite256, kProvisionalType2, false},
        ExchangeCase{"Sha256Type2ProvisionalForking", kSuite256, kProvisionalType2, true}),
    [](const ::testing::TestParamInfo<ExchangeCase>& info) {
      return std::string(info.param.name);
    });

TEST(ExchangeTest, RequestRespHasTheRfc6043Shape) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);
  Transcript t;
  w.obtain_ticket(alice, kms, w.ticket_request(true), &t);
  auto req = codec::parse_message(t.request_init);
  auto resp = codec::parse_message(t.request_resp);
  ASSERT_TRUE(req.ok() && resp.ok());
  // §4.2.1.1: V = 1, #CS 0, Empty map; §4.2.1.5: copied HDR fields, V = 0.
  EXPECT_TRUE(req.message.hdr.v);
  EXPECT_EQ(req.message.hdr.cs_count, 0);
  EXPECT_EQ(req.message.hdr.map_type, codec::MapType::empty);
  EXPECT_FALSE(resp.message.hdr.v);
  EXPECT_EQ(resp.message.hdr.csb_id, req.message.hdr.csb_id);
  EXPECT_EQ(resp.message.hdr.prf_func, req.message.hdr.prf_func);
  const codec::PayloadType order[] = {codec::PayloadType::t, codec::PayloadType::idr,
                                      codec::PayloadType::ticket, codec::PayloadType::kemac,
                                      codec::PayloadType::v};
  ASSERT_EQ(resp.message.payloads.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(resp.message.payloads[i].type, order[i]);
  // The granted policy names the issuer and the requester and carries no KEMAC (T-6.10-14).
  auto view = view_policy(find_body<codec::Ticket>(resp.message.payloads)->policy);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->idrkms, kKms);
  EXPECT_EQ(view->idri, kAlice);
  EXPECT_EQ(view->desired_kemac, nullptr);
  EXPECT_TRUE(view->tre.has_value());
  const auto* kemac = find_body<codec::Kemac>(resp.message.payloads);
  EXPECT_EQ(kemac->mac_alg, codec::MacAlg::null);  // T-4.2.1.5-6
}

TEST(ExchangeTest, ForkingUsesDifferentKeysForTransferInitAndResp) {
  Parties parties;
  auto& [w, kms, alice, bob] = parties;
  w.obtain_ticket(alice, kms, w.ticket_request(true));
  Transcript t;
  ASSERT_TRUE(w.transfer(alice, bob, kms, &t));
  // T-5.1.2-1: MPKr' protects TRANSFER_RESP; MPKi would not verify it.
  EXPECT_FALSE(alice.session()->update_inkey.empty());
  EXPECT_EQ(alice.session()->update_direction, crypto::MessageDirection::response);
  EXPECT_EQ(testing::hex_of(alice.session()->update_inkey.view()),
            testing::hex_of(bob.session()->update_inkey.view()));
  auto ti = codec::parse_message(t.transfer_init);
  ASSERT_TRUE(ti.ok());
  EXPECT_EQ(ti.message.hdr.v, true);  // V = F (§4.2.2.1)
  const auto* ticket = find_body<codec::Ticket>(ti.message.payloads);
  ASSERT_TRUE(ticket->initiator_data.present);  // T-6.10-16
  EXPECT_EQ(ticket->initiator_data.payloads.front().get<codec::Verification>()->mac,
            last_v(ti.message)->mac);  // Vi = V (T-6.10-17)
}

TEST(ExchangeTest, Mode2ResponderResolvesTheTicketItself) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);
  ResponderConfig rc = w.bob_config();
  rc.ticket_keys.push_back(testing::ticket_key(kBaseTicket, w.algs, "tpk-1", 0x80));  // shared
  Responder bob(std::move(rc), w.clock, w.rng);
  codec::TicketPolicy granted = w.obtain_ticket(alice, kms, w.ticket_request(false));
  ASSERT_FALSE(granted.flags.e);  // E = 0: the Responder MAY resolve itself
  auto init = alice.transfer_init(testing::to_bob());
  ASSERT_TRUE(init.ok());
  auto step = bob.process_transfer_init(init.value());
  ASSERT_TRUE(step.ok()) << to_string(step.error().failure);
  EXPECT_EQ(step->action, ResponderAction::send_transfer_resp);  // no RESOLVE_INIT
  ASSERT_TRUE(alice.process_transfer_resp(step->message).ok());
  w.expect_same_srtp_keys(alice, bob);
}

TEST(ExchangeTest, Mode3InitiatorCreatedTicketResolvesAtTheKms) {
  for (const Algorithms& algs : {kSuite128, kSuite256}) {
    Mode3Parties parties(algs);
    auto& [w, shared, kms, alice, bob] = parties;
    TicketRequest r = w.ticket_request(true);
    auto policy = alice.create_ticket(r, shared);
    ASSERT_TRUE(policy.ok()) << to_string(policy.error().failure);
    EXPECT_FALSE(policy->flags.d);  // generated by the Initiator
    EXPECT_TRUE(policy->flags.l);   // NOT D ⇒ L
    ASSERT_TRUE(w.transfer(alice, bob, kms));
    w.expect_same_srtp_keys(alice, bob);
  }
}

// T-6.10-2: a mode-3 ticket asked with forking and F = 0 still carries F = 1 (it encodes a TGK),
// so that the Initiator learns the forked TGK' from TRANSFER_RESP and both sides agree. Found by
// fuzz_roles_sequence (seed fuzz/corpus/roles_sequence/mode3-forking-without-f).
TEST(ExchangeTest, Mode3ForkingTicketWithATgkSetsF) {
  Mode3Parties parties;
  auto& [w, shared, kms, alice, bob] = parties;
  TicketRequest r = w.ticket_request(true);  // I = 1 (and E)
  r.flags.f = false;
  auto policy = alice.create_ticket(r, shared);
  ASSERT_TRUE(policy.ok()) << to_string(policy.error().failure);
  EXPECT_TRUE(policy->flags.i);
  EXPECT_TRUE(policy->flags.f);
  ASSERT_TRUE(w.transfer(alice, bob, kms));
  w.expect_same_srtp_keys(alice, bob);
}

TEST(ExchangeTest, Mode3TicketUnderAKmsOnlyKeyIsRefused) {
  Parties parties;
  auto& [w, kms, alice, bob] = parties;
  // D = 0 but protected by the KMS's own TPK: not made by who it claims (ticket_integrity_failure).
  TicketKey kms_only = testing::ticket_key(kBaseTicket, w.algs, "tpk-1", 0x80);
  ASSERT_TRUE(alice.create_ticket(w.ticket_request(false), kms_only).ok());
  auto step = bob.process_transfer_init(alice.transfer_init(testing::to_bob()).value());
  ASSERT_TRUE(step.ok());
  KmsReply reply = kms.handle_resolve_init(step->message);
  ASSERT_TRUE(reply.failure);
  EXPECT_EQ(*reply.failure, Failure::ticket_integrity_failure);
}

TEST(ExchangeTest, GFlagMakesTheResponderAddAFreshRandrr) {
  Parties parties;
  auto& [w, kms, alice, bob] = parties;
  TicketRequest r = w.ticket_request(false);
  r.flags.g = true;  // G ⇒ F; H may then be 0
  r.flags.h = false;
  w.obtain_ticket(alice, kms, r);
  Transcript t;
  ASSERT_TRUE(w.transfer(alice, bob, kms, &t));
  auto resp = codec::parse_message(t.transfer_resp);
  ASSERT_TRUE(resp.ok());
  const auto* rr = find_randr(resp.message.payloads, codec::RandRole::randrr);
  ASSERT_NE(rr, nullptr);  // T-4.2.2.3-8
  EXPECT_EQ(alice.session()->randrr, rr->rand);
  w.expect_same_srtp_keys(alice, bob);
}

TEST(ExchangeTest, RequestedTekAndSaltedTgkGiveEqualKeysPerCryptoSession) {
  Parties parties;
  auto& [w, kms, alice, bob] = parties;
  TicketRequest r = w.ticket_request(true);
  r.keys = {{codec::KeyDataType::tgk_salt, 16}, {codec::KeyDataType::tek, 16}};
  w.obtain_ticket(alice, kms, r);
  TransferOptions o;
  o.responder = kBob;
  codec::SecurityPolicy sp{1, codec::ProtType::srtp, {{1, {16}}, {4, {14}}}};
  o.sessions = {CryptoSession{1, sp, {0, 0, 0, 1}}, CryptoSession{2, std::nullopt, {}}};
  ASSERT_TRUE(w.transfer(alice, bob, kms, nullptr, &o));
  w.expect_same_srtp_keys(alice, bob);
  auto keys = alice.srtp_keys();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].master_salt.size(), 14u);  // the carried salt (§5.1.3)
}

TEST(ExchangeTest, Transfer256SuiteUsesSrtpKeyLengthFromPolicy) {
  Parties parties(kSuite256);
  auto& [w, kms, alice, bob] = parties;
  w.obtain_ticket(alice, kms, w.ticket_request(true));
  TransferOptions o;
  o.responder = kBob;
  codec::SecurityPolicy sp{1, codec::ProtType::srtp, {{1, {32}}, {4, {14}}}};  // AES-256 SRTP
  o.sessions = {CryptoSession{1, sp, {}}};
  ASSERT_TRUE(w.transfer(alice, bob, kms, nullptr, &o));
  w.expect_same_srtp_keys(alice, bob);
  EXPECT_EQ(alice.srtp_keys()->front().master_key.size(), 32u);
}

TEST(ExchangeTest, CsbUpdateWithANewTgkChangesKeysOnBothSides) {
  Parties parties;
  auto& [w, kms, alice, bob] = parties;
  TicketRequest r = w.ticket_request(true);
  r.flags.l = true;  // the Initiator may supply keys
  w.obtain_ticket(alice, kms, r);
  ASSERT_TRUE(w.transfer(alice, bob, kms));
  const std::string before = testing::hex_of(alice.srtp_keys()->front().master_key.view());
  w.clock.advance_seconds(5);
  auto update = alice.csb_update(new_tgk_update());
  ASSERT_TRUE(update.ok()) << to_string(update.error().failure);
  auto parsed = codec::parse_message(update.value());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.message.hdr.csb_id, alice.session()->csb_id);        // T-5.2-1
  EXPECT_EQ(parsed.message.find(codec::PayloadType::ticket), nullptr);  // T-5.2-4
  auto step = bob.process_update(update.value());
  ASSERT_TRUE(step.ok()) << to_string(step.error().failure);
  ASSERT_EQ(step->action, ResponderAction::send_transfer_resp);
  ASSERT_TRUE(alice.process_update_resp(step->message).ok());
  w.expect_same_srtp_keys(alice, bob);
  EXPECT_NE(testing::hex_of(alice.srtp_keys()->front().master_key.view()), before);
  // The same update again is a replay.
  auto replay = bob.process_update(update.value());
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().failure, Failure::replayed_message);
}

// Found by fuzz_roles_sequence (seed fuzz/corpus/roles_sequence/transfer-resp-redelivered): a
// TRANSFER_RESP delivered again after a CSB update rebuilt Alice's session with the old keys.
TEST(ExchangeTest, RedeliveredTransferRespIsAReplayAndKeepsTheUpdatedKeys) {
  Parties parties;
  auto& [w, kms, alice, bob] = parties;
  TicketRequest r = w.ticket_request(true);
  r.flags.l = true;
  w.obtain_ticket(alice, kms, r);
  Transcript t;
  ASSERT_TRUE(w.transfer(alice, bob, kms, &t));
  w.clock.advance_seconds(5);
  auto update = alice.csb_update(new_tgk_update());
  ASSERT_TRUE(update.ok());
  auto step = bob.process_update(update.value());
  ASSERT_TRUE(step.ok());
  ASSERT_TRUE(alice.process_update_resp(step->message).ok());
  auto again = alice.process_transfer_resp(t.transfer_resp);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().failure, Failure::replayed_message);
  w.expect_same_srtp_keys(alice, bob);
}

TEST(ExchangeTest, CsbUpdateWithoutLFlagMayNotCarryKeys) {
  Parties parties;
  auto& [w, kms, alice, bob] = parties;
  w.obtain_ticket(alice, kms, w.ticket_request(false));
  ASSERT_TRUE(w.transfer(alice, bob, kms));
  UpdateOptions u;
  u.new_keys.push_back(
      KeyItem{codec::KeyDataType::tgk, crypto::SecureBytes(std::size_t{16}), {}, {1}});
  auto update = alice.csb_update(u);
  ASSERT_FALSE(update.ok());
  EXPECT_EQ(update.error().failure, Failure::policy_unacceptable);  // T-5.2-6
}

TEST(ExchangeTest, ReusedTicketWithJUsesNewCsbIdAndSkipsTheResolve) {
  Parties parties;
  auto& [w, kms, alice, bob] = parties;
  TicketRequest r = w.ticket_request(true);
  r.flags.j = true;
  w.obtain_ticket(alice, kms, r);
  Transcript first;
  ASSERT_TRUE(w.transfer(alice, bob, kms, &first));
  const std::uint32_t csb1 = alice.session()->csb_id;
  w.clock.advance_seconds(2);
  auto init = alice.transfer_init(testing::to_bob());
  ASSERT_TRUE(init.ok());
  auto step = bob.process_transfer_init(init.value());
  ASSERT_TRUE(step.ok()) << to_string(step.error().failure);
  EXPECT_EQ(step->action, ResponderAction::send_transfer_resp);  // T-5.3-2: no new resolve
  ASSERT_TRUE(alice.process_transfer_resp(step->message).ok());
  EXPECT_NE(alice.session()->csb_id, csb1);  // T-5.3-1
  w.expect_same_srtp_keys(alice, bob);
}

TEST(ExchangeTest, GbaCredentialsProtectTheTicketRequest) {
  World w;
  GbaMaterial gba{crypto::SecureBytes(testing::pattern(32, 0x00)), testing::pattern(16, 0x80),
                  "user@ims.example.org", "dGVzdA==@bsf.example.org"};
  auto cred = gba_credential(gba, "kms.example.org");
  ASSERT_TRUE(cred.ok());
  // TS 33.220 Annex B.3 Ks_NAF for these inputs: self-generated example, cross-checked against
  // Python hmac/hashlib (tests/data/crypto/gen_vectors.py).
  EXPECT_EQ(testing::hex_of(cred.value()->psk()),
            "5d65f4e9d690453a800aa944631a7f1b6ffbcbfe6f8ee1ad41c181fe04c4cfa9");
  Kms kms(w.kms_config_with([&](KmsConfig& kc) { kc.users[0].credential = cred.value(); }), w.clock,
          w.rng);
  InitiatorConfig ic = w.alice_config();
  ic.credential = cred.value();
  Initiator alice(std::move(ic), w.clock, w.rng);
  Responder bob(w.bob_config(), w.clock, w.rng);
  codec::TicketPolicy granted = w.obtain_ticket(alice, kms, w.ticket_request(false));
  EXPECT_TRUE(granted.flags.d);
  ASSERT_TRUE(w.transfer(alice, bob, kms));
  w.expect_same_srtp_keys(alice, bob);
}

TEST(ExchangeTest, KmsAndInitiatorInteroperateAcrossIvReadings) {
  World w;
  KmsConfig kc = w.kms_config();
  kc.policy.iv_timestamp = IvTimestamp::initial_message;  // reading (b) at the KMS
  Kms kms(std::move(kc), w.clock, w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);  // reading (a) first, then (b)
  Responder bob(w.bob_config(), w.clock, w.rng);
  w.obtain_ticket(alice, kms, w.ticket_request(true));
  ASSERT_TRUE(w.transfer(alice, bob, kms));
  w.expect_same_srtp_keys(alice, bob);
}

TEST(ExchangeTest, KmsShortensALongLifetimeAndSetsK) {
  World w;
  Kms kms(w.kms_config_with([&](KmsConfig& kc) { kc.policy.max_lifetime_s = 300; }), w.clock,
          w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);
  TicketRequest r = w.ticket_request(false);
  r.lifetime_s = 600;
  codec::TicketPolicy granted = w.obtain_ticket(alice, kms, r);
  EXPECT_TRUE(granted.flags.k);  // §6.10: the KMS changed the desired policy
  auto view = view_policy(granted);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(*view->tre - *view->trs, 300);
}

TEST(ExchangeTest, KmsKeepsAnAcceptableDesiredPolicyWithKClear) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);
  codec::TicketPolicy granted = w.obtain_ticket(alice, kms, w.ticket_request(false));
  EXPECT_FALSE(granted.flags.k);
}

Transcript run_once(std::uint64_t seed) {
  Parties parties(kSuite128, seed);
  auto& [w, kms, alice, bob] = parties;
  Transcript t;
  w.obtain_ticket(alice, kms, w.ticket_request(true), &t);
  EXPECT_TRUE(w.transfer(alice, bob, kms, &t));
  return t;
}

TEST(ExchangeTest, DeterministicRngGivesIdenticalTranscripts) {
  Transcript a = run_once(42);
  Transcript b = run_once(42);
  Transcript c = run_once(43);
  for (auto field :
       {&Transcript::request_init, &Transcript::request_resp, &Transcript::transfer_init,
        &Transcript::resolve_init, &Transcript::resolve_resp, &Transcript::transfer_resp}) {
    EXPECT_FALSE((a.*field).empty());
    EXPECT_EQ(a.*field, b.*field);
    EXPECT_NE(a.*field, c.*field);
  }
}

}  // namespace
}  // namespace mikey::roles
