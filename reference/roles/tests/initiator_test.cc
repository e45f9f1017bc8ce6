// Initiator behaviour (RFC 6043 §4.2.1.6, §4.2.2.1, §5.3) and its refusals.
#include "roles/initiator.h"

#include <gtest/gtest.h>

#include "codec/message.h"
#include "crypto/derive.h"
#include "crypto/labels.h"
#include "role_fixture.h"
#include "roles/message_util.h"

namespace mikey::roles {
namespace {

using codec::ErrorNo;
using testing::kBob;
using testing::Parties;
using testing::Transcript;
using testing::World;

// A PK credential as a later implementation would provide it.
class FakePk final : public PkCredential {
 public:
  std::vector<Bytes> certificates() const override { return {}; }
  Result<Bytes, Failure> sign(ByteView) const noexcept override {
    return Failure::pk_not_implemented;
  }
};

// `r` was refused with `f`, whose Error number is `no`.
template <class T>
void expect_refused(const Result<T, Refusal>& r, Failure f, ErrorNo no) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().failure, f);
  EXPECT_EQ(error_no(r.error().failure), no);
}

TEST(InitiatorTest, PkCredentialIsRefusedAsNotImplemented) {
  World w;
  InitiatorConfig c = w.alice_config();
  c.credential = std::make_shared<FakePk>();
  Initiator alice(std::move(c), w.clock, w.rng);
  auto r = alice.request_ticket(w.ticket_request());
  expect_refused(r, Failure::pk_not_implemented, ErrorNo::invalid_dt);
}

TEST(InitiatorTest, ResponseWithoutARequestIsInvalidState) {
  World w;
  Initiator alice(w.alice_config(), w.clock, w.rng);
  auto r = alice.process_request_resp(Bytes{1, 13, 0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().failure, Failure::invalid_state);
  EXPECT_EQ(scope(r.error().failure), FailureScope::local);  // nothing is sent
  EXPECT_TRUE(r.error().error_message.empty());
}

TEST(InitiatorTest, KmsErrorIsReportedButNeverAnswered) {
  World w;
  Kms kms(w.kms_config_with([&](KmsConfig& kc) { kc.policy.ticket_formats = {kBaseTicket}; }),
          w.clock, w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);
  KmsReply reply = kms.handle_request_init(
      alice.request_ticket(w.ticket_request(false, kProvisionalType2)).value());
  auto r = alice.process_request_resp(reply.message);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().failure, Failure::error_message_received);
  EXPECT_EQ(r.error().peer_errors, std::vector{ErrorNo::invalid_ticket});
  EXPECT_TRUE(r.error().error_message.empty());  // RFC 6043 §5.4
}

TEST(InitiatorTest, GrantWithoutTheRequestedForkingIsDiscardedWith15) {
  World w;
  Kms kms(w.kms_config_with([&](KmsConfig& kc) { kc.policy.allow_forking = false; }), w.clock,
          w.rng);
  InitiatorConfig ic = w.alice_config();
  ic.require_forking = true;
  Initiator alice(std::move(ic), w.clock, w.rng);
  KmsReply reply = kms.handle_request_init(alice.request_ticket(w.ticket_request(true)).value());
  ASSERT_FALSE(reply.failure);
  auto r = alice.process_request_resp(reply.message);
  expect_refused(r, Failure::policy_unacceptable, ErrorNo::invalid_tppar);
  EXPECT_FALSE(alice.has_ticket());  // T-4.2.1.6-3: discarded
}

TEST(InitiatorTest, TamperedRequestRespFailsAuthentication) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);
  KmsReply reply = kms.handle_request_init(alice.request_ticket(w.ticket_request()).value());
  reply.message[27] ^= 1;  // inside the IDRkms ID Data
  auto r = alice.process_request_resp(reply.message);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().failure, Failure::auth_failure);
  EXPECT_FALSE(alice.has_ticket());
}

TEST(InitiatorTest, StaleRequestRespIsRefusedWith1) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);
  KmsReply reply = kms.handle_request_init(alice.request_ticket(w.ticket_request()).value());
  w.clock.advance_seconds(400);
  auto r = alice.process_request_resp(reply.message);
  expect_refused(r, Failure::timestamp_skew, ErrorNo::invalid_ts);
}

TEST(InitiatorTest, WrongMessageTypeIsRefusedWith11) {
  World w;
  Initiator alice(w.alice_config(), w.clock, w.rng);
  Bytes req = alice.request_ticket(w.ticket_request()).value();
  auto r = alice.process_request_resp(req);  // its own REQUEST_INIT, not a REQUEST_RESP
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().failure, Failure::wrong_data_type);
}

TEST(InitiatorTest, ReuseOfAJ0TicketIsRefusedWith14) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);
  codec::TicketPolicy granted = w.obtain_ticket(alice, kms, w.ticket_request());
  ASSERT_FALSE(granted.flags.j);
  TransferOptions o;
  o.responder = kBob;
  ASSERT_TRUE(alice.transfer_init(o).ok());
  auto again = alice.transfer_init(o);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().failure, Failure::ticket_reuse_forbidden);  // T-5.3-3
  EXPECT_EQ(error_no(again.error().failure), ErrorNo::invalid_ticket);
}

TEST(InitiatorTest, RequestInitFollowsTheRfc6043Shape) {
  World w;
  Initiator alice(w.alice_config(), w.clock, w.rng);
  auto parsed = codec::parse_message(alice.request_ticket(w.ticket_request()).value());
  ASSERT_TRUE(parsed.ok());
  const codec::Message& m = parsed.message;
  EXPECT_EQ(m.hdr.data_type, codec::DataType::request_init_psk);
  EXPECT_TRUE(m.hdr.v);  // T-4.2.1.1-3
  EXPECT_EQ(m.hdr.cs_count, 0);
  EXPECT_EQ(m.hdr.map_type, codec::MapType::empty);
  const codec::PayloadType order[] = {codec::PayloadType::t,   codec::PayloadType::randr,
                                      codec::PayloadType::idr, codec::PayloadType::idr,
                                      codec::PayloadType::tp,  codec::PayloadType::idr,
                                      codec::PayloadType::v};
  ASSERT_EQ(m.payloads.size(), 7u);
  for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ(m.payloads[i].type, order[i]) << i;
  EXPECT_GE(find_randr(m.payloads, codec::RandRole::randri)->rand.size(), 16u);  // M-6.11-1
  EXPECT_FALSE(find_body<codec::TicketPolicy>(m.payloads)->flags.k);             // T-6.10-3
}

TEST(InitiatorTest, TransferInitCarriesVEqualToFAndTheKeySpi) {
  World w;
  Kms kms(w.kms_config(), w.clock, w.rng);
  Initiator alice(w.alice_config(), w.clock, w.rng);
  TicketRequest r = w.ticket_request();
  r.flags.f = false;  // no TRANSFER_RESP: the transfer completes when sent
  w.obtain_ticket(alice, kms, r);
  auto parsed = codec::parse_message(alice.transfer_init(testing::to_bob()).value());
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed.message.hdr.v);                                  // V = F = 0 (§4.2.2.1)
  EXPECT_EQ(parsed.message.hdr.map_type, codec::MapType::generic_id);  // P.1-8
  ASSERT_EQ(parsed.message.hdr.generic_id.size(), 1u);
  EXPECT_EQ(parsed.message.hdr.generic_id[0].spi.size(), 4u);
  EXPECT_TRUE(alice.transfer_complete());
  EXPECT_TRUE(alice.srtp_keys().ok());
}

TEST(InitiatorTest, MalformedRequestRespIsRefused) {
  World w;
  Initiator alice(w.alice_config(), w.clock, w.rng);
  ASSERT_TRUE(alice.request_ticket(w.ticket_request()).ok());
  auto r = alice.process_request_resp(Bytes{0x01, 0x0d});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().failure, Failure::malformed_message);
}

// An independent derivation (crypto layer only, no role code) of Alice's SRTP master key for a
// forked ticket: decrypt the REQUEST_RESP KEMAC, fork the TGK with the modifier of the
// RESOLVE_RESP and derive the TEK (RFC 6043 §5.1.1–§5.1.3).
TEST(InitiatorTest, ForkedSrtpKeyMatchesAnIndependentDerivation) {
  Parties parties;
  auto& [w, kms, alice, bob] = parties;
  Transcript t;
  w.obtain_ticket(alice, kms, w.ticket_request(true), &t);
  ASSERT_TRUE(w.transfer(alice, bob, kms, &t));
  auto req = codec::parse_message(t.request_init);
  auto resp = codec::parse_message(t.request_resp);
  auto rr = codec::parse_message(t.resolve_resp);
  auto ti = codec::parse_message(t.transfer_init);
  const Bytes& randri = find_randr(req.message.payloads, codec::RandRole::randri)->rand;
  auto keys = crypto::derive_message_keys(
      crypto::PrfFunc::mikey_1, w.alice_psk->psk(), req.message.hdr.csb_id,
      crypto::MessageDirection::response, randri, {}, 16, 0, 14);
  ASSERT_TRUE(keys.ok());
  const auto* tpay = find_body<codec::Timestamp>(resp.message.payloads);
  const auto* kemac = find_body<codec::Kemac>(resp.message.payloads);
  auto plain =
      crypto::decrypt_kemac(crypto::EncrAlg::aes_cm_128, keys->encr.view(), keys->salt.view(),
                            req.message.hdr.csb_id, tpay->value, kemac->encr_data);
  ASSERT_TRUE(plain.ok());
  codec::ParseState st;
  codec::KeyDataChain chain;
  ASSERT_EQ(codec::parse_key_data_chain(plain->view(), 0, st, "k", chain).code, codec::Errc::ok);
  ASSERT_EQ(chain.keys.size(), 3u);  // MPKi, MPKr, TGK
  EXPECT_EQ(chain.keys[2].type, codec::KeyDataType::tgk);
  const auto* idrr = find_idr(rr.message.payloads, codec::IdRole::idrr);
  const auto* rkms = find_randr(rr.message.payloads, codec::RandRole::randrkms);
  auto tgk2 = crypto::fork_tgk(crypto::PrfFunc::mikey_1, chain.keys[2].key, idrr->data, rkms->rand);
  ASSERT_TRUE(tgk2.ok());
  const Bytes& ti_randri = find_randr(ti.message.payloads, codec::RandRole::randri)->rand;
  auto tek = crypto::derive_session_key(crypto::PrfFunc::mikey_1, tgk2->view(), crypto::kConstTek,
                                        1, ti_randri, {}, 16);  // H = 1, G = 0
  ASSERT_TRUE(tek.ok());
  EXPECT_EQ(testing::hex_of(alice.srtp_keys()->front().master_key.view()),
            testing::hex_of(tek->view()));
  EXPECT_NE(testing::hex_of(tgk2->view()), testing::hex_of(chain.keys[2].key));
}

}  // namespace
}  // namespace mikey::roles
