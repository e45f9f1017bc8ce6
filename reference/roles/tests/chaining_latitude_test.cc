// The chaining latitude knobs of the reference KMS (docs/latitude.md "link-idrpsk",
// "link-mac-identity", "link-key-lookup", "forwarded-copied", "tp-idrkms"): each reading a KMS_R
// may send, and what a KMS_I configured for it accepts (RFC 6043 §4.2.3.2, §5.5, §6.10, §10).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "codec/message.h"
#include "role_fixture.h"
#include "roles/message_util.h"

namespace mikey::roles {
namespace {

using testing::kAlice;
using testing::kBob;
using testing::kCarol;
using testing::kKms;
using testing::kKmsR;
using testing::World;

const auto kLinkPsk = testing::psk_credential(0x90, 16, "psk-kms-r");

// The link as a mutually authenticated transport would carry it: KMS_I learns who connected.
class Link final : public KmsPeer {
 public:
  Kms* target = nullptr;
  std::vector<std::string> certificate_names;  // the client certificate KMS_I verified
  Bytes last_request;
  Bytes last_answer;

  Result<Bytes, PeerError> resolve(const PeerKms&, ByteView request) noexcept override {
    last_request.assign(request.begin(), request.end());
    const RequestContext context = link_context(target->config(), request, certificate_names);
    last_answer = target->handle_resolve_init(request, context).message;
    return last_answer;
  }
};

// Alice's KMS (KMS_I) knows KMS_R as a peer user with the certificate name "kms-r.test"; Bob and
// Carol (who may also resolve for Bob) are users of KMS_R only.
struct Pair {
  World w;
  Link link;
  std::function<void(KmsConfig&)> edit_i = [](KmsConfig&) {};  // KMS_I's knobs
  std::function<void(KmsConfig&)> edit_r = [](KmsConfig&) {};  // KMS_R's knobs

  static KmsConfig kms_i_config(const World& w) {
    KmsConfig c = w.kms_config();
    c.users.erase(c.users.begin() + 1);  // Bob is KMS_R's user
    KmsUser peer{kKmsR, kLinkPsk, {}, true};
    peer.tls_names = {"kms-r.test"};
    c.users.push_back(peer);
    return c;
  }
  static std::shared_ptr<const PskCredential> carol_psk() {
    return testing::psk_credential(0x20, 16, "psk-carol");
  }
  static KmsConfig kms_r_config(const World& w) {
    KmsConfig c;
    c.identity = kKmsR;
    c.users.push_back(KmsUser{kBob, w.bob_psk, {}, false});
    c.users.push_back(KmsUser{kCarol, carol_psk(), {kBob}});
    c.peers.push_back(PeerKms{kKms, {kKms}, kLinkPsk, kSuite128});
    return c;
  }

  // Alice's ticket for Bob from KMS_I; `responder` (Bob or Carol, who answers for Bob) resolves
  // it at KMS_R, which asks KMS_I. Returns KMS_R's answer to the Responder.
  KmsReply resolve(const Identity& responder = kBob) {
    KmsConfig ic = kms_i_config(w);
    KmsConfig rc = kms_r_config(w);
    edit_i(ic);
    edit_r(rc);
    Kms kms_i(std::move(ic), w.clock, w.rng);
    Kms kms_r(std::move(rc), w.clock, w.rng, &link);
    link.target = &kms_i;
    Initiator alice(w.alice_config(), w.clock, w.rng);
    w.obtain_ticket(alice, kms_i, w.ticket_request(true));
    ResponderConfig bc = w.bob_config();
    bc.kms_identity = kKmsR;
    // Carol's device names Bob in IDRr under her own key (IDRpsk "psk-carol"): KMS_R lets her
    // resolve for Bob (resolves_for).
    if (responder == kCarol) bc.credential = carol_psk();
    Responder r(std::move(bc), w.clock, w.rng);
    auto step = r.process_transfer_init(alice.transfer_init(testing::to_bob()).value());
    EXPECT_TRUE(step.ok());
    KmsReply reply = kms_r.handle_resolve_init(step.ok() ? step->message : Bytes{});
    link.target = nullptr;
    return reply;
  }

  codec::Message forward() const { return codec::parse_message(link.last_request).message; }
};

std::string why(const KmsReply& r) {
  return r.failure ? std::string(to_string(*r.failure)) + ": " + r.detail : "granted";
}

TEST(ChainingLatitudeTest, WithoutIdrpskKmsIFindsTheLinkKeyByTheCertificate) {
  Pair p;
  p.edit_r = [](KmsConfig& c) { c.peers[0].send_idrpsk = false; };
  p.link.certificate_names = {"kms-r.test", "localhost"};
  KmsReply reply = p.resolve();
  EXPECT_FALSE(reply.failure) << why(reply);
  EXPECT_EQ(find_idr(p.forward().payloads, codec::IdRole::idrpsk), nullptr);
}

TEST(ChainingLatitudeTest, WithoutIdrpskOrAKnownCertificateKmsIHasNoKey) {
  Pair p;
  p.edit_r = [](KmsConfig& c) { c.peers[0].send_idrpsk = false; };
  p.link.certificate_names = {"ue.test"};
  KmsReply reply = p.resolve();
  ASSERT_TRUE(reply.failure);
  EXPECT_EQ(*reply.failure, Failure::peer_kms_refused) << why(reply);
  EXPECT_EQ(testing::error_no_of(p.link.last_answer), codec::ErrorNo::invalid_id);
}

TEST(ChainingLatitudeTest, AnIdrpskOutranksTheCertificateUnlessTheUserSaysOtherwise) {
  Pair p;
  p.link.certificate_names = {"kms-r.test"};
  EXPECT_FALSE(p.resolve().failure);
  const Bytes fwd = p.link.last_request;
  KmsConfig ic = Pair::kms_i_config(p.w);
  EXPECT_FALSE(link_context(ic, fwd, {"kms-r.test"}).authenticated_peer);
  ic.users.back().tls_identity_first = true;
  EXPECT_EQ(link_context(ic, fwd, {"kms-r.test"}).authenticated_peer, kKmsR);
  EXPECT_FALSE(link_context(ic, fwd, {}).authenticated_peer);
  EXPECT_FALSE(link_context(ic, fwd, {"ue.test"}).authenticated_peer);
  EXPECT_TRUE(names_idrpsk(fwd));
  EXPECT_FALSE(names_idrpsk(Bytes{0x01, 0x02}));
}

TEST(ChainingLatitudeTest, KmsIAcceptsEitherMacIdentityUnlessConfiguredForOne) {
  for (const LinkMacIdentity sent : {LinkMacIdentity::forwarded_idrr, LinkMacIdentity::kms_r}) {
    for (const LinkMacIdentity accepted :
         {LinkMacIdentity::any, LinkMacIdentity::forwarded_idrr, LinkMacIdentity::kms_r}) {
      Pair p;
      p.edit_r = [sent = sent](KmsConfig& c) { c.peers[0].mac_identity = sent; };
      p.edit_i = [accepted = accepted](KmsConfig& c) { c.users.back().mac_identity = accepted; };
      KmsReply reply = p.resolve();
      const bool fits = accepted == LinkMacIdentity::any || accepted == sent;
      SCOPED_TRACE(std::to_string(static_cast<int>(sent)) + " sent, " +
                   std::to_string(static_cast<int>(accepted)) + " accepted");
      EXPECT_EQ(!reply.failure, fits) << why(reply);
      if (!fits) {
        EXPECT_EQ(testing::error_no_of(p.link.last_answer), codec::ErrorNo::auth_failure);
      }
    }
  }
}

TEST(ChainingLatitudeTest, AnAuthenticatedIdrrNamesTheResponderNotTheIdentityItAskedFor) {
  // Carol resolves for Bob (resolves_for), naming Bob in IDRr. Copying forwards "bob" (B.0-5),
  // whom the ticket names; the authenticated reading forwards "carol", whom KMS_I does not
  // authorize — why RFC 6043 §10 recommends reuse.
  Pair copy;
  EXPECT_FALSE(copy.resolve(kCarol).failure);
  EXPECT_EQ(identity_of(*find_idr(copy.forward().payloads, codec::IdRole::idrr)), kBob);
  auto authenticated = [](KmsConfig& c) { c.peers[0].forward_idrr = ForwardedIdrr::authenticated; };
  Pair rebuilt;
  rebuilt.edit_r = authenticated;
  KmsReply reply = rebuilt.resolve(kCarol);
  EXPECT_EQ(identity_of(*find_idr(rebuilt.forward().payloads, codec::IdRole::idrr)), kCarol);
  ASSERT_TRUE(reply.failure);
  EXPECT_EQ(*reply.failure, Failure::peer_kms_refused);
  // For a Responder asking under its own identity both readings forward the same IDRr.
  Pair plain;
  plain.edit_r = authenticated;
  EXPECT_FALSE(plain.resolve().failure);
  EXPECT_EQ(identity_of(*find_idr(plain.forward().payloads, codec::IdRole::idrr)), kBob);
}

TEST(ChainingLatitudeTest, TicketsNamingNoIssuerGoToTheDefaultPeer) {
  Pair p;
  p.edit_i = [](KmsConfig& c) { c.policy.latitude.add_idrkms = false; };
  KmsReply unrouted = p.resolve();
  ASSERT_TRUE(unrouted.failure);
  EXPECT_EQ(*unrouted.failure, Failure::ticket_issuer_unknown);
  p.edit_r = [](KmsConfig& c) { c.peers[0].default_route = true; };
  KmsReply routed = p.resolve();
  EXPECT_FALSE(routed.failure) << why(routed);
}

}  // namespace
}  // namespace mikey::roles
