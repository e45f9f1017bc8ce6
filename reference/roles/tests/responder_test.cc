// Responder refusals (RFC 6043 §4.2.2.2, §4.2.3.6, §5.3, §5.4): early reject before the KMS is
// contacted, verification after the resolve, and the Transfer Error it answers with.
#include "roles/responder.h"

#include <gtest/gtest.h>

#include "codec/message.h"
#include "crypto/derive.h"
#include "crypto/mac.h"
#include "role_fixture.h"
#include "roles/message_util.h"

namespace mikey::roles {
namespace {

using codec::ErrorNo;
using testing::kBob;
using testing::mutate;
using testing::World;

void expect_refusal(const Result<ResponderStep, Refusal>& step, Failure f, ErrorNo no) {
  ASSERT_FALSE(step.ok()) << "the Responder accepted the message";
  EXPECT_EQ(to_string(step.error().failure), to_string(f)) << step.error().detail;
  EXPECT_EQ(testing::error_no_of(step.error().error_message), no);
}

struct Parties {
  World w;
  Kms kms;
  Initiator alice;
  Responder bob;
  explicit Parties(ResponderConfig (*tweak)(ResponderConfig) = nullptr)
      : kms(w.kms_config(), w.clock, w.rng),
        alice(w.alice_config(), w.clock, w.rng),
        bob(tweak ? tweak(w.bob_config()) : w.bob_config(), w.clock, w.rng) {}
  Bytes transfer_init(const TicketRequest& r, TransferOptions* o = nullptr) {
    w.obtain_ticket(alice, kms, r);
    TransferOptions d;
    d.responder = kBob;
    auto init = alice.transfer_init(o != nullptr ? *o : d);
    EXPECT_TRUE(init.ok()) << (init.ok() ? "" : to_string(init.error().failure));
    return init.ok() ? init.value() : Bytes{};
  }
};

TEST(ResponderTest, EarlyRejectsAnUnacceptableTicketFormatWith14) {
  Parties s(+[](ResponderConfig c) {
    c.ticket_formats = {kBaseTicket};
    return c;
  });
  Bytes ti = s.transfer_init(s.w.ticket_request(false, kProvisionalType2));
  auto step = s.bob.process_transfer_init(ti);
  expect_refusal(step, Failure::unsupported_ticket_type, ErrorNo::invalid_ticket);
  // §4.2.2.2: rejected without contacting the KMS — no RESOLVE_INIT was produced.
  EXPECT_FALSE(s.bob.process_resolve_resp(Bytes{}).ok());
}

TEST(ResponderTest, NonSrtpSecurityPolicyIsAnsweredWith9) {
  Parties s;
  TransferOptions o;
  o.responder = kBob;
  o.sessions = {CryptoSession{1, codec::SecurityPolicy{1, codec::ProtType::tesla, {}}, {}}};
  Bytes ti = s.transfer_init(s.w.ticket_request(), &o);
  expect_refusal(s.bob.process_transfer_init(ti), Failure::unsupported_security_policy,
                 ErrorNo::invalid_sp);
}

TEST(ResponderTest, ForkingRefusedWhenNotAcceptedWith15) {
  Parties s(+[](ResponderConfig c) {
    c.accept_forking = false;
    return c;
  });
  expect_refusal(s.bob.process_transfer_init(s.transfer_init(s.w.ticket_request(true))),
                 Failure::policy_unacceptable, ErrorNo::invalid_tppar);
}

TEST(ResponderTest, TransferInitForSomeoneElseIsAnsweredWith7) {
  Parties s;
  TransferOptions o;
  o.responder = testing::kCarol;
  TicketRequest r = s.w.ticket_request();
  r.responders = {kBob, testing::kCarol};
  expect_refusal(s.bob.process_transfer_init(s.transfer_init(r, &o)), Failure::unknown_identity,
                 ErrorNo::invalid_id);
}

TEST(ResponderTest, StaleTransferInitIsAnsweredWith1) {
  Parties s;
  Bytes ti = s.transfer_init(s.w.ticket_request());
  s.w.clock.advance_seconds(400);
  expect_refusal(s.bob.process_transfer_init(ti), Failure::timestamp_skew, ErrorNo::invalid_ts);
}

TEST(ResponderTest, MalformedTransferInitIsAnsweredWith12) {
  Parties s;
  Bytes ti = s.transfer_init(s.w.ticket_request());
  ti.resize(40);
  expect_refusal(s.bob.process_transfer_init(ti), Failure::malformed_message, ErrorNo::unspecified);
}

TEST(ResponderTest, ErrorInsteadOfTransferInitIsNotAnswered) {
  Parties s;
  codec::Message m;
  m.hdr = make_hdr(codec::DataType::error, false, codec::PrfFunc::mikey_1, 3);
  m.payloads = {make_t(s.w.clock.now()), make_err(ErrorNo::invalid_sp)};
  auto step = s.bob.process_transfer_init(codec::serialize_message(m).value());
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.error().failure, Failure::error_message_received);
  EXPECT_TRUE(step.error().error_message.empty());
}

TEST(ResponderTest, TamperedTransferInitFailsAfterTheResolveWith0) {
  Parties s;
  Bytes ti = mutate(s.transfer_init(s.w.ticket_request()), [](codec::Message& m) {
    for (codec::Payload& p : m.payloads)
      if (auto* idr = p.get<codec::IdWithRole>(); idr && idr->role == codec::IdRole::idri)
        idr->data.back() ^= 1;  // "sip:alice@example.orf": covered by the MAC
  });
  auto step = s.bob.process_transfer_init(ti);
  ASSERT_TRUE(step.ok());  // cannot be checked before the resolve (§4.2.2)
  KmsReply reply = s.kms.handle_resolve_init(step->message);
  ASSERT_FALSE(reply.failure);
  expect_refusal(s.bob.process_resolve_resp(reply.message), Failure::auth_failure,
                 ErrorNo::auth_failure);
}

TEST(ResponderTest, KmsErrorIsReportedToTheInitiatorAs12) {
  Parties s;
  auto step = s.bob.process_transfer_init(s.transfer_init(s.w.ticket_request()));
  ASSERT_TRUE(step.ok());
  codec::Message m;
  m.hdr = make_hdr(codec::DataType::error, false, codec::PrfFunc::mikey_1, 9);
  m.payloads = {make_t(s.w.clock.now()), make_err(ErrorNo::invalid_id)};
  auto refused = s.bob.process_resolve_resp(codec::serialize_message(m).value());
  expect_refusal(refused, Failure::kms_refused, ErrorNo::unspecified);
  EXPECT_EQ(refused.error().peer_errors, std::vector{ErrorNo::invalid_id});
}

TEST(ResponderTest, ResolveRespWithoutAPendingResolveIsInvalidState) {
  Parties s;
  auto step = s.bob.process_resolve_resp(Bytes{1, 2, 3});
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.error().failure, Failure::invalid_state);
  EXPECT_EQ(scope(Failure::invalid_state), FailureScope::local);
  EXPECT_TRUE(step.error().error_message.empty());
}

TEST(ResponderTest, ReplayedTransferInitIsAnsweredWith1) {
  Parties s;
  Bytes ti = s.transfer_init(s.w.ticket_request());
  auto step = s.bob.process_transfer_init(ti);
  ASSERT_TRUE(step.ok());
  ASSERT_TRUE(s.bob.process_resolve_resp(s.kms.handle_resolve_init(step->message).message).ok());
  expect_refusal(s.bob.process_transfer_init(ti), Failure::replayed_message, ErrorNo::invalid_ts);
}

TEST(ResponderTest, ReuseOfAJ0TicketIsAnsweredWith14) {
  Parties s;
  Bytes ti = s.transfer_init(s.w.ticket_request());  // J = 0
  auto step = s.bob.process_transfer_init(ti);
  ASSERT_TRUE(step.ok());
  ASSERT_TRUE(s.bob.process_resolve_resp(s.kms.handle_resolve_init(step->message).message).ok());
  // The same ticket in a new TRANSFER_INIT (new T and CSB ID; the MAC is not even needed).
  Bytes again = mutate(ti, [](codec::Message& m) {
    m.hdr.csb_id ^= 1;
    for (codec::Payload& p : m.payloads)
      if (auto* t = p.get<codec::Timestamp>()) t->value += NtpTime{1} << 32;
  });
  s.w.clock.advance_seconds(1);
  expect_refusal(s.bob.process_transfer_init(again), Failure::ticket_reuse_forbidden,
                 ErrorNo::invalid_ticket);
}

// RFC 6043 §4.2.3.6: with forking, V of TRANSFER_INIT must equal Vi. A TRANSFER_INIT whose Vi
// differs but whose Vr is valid (computed by someone holding MPKr) passes the KMS and must fail
// at the Responder.
TEST(ResponderTest, ViDifferentFromVIsAnsweredWith0) {
  World w;
  TicketKey shared = testing::ticket_key(kBaseTicket, w.algs, "tpk-alice", 0xc0);
  shared.shared_with = testing::kAlice;
  KmsConfig kc = w.kms_config();
  kc.ticket_keys.push_back(shared.clone());
  Kms kms(std::move(kc), w.clock, w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);
  Responder bob(w.bob_config(), w.clock, w.rng);
  ASSERT_TRUE(alice.create_ticket(w.ticket_request(true), shared).ok());  // mode 3
  Bytes ti = alice.transfer_init(testing::to_bob()).value();
  // Recover MPKr from the ticket (the test knows the shared TPK).
  auto parsed = codec::parse_message(ti);
  const codec::Payload& tp = *parsed.message.find(codec::PayloadType::ticket);
  const TicketKey keys[] = {shared.clone()};
  auto opened = open_ticket(payload_bytes(ti, tp), *tp.get<codec::Ticket>(), keys);
  ASSERT_TRUE(opened.ok());
  auto vr_key = crypto::derive_vr_key(crypto::PrfFunc::mikey_1, opened->mpkr.view(), 20);
  ASSERT_TRUE(vr_key.ok());
  // Change Vi, then recompute Vr over the changed Initiator Data (RFC 6043 §6.10).
  codec::Message m = parsed.message;
  const std::size_t k = static_cast<std::size_t>(&tp - parsed.message.payloads.data());
  auto& ids = m.payloads[k].get<codec::Ticket>()->initiator_data.payloads;
  ids.front().get<codec::Verification>()->mac[0] ^= 1;
  codec::Layout layout;
  Bytes draft = codec::serialize_message(m, &layout).value();
  auto range = layout.find("payload[" + std::to_string(k) + "].TICKET.initiator_data");
  ASSERT_TRUE(range);
  const ByteView part[] = {ByteView(draft).subspan(range->offset, range->length - 20)};
  ids.back().get<codec::Verification>()->mac =
      crypto::compute_mac(crypto::MacAlg::hmac_sha1_160, vr_key->view(), part).value();
  Bytes forged = codec::serialize_message(m).value();
  auto step = bob.process_transfer_init(forged);
  ASSERT_TRUE(step.ok());
  KmsReply reply = kms.handle_resolve_init(step->message);
  ASSERT_FALSE(reply.failure) << reply.detail;  // Vr is valid: the KMS resolves
  expect_refusal(bob.process_resolve_resp(reply.message), Failure::initiator_data_failure,
                 ErrorNo::auth_failure);
}

}  // namespace
}  // namespace mikey::roles
