// KMS refusals (docs/errors.md): each test provokes exactly one Failure and asserts the Error
// number of the Error message the KMS answers with.
#include <gtest/gtest.h>

#include "codec/message.h"
#include "codec/samples.h"
#include "role_fixture.h"
#include "roles/message_util.h"

namespace mikey::roles {
namespace {

using codec::ErrorNo;
using testing::error_is_authenticated;
using testing::error_no_of;
using testing::kBob;
using testing::kCarol;
using testing::mutate;
using testing::World;

// The KMS refused with `f` and answered an Error message carrying `no`.
void expect_refusal(const KmsReply& reply, Failure f, ErrorNo no) {
  ASSERT_TRUE(reply.failure.has_value()) << "the KMS accepted the request";
  EXPECT_EQ(to_string(*reply.failure), to_string(f)) << reply.detail;
  EXPECT_EQ(error_no_of(reply.message), no);
}

// A RESOLVE_INIT Bob builds for a ticket Alice obtained (clock and world shared).
struct ResolveSetup {
  World w;
  Kms kms;
  Initiator alice;
  Responder bob;
  Bytes transfer_init;
  std::shared_ptr<const PskCredential> carol_psk = testing::psk_credential(0x20, 16, "psk-carol");
  explicit ResolveSetup(bool forking = false, KmsConfig (*tweak)(KmsConfig) = nullptr,
                        std::uint32_t lifetime = 600)
      : kms(tweak ? tweak(w.kms_config()) : w.kms_config(), w.clock, w.rng),
        alice(w.alice_config(), w.clock, w.rng),
        bob(w.bob_config(), w.clock, w.rng) {
    TicketRequest r = w.ticket_request(forking);
    r.lifetime_s = lifetime;
    w.obtain_ticket(alice, kms, r);
    auto init = alice.transfer_init(testing::to_bob());
    EXPECT_TRUE(init.ok());
    transfer_init = init.ok() ? init.value() : Bytes{};
  }
  // A KMS configuration that also knows Carol (answering for `group`).
  KmsConfig with_carol(std::vector<Identity> group = {}) const {
    KmsConfig c = w.kms_config();
    c.users.push_back(KmsUser{kCarol, carol_psk, std::move(group), false});
    return c;
  }
  // Carol's RESOLVE_INIT: she picks up Bob's call, but the ticket names only Bob.
  Bytes carol_resolve_init() {
    ResponderConfig rc = w.bob_config();
    rc.identity = kCarol;
    rc.aliases = {kBob};
    rc.credential = carol_psk;
    Responder carol(std::move(rc), w.clock, w.rng);
    auto step = carol.process_transfer_init(transfer_init);
    EXPECT_TRUE(step.ok());
    return step.ok() ? step->message : Bytes{};
  }
  // Bob's RESOLVE_INIT for `ti` (default: the unmodified TRANSFER_INIT).
  Bytes resolve_init(const Bytes* ti = nullptr) {
    auto step = bob.process_transfer_init(ti != nullptr ? *ti : transfer_init);
    EXPECT_TRUE(step.ok()) << (step.ok() ? "" : to_string(step.error().failure));
    return step.ok() ? step->message : Bytes{};
  }
};

// ---- Intake: parse, data type, structure ----

TEST(KmsErrorsTest, MalformedRequestIsAnsweredWith12) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Bytes req = testing::request_init(w, w.ticket_request(), w.alice_config());
  req.resize(req.size() - 5);  // cut inside the V payload
  KmsReply reply = kms.handle_request_init(req);
  expect_refusal(reply, Failure::malformed_message, ErrorNo::unspecified);
  // RFC 6043 §5.4: the Error copies version, PRF func and CSB ID of the message in error.
  auto err = codec::parse_message(reply.message);
  auto in = codec::parse_message(req);
  EXPECT_EQ(err.message.hdr.csb_id, in.message.hdr.csb_id);
  EXPECT_FALSE(error_is_authenticated(reply.message));
}

TEST(KmsErrorsTest, MalformedRequestIsAnsweredWith13WhenConfigured) {
  World w;
  KmsConfig c = w.kms_config();
  c.policy.errors.malformed = ErrorNo::unsupported_message_type;  // RFC 4738 §3.9.2
  Kms kms(std::move(c), w.clock, w.rng);
  const Bytes garbage = {0x01, 0x0b, 0x63, 0x00};
  expect_refusal(kms.handle_request_init(garbage), Failure::malformed_message,
                 ErrorNo::unsupported_message_type);
}

TEST(KmsErrorsTest, WrongDataTypeIsAnsweredWith11) {
  ResolveSetup s;
  Bytes resolve = s.resolve_init();
  // A RESOLVE_INIT sent to the Ticket Request entry point.
  expect_refusal(s.kms.handle_request_init(resolve), Failure::wrong_data_type, ErrorNo::invalid_dt);
}

TEST(KmsErrorsTest, PkRequestIsAnsweredWith11NotImplemented) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  codec::Message m;
  m.hdr = make_hdr(codec::DataType::request_init_pk, true, codec::PrfFunc::mikey_1, 5);
  m.payloads = {make_t(w.clock.now()), make_randr(codec::RandRole::randri, testing::pattern(16, 1)),
                codec::sample_tp(false),
                codec::make_payload(codec::Pke{codec::PkeCache::no_cache, testing::pattern(8, 2)}),
                codec::make_payload(codec::Sign{codec::SignType::rsa_pss, testing::pattern(8, 3)})};
  auto bytes = codec::serialize_message(m);
  ASSERT_TRUE(bytes.ok());
  expect_refusal(kms.handle_request_init(bytes.value()), Failure::pk_not_implemented,
                 ErrorNo::invalid_dt);
}

TEST(KmsErrorsTest, MissingRandriIsAnsweredWith12) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Bytes req = mutate(testing::request_init(w, w.ticket_request(), w.alice_config()),
                     [](codec::Message& m) { m.payloads.erase(m.payloads.begin() + 1); });
  expect_refusal(kms.handle_request_init(req), Failure::missing_payload, ErrorNo::unspecified);
}

TEST(KmsErrorsTest, ErrorMessageIsNeverAnswered) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  codec::Message m;
  m.hdr = make_hdr(codec::DataType::error, false, codec::PrfFunc::mikey_1, 5);
  m.payloads = {make_t(w.clock.now()), make_err(ErrorNo::invalid_ts)};
  auto bytes = codec::serialize_message(m);
  KmsReply reply = kms.handle_request_init(bytes.value());
  ASSERT_TRUE(reply.failure);
  EXPECT_EQ(*reply.failure, Failure::error_message_received);
  EXPECT_TRUE(reply.message.empty());  // RFC 6043 §5.4
}

// ---- RFC 3830 §5.3 order: timestamp, replay, identity, algorithms, MAC ----

TEST(KmsErrorsTest, StaleTimestampIsAnsweredWith1) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Bytes req = testing::request_init(w, w.ticket_request(), w.alice_config());
  w.clock.advance_seconds(301);  // the KMS allows 300 s of skew
  expect_refusal(kms.handle_request_init(req), Failure::timestamp_skew, ErrorNo::invalid_ts);
}

TEST(KmsErrorsTest, ReplayedRequestInitIsAnsweredWith1) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Bytes req = testing::request_init(w, w.ticket_request(), w.alice_config());
  KmsReply first = kms.handle_request_init(req);
  ASSERT_FALSE(first.failure) << first.detail;
  EXPECT_EQ(kms.replay_cache_size(), 1u);
  expect_refusal(kms.handle_request_init(req), Failure::replayed_message, ErrorNo::invalid_ts);
}

TEST(KmsErrorsTest, UnauthenticatedRequestsDoNotEnterTheReplayCache) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Bytes req = testing::request_init(w, w.ticket_request(), w.alice_config());
  Bytes bad = req;
  bad.back() ^= 1;
  expect_refusal(kms.handle_request_init(bad), Failure::auth_failure, ErrorNo::auth_failure);
  EXPECT_EQ(kms.replay_cache_size(), 0u);
  EXPECT_FALSE(kms.handle_request_init(req).failure);  // the genuine one still goes through
}

TEST(KmsErrorsTest, UnknownMacAlgCodePointIsAnsweredWith3) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Bytes req = testing::request_init(w, w.ticket_request(), w.alice_config());
  auto parsed = codec::parse_message(req, codec::kWithLayout);
  auto at = parsed.layout.find("payload[6].V.auth_alg");
  ASSERT_TRUE(at);
  req[at->offset] = 0x07;  // no such MAC algorithm: the parser cannot length the MAC
  expect_refusal(kms.handle_request_init(req), Failure::unsupported_mac_alg, ErrorNo::invalid_mac);
}

TEST(KmsErrorsTest, BadMacIsAnsweredWithAnUnauthenticated0) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Bytes req = testing::request_init(w, w.ticket_request(), w.alice_config());
  req.back() ^= 0x80;
  KmsReply reply = kms.handle_request_init(req);
  expect_refusal(reply, Failure::auth_failure, ErrorNo::auth_failure);  // RFC 3830 §5.3
  EXPECT_FALSE(error_is_authenticated(reply.message));                  // RFC 3830 §5.1.2
}

// ---- Ticket Request refusals: one KMS, Initiator or request setting each ----

// A REQUEST_INIT from the World's Alice, with at most one change to the KMS's configuration,
// Alice's or her request, and what the KMS answers.
struct RequestRefusal {
  void (*kms)(KmsConfig&);
  void (*initiator)(InitiatorConfig&);
  void (*request)(TicketRequest&);
  Failure failure;
  ErrorNo no;
  std::optional<bool> authenticated;  // whether the Error carries a V payload, where asserted
  const Algorithms* algs = &kSuite128;
};

// `c`'s REQUEST_INIT is refused as `c` says.
void expect_request_refused(const RequestRefusal& c) {
  World w(*c.algs);
  KmsConfig kc = w.kms_config();
  if (c.kms != nullptr) c.kms(kc);
  Kms kms(std::move(kc), w.clock, w.rng);
  InitiatorConfig ic = w.alice_config();
  if (c.initiator != nullptr) c.initiator(ic);
  TicketRequest r = w.ticket_request();
  if (c.request != nullptr) c.request(r);
  KmsReply reply = kms.handle_request_init(testing::request_init(w, r, ic));
  expect_refusal(reply, c.failure, c.no);
  if (c.authenticated) EXPECT_EQ(error_is_authenticated(reply.message), *c.authenticated);
}

TEST(KmsErrorsTest, UnknownPskIdIsAnsweredWith7) {
  expect_request_refused(
      {nullptr,
       [](InitiatorConfig& ic) { ic.credential = testing::psk_credential(0x40, 16, "psk-nobody"); },
       nullptr, Failure::unknown_identity, ErrorNo::invalid_id, std::nullopt});
}

TEST(KmsErrorsTest, DisallowedPrfIsAnsweredWith2) {
  expect_request_refused({[](KmsConfig& c) { c.policy.prfs = {codec::PrfFunc::mikey_1}; }, nullptr,
                          nullptr, Failure::unsupported_prf, ErrorNo::invalid_prf, std::nullopt,
                          &kSuite256});
}

TEST(KmsErrorsTest, DisallowedMacAlgIsAnsweredWith3) {
  expect_request_refused(
      {[](KmsConfig& c) { c.policy.mac_algs = {codec::MacAlg::hmac_sha1_160}; },
       [](InitiatorConfig& ic) { ic.algorithms.mac = codec::MacAlg::hmac_sha256_256; }, nullptr,
       Failure::unsupported_mac_alg, ErrorNo::invalid_mac, std::nullopt});
}

TEST(KmsErrorsTest, BrokenUserKeyIsAnsweredWith12) {
  expect_request_refused(
      {[](KmsConfig& c) {
         c.users[0].credential = testing::psk_credential(0, 0, "psk-alice");  // an empty PSK
       },
       nullptr, nullptr, Failure::internal_error, ErrorNo::unspecified, std::nullopt});
}

// Answered after the MAC verified, so authenticated (§5.4).
TEST(KmsErrorsTest, DisallowedEncrAlgIsAnsweredWithAnAuthenticated4) {
  expect_request_refused({[](KmsConfig& c) { c.policy.encr_algs = {codec::EncrAlg::aes_cm_256}; },
                          nullptr, nullptr, Failure::unsupported_encr_alg, ErrorNo::invalid_ea,
                          true});
}

TEST(KmsErrorsTest, UnsupportedTicketTypeIsAnsweredWith14) {
  expect_request_refused({nullptr, nullptr,
                          [](TicketRequest& r) {
                            r.format = {static_cast<codec::TicketType>(3), 1, 1};
                          },
                          Failure::unsupported_ticket_type, ErrorNo::invalid_ticket, std::nullopt});
}

// Only subtype 0 / version 0 of the 3GPP ticket is allocated (D.1-4).
TEST(KmsErrorsTest, UnknownType2SubtypeIsAnsweredWith14) {
  expect_request_refused({nullptr, nullptr,
                          [](TicketRequest& r) {
                            r.format = {codec::TicketType::three_gpp_base_ticket, 1, 0};
                          },
                          Failure::unsupported_ticket_type, ErrorNo::invalid_ticket, std::nullopt});
}

TEST(KmsErrorsTest, FlagDependencyViolationIsAnsweredWith15) {
  expect_request_refused({nullptr, nullptr,
                          [](TicketRequest& r) {
                            r.flags.g = true;
                            r.flags.f = false;  // G ⇒ F violated
                          },
                          Failure::ticket_policy_invalid, ErrorNo::invalid_tppar, std::nullopt});
}

TEST(KmsErrorsTest, DisabledTicketIssuingIsAnsweredWith15) {
  expect_request_refused({[](KmsConfig& c) { c.policy.issue_tickets = false; }, nullptr, nullptr,
                          Failure::policy_unacceptable, ErrorNo::invalid_tppar, std::nullopt});
}

// ---- Ticket Resolve ----

TEST(KmsErrorsTest, NotYetValidTicketIsAnsweredWith14) {
  ResolveSetup s;
  Bytes resolve = s.resolve_init();
  s.w.clock.advance_seconds(-100);  // before TRs, still within the clock skew of the request
  expect_refusal(s.kms.handle_resolve_init(resolve), Failure::ticket_not_yet_valid,
                 ErrorNo::invalid_ticket);
}

TEST(KmsErrorsTest, ExpiredTicketIsAnsweredWith14) {
  ResolveSetup s(false, nullptr, 60);
  s.w.clock.advance_seconds(50);
  Bytes resolve = s.resolve_init();
  s.w.clock.advance_seconds(70);  // past TRe = TRs + 60
  expect_refusal(s.kms.handle_resolve_init(resolve), Failure::ticket_expired,
                 ErrorNo::invalid_ticket);
}

TEST(KmsErrorsTest, UnauthorizedResponderIsAnsweredWith7) {
  ResolveSetup s;
  Kms kms(s.with_carol(), s.w.clock, s.w.rng);
  KmsReply reply = kms.handle_resolve_init(s.carol_resolve_init());
  expect_refusal(reply, Failure::responder_not_authorized, ErrorNo::invalid_id);
  EXPECT_TRUE(error_is_authenticated(reply.message));
}

TEST(KmsErrorsTest, UnauthorizedResponderIsAnsweredWith0WhenConfigured) {
  ResolveSetup s;
  KmsConfig c = s.with_carol();
  c.policy.errors.unauthorized_responder = ErrorNo::auth_failure;
  Kms kms(std::move(c), s.w.clock, s.w.rng);
  KmsReply reply = kms.handle_resolve_init(s.carol_resolve_init());
  expect_refusal(reply, Failure::responder_not_authorized, ErrorNo::auth_failure);
}

TEST(KmsErrorsTest, GroupMemberMayResolveForItsGroup) {
  ResolveSetup s;
  Kms kms(s.with_carol({kBob}), s.w.clock, s.w.rng);  // Carol answers for Bob (§12.5)
  KmsReply reply = kms.handle_resolve_init(s.carol_resolve_init());
  EXPECT_FALSE(reply.failure) << reply.detail;
}

TEST(KmsErrorsTest, TamperedTicketIsAnsweredWith0) {
  ResolveSetup s;
  Bytes ti = mutate(s.transfer_init, [](codec::Message& m) {
    for (codec::Payload& p : m.payloads)
      if (auto* t = p.get<codec::Ticket>()) t->ticket_data.back() ^= 1;  // the ticket's V MAC
  });
  expect_refusal(s.kms.handle_resolve_init(s.resolve_init(&ti)), Failure::ticket_integrity_failure,
                 ErrorNo::auth_failure);
}

TEST(KmsErrorsTest, BadVrIsAnsweredWith0) {
  ResolveSetup s(true);
  Bytes ti = mutate(s.transfer_init, [](codec::Message& m) {
    for (codec::Payload& p : m.payloads)
      if (auto* t = p.get<codec::Ticket>())
        t->initiator_data.payloads.back().get<codec::Verification>()->mac[3] ^= 1;  // Vr
  });
  expect_refusal(s.kms.handle_resolve_init(s.resolve_init(&ti)), Failure::initiator_data_failure,
                 ErrorNo::auth_failure);
}

TEST(KmsErrorsTest, TicketOfAnUnknownIssuerIsAnsweredWith14) {
  ResolveSetup s;
  KmsConfig c = s.w.kms_config();
  c.ticket_keys.clear();  // same users, but this KMS did not issue the ticket and has no peers
  Kms other(std::move(c), s.w.clock, s.w.rng);
  expect_refusal(other.handle_resolve_init(s.resolve_init()), Failure::ticket_issuer_unknown,
                 ErrorNo::invalid_ticket);
}

TEST(KmsErrorsTest, Mode3TicketsRefusedWhenDisabledWith15) {
  World w;
  KmsConfig c = w.kms_config();
  c.policy.resolve_initiator_tickets = false;
  TicketKey shared = testing::ticket_key(kBaseTicket, w.algs, "tpk-alice", 0xc0);
  shared.shared_with = testing::kAlice;
  c.ticket_keys.push_back(shared.clone());
  Kms kms(std::move(c), w.clock, w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);
  Responder bob(w.bob_config(), w.clock, w.rng);
  ASSERT_TRUE(alice.create_ticket(w.ticket_request(), shared).ok());
  auto step = bob.process_transfer_init(alice.transfer_init(testing::to_bob()).value());
  ASSERT_TRUE(step.ok());
  expect_refusal(kms.handle_resolve_init(step->message), Failure::policy_unacceptable,
                 ErrorNo::invalid_tppar);
}

}  // namespace
}  // namespace mikey::roles
