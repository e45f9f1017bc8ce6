// TLS and mutual TLS (TS 33.328 §6.2.3.8: KMSs mutually authenticated) with certificates
// generated at test time by the openssl command line.
#include <memory>
#include <string>

#include "transport/tests/e2e_fixture.h"

namespace mikey::transport {
namespace {

using namespace testing;  // echo_answer, Pki, sample_mikey, TempDir

class TlsE2ETest : public testing::PkiServerTest {
 protected:
  void start_tls(std::string cert, std::string key, std::string client_ca = "") {
    ServerOptions o;
    o.tls = TlsServerOptions{std::move(cert), std::move(key), std::move(client_ca)};
    start(o);
  }

  ClientOptions tls_client(ClientTlsOptions tls) const {
    ClientOptions c = client_options();
    c.tls = std::move(tls);
    return c;
  }

  Result<ClientResponse, Error> post(ClientTlsOptions tls) {
    AnnexAClient client(tls_client(std::move(tls)));
    return client.post(RequestType::ticket_request, sample_mikey(11));
  }

  static ClientTlsOptions trusting(const std::string& ca) {
    ClientTlsOptions t;
    t.ca_file = ca;
    t.sni = "localhost";
    return t;
  }
  // trusting(ca), presenting a client certificate and its key.
  static ClientTlsOptions presenting(const std::string& ca, const std::string& cert,
                                     const std::string& key) {
    ClientTlsOptions t = trusting(ca);
    t.cert_file = cert;
    t.key_file = key;
    return t;
  }
};

TEST_F(TlsE2ETest, ServesOverTlsWithSelfSignedCert) {
  start_tls(pki_->self_signed_cert, pki_->self_signed_key);
  auto r = post(trusting(pki_->self_signed_cert));
  ASSERT_TRUE(r.ok()) << to_string(r.error().code) << ": " << r.error().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->mikey, echo_answer(RequestType::ticket_request, sample_mikey(11)));
}

TEST_F(TlsE2ETest, VerifiesTheIpAddressWithoutSni) {
  start_tls(pki_->server_cert, pki_->server_key);
  ClientTlsOptions t;
  t.ca_file = pki_->ca_cert;  // host 127.0.0.1: no SNI, IP SAN checked
  auto r = post(t);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, 200);
}

TEST_F(TlsE2ETest, KeepAliveAndRejectionsWorkOverTls) {
  start_tls(pki_->server_cert, pki_->server_key);
  AnnexAClient client(tls_client(trusting(pki_->ca_cert)));
  auto a = client.post(RequestType::ticket_request, sample_mikey(11));
  auto b = client.post(RequestType::ticket_resolve, sample_mikey(11));  // data type mismatch
  testing::RawRequest get;
  get.method = "GET";
  auto c = client.send_raw(get.str());
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(b->status, 400);
  EXPECT_EQ(c->parsed.status, 405);
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(TlsE2ETest, ClientRejectsUntrustedServer) {
  start_tls(pki_->server_cert, pki_->server_key);
  auto r = post(trusting(pki_->other_ca_cert));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::tls_failed) << r.error().detail;
}

TEST_F(TlsE2ETest, ClientRejectsWrongServerName) {
  start_tls(pki_->server_cert, pki_->server_key);
  ClientTlsOptions t = trusting(pki_->ca_cert);
  t.verify_name = "kms.other.example";
  auto r = post(t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::tls_failed) << r.error().detail;
}

TEST_F(TlsE2ETest, PlainClientCannotTalkToTlsServer) {
  start_tls(pki_->server_cert, pki_->server_key);
  AnnexAClient client(client_options());
  auto r = client.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(log_->wait_for(1));
  EXPECT_NE(log_->lines()[0].find("event=tls_handshake_failed"), std::string::npos);
}

TEST_F(TlsE2ETest, MutualTlsRejectsClientWithoutCert) {
  start_tls(pki_->server_cert, pki_->server_key, pki_->ca_cert);
  auto r = post(trusting(pki_->ca_cert));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::tls_failed) << r.error().detail;
  expect_first_log_line_has("event=tls_handshake_failed");
}

TEST_F(TlsE2ETest, MutualTlsAcceptsClientCertFromConfiguredCa) {
  start_tls(pki_->server_cert, pki_->server_key, pki_->ca_cert);
  auto r = post(presenting(pki_->ca_cert, pki_->client_cert, pki_->client_key));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, 200);
}

TEST_F(TlsE2ETest, MutualTlsRejectsClientCertFromAnotherCa) {
  start_tls(pki_->server_cert, pki_->server_key, pki_->ca_cert);
  auto r = post(presenting(pki_->ca_cert, pki_->other_client_cert, pki_->other_client_key));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::tls_failed) << r.error().detail;
}

TEST_F(TlsE2ETest, AcceptsTls12AndRejectsTls11) {  // minimum TLS 1.2
  start_tls(pki_->server_cert, pki_->server_key);
  std::string base = "openssl s_client -brief -connect 127.0.0.1:" + std::to_string(port_) +
                     " -CAfile '" + pki_->ca_cert + "' ";
  std::string out;
  EXPECT_EQ(testing::run_capture(base + "-tls1_2 </dev/null 2>&1", out), 0) << out;
  EXPECT_NE(out.find("Protocol version: TLSv1.2"), std::string::npos) << out;
  EXPECT_NE(testing::run_capture(base + "-tls1_1 -cipher DEFAULT@SECLEVEL=0 </dev/null 2>&1", out),
            0)
      << out;
}

TEST_F(TlsE2ETest, MissingClientKeyIsTlsSetupFailed) {
  auto r = post(presenting(pki_->ca_cert, pki_->client_cert, "/nonexistent/key.pem"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::tls_setup_failed);
}

}  // namespace
}  // namespace mikey::transport
