// KMS-to-KMS chaining over real servers (RFC 6043 §10; TS 33.328 §6.2.3.8, Annex A.1, Annex B —
// re-encoding details UNCONFIRMED): Alice is a user of KMS_I, Bob of KMS_R. Bob resolves Alice's
// ticket at KMS_R, which forwards a RESOLVE_INIT to KMS_I over HTTPS with mutual TLS
// (service::HttpKmsPeer), re-encodes the answer for Bob, and both ends derive the same keys. The
// sample configurations configs/kms_i.yaml and configs/kms_r.yaml are used as shipped (only the
// port of KMS_I is filled in), with certificates made at test time by
// configs/make-test-certs.sh.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_support.h"

namespace mikeyconf::e2e {
namespace {

using mikey::codec::ErrorNo;
using transport::RequestType;

constexpr std::string_view kSamplePeerUrl = "https://127.0.0.1:8443/keymanagement";

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Posts `resolve`: answered HTTP 503 with a Retry-After (A.3-1) within `within`.
void expect_unavailable(Client& client, ByteView resolve, Clock::duration within) {
  const Clock::time_point start = Clock::now();
  auto r = client.post(RequestType::ticket_resolve, resolve);
  const Clock::duration took = Clock::now() - start;
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_TRUE(r->header("Retry-After").has_value());
  EXPECT_LT(took, within);
}

// A KMS_I that never answers: a listening port whose connections the kernel completes while
// nobody reads them (the TLS handshake stalls); counts the connections it holds.
class StalledPeer {
 public:
  StalledPeer() {
    fd_ = transport::testing::listen_loopback(port_, 16);
    if (fd_ < 0) {
      ADD_FAILURE() << "cannot listen";
      return;
    }
    acceptor_ = std::thread([this] { hold(); });
  }
  ~StalledPeer() {
    stop_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    for (int c : held_) ::close(c);
    if (fd_ >= 0) ::close(fd_);
  }
  StalledPeer(const StalledPeer&) = delete;
  StalledPeer& operator=(const StalledPeer&) = delete;

  std::uint16_t port() const { return port_; }
  // Waits up to 5 s until `n` connections were accepted.
  bool holds(std::size_t n) const {
    for (int i = 0; i < 500 && connections_.load() < n; ++i)
      std::this_thread::sleep_for(milliseconds(10));
    return connections_.load() >= n;
  }

 private:
  void hold() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      held_.push_back(c);
      ++connections_;
    }
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> connections_{0};
  std::vector<int> held_;  // the acceptor's until it is joined
  std::thread acceptor_;
};

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

  // KMS_R from `sample` asking KMS_I at `peer_port` (0: the running KMS_I); `https`: KMS_R serves
  // its users over HTTPS with its test certificate.
  void start_kms_r(const std::string& sample, std::uint16_t peer_port = 0, bool https = false) {
    const std::string url =
        "https://127.0.0.1:" + std::to_string(peer_port != 0 ? peer_port : kms_i_->port()) +
        "/keymanagement";
    std::string yaml = replace_all(sample, kSamplePeerUrl, url);
    if (https) {
      yaml = replace_all(
          yaml, "listen: 127.0.0.1:8081\n",
          "listen: 127.0.0.1:8081\ntls: {cert: certs/kms-r.crt, key: certs/kms-r.key}\n");
    }
    write_file(dir_->file("kms_r.yaml"), yaml);
    kms_r_ = std::make_unique<RunningKms>(dir_->file("kms_r.yaml"), clock_);
    ASSERT_TRUE(kms_r_->ok()) << kms_r_->error();
    kms_r_https_ = https;
    bob_client_ = std::make_unique<Client>(bob_options());
  }

  // Bob's client options towards KMS_R (HTTPS when KMS_R serves it).
  transport::ClientOptions bob_options() const {
    if (!kms_r_https_) return kms_r_->client_options();
    transport::ClientTlsOptions tls;
    tls.ca_file = dir_->file("certs/ca.crt");
    return kms_r_->client_options(tls);
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

  // Bob asks KMS_R for a ticket to Alice: KMS_R's own user, served without its peer. The answer
  // is a granted REQUEST_RESP.
  void own_user_request(Client& client) {
    roles::Initiator bob(initiator_config(*kms_r_, kBob), clock_, rng_);
    auto init = bob.request_ticket(ticket_request(kAlice));
    ASSERT_TRUE(init.ok());
    auto granted = bob.process_request_resp(client.exchange(RequestType::ticket_request, *init));
    EXPECT_TRUE(granted.ok()) << describe(granted.error());
  }

  void stalled_peer_case(bool https);

  static TempDir* dir_;
  static std::string pki_error_;
  TestClock clock_;
  mikey::crypto::DeterministicRng rng_{23};
  std::unique_ptr<RunningKms> kms_i_;
  std::unique_ptr<RunningKms> kms_r_;
  bool kms_r_https_ = false;  // KMS_R serves its users over HTTPS (start_kms_r)
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

TEST_F(ChainingE2ETest, KmsIDownIsAnswered503WithRetryAfter) {
  roles::Initiator alice(initiator_config(*kms_i_, kAlice), clock_, rng_);
  roles::Responder bob(responder_config(*kms_r_, kBob), clock_, rng_);
  Bytes resolve = bob_resolve_init(alice, bob, false);
  ASSERT_FALSE(resolve.empty());
  kms_i_->stop();
  // A.3-1: KMS_R cannot serve now (its KMS_I is gone: the connection is refused, or the stopped
  // server's port still completes TCP handshakes until the link's 3 s deadline); Bob may retry.
  expect_unavailable(*bob_client_, resolve, std::chrono::seconds(5));
  EXPECT_TRUE(kms_r_->logged("peer_kms_unreachable"));
}

TEST_F(ChainingE2ETest, NothingListeningForKmsIIsAnswered503AtOnce) {
  const std::uint16_t closed = transport::testing::unused_port();  // nothing listens there
  start_kms_r(read_file(kConfigs + "/kms_r.yaml"), closed);
  roles::Initiator alice(initiator_config(*kms_i_, kAlice), clock_, rng_);
  roles::Responder bob(responder_config(*kms_r_, kBob), clock_, rng_);
  Bytes resolve = bob_resolve_init(alice, bob, false);
  ASSERT_FALSE(resolve.empty());
  expect_unavailable(*bob_client_, resolve, milliseconds(1000));
  EXPECT_TRUE(kms_r_->logged("connect_failed"));
}

// RFC 6043 §10 / A.3-1: a KMS_I that accepts and never answers. At most peers[].link.max_in_flight
// (2) of KMS_R's chained resolves wait on it, each until the link's timeout_ms (1500 ms), then get
// 503 with Retry-After; the excess get 503 at once; and KMS_R's own users are answered promptly
// all the while (the waiting requests hold io threads of their own).
void ChainingE2ETest::stalled_peer_case(bool https) {
  StalledPeer kms_i;
  constexpr auto kTimeout = milliseconds(1500);
  std::string sample = read_file(kConfigs + "/kms_r.yaml");
  sample = replace_all(sample, "    tls:\n      ca:",
                       "    link: {max_in_flight: 2, timeout_ms: 1500}\n    tls:\n      ca:");
  // KMS_R also issues tickets to its own users (mode 1/2: a ticket protection key).
  sample +=
      "ticket_keys:\n  - id: tpk-r1\n    format: type1\n    tpk: "
      "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n";
  start_kms_r(sample, kms_i.port(), https);
  std::vector<Bytes> resolves;
  std::vector<std::unique_ptr<roles::Responder>> bobs;
  for (int i = 0; i < 4; ++i) {
    roles::Initiator alice(initiator_config(*kms_i_, kAlice), clock_, rng_);
    bobs.push_back(
        std::make_unique<roles::Responder>(responder_config(*kms_r_, kBob), clock_, rng_));
    resolves.push_back(bob_resolve_init(alice, *bobs.back(), false));
    ASSERT_FALSE(resolves.back().empty());
  }
  Client own_user(bob_options());
  own_user_request(own_user);  // the connection (and TLS session) is up before timing
  std::vector<std::thread> waiting;
  for (int i = 0; i < 2; ++i) {
    waiting.emplace_back([&, i] {
      Client c(bob_options());
      const Clock::time_point start = Clock::now();
      auto r = c.post(RequestType::ticket_resolve, resolves[i]);
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(r->status, 503);
      EXPECT_TRUE(r->header("Retry-After").has_value());
      EXPECT_GE(Clock::now() - start, kTimeout - milliseconds(100));
      EXPECT_LT(Clock::now() - start, kTimeout + milliseconds(2000));
    });
  }
  EXPECT_TRUE(kms_i.holds(2));
  for (int i = 2; i < 4; ++i) expect_unavailable(*bob_client_, resolves[i], milliseconds(300));
  for (int i = 0; i < 5; ++i) {
    const Clock::time_point start = Clock::now();
    own_user_request(own_user);
    EXPECT_LT(Clock::now() - start, milliseconds(100)) << "request " << i;
  }
  for (std::thread& t : waiting) t.join();
  EXPECT_TRUE(kms_r_->logged("requests already wait on this peer"));
  EXPECT_TRUE(kms_r_->logged("timeout"));
}

TEST_F(ChainingE2ETest, StalledKmsIHoldsOnlyItsOwnRequests) { stalled_peer_case(false); }

TEST_F(ChainingE2ETest, StalledKmsIHoldsOnlyItsOwnRequestsOverHttps) { stalled_peer_case(true); }

// A KMS_I that answers 503 cannot serve now: KMS_R passes that on with KMS_I's Retry-After
// (A.3-1). One that answers 500 failed: Bob gets Error 12 (B.1-6), as for any broken answer.
TEST_F(ChainingE2ETest, KmsIBusyIsPassedOnAndKmsIFailingIsAnsweredWith12) {
  transport::ServerOptions o;
  o.host = "127.0.0.1";
  o.tls = transport::TlsServerOptions{dir_->file("certs/kms-i.crt"), dir_->file("certs/kms-i.key"),
                                      dir_->file("certs/ca.crt")};
  std::atomic<unsigned> retry_after{7};
  transport::KmsServer kms_i(o, [&retry_after](RequestType, ByteView) {
    transport::KmsAnswer a;
    a.unavailable_retry_after_s = retry_after.load();
    a.kms_failed = a.unavailable_retry_after_s == 0;
    return a;
  });
  auto port = kms_i.start();
  ASSERT_TRUE(port.ok()) << port.error().detail;
  start_kms_r(read_file(kConfigs + "/kms_r.yaml"), *port);
  auto post_resolve = [this] {
    roles::Initiator alice(initiator_config(*kms_i_, kAlice), clock_, rng_);
    roles::Responder bob(responder_config(*kms_r_, kBob), clock_, rng_);
    Bytes resolve = bob_resolve_init(alice, bob, false);
    EXPECT_FALSE(resolve.empty());
    return bob_client_->post(RequestType::ticket_resolve, resolve);
  };
  auto busy = post_resolve();
  ASSERT_TRUE(busy.has_value());
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->header("Retry-After").value_or(""), "7");
  retry_after = 0;
  auto failed = post_resolve();
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->status, 200);
  ASSERT_TRUE(failed->mikey.has_value());
  EXPECT_EQ(error_no_of(*failed->mikey), ErrorNo::unspecified);
  EXPECT_TRUE(kms_r_->logged("HTTP 500"));
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
