// The verified client certificate handed to a KmsMetaHandler (peer_identity.h): a KMS that finds
// a peer KMS's key by its mutual-TLS identity (RFC 6043 §10, TS 33.328 §6.2.3.8; docs/latitude.md
// "link-idrpsk") learns who connected, and nothing when no certificate was verified.
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "transport/peer_identity.h"
#include "transport/tests/e2e_fixture.h"

namespace mikey::transport {
namespace {

using namespace testing;  // echo_answer, Pki, sample_mikey, TempDir

class PeerIdentityE2ETest : public testing::WithPki<::testing::Test> {
 protected:
  void TearDown() override {
    if (server_) server_->stop();
  }

  // A server whose meta handler records the last request's meta.
  void start(std::optional<TlsServerOptions> tls) {
    ServerOptions o;
    o.port = 0;
    o.tls = std::move(tls);
    o.access_log = [](std::string_view) {};
    server_ = std::make_unique<KmsServer>(
        std::move(o), [this](RequestType t, ByteView request, const RequestMeta& meta) {
          const std::lock_guard<std::mutex> lock(mu_);
          seen_ = meta;
          KmsAnswer a;
          a.mikey = echo_answer(t, request);
          return a;
        });
    auto port = server_->start();
    ASSERT_TRUE(port.ok()) << port.error().detail;
    port_ = *port;
  }

  // One ticket request, with a client certificate when `with_certificate`.
  void post(bool tls, bool with_certificate) {
    ClientOptions c;
    c.host = "127.0.0.1";
    c.port = port_;
    if (tls) {
      ClientTlsOptions t;
      t.ca_file = pki_->ca_cert;
      t.sni = "localhost";
      if (with_certificate) {
        t.cert_file = pki_->client_cert;
        t.key_file = pki_->client_key;
      }
      c.tls = t;
    }
    AnnexAClient client(c);
    auto r = client.post(RequestType::ticket_request, sample_mikey(11));
    ASSERT_TRUE(r.ok()) << r.error().detail;
    EXPECT_EQ(r->status, 200);
  }

  std::optional<RequestMeta> seen() {
    const std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

  std::unique_ptr<KmsServer> server_;
  std::uint16_t port_ = 0;
  std::mutex mu_;
  std::optional<RequestMeta> seen_;
};

TEST_F(PeerIdentityE2ETest, MutualTlsHandsTheVerifiedClientCertificateToTheHandler) {
  start(TlsServerOptions{pki_->server_cert, pki_->server_key, pki_->ca_cert});
  post(true, true);
  const auto meta = seen();
  ASSERT_TRUE(meta.has_value());
  ASSERT_TRUE(meta->client_certificate.has_value());
  EXPECT_EQ(meta->client_certificate->subject_cn, "kms-r.test");
  ASSERT_EQ(meta->client_certificate->dns_names.size(), 1u);
  EXPECT_EQ(meta->client_certificate->dns_names[0], "kms-r.test");
  EXPECT_EQ(meta->client_certificate->names().front(), "kms-r.test");
}

TEST_F(PeerIdentityE2ETest, TlsWithoutClientAuthenticationNamesNobody) {
  start(TlsServerOptions{pki_->server_cert, pki_->server_key, ""});
  post(true, true);  // the server asks for no certificate, so none is sent or verified
  const auto meta = seen();
  ASSERT_TRUE(meta.has_value());
  EXPECT_FALSE(meta->client_certificate.has_value());
}

TEST_F(PeerIdentityE2ETest, PlainTcpNamesNobody) {
  start(std::nullopt);
  post(false, false);
  const auto meta = seen();
  ASSERT_TRUE(meta.has_value());
  EXPECT_FALSE(meta->client_certificate.has_value());
}

TEST_F(PeerIdentityE2ETest, ReadsTheNamesOfACertificateFile) {
  auto cert = read_certificate_file(pki_->client_cert);
  ASSERT_TRUE(cert.ok()) << cert.error();
  EXPECT_EQ(cert->subject_cn, "kms-r.test");
  EXPECT_TRUE(cert->uris.empty());
  auto server = read_certificate_file(pki_->server_cert);
  ASSERT_TRUE(server.ok()) << server.error();
  EXPECT_EQ(server->subject_cn, "localhost");
  auto missing = read_certificate_file(dir_->file("no-such.crt"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("cannot open"), std::string::npos) << missing.error();
  auto key = read_certificate_file(pki_->client_key);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().find("no PEM certificate"), std::string::npos) << key.error();
}

TEST(PeerIdentityTest, WithoutMetaDropsTheMetaAndKeepsTheAnswer) {
  KmsMetaHandler h = without_meta(testing::echo_handler());
  RequestMeta meta;
  meta.client_certificate = PeerCertificate{"x", {}, {}};
  const Bytes request = sample_mikey(16);
  KmsAnswer a = h(RequestType::ticket_resolve, request, meta);
  EXPECT_EQ(a.mikey, echo_answer(RequestType::ticket_resolve, request));
  EXPECT_EQ(verified_peer_certificate(nullptr), std::nullopt);
}

}  // namespace
}  // namespace mikey::transport
