// The KMS configuration loader: the sample configs load; every kind of mistake is reported with
// the file, line and column it is at (small inline YAML written to temporary files).
#include "config/kms_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "roles/credential.h"

namespace mikey::config {
namespace {

namespace fs = std::filesystem;
using roles::Identity;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "mikey-config-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

const std::string kConfigs = std::string(MIKEY_SOURCE_DIR) + "/configs";

// A valid base: users alice and bob, one type-1 key.
const char* const kBase = R"(kms:
  identity: sip:kms.example.org
users:
  - identity: sip:alice@example.org
    psk: 404142434445464748494a4b4c4d4e4f
    psk_id: psk-alice
  - identity: sip:bob@example.org
    psk: 606162636465666768696a6b6c6d6e6f
    psk_id: psk-bob
ticket_keys:
  - id: tpk-1
    format: type1
    tpk: 808182838485868788898a8b8c8d8e8f
)";

class KmsConfigTest : public ::testing::Test {
 protected:
  // Writes `yaml` to a temporary kms.yaml and loads it.
  Result<LoadedKmsConfig, ConfigError> load(const std::string& yaml) {
    path_ = dir_.file("kms.yaml");
    write(path_, yaml);
    return load_kms_config(path_);
  }

  // Expects the load to fail at `line`:`column` with a message containing `text`.
  void expect_error(const std::string& yaml, int line, int column, const std::string& text) {
    auto r = load(yaml);
    ASSERT_FALSE(r.ok()) << "loaded, expected an error containing: " << text;
    const ConfigError& e = r.error();
    EXPECT_EQ(e.file, path_);
    EXPECT_EQ(e.line, line) << e.str();
    EXPECT_EQ(e.column, column) << e.str();
    EXPECT_NE(e.message.find(text), std::string::npos) << e.str();
    EXPECT_EQ(
        e.str().rfind(path_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ", 0),
        0u)
        << e.str();
  }

  TempDir dir_;
  std::string path_;
};

TEST_F(KmsConfigTest, SampleKmsYamlLoads) {
  auto r = load_kms_config(kConfigs + "/kms.yaml");
  ASSERT_TRUE(r.ok()) << r.error().str();
  const LoadedKmsConfig& c = r.value();
  EXPECT_EQ(c.kms.identity, Identity::uri("sip:kms.example.org"));
  ASSERT_TRUE(c.listen.has_value());
  EXPECT_EQ(c.listen->host, "127.0.0.1");
  EXPECT_EQ(c.listen->port, 8080);
  EXPECT_FALSE(c.tls.has_value());
  ASSERT_EQ(c.kms.users.size(), 3u);
  const auto* alice = roles::as_psk(c.kms.users[0].credential.get());
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->psk_id(), Identity::byte_string("psk-alice"));
  EXPECT_EQ(alice->psk().size(), 16u);
  // The GBA user: PSK = Ks_NAF (32 bytes), IDRpsk = the B-TID as an NAI.
  const auto* carol = roles::as_psk(c.kms.users[2].credential.get());
  ASSERT_NE(carol, nullptr);
  EXPECT_EQ(carol->psk().size(), 32u);
  EXPECT_EQ(carol->psk_id(), Identity::nai("gIGCg4SFhoeIiYqLjI2Ojw==@bsf.example.org"));
  ASSERT_EQ(c.kms.ticket_keys.size(), 3u);
  EXPECT_EQ(c.kms.ticket_keys[0].format, roles::kBaseTicket);
  EXPECT_EQ(c.kms.ticket_keys[1].format, roles::kProvisionalType2);
  EXPECT_FALSE(c.kms.ticket_keys[0].shared_with.has_value());
  EXPECT_EQ(c.kms.ticket_keys[2].shared_with, Identity::uri("sip:alice@example.org"));
  EXPECT_TRUE(c.kms.policy.issue_tickets);
  EXPECT_TRUE(c.kms.policy.resolve_initiator_tickets);
  EXPECT_EQ(c.kms.policy.default_lifetime_s, 3600u);
  EXPECT_EQ(c.kms.policy.max_lifetime_s, 86400u);
  EXPECT_EQ(c.kms.policy.prfs.size(), 2u);
  // A served KMS sustains 3,000,000 / 301 requests/s in its replay cache, allocated at start.
  EXPECT_EQ(c.kms.policy.replay_cache_size, 3'000'000u);
  EXPECT_TRUE(c.kms.policy.replay_cache_reserve);
  EXPECT_FALSE(roles::KmsPolicy{}.replay_cache_reserve);  // one built in code grows as needed
  EXPECT_TRUE(c.peers.empty());
}

TEST_F(KmsConfigTest, SampleChainingPairLoadsWithCertificatesFromTheScript) {
  // The samples name certs/ next to themselves: copy them and create the PKI there.
  for (const char* name : {"kms_i.yaml", "kms_r.yaml"}) {
    fs::copy_file(kConfigs + "/" + name, dir_.file(name));
  }
  std::string cmd =
      "bash '" + kConfigs + "/make-test-certs.sh' '" + dir_.file("certs") + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

  auto i = load_kms_config(dir_.file("kms_i.yaml"));
  ASSERT_TRUE(i.ok()) << i.error().str();
  ASSERT_TRUE(i->tls.has_value());
  EXPECT_EQ(i->tls->cert, dir_.file("certs/kms-i.crt"));
  EXPECT_EQ(i->tls->client_ca, dir_.file("certs/ca.crt"));
  ASSERT_EQ(i->kms.users.size(), 2u);
  EXPECT_TRUE(i->kms.users[1].peer_kms);

  auto r = load_kms_config(dir_.file("kms_r.yaml"));
  ASSERT_TRUE(r.ok()) << r.error().str();
  ASSERT_EQ(r->peers.size(), 1u);
  ASSERT_EQ(r->kms.peers.size(), 1u);
  const PeerEndpoint& p = r->peers[0];
  EXPECT_EQ(p.host, "127.0.0.1");
  EXPECT_EQ(p.port, 8443);
  EXPECT_EQ(p.path, "/keymanagement");
  EXPECT_TRUE(p.tls);
  EXPECT_EQ(p.cert, dir_.file("certs/kms-r.crt"));
  EXPECT_EQ(r->kms.peers[0].issuers, std::vector{Identity::uri("sip:kms-i.example.org")});
  EXPECT_EQ(r->endpoint(Identity::uri("sip:kms-i.example.org")), &p);
  // The PSK KMS_R uses towards KMS_I is the one KMS_I knows KMS_R by.
  const auto* mine = roles::as_psk(r->kms.peers[0].credential.get());
  const auto* theirs = roles::as_psk(i->kms.users[1].credential.get());
  ASSERT_TRUE(mine != nullptr && theirs != nullptr);
  EXPECT_EQ(mine->psk_id(), theirs->psk_id());
  EXPECT_TRUE(std::equal(mine->psk().begin(), mine->psk().end(), theirs->psk().begin(),
                         theirs->psk().end()));
}

TEST_F(KmsConfigTest, MinimalConfigGetsThePolicyDefaults) {
  auto r = load("kms:\n  identity: sip:kms.example.org\n");
  ASSERT_TRUE(r.ok()) << r.error().str();
  roles::KmsPolicy defaults;
  EXPECT_EQ(r->kms.policy.prfs, defaults.prfs);
  EXPECT_EQ(r->kms.policy.clock_skew_s, defaults.clock_skew_s);
  EXPECT_TRUE(r->kms.users.empty());
  EXPECT_FALSE(r->listen.has_value());
}

TEST_F(KmsConfigTest, PolicyKeysAreRead) {
  auto r = load(std::string(kBase) + R"(lifetimes:
  default: 60
  max: 120
policy:
  prfs: [mikey-1]
  encr_algs: [AES-CM-128]
  mac_algs: [HMAC-SHA-1-160]
  ticket_formats: [type2]
  modes: [3]
  forking: false
  reuse: false
  clock_skew: 10
  replay_cache_size: 7
  iv: b
  errors: {malformed: 13, ticket_validity: 15, unauthorized_responder: 0}
)");
  ASSERT_TRUE(r.ok()) << r.error().str();
  const roles::KmsPolicy& p = r->kms.policy;
  EXPECT_EQ(p.default_lifetime_s, 60u);
  EXPECT_EQ(p.max_lifetime_s, 120u);
  EXPECT_EQ(p.prfs, std::vector{codec::PrfFunc::mikey_1});
  EXPECT_EQ(p.encr_algs, std::vector{codec::EncrAlg::aes_cm_128});
  EXPECT_EQ(p.mac_algs, std::vector{codec::MacAlg::hmac_sha1_160});
  EXPECT_EQ(p.ticket_formats, std::vector{roles::kProvisionalType2});
  EXPECT_FALSE(p.issue_tickets);
  EXPECT_TRUE(p.resolve_initiator_tickets);
  EXPECT_FALSE(p.allow_forking);
  EXPECT_FALSE(p.allow_reuse);
  EXPECT_EQ(p.clock_skew_s, 10u);
  EXPECT_EQ(p.replay_cache_size, 7u);
  EXPECT_EQ(p.iv_timestamp, roles::IvTimestamp::initial_message);
  EXPECT_EQ(p.errors.malformed, codec::ErrorNo::unsupported_message_type);
  EXPECT_EQ(p.errors.ticket_validity, codec::ErrorNo::invalid_tppar);
  EXPECT_EQ(p.errors.unauthorized_responder, codec::ErrorNo::auth_failure);
}

TEST_F(KmsConfigTest, IdentitiesMayNameTheirIdType) {
  auto r = load(R"(kms:
  identity: {type: nai, value: kms@example.org}
users:
  - identity: sip:alice@example.org
    psk: 404142434445464748494a4b4c4d4e4f
    psk_id: {type: uri, value: "sip:psk-alice"}
)");
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r->kms.identity, Identity::nai("kms@example.org"));
  EXPECT_EQ(roles::as_psk(r->kms.users[0].credential.get())->psk_id(),
            Identity::uri("sip:psk-alice"));
}

TEST_F(KmsConfigTest, RelativePathsResolveAgainstTheConfigFile) {
  fs::create_directories(dir_.file("sub/certs"));
  for (const char* f : {"sub/certs/a.crt", "sub/certs/a.key"}) write(dir_.file(f), "x");
  write(dir_.file("sub/kms.yaml"),
        "kms: {identity: sip:k}\ntls:\n  cert: certs/a.crt\n  key: certs/a.key\n");
  auto r = load_kms_config(dir_.file("sub/kms.yaml"));
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r->tls->cert, dir_.file("sub/certs/a.crt"));
  EXPECT_TRUE(r->tls->client_ca.empty());
}

TEST_F(KmsConfigTest, UnknownTopLevelKeyNamesItsLine) {
  expect_error(std::string(kBase) + "polcy:\n  forking: true\n", 14, 1, "unknown key 'polcy'");
}

TEST_F(KmsConfigTest, UnknownNestedKeyNamesItsLineAndColumn) {
  expect_error(R"(kms:
  identity: sip:kms.example.org
users:
  - identity: sip:alice@example.org
    psk: 404142434445464748494a4b4c4d4e4f
    pskid: psk-alice
)",
               6, 5, "users[0]: unknown key 'pskid'");
}

TEST_F(KmsConfigTest, DuplicateKeyIsRejected) {
  expect_error("kms:\n  identity: sip:a\n  identity: sip:b\n", 3, 3,
               "duplicate key 'identity' (first at line 2)");
}

TEST_F(KmsConfigTest, MissingRequiredKeyPointsAtItsParent) {
  expect_error("listen: 127.0.0.1:0\nkms:\n  naf_fqdn: kms.example.org\n", 2, 1,
               "kms: missing required key 'identity'");
}

TEST_F(KmsConfigTest, MissingKmsSectionIsReported) {
  expect_error("listen: 127.0.0.1:0\n", 1, 1, "missing required key 'kms'");
}

TEST_F(KmsConfigTest, WrongTypesAreRejected) {
  expect_error("kms:\n  identity: sip:k\nusers: alice\n", 3, 8, "users: expected a list");
  expect_error("kms:\n  identity: [sip:k]\n", 2, 13, "kms.identity: expected an identity");
  expect_error("kms: {identity: sip:k}\npolicy:\n  clock_skew: five\n", 3, 15,
               "policy.clock_skew: expected a whole number");
  expect_error("kms: {identity: sip:k}\npolicy:\n  forking: yes\n", 3, 12,
               "policy.forking: expected true or false");
  expect_error("kms: sip:k\n", 1, 6, "kms: expected a mapping");
}

TEST_F(KmsConfigTest, NullValueIsReportedAtItsKey) {
  expect_error("kms:\n  identity:\nlisten: 127.0.0.1:1\n", 2, 3,
               "kms.identity: expected an identity");
}

TEST_F(KmsConfigTest, BadHexPointsAtTheDigit) {
  expect_error(R"(kms: {identity: sip:k}
users:
  - identity: sip:alice@example.org
    psk: 4041424344454647484x4a4b4c4d4e4f
)",
               4, 29, "users[0].psk: not valid hex");
  expect_error(R"(kms: {identity: sip:k}
users:
  - identity: sip:alice@example.org
    psk: "404"
)",
               4, 10, "not valid hex");
}

TEST_F(KmsConfigTest, ShortKeysAreRejected) {
  expect_error(R"(kms: {identity: sip:k}
ticket_keys:
  - id: t
    format: type1
    tpk: 0001020304050607
)",
               5, 10, "ticket_keys[0].tpk: 8 bytes, expected at least 16 bytes");
}

TEST_F(KmsConfigTest, DuplicateUserIdentityIsRejected) {
  expect_error(R"(kms: {identity: sip:k}
users:
  - identity: sip:alice@example.org
    psk: 404142434445464748494a4b4c4d4e4f
  - identity: sip:alice@example.org
    psk: 606162636465666768696a6b6c6d6e6f
)",
               5, 15, "duplicate user identity 'sip:alice@example.org' (first at line 3)");
}

TEST_F(KmsConfigTest, DuplicatePskIdIsRejected) {
  expect_error(R"(kms: {identity: sip:k}
users:
  - identity: sip:alice@example.org
    psk: 404142434445464748494a4b4c4d4e4f
    psk_id: same
  - identity: sip:bob@example.org
    psk: 606162636465666768696a6b6c6d6e6f
    psk_id: same
)",
               8, 13, "IDRpsk 'same' is already used by the user at line 3");
}

TEST_F(KmsConfigTest, DuplicateTicketKeyIdIsRejected) {
  expect_error(std::string(kBase) + R"(  - id: tpk-1
    format: type1
    tpk: 808182838485868788898a8b8c8d8e8f
)",
               14, 9, "duplicate ticket key id 'tpk-1'");
}

TEST_F(KmsConfigTest, UnknownAlgorithmNameIsRejected) {
  expect_error("kms: {identity: sip:k}\npolicy:\n  mac_algs: [HMAC-SHA-1-160, HMAC-MD5]\n", 3, 30,
               "policy.mac_algs[1]: unknown algorithm 'HMAC-MD5' (allowed: NULL, ");
  expect_error(std::string(kBase) + "    encr: AES-GCM-128\n", 14, 11,
               "ticket_keys[0].encr: unknown algorithm 'AES-GCM-128'");
}

TEST_F(KmsConfigTest, UnknownTicketFormatIsRejected) {
  expect_error("kms: {identity: sip:k}\npolicy:\n  ticket_formats: [type1, type3]\n", 3, 27,
               "unknown ticket format 'type3'");
}

TEST_F(KmsConfigTest, BadPolicyChoicesAreRejected) {
  expect_error("kms: {identity: sip:k}\npolicy:\n  modes: [1, 4]\n", 3, 14,
               "mode 4 involves no KMS");
  expect_error("kms: {identity: sip:k}\npolicy:\n  iv: c\n", 3, 7, "policy.iv: expected a");
  expect_error("kms: {identity: sip:k}\npolicy:\n  errors:\n    malformed: 11\n", 4, 16,
               "11 is not a choice here (allowed: 12 or 13");
  expect_error("kms: {identity: sip:k}\npolicy:\n  prfs: []\n", 3, 9, "must not be empty");
  expect_error("kms: {identity: sip:k}\nlifetimes:\n  default: 100\n  max: 10\n", 3, 3,
               "default (100 s) exceeds max (10 s)");
}

TEST_F(KmsConfigTest, CredentialMistakesAreRejected) {
  expect_error(R"(kms: {identity: sip:k}
users:
  - identity: sip:alice@example.org
    psk_id: x
)",
               3, 5, "users[0]: give exactly one credential");
  expect_error(R"(kms: {identity: sip:k}
users:
  - identity: sip:carol@example.org
    gba:
      ks: 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
      rand: 808182838485868788898a8b8c8d8e8f
      impi: carol@ims.example.org
      btid: b@bsf
)",
               4, 5, "users[0].gba: GBA users need kms.naf_fqdn");
  expect_error(R"(kms: {identity: sip:k, naf_fqdn: k.example.org}
users:
  - identity: sip:carol@example.org
    gba:
      ks: 000102030405060708090a0b0c0d0e0f
      rand: 808182838485868788898a8b8c8d8e8f
      impi: carol@ims.example.org
      btid: b@bsf
)",
               5, 11, "users[0].gba.ks: 16 bytes, expected 32 bytes");
  expect_error(R"(kms: {identity: sip:k}
users:
  - identity: sip:kms-r.example.net
    peer_kms: true
    psk: 909192939495969798999a9b9c9d9e9f
)",
               5, 5, "a peer KMS (peer_kms: true) needs a psk_id");
}

TEST_F(KmsConfigTest, ModeThreeKeyMustBeSharedWithAUser) {
  expect_error(std::string(kBase) + "    shared_with: sip:mallory@example.org\n", 14, 18,
               "'sip:mallory@example.org' is not a user of this KMS");
}

TEST_F(KmsConfigTest, PeerWithoutTlsCredentialsIsRejected) {
  expect_error(R"(kms: {identity: sip:kms-r}
peers:
  - identity: sip:kms-i
    url: https://127.0.0.1:8443
    psk: 909192939495969798999a9b9c9d9e9f
    psk_id: psk-kms-r
)",
               3, 5, "peers[0]: a peer KMS needs tls {ca, cert, key}");
  write(dir_.file("ca.crt"), "x");
  expect_error(R"(kms: {identity: sip:kms-r}
peers:
  - identity: sip:kms-i
    url: https://127.0.0.1:8443
    psk: 909192939495969798999a9b9c9d9e9f
    psk_id: psk-kms-r
    tls:
      ca: ca.crt
)",
               7, 5, "peers[0].tls: missing required key 'cert'");
}

TEST_F(KmsConfigTest, PeerUrlMustBeHttps) {
  expect_error(R"(kms: {identity: sip:kms-r}
peers:
  - identity: sip:kms-i
    url: http://127.0.0.1:8443
)",
               4, 10, "a peer KMS is reached over https only");
  expect_error(R"(kms: {identity: sip:kms-r}
peers:
  - identity: sip:kms-i
    url: https://127.0.0.1:99999
)",
               4, 10, "is not a number from 0 to 65535");
}

TEST_F(KmsConfigTest, PeerMayNotBeTheKmsItself) {
  expect_error("kms: {identity: sip:k}\npeers:\n  - identity: sip:k\n", 3, 15,
               "a KMS cannot be its own peer");
}

TEST_F(KmsConfigTest, MissingTlsFileIsRejectedWithItsResolvedPath) {
  expect_error("kms: {identity: sip:k}\ntls:\n  cert: nowhere.crt\n  key: nowhere.key\n", 3, 9,
               "tls.cert: no such file: " + dir_.file("nowhere.crt"));
}

TEST_F(KmsConfigTest, BadListenAddressIsRejected) {
  expect_error("kms: {identity: sip:k}\nlisten: localhost\n", 2, 9, "listen: expected HOST:PORT");
}

TEST_F(KmsConfigTest, YamlSyntaxErrorHasItsPosition) {
  expect_error("kms:\n  identity: [sip:k\nlisten: 1\n", 3, 7, "YAML syntax");
}

TEST_F(KmsConfigTest, EmptyFileAndSeveralDocumentsAreRejected) {
  expect_error("", 1, 1, "the file is empty");
  expect_error("kms: {identity: sip:k}\n---\nkms: {identity: sip:l}\n", 3, 1,
               "expected one YAML document, found 2");
}

TEST_F(KmsConfigTest, UnreadableFileIsAWholeFileError) {
  auto r = load_kms_config(dir_.file("absent.yaml"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 0);
  EXPECT_EQ(r.error().str(), dir_.file("absent.yaml") + ": cannot read: no such file");
}

TEST_F(KmsConfigTest, NoPrefixOfTheSampleThrowsOrCrashes) {
  // Every truncation of a real config either loads or gives a positioned error; none throws.
  const std::string text = read(kConfigs + "/kms.yaml");
  ASSERT_FALSE(text.empty());
  for (std::size_t n = 0; n <= text.size(); n += 3) {
    auto r = parse_kms_config(std::string_view(text).substr(0, n), "prefix.yaml", kConfigs);
    if (!r.ok()) {
      EXPECT_EQ(r.error().file, "prefix.yaml");
      EXPECT_FALSE(r.error().message.empty());
    }
  }
}

TEST(ListenAddressTest, ParsesHostsAndPorts) {
  auto a = parse_listen_address("127.0.0.1:8080");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto b = parse_listen_address("[::1]:0");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 0);
  EXPECT_FALSE(parse_listen_address("::1:80").ok());
  EXPECT_FALSE(parse_listen_address(":80").ok());
  EXPECT_FALSE(parse_listen_address("host:").ok());
  EXPECT_FALSE(parse_listen_address("host:65536").ok());
  EXPECT_FALSE(parse_listen_address("[::1]80").ok());
}

}  // namespace
}  // namespace mikey::config
