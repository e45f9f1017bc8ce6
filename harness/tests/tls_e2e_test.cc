// The KMS driver over HTTPS with mutual TLS: a transport::KmsServer with TLS (the test PKI of
// tests/support, made with the openssl command line) serving the reference KMS.
#include <gtest/gtest.h>

#include "harness/engine.h"
#include "harness/tests/test_support.h"
#include "tests/support/test_support.h"
#include "transport/server.h"
#include "wire/hex.h"

namespace mikeyconf::harness {
namespace {

namespace transport = mikey::transport;

TEST(TlsE2ETest, TheKmsDriverSpeaksMutualTls) {
  transport::testing::TempDir dir;
  transport::testing::Pki pki;
  if (std::string err = transport::testing::make_pki(dir, pki); !err.empty()) {
    GTEST_SKIP() << "no test PKI: " << err;
  }
  const SutProfile reference = testing::reference_profile();
  transport::ServerOptions so;
  so.host = "127.0.0.1";
  so.port = 0;
  so.profile = reference.annex_a;
  so.access_log = [](std::string_view) {};
  so.tls = transport::TlsServerOptions{pki.server_cert, pki.server_key, pki.ca_cert};
  transport::KmsServer server(so, testing::reference_handler(reference));
  auto port = server.start();
  ASSERT_TRUE(port.ok()) << port.error().detail;

  auto profile = parse_profile_text(
      "name: tls-kms\nrole: kms\nbase_url: https://127.0.0.1:" + std::to_string(port.value()) +
          "\nkms_config:\n"
          "  kms: {identity: sip:kms.example.org}\n"
          "  users:\n"
          "    - {identity: sip:alice@example.org, psk: " +
          mikey::wire::to_hex(reference.user("alice")->psk) +
          ", psk_id: psk-alice}\n"
          "users: {alice: sip:alice@example.org}\n"
          "parties: {initiator: alice, responder: alice}\n"
          "tls: {ca: " +
          pki.ca_cert + ", cert: " + pki.client_cert + ", key: " + pki.client_key +
          ", sni: localhost}\n",
      "tls.yaml");
  ASSERT_TRUE(profile.ok()) << profile.error().to_string();
  const Scenario* sanity = find_sanity(testing::suite(), SutRole::kms);
  ASSERT_NE(sanity, nullptr);
  {
    KmsDriver driver(profile.value());
    CaseResult r = run_case(*sanity, profile.value(), driver, 1);
    EXPECT_EQ(r.verdict, Verdict::pass) << r.reason;
  }
  // Without a client certificate the handshake fails: a setup error, not the SUT's fault.
  SutProfile no_cert = profile.value();
  no_cert.tls->cert_file.clear();
  no_cert.tls->key_file.clear();
  KmsDriver driver(no_cert);
  CaseResult r = run_case(*sanity, no_cert, driver, 1);
  EXPECT_EQ(r.verdict, Verdict::error);
  EXPECT_NE(r.reason.find("could not be reached (tls_failed"), std::string::npos) << r.reason;
  server.stop();
}

}  // namespace
}  // namespace mikeyconf::harness
