// KMS-to-KMS chaining over real servers (RFC 6043 §10; TS 33.328 §6.2.3.8, Annex A.1, Annex B —
// re-encoding details UNCONFIRMED): Alice is a user of KMS_I, Bob of KMS_R. Bob resolves Alice's
// ticket at KMS_R, which forwards a RESOLVE_INIT to KMS_I over HTTPS with mutual TLS
// (service::HttpKmsPeer), re-encodes the answer for Bob, and both ends derive the same keys. The
// sample configurations configs/kms_i.yaml and configs/kms_r.yaml are used as shipped (only the
// port of KMS_I is filled in), with certificates made at test time by
// configs/make-test-certs.sh.
#include <string>

#include "tests/e2e/e2e_support.h"

namespace mikeyconf::e2e {
namespace {

using mikey::codec::ErrorNo;
using transport::RequestType;

constexpr std::string_view kSamplePeerUrl = "https://127.0.0.1:8443/keymanagement";

class ChainingE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    pki_error_ = make_test_certs(dir_->file("certs"));
    // A second, unrelated test PKI: certificates KMS_I must not accept.
    if (pki_error_.empty()) pki_error_ = make_test_certs(dir_->file("other"));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(pki_error_.empty()) << pki_error_;
    write_file(dir_->file("kms_i.yaml"), read_file(kConfigs + "/kms_i.yaml"));
    kms_i_ = std::make_unique<RunningKms>(dir_->file("kms_i.yaml"), clock_);
    ASSERT_TRUE(kms_i_->ok()) << kms_i_->error();
    start_kms_r(read_file(kConfigs + "/kms_r.yaml"));
  }

  void start_kms_r(const std::string& sample) {
    const std::string url =
        "https://127.0.0.1:" + std::to_string(kms_i_->port()) + "/keymanagement";
    write_file(dir_->file("kms_r.yaml"), replace_all(sample, kSamplePeerUrl, url));
    kms_r_ = std::make_unique<RunningKms>(dir_->file("kms_r.yaml"), clock_);
    ASSERT_TRUE(kms_r_->ok()) << kms_r_->error();
    bob_client_ = std::make_unique<Client>(kms_r_->client_options());
  }

  // Alice's client towards KMS_I, which demands a client certificate (kms_i.yaml client_ca).
  transport::ClientOptions alice_options() const {
    transport::ClientTlsOptions tls;
    tls.ca_file = dir_->file("certs/ca.crt");
    tls.cert_file = dir_->file("certs/ue.crt");
    tls.key_file = dir_->file("certs/ue.key");
    return kms_i_->client_options(tls);
  }

  // Alice obtains a ticket for Bob from KMS_I over mutual TLS and transfers it to Bob; returns
  // Bob's RESOLVE_INIT to KMS_R.
  Bytes bob_resolve_init(roles::Initiator& alice, roles::Responder& bob, bool forking) {
    Client alice_client(alice_options());
    auto init = alice.request_ticket(ticket_request(kBob, forking));
    EXPECT_TRUE(init.ok());
    if (!init.ok()) return {};
    auto granted =
        alice.process_request_resp(alice_client.exchange(RequestType::ticket_request, *init));
    EXPECT_TRUE(granted.ok()) << describe(granted.error());
    roles::TransferOptions o;
    o.responder = roles::Identity::uri(kBob);
    auto transfer = alice.transfer_init(o);
    EXPECT_TRUE(transfer.ok());
    if (!transfer.ok()) return {};
    auto step = bob.process_transfer_init(*transfer);
    EXPECT_TRUE(step.ok()) << describe(step.error());
    if (!step.ok()) return {};
    EXPECT_EQ(step->action, roles::ResponderAction::send_resolve_init);
    return step->message;
  }

  static TempDir* dir_;
  static std::string pki_error_;
  TestClock clock_;
  mikey::crypto::DeterministicRng rng_{23};
  std::unique_ptr<RunningKms> kms_i_;
  std::unique_ptr<RunningKms> kms_r_;
  std::unique_ptr<Client> bob_client_;
};
TempDir* ChainingE2ETest::dir_ = nullptr;
std::string ChainingE2ETest::pki_error_;

TEST_F(ChainingE2ETest, BobResolvesThroughKmsIAndBothEndsShareTheKeys) {
  for (bool forking : {false, true}) {
    SCOPED_TRACE(forking ? "forking" : "no forking");
    roles::Initiator alice(initiator_config(*kms_i_, kAlice), clock_, rng_);
    roles::Responder bob(responder_config(*kms_r_, kBob), clock_, rng_);
    Bytes resolve = bob_resolve_init(alice, bob, forking);
    ASSERT_FALSE(resolve.empty());
    Bytes resp = bob_client_->exchange(RequestType::ticket_resolve, resolve);
    ASSERT_EQ(data_type_of(resp), mikey::codec::DataType::resolve_resp)
        << "error " << static_cast<int>(error_no_of(resp).value_or(ErrorNo{255}));
    auto step = bob.process_resolve_resp(resp);
    ASSERT_TRUE(step.ok()) << describe(step.error());
    ASSERT_EQ(step->action, roles::ResponderAction::send_transfer_resp);
    auto done = alice.process_transfer_resp(step->message);
    ASSERT_TRUE(done.ok()) << describe(done.error());
    expect_same_srtp_keys(alice, bob);
  }
  // KMS_R asked KMS_I (the forwarded RESOLVE_INIT arrived over the mutual-TLS listener).
  EXPECT_TRUE(kms_i_->logged("requesttype=ticketresolve"));
}

TEST_F(ChainingE2ETest, KmsIDownIsAnsweredWith12) {
  roles::Initiator alice(initiator_config(*kms_i_, kAlice), clock_, rng_);
  roles::Responder bob(responder_config(*kms_r_, kBob), clock_, rng_);
  Bytes resolve = bob_resolve_init(alice, bob, false);
  ASSERT_FALSE(resolve.empty());
  kms_i_->stop();
  auto r = bob_client_->post(RequestType::ticket_resolve, resolve);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  ASSERT_TRUE(r->mikey.has_value());
  EXPECT_EQ(error_no_of(*r->mikey), ErrorNo::unspecified);  // docs/errors.md peer_kms_unreachable
  EXPECT_TRUE(kms_r_->logged("peer_kms_unreachable"));
  auto step = bob.process_resolve_resp(*r->mikey);
  ASSERT_FALSE(step.ok());
  EXPECT_EQ(step.error().failure, roles::Failure::kms_refused);
}

TEST_F(ChainingE2ETest, KmsIRefusesAClientCertificateFromAnotherCa) {
  // KMS_R presents a certificate of the unrelated PKI: KMS_I's mutual TLS refuses the handshake,
  // and Bob learns only that the resolve failed (12).
  std::string sample = read_file(kConfigs + "/kms_r.yaml");
  sample = replace_all(sample, "cert: certs/kms-r.crt", "cert: other/kms-r.crt");
  sample = replace_all(sample, "key: certs/kms-r.key", "key: other/kms-r.key");
  start_kms_r(sample);
  roles::Initiator alice(initiator_config(*kms_i_, kAlice), clock_, rng_);
  roles::Responder bob(responder_config(*kms_r_, kBob), clock_, rng_);
  Bytes resolve = bob_resolve_init(alice, bob, false);
  ASSERT_FALSE(resolve.empty());
  auto r = bob_client_->post(RequestType::ticket_resolve, resolve);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  ASSERT_TRUE(r->mikey.has_value());
  EXPECT_EQ(error_no_of(*r->mikey), ErrorNo::unspecified);
  EXPECT_TRUE(kms_r_->logged("peer_kms_unreachable"));
  EXPECT_FALSE(kms_i_->logged("requesttype=ticketresolve", {}));
}

TEST_F(ChainingE2ETest, KmsIDemandsAClientCertificate) {
  transport::ClientOptions o = alice_options();
  o.tls->cert_file.clear();
  o.tls->key_file.clear();
  transport::AnnexAClient client(o);
  roles::Initiator alice(initiator_config(*kms_i_, kAlice), clock_, rng_);
  auto init = alice.request_ticket(ticket_request(kBob));
  ASSERT_TRUE(init.ok());
  auto r = client.post(RequestType::ticket_request, *init);
  EXPECT_FALSE(r.ok() && r->status == 200);
}

}  // namespace
}  // namespace mikeyconf::e2e
