// The chaining latitude keys of the KMS configuration (configs/README.md "peers"; docs/latitude.md
// "link-idrpsk", "link-mac-identity", "link-key-lookup", "forwarded-copied", "tp-idrkms"):
// defaults, each choice, and wrong values at their line and column.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/kms_config.h"
#include "roles/credential.h"

namespace mikey::config {
namespace {

namespace fs = std::filesystem;

// A directory holding the (dummy) TLS files a peer entry names.
class PeerFiles {
 public:
  PeerFiles() {
    std::string tmpl = (fs::temp_directory_path() / "mikey-peers-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) dir_ = tmpl;
    for (const char* f : {"ca.crt", "kms-r.crt", "kms-r.key"}) std::ofstream(dir_ + "/" + f) << "x";
  }
  ~PeerFiles() {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  PeerFiles(const PeerFiles&) = delete;
  PeerFiles& operator=(const PeerFiles&) = delete;

  Result<LoadedKmsConfig, ConfigError> parse(const std::string& yaml) const {
    return parse_kms_config(yaml, "kms.yaml", dir_);
  }

 private:
  std::string dir_;
};

// KMS_R (lines 1-10) with one peer; `extra` goes under the peer entry (line 11 on).
std::string kms_r(const std::string& extra) {
  return "kms: {identity: sip:kms-r.example.net}\n"
         "peers:\n"
         "  - identity: sip:kms-i.example.org\n"
         "    url: https://127.0.0.1:8443\n"
         "    psk: 909192939495969798999a9b9c9d9e9f\n"
         "    tls:\n"
         "      ca: ca.crt\n"
         "      cert: kms-r.crt\n"
         "      key: kms-r.key\n"
         "    algorithms: {prf: MIKEY-1}\n" +
         extra;
}

// KMS_I (lines 1-5) knowing KMS_R as a peer user; `extra` goes under that user (line 6 on).
std::string kms_i(const std::string& extra) {
  return "kms: {identity: sip:kms-i.example.org}\n"
         "users:\n"
         "  - identity: sip:kms-r.example.net\n"
         "    peer_kms: true\n"
         "    psk: 909192939495969798999a9b9c9d9e9f\n" +
         extra;
}

void expect_error(const Result<LoadedKmsConfig, ConfigError>& r, int line,
                  const std::string& what) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, line) << r.error().str();
  EXPECT_NE(r.error().message.find(what), std::string::npos) << r.error().str();
}

TEST(KmsConfigPeersTest, DefaultsAreTheReferenceReadings) {
  PeerFiles files;
  auto r = files.parse(kms_r("    psk_id: psk-kms-r\n"));
  ASSERT_TRUE(r.ok()) << r.error().str();
  const roles::PeerKms& p = r->kms.peers.at(0);
  EXPECT_TRUE(p.send_idrpsk);
  EXPECT_EQ(p.mac_identity, roles::LinkMacIdentity::forwarded_idrr);
  EXPECT_EQ(p.forward_idrr, roles::ForwardedIdrr::copy);
  EXPECT_FALSE(p.default_route);
  auto i = files.parse(kms_i("    psk_id: psk-kms-r\n"));
  ASSERT_TRUE(i.ok()) << i.error().str();
  const roles::KmsUser& u = i->kms.users.at(0);
  EXPECT_TRUE(u.tls_names.empty());
  EXPECT_EQ(u.mac_identity, roles::LinkMacIdentity::any);
  EXPECT_FALSE(u.tls_identity_first);
}

TEST(KmsConfigPeersTest, ReadsEveryKmsRChoice) {
  PeerFiles files;
  auto r = files.parse(
      kms_r("    send_idrpsk: false\n    mac_identity: self\n    forward_idrr: authenticated\n"
            "    default: true\n"));
  ASSERT_TRUE(r.ok()) << r.error().str();
  const roles::PeerKms& p = r->kms.peers.at(0);
  EXPECT_FALSE(p.send_idrpsk);
  EXPECT_EQ(p.mac_identity, roles::LinkMacIdentity::kms_r);
  EXPECT_EQ(p.forward_idrr, roles::ForwardedIdrr::authenticated);
  EXPECT_TRUE(p.default_route);
  // Without IDRpsk the psk_id is optional.
  const auto* psk = roles::as_psk(p.credential.get());
  ASSERT_NE(psk, nullptr);
  EXPECT_FALSE(psk->psk_id().has_value());
}

TEST(KmsConfigPeersTest, ReadsEveryKmsIChoice) {
  PeerFiles files;
  auto i = files.parse(
      kms_i("    tls_names: [kms-r.test]\n    mac_identity: kms_r\n    key_lookup: tls_first\n"));
  ASSERT_TRUE(i.ok()) << i.error().str();
  const roles::KmsUser& u = i->kms.users.at(0);
  EXPECT_EQ(u.tls_names, std::vector<std::string>{"kms-r.test"});
  EXPECT_EQ(u.mac_identity, roles::LinkMacIdentity::kms_r);
  EXPECT_TRUE(u.tls_identity_first);
  // A peer named only by its certificate needs no psk_id.
  EXPECT_FALSE(roles::as_psk(u.credential.get())->psk_id().has_value());
}

TEST(KmsConfigPeersTest, WrongValuesNameTheirPlace) {
  PeerFiles files;
  expect_error(files.parse(kms_r("    psk_id: p\n    mac_identity: kms_r\n")), 12,
               "expected idrr or self");
  expect_error(files.parse(kms_r("    psk_id: p\n    forward_idrr: rebuilt\n")), 12,
               "expected copy or authenticated");
  expect_error(files.parse(kms_r("")), 3, "missing required key 'psk_id'");
  expect_error(files.parse(kms_i("    psk_id: p\n    mac_identity: self\n")), 7,
               "expected idrr, kms_r or any");
  expect_error(files.parse(kms_i("    psk_id: p\n    key_lookup: both\n")), 7,
               "expected idrpsk_first or tls_first");
  expect_error(files.parse(kms_i("")), 5, "needs a psk_id or tls_names");
  expect_error(files.parse("kms: {identity: sip:k}\nusers:\n  - identity: sip:bob\n"
                           "    psk: 909192939495969798999a9b9c9d9e9f\n    tls_names: [b]\n"),
               5, "only for a peer KMS");
}

// RFC 6043 §10: how many of KMS_R's requests may wait on a peer, and for how long.
TEST(KmsConfigPeersTest, ReadsTheLinkBounds) {
  PeerFiles files;
  auto d = files.parse(kms_r("    psk_id: p\n"));
  ASSERT_TRUE(d.ok()) << d.error().str();
  EXPECT_EQ(d->peers.at(0).max_in_flight, 4u);
  EXPECT_EQ(d->peers.at(0).connect_timeout_ms, 1000u);
  EXPECT_EQ(d->peers.at(0).timeout_ms, 3000u);
  auto r = files.parse(kms_r(
      "    psk_id: p\n    link: {max_in_flight: 9, connect_timeout_ms: 250, timeout_ms: 700}\n"));
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r->peers.at(0).max_in_flight, 9u);
  EXPECT_EQ(r->peers.at(0).connect_timeout_ms, 250u);
  EXPECT_EQ(r->peers.at(0).timeout_ms, 700u);
  expect_error(files.parse(kms_r("    psk_id: p\n    link: {max_in_flight: 0}\n")), 12,
               "out of range (1 to 256)");
  expect_error(files.parse(kms_r("    psk_id: p\n    link: {timeout_ms: soon}\n")), 12,
               "expected a whole number");
  expect_error(files.parse(kms_r("    psk_id: p\n    link: {retries: 3}\n")), 12, "retries");
}

TEST(KmsConfigPeersTest, OnlyOnePeerIsTheDefault) {
  PeerFiles files;
  std::string two = kms_r("    psk_id: p\n    default: true\n") +
                    "  - identity: sip:kms-x.example.org\n"
                    "    url: https://127.0.0.1:8444\n"
                    "    psk: 909192939495969798999a9b9c9d9e9f\n"
                    "    psk_id: q\n"
                    "    tls: {ca: ca.crt, cert: kms-r.crt, key: kms-r.key}\n"
                    "    default: true\n";
  expect_error(files.parse(two), 18, "only one peer can be the default");
}

}  // namespace
}  // namespace mikey::config
