// The reference KMS as a family of legal implementations (docs/latitude.md): each KmsLatitude knob
// changes exactly the behaviour it names, and the exchange still completes where it should.
#include <gtest/gtest.h>

#include "codec/message.h"
#include "role_fixture.h"
#include "roles/message_util.h"
#include "roles/policy.h"

namespace mikey::roles {
namespace {

using testing::kBob;
using testing::World;

// The world's KMS configuration with `edit` applied to its latitude.
KmsConfig with_latitude(const World& w, void (*edit)(KmsLatitude&)) {
  KmsConfig c = w.kms_config();
  edit(c.policy.latitude);
  return c;
}
// The world's KMS configuration with one latitude switch set to `on`.
KmsConfig with_latitude(const World& w, bool KmsLatitude::*knob, bool on) {
  KmsConfig c = w.kms_config();
  c.policy.latitude.*knob = on;
  return c;
}

const codec::TicketPolicy* granted_policy(const Bytes& request_resp) {
  static codec::ParseOutcome keep;
  keep = codec::parse_message(request_resp);
  const codec::Payload* t = keep.ok() ? keep.message.find(codec::PayloadType::ticket) : nullptr;
  return t != nullptr && t->get<codec::Ticket>() != nullptr ? &t->get<codec::Ticket>()->policy
                                                            : nullptr;
}

TEST(KmsLatitudeTest, AClockOffsetMovesTheKmsTimestamps) {
  World w;
  Kms kms(with_latitude(w, [](KmsLatitude& l) { l.clock_offset_ms = -250'000; }), w.clock, w.rng);
  const KmsReply reply =
      kms.handle_request_init(testing::request_init(w, w.ticket_request(), w.alice_config()));
  ASSERT_FALSE(reply.failure.has_value()) << reply.detail;  // T 250 s off: within the skew
  const auto resp = codec::parse_message(reply.message);
  const auto* ts = find_body<codec::Timestamp>(resp.message.payloads);
  ASSERT_NE(ts, nullptr);
  EXPECT_EQ(*ts_unix_seconds(ts->ts_type, ts->value), testing::kStartUnix - 250);
}

TEST(KmsLatitudeTest, ATicketStartingAheadOfTheKmsClockIsResolvedWithinTheGrace) {
  // The Initiator's clock runs 250 s ahead of the KMS's: its desired TRs lies in the KMS's future.
  for (std::uint32_t grace : {0u, 300u}) {
    World w;
    KmsConfig c = w.kms_config();
    c.policy.latitude.clock_offset_ms = -250'000;
    c.policy.latitude.ticket_start_grace_s = grace;
    Kms kms(std::move(c), w.clock, w.rng);
    Initiator alice(w.alice_config(), w.clock, w.rng);
    w.obtain_ticket(alice, kms, w.ticket_request());
    Responder bob(w.bob_config(), w.clock, w.rng);
    auto step = bob.process_transfer_init(alice.transfer_init(testing::to_bob()).value());
    ASSERT_TRUE(step.ok());
    const KmsReply reply = kms.handle_resolve_init(step->message);
    EXPECT_EQ(reply.failure.has_value(), grace == 0) << reply.detail;
    if (reply.failure) EXPECT_EQ(*reply.failure, Failure::ticket_not_yet_valid);
  }
}

TEST(KmsLatitudeTest, AnAuthenticationFailureCanBeAnsweredWithAnHttpStatus) {
  World w;
  Kms kms(with_latitude(w, [](KmsLatitude& l) { l.auth_failure_status = 401; }), w.clock, w.rng);
  Bytes req = testing::request_init(w, w.ticket_request(), w.alice_config());
  req.back() ^= 0x01;  // the MAC no longer verifies
  const KmsReply reply = kms.handle_request_init(req);
  ASSERT_TRUE(reply.failure.has_value());
  EXPECT_EQ(*reply.failure, Failure::auth_failure);
  EXPECT_EQ(reply.http_status, 401);
  // Other refusals keep their Error message in a 200.
  Bytes garbage = {0x01, 0x0b, 0x63, 0x00};
  EXPECT_EQ(kms.handle_request_init(garbage).http_status, 0);
}

TEST(KmsLatitudeTest, TheGrantedPolicyMayLeaveOutIdriAndIdrkms) {
  World w;
  Kms kms(with_latitude(w, [](KmsLatitude& l) { l.add_idri = l.add_idrkms = false; }), w.clock,
          w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);
  Responder bob(w.bob_config(), w.clock, w.rng);
  testing::Transcript t;
  w.obtain_ticket(alice, kms, w.ticket_request(), &t);
  const codec::TicketPolicy* tp = granted_policy(t.request_resp);
  ASSERT_NE(tp, nullptr);
  EXPECT_EQ(find_idr(tp->tp_data.payloads, codec::IdRole::idri), nullptr);
  EXPECT_EQ(find_idr(tp->tp_data.payloads, codec::IdRole::idrkms), nullptr);
  EXPECT_TRUE(w.transfer(alice, bob, kms));
}

TEST(KmsLatitudeTest, TrailingBytesAreRefusedAsMalformedOrIgnored) {
  for (bool ignore : {false, true}) {
    World w;
    Kms kms(with_latitude(w, &KmsLatitude::ignore_trailing_bytes, ignore), w.clock, w.rng);
    Bytes req = testing::request_init(w, w.ticket_request(), w.alice_config());
    req.insert(req.end(), {0xde, 0xad, 0xbe, 0xef});
    const KmsReply reply = kms.handle_request_init(req);
    if (ignore) {
      EXPECT_FALSE(reply.failure.has_value()) << reply.detail;
    } else {
      ASSERT_TRUE(reply.failure.has_value());
      EXPECT_EQ(*reply.failure, Failure::malformed_message);
    }
  }
}

TEST(KmsLatitudeTest, AnInconsistentDesiredPolicyIsRepairedWithKSet) {
  World w;
  Kms kms(with_latitude(w, [](KmsLatitude& l) { l.repair_inconsistent_policy = true; }), w.clock,
          w.rng);
  TicketRequest r = w.ticket_request();
  r.flags.g = true;  // G => F broken
  r.flags.f = false;
  InitiatorConfig ic = w.alice_config();
  const KmsReply reply = kms.handle_request_init(testing::request_init(w, r, ic));
  ASSERT_FALSE(reply.failure.has_value()) << reply.detail;
  const codec::TicketPolicy* tp = granted_policy(reply.message);
  ASSERT_NE(tp, nullptr);
  EXPECT_TRUE(tp->flags.k);
  EXPECT_TRUE(tp->flags.f);
  EXPECT_FALSE(flag_violation(tp->flags).has_value());
}

TEST(KmsLatitudeTest, NoDesiredEndCanMeanNoDefinedEnd) {
  World w;
  Kms kms(with_latitude(w, [](KmsLatitude& l) { l.open_ended_lifetime = true; }), w.clock, w.rng);
  TicketRequest r = w.ticket_request();
  r.lifetime_s.reset();
  const KmsReply reply = kms.handle_request_init(testing::request_init(w, r, w.alice_config()));
  ASSERT_FALSE(reply.failure.has_value()) << reply.detail;
  auto view = view_policy(*granted_policy(reply.message));
  ASSERT_TRUE(view.ok());
  EXPECT_TRUE(view->trs.has_value());
  EXPECT_FALSE(view->tre.has_value());
}

TEST(KmsLatitudeTest, AStrictKmsRefusesAShortRand) {
  World w;
  Kms kms(with_latitude(w, [](KmsLatitude& l) { l.enforce_rand_length = true; }), w.clock, w.rng);
  // The reference Initiator's RANDRi is as long as its PSK: accepted.
  EXPECT_FALSE(
      kms.handle_request_init(testing::request_init(w, w.ticket_request(), w.alice_config()))
          .failure.has_value());
}

TEST(KmsLatitudeTest, AnIdrkmsOfAnotherIdTypeNamesThisKmsOnlyWhenAllowed) {
  for (bool any : {false, true}) {
    World w;
    Kms kms(with_latitude(w, &KmsLatitude::accept_idrkms_other_type, any), w.clock, w.rng);
    InitiatorConfig ic = w.alice_config();
    ic.kms_identity.type = codec::IdType::byte_string;  // same ID Data, other type
    const KmsReply reply =
        kms.handle_request_init(testing::request_init(w, w.ticket_request(), ic));
    EXPECT_EQ(reply.failure.has_value(), !any) << reply.detail;
  }
}

}  // namespace
}  // namespace mikey::roles
