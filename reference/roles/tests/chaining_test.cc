// KMS-to-KMS chaining (RFC 6043 §10; TS 33.328 §6.2.3.8, Annex B — re-encoding details
// UNCONFIRMED): Bob's KMS (KMS_R) resolves Alice's ticket through Alice's KMS
// (KMS_I) over an in-process KmsPeer.
#include <gtest/gtest.h>

#include <functional>

#include "codec/message.h"
#include "role_fixture.h"
#include "roles/message_util.h"

namespace mikey::roles {
namespace {

using codec::ErrorNo;
using testing::kAlice;
using testing::kBob;
using testing::kCarol;
using testing::kKms;
using testing::kKmsR;
using testing::Transcript;
using testing::World;

// The KMS–KMS transport: hands the request to the other Kms object.
class InProcessPeer final : public KmsPeer {
 public:
  Kms* target = nullptr;
  bool unreachable = false;
  unsigned busy_retry_after_s = 0;           // non-zero: the link says KMS_I is busy (PeerError)
  std::optional<Identity> authenticated_as;  // what a mutually authenticated link would tell
  std::function<void(Bytes&)> corrupt;
  int calls = 0;
  Bytes last_request;
  Bytes last_answer;
  KmsReply last_reply;  // KMS_I's reply, before the link turns it into bytes

  Result<Bytes, PeerError> resolve(const PeerKms& peer, ByteView request) noexcept override {
    ++calls;
    last_request.assign(request.begin(), request.end());
    if (busy_retry_after_s != 0) return PeerError{"busy", busy_retry_after_s};
    if (unreachable || target == nullptr) return PeerError{"connection refused"};
    EXPECT_EQ(peer.identity, kKms);
    KmsReply reply = target->handle_resolve_init(request, RequestContext{authenticated_as});
    last_answer = reply.message;
    last_reply = reply;
    if (corrupt) corrupt(last_answer);
    return last_answer;
  }
};

const auto kKmsRPsk = testing::psk_credential(0x90, 16, "psk-kms-r");

struct Federation {
  World w;
  InProcessPeer link;
  Kms kms_i;
  Kms kms_r;
  Initiator alice;
  Responder bob;

  static KmsConfig kms_i_config(const World& w) {
    KmsConfig c = w.kms_config();
    c.users.erase(c.users.begin() + 1);  // Bob is not KMS_I's user ...
    // ... but someone else registered "bob" with another key: KMS_I must not use it (B.0-6).
    c.users.push_back(KmsUser{kBob, testing::psk_credential(0x33, 16, "psk-other-bob"), {}, false});
    c.users.push_back(KmsUser{kKmsR, kKmsRPsk, {}, true});  // KMS_R, a peer KMS user
    return c;
  }
  static KmsConfig kms_r_config(const World& w) {
    KmsConfig c;
    c.identity = kKmsR;
    c.users.push_back(KmsUser{kBob, w.bob_psk, {}, false});
    c.users.push_back(KmsUser{kCarol, testing::psk_credential(0x20, 16, "psk-carol"), {}, false});
    c.peers.push_back(PeerKms{kKms, {kKms}, kKmsRPsk, kSuite128});
    return c;
  }
  static ResponderConfig bob_config(const World& w) {
    ResponderConfig c = w.bob_config();
    c.kms_identity = kKmsR;  // Bob only knows his own KMS (B.0-3)
    return c;
  }

  explicit Federation(const Algorithms& algs = kSuite128)
      : w(algs),
        kms_i(kms_i_config(w), w.clock, w.rng),
        kms_r(kms_r_config(w), w.clock, w.rng, &link),
        alice(w.alice_config(), w.clock, w.rng),
        bob(bob_config(w), w.clock, w.rng) {
    link.target = &kms_i;
  }

  // Alice's ticket from KMS_I, her TRANSFER_INIT, Bob's RESOLVE_INIT to KMS_R.
  Bytes resolve_init(bool forking, Transcript* t = nullptr) {
    w.obtain_ticket(alice, kms_i, w.ticket_request(forking), t);
    auto step = bob.process_transfer_init(alice.transfer_init(testing::to_bob()).value());
    EXPECT_TRUE(step.ok());
    EXPECT_EQ(step->action, ResponderAction::send_resolve_init);
    return step.ok() ? step->message : Bytes{};
  }
};

void expect_refusal(const KmsReply& reply, Failure f, ErrorNo no) {
  ASSERT_TRUE(reply.failure.has_value());
  EXPECT_EQ(to_string(*reply.failure), to_string(f)) << reply.detail;
  EXPECT_EQ(testing::error_no_of(reply.message), no);
}

class ChainingSuites : public ::testing::TestWithParam<std::tuple<bool, bool>> {};

TEST_P(ChainingSuites, ResolveThroughTheIssuingKmsYieldsIdenticalSrtpKeys) {
  const auto [wide, forking] = GetParam();
  Federation f(wide ? kSuite256 : kSuite128);
  Bytes resolve = f.resolve_init(forking);
  KmsReply reply = f.kms_r.handle_resolve_init(resolve);
  ASSERT_FALSE(reply.failure) << to_string(*reply.failure) << ": " << reply.detail;
  EXPECT_EQ(f.link.calls, 1);
  auto step = f.bob.process_resolve_resp(reply.message);
  ASSERT_TRUE(step.ok()) << to_string(step.error().failure);
  ASSERT_EQ(step->action, ResponderAction::send_transfer_resp);
  ASSERT_TRUE(f.alice.process_transfer_resp(step->message).ok());
  f.w.expect_same_srtp_keys(f.alice, f.bob);
}

INSTANTIATE_TEST_SUITE_P(Federation, ChainingSuites,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<bool, bool>>& info) {
                           return std::string(std::get<0>(info.param) ? "Sha256Aes256"
                                                                      : "Mikey1Aes128") +
                                  (std::get<1>(info.param) ? "Forking" : "NoForking");
                         });

TEST(ChainingTest, ForwardedRequestCopiesIdrrAndTicketUnderKmsROwnHeader) {
  Federation f;
  Bytes resolve = f.resolve_init(true);
  ASSERT_FALSE(f.kms_r.handle_resolve_init(resolve).failure);
  auto mine = codec::parse_message(resolve);
  auto fwd = codec::parse_message(f.link.last_request);
  ASSERT_TRUE(mine.ok() && fwd.ok());
  // B.0-5 / B.1-2: IDRr and TICKET copied; own CSB ID, T, RANDRr; IDRkms = KMS_I.
  EXPECT_EQ(*find_idr(fwd.message.payloads, codec::IdRole::idrr),
            *find_idr(mine.message.payloads, codec::IdRole::idrr));
  EXPECT_EQ(*fwd.message.find(codec::PayloadType::ticket),
            *mine.message.find(codec::PayloadType::ticket));
  EXPECT_NE(fwd.message.hdr.csb_id, mine.message.hdr.csb_id);
  EXPECT_NE(find_randr(fwd.message.payloads, codec::RandRole::randrr)->rand,
            find_randr(mine.message.payloads, codec::RandRole::randrr)->rand);
  EXPECT_EQ(identity_of(*find_idr(fwd.message.payloads, codec::IdRole::idrkms)), kKms);
  EXPECT_EQ(identity_of(*find_idr(fwd.message.payloads, codec::IdRole::idrpsk)),
            *kKmsRPsk->psk_id());
}

TEST(ChainingTest, ReencodedResponseKeepsTheModifierOfKmsI) {
  Federation f;
  Bytes resolve = f.resolve_init(true);
  KmsReply reply = f.kms_r.handle_resolve_init(resolve);
  ASSERT_FALSE(reply.failure);
  auto theirs = codec::parse_message(f.link.last_answer);
  auto ours = codec::parse_message(reply.message);
  auto mine = codec::parse_message(resolve);
  ASSERT_TRUE(theirs.ok() && ours.ok() && mine.ok());
  // B.1-4 / B.1-5: IDRr and RANDRkms unchanged; HDR from the Responder's RESOLVE_INIT.
  EXPECT_EQ(find_idr(ours.message.payloads, codec::IdRole::idrr)->data,
            find_idr(theirs.message.payloads, codec::IdRole::idrr)->data);
  EXPECT_EQ(find_randr(ours.message.payloads, codec::RandRole::randrkms)->rand,
            find_randr(theirs.message.payloads, codec::RandRole::randrkms)->rand);
  EXPECT_EQ(ours.message.hdr.csb_id, mine.message.hdr.csb_id);
  EXPECT_NE(find_body<codec::Kemac>(ours.message.payloads)->encr_data,
            find_body<codec::Kemac>(theirs.message.payloads)->encr_data);  // re-encrypted for R
}

TEST(ChainingTest, KmsIFindsTheKeyByTheTransportIdentityWithoutIdrpsk) {
  Federation f;
  KmsConfig rc = Federation::kms_r_config(f.w);
  // The same key without an IDRpsk: only the authenticated link can name KMS_R (B.0-6).
  rc.peers[0].credential = std::make_shared<const PskCredential>(
      crypto::SecureBytes(testing::pattern(16, 0x90)), std::nullopt);
  Kms kms_r(std::move(rc), f.w.clock, f.w.rng, &f.link);
  f.link.authenticated_as = kKmsR;
  Bytes resolve = f.resolve_init(false);
  KmsReply reply = kms_r.handle_resolve_init(resolve);
  EXPECT_FALSE(reply.failure) << (reply.failure ? reply.detail : "");
}

TEST(ChainingTest, KmsINeverPicksTheKeyByTheForwardedIdrr) {
  Federation f;
  KmsConfig rc = Federation::kms_r_config(f.w);
  rc.peers[0].credential = std::make_shared<const PskCredential>(
      crypto::SecureBytes(testing::pattern(16, 0x90)), std::nullopt);  // no IDRpsk, no link id
  Kms kms_r(std::move(rc), f.w.clock, f.w.rng, &f.link);
  Bytes resolve = f.resolve_init(false);
  KmsReply reply = kms_r.handle_resolve_init(resolve);
  // KMS_I looked up the forwarded IDRr among its plain users ("psk-other-bob"): the MAC fails
  // there, and KMS_R reports KMS_I's refusal to Bob as 12 (B.1-6).
  expect_refusal(reply, Failure::peer_kms_refused, ErrorNo::unspecified);
  EXPECT_EQ(testing::error_no_of(f.link.last_answer), ErrorNo::auth_failure);
}

TEST(ChainingTest, UnreachablePeerIsAnsweredWith12) {
  Federation f;
  f.link.unreachable = true;
  expect_refusal(f.kms_r.handle_resolve_init(f.resolve_init(false)), Failure::peer_kms_unreachable,
                 ErrorNo::unspecified);
}

// A.3-1: a peer that is busy, slow or away for now makes KMS_R unable to serve now: no MIKEY
// Error, the reply asks the service for 503 with the link's Retry-After.
TEST(ChainingTest, BusyPeerMakesTheKmsUnavailableInsteadOfAnError) {
  Federation f;
  f.link.busy_retry_after_s = 2;
  KmsReply reply = f.kms_r.handle_resolve_init(f.resolve_init(false));
  EXPECT_EQ(reply.failure, Failure::peer_kms_unreachable);
  EXPECT_EQ(reply.unavailable_retry_after_s, 2u);
  EXPECT_TRUE(reply.message.empty());
  EXPECT_EQ(reply.detail, "busy");
}

TEST(ChainingTest, MissingTransportIsAnsweredWith12) {
  Federation f;
  Kms kms_r(Federation::kms_r_config(f.w), f.w.clock, f.w.rng, nullptr);
  expect_refusal(kms_r.handle_resolve_init(f.resolve_init(false)), Failure::peer_kms_unreachable,
                 ErrorNo::unspecified);
}

TEST(ChainingTest, PeerErrorIsAnsweredWith12) {
  Federation f;
  KmsConfig ic = Federation::kms_i_config(f.w);
  ic.users.pop_back();  // KMS_I does not know KMS_R: it answers 7
  Kms kms_i(std::move(ic), f.w.clock, f.w.rng);
  Bytes resolve = f.resolve_init(false);  // the ticket comes from f.kms_i: same TPKs
  f.link.target = &kms_i;
  expect_refusal(f.kms_r.handle_resolve_init(resolve), Failure::peer_kms_refused,
                 ErrorNo::unspecified);
  EXPECT_EQ(testing::error_no_of(f.link.last_answer), ErrorNo::invalid_id);
}

// RFC 3830 §5.4 at KMS_I: a forwarded RESOLVE_INIT goes through the same replay cache, so a
// KMS_I at its bound answers the link "unavailable" (HTTP 503 + Retry-After, A.3-1), never a
// MIKEY Error that would read as a replay.
TEST(ChainingTest, KmsIAtItsReplayBoundAnswersTheLinkUnavailable) {
  Federation f;
  KmsConfig ic = Federation::kms_i_config(f.w);
  ic.policy.replay_cache_size = 1;
  Kms kms_i(std::move(ic), f.w.clock, f.w.rng);
  KmsReply filled = kms_i.handle_request_init(
      testing::request_init(f.w, f.w.ticket_request(), f.w.alice_config()));
  ASSERT_FALSE(filled.failure) << filled.detail;
  Bytes resolve = f.resolve_init(false);  // the ticket comes from f.kms_i: same TPKs
  f.link.target = &kms_i;
  (void)f.kms_r.handle_resolve_init(resolve);
  ASSERT_EQ(f.link.calls, 1);
  ASSERT_TRUE(f.link.last_reply.failure);
  EXPECT_EQ(*f.link.last_reply.failure, Failure::replay_memory_full) << f.link.last_reply.detail;
  EXPECT_EQ(f.link.last_reply.unavailable_retry_after_s, 301u);
  EXPECT_TRUE(f.link.last_reply.message.empty());
}

TEST(ChainingTest, CorruptPeerAnswerIsAnsweredWith12) {
  Federation f;
  f.link.corrupt = [](Bytes& b) { b.back() ^= 1; };  // KMS_I's MAC no longer verifies (B.1-3)
  expect_refusal(f.kms_r.handle_resolve_init(f.resolve_init(false)), Failure::peer_kms_bad_response,
                 ErrorNo::unspecified);
}

TEST(ChainingTest, KmsIChecksTheForwardedInitiatorData) {
  Federation f;
  f.w.obtain_ticket(f.alice, f.kms_i, f.w.ticket_request(true));
  Bytes ti =
      testing::mutate(f.alice.transfer_init(testing::to_bob()).value(), [](codec::Message& m) {
        for (codec::Payload& p : m.payloads)
          if (auto* t = p.get<codec::Ticket>())
            t->initiator_data.payloads.back().get<codec::Verification>()->mac[0] ^= 1;
      });
  auto step = f.bob.process_transfer_init(ti);
  ASSERT_TRUE(step.ok());
  expect_refusal(f.kms_r.handle_resolve_init(step->message), Failure::peer_kms_refused,
                 ErrorNo::unspecified);
  EXPECT_EQ(testing::error_no_of(f.link.last_answer), ErrorNo::auth_failure);  // Vr, at KMS_I
}

TEST(ChainingTest, UnauthorizedResponderIsRefusedBeforeContactingThePeer) {
  Federation f;
  f.w.obtain_ticket(f.alice, f.kms_i, f.w.ticket_request(false));
  ResponderConfig rc = Federation::bob_config(f.w);
  rc.identity = kCarol;
  rc.aliases = {kBob};
  rc.credential = testing::psk_credential(0x20, 16, "psk-carol");
  Responder carol(std::move(rc), f.w.clock, f.w.rng);
  auto step = carol.process_transfer_init(f.alice.transfer_init(testing::to_bob()).value());
  ASSERT_TRUE(step.ok());
  expect_refusal(f.kms_r.handle_resolve_init(step->message), Failure::responder_not_authorized,
                 ErrorNo::invalid_id);
  EXPECT_EQ(f.link.calls, 0);  // B.1-1
}

}  // namespace
}  // namespace mikey::roles
