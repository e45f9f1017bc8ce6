#include "harness/profile.h"

#include <gtest/gtest.h>

#include "harness/embedded_kms.h"
#include "harness/tests/test_support.h"
#include "wire/hex.h"

namespace mikeyconf::harness {
namespace {

constexpr const char* kMinimal =
    "name: lab-kms\n"                                   // 1
    "role: kms\n"                                       // 2
    "base_url: https://kms.lab.example:8443\n"          // 3
    "kms_config:\n"                                     // 4
    "  kms: {identity: sip:kms.lab.example}\n"          // 5
    "  users:\n"                                        // 6
    "    - identity: sip:alice@lab.example\n"           // 7
    "      psk: 000102030405060708090a0b0c0d0e0f\n"     // 8
    "users: {alice: sip:alice@lab.example}\n"           // 9
    "parties: {initiator: alice, responder: alice}\n"   // 10
    "tls: {ca: certs/ca.pem, sni: kms.lab.example}\n";  // 11

std::string load_error(const std::string& text) {
  auto p = parse_profile_text(text, "p.yaml");
  return p.ok() ? std::string("(accepted)") : p.error().to_string();
}

std::string replaced(std::string text, std::string_view from, std::string_view to) {
  return text.replace(text.find(from), from.size(), to);
}

TEST(ProfileTest, LoadsTheReferenceProfile) {
  SutProfile p = testing::reference_profile();
  EXPECT_EQ(p.name, "reference");
  EXPECT_EQ(p.role, SutRole::kms);
  EXPECT_EQ(p.scheme, "http");
  EXPECT_EQ(p.host, "127.0.0.1");
  EXPECT_EQ(p.port, 0);
  ASSERT_EQ(p.users.size(), 3u);
  EXPECT_EQ(p.user("alice")->identity, mikey::roles::Identity::uri("sip:alice@example.org"));
  EXPECT_EQ(p.user("alice")->psk_id, mikey::roles::Identity::byte_string("psk-alice"));
  ASSERT_TRUE(p.user("alice")->mode3_tpk);
  EXPECT_EQ(p.user("alice")->mode3_tpk->format, mikey::roles::kBaseTicket);
  EXPECT_EQ(p.initiator, "alice");
  EXPECT_EQ(p.responder, "bob");
  EXPECT_TRUE(p.has_capability("mode:3"));
  EXPECT_EQ(p.embedded.ticket_keys.size(), 2u);
  EXPECT_EQ(p.embedded.ticket_keys[1].format, mikey::roles::kProvisionalType2);
  EXPECT_EQ(p.with_port(4711).base_url, "http://127.0.0.1:4711");
}

TEST(ProfileTest, ResolvesTlsFilesAgainstTheProfileDirectory) {
  auto p = parse_profile_text(kMinimal, "lab.yaml", "/etc/mikeyconf");
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ(p->port, 8443);
  ASSERT_TRUE(p->tls);
  EXPECT_EQ(p->tls->ca_file, "/etc/mikeyconf/certs/ca.pem");
  EXPECT_EQ(p->tls->sni, "kms.lab.example");
  EXPECT_EQ(p->levels, (std::vector<Level>{Level::shall, Level::shall_not}));
}

TEST(ProfileTest, ReadsWhatTheSutIs) {
  EXPECT_EQ(testing::reference_profile().info.product, "mikeyconf reference KMS");
  auto p = parse_profile_text(
      replaced(kMinimal, "role: kms\n", "role: kms\nsut: {product: Acme KMS, vendor: Acme}\n"),
      "p.yaml");
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_EQ(p->info.product, "Acme KMS");
  EXPECT_EQ(p->info.version, "");
  EXPECT_EQ(p->info.vendor, "Acme");
  EXPECT_NE(load_error(replaced(kMinimal, "role: kms\n", "role: kms\nsut: {model: x}\n"))
                .find("p.yaml:3:"),
            std::string::npos);
}

TEST(ProfileTest, ReportsErrorsWithPositions) {
  const std::string text = kMinimal;
  EXPECT_EQ(load_error(text + "colour: red\n").substr(0, 42),
            "p.yaml:12:1: unknown key 'colour' in a SUT");
  EXPECT_EQ(load_error(replaced(text, "responder: alice", "responder: zed")),
            "p.yaml:10:40: no user 'zed' in users");
  // The inline KMS configuration is read by the KMS configuration's loader, at the profile's
  // positions.
  EXPECT_EQ(load_error(replaced(text, "000102", "zz0102")),
            "p.yaml:8:12: users[0].psk: not valid hex (character is not a hexadecimal digit)");
  EXPECT_EQ(load_error(replaced(text, "users: {alice: sip:alice@", "users: {alice: sip:zed@")),
            "p.yaml:9:16: user 'alice': 'sip:zed@lab.example' is not a user of the "
            "kms_config (add it under users[] there)");
  EXPECT_EQ(load_error(replaced(text, "https", "ftp")),
            "p.yaml:3:11: base_url scheme must be http or https");
}

TEST(ProfileTest, NamesAKmsConfigurationFileRelativeToTheProfile) {
  auto p = load_profile(testing::cases_dir() / "profiles" / "configs-kms.yaml");
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  EXPECT_FALSE(p->embedded.present);
  EXPECT_EQ(p->kms_identity, mikey::roles::Identity::uri("sip:kms.example.org"));
  ASSERT_NE(p->user("alice"), nullptr);
  ASSERT_TRUE(p->user("alice")->mode3_tpk);
  EXPECT_EQ(p->user("alice")->mode3_tpk->id, mikey::to_bytes("tpk-alice"));
  // Carol is a GBA user: her PSK is the Ks_NAF of the configuration's gba section (TS 33.220
  // B.3, NAF_Id = kms.example.org || 01 00 00 00 06) and her IDRpsk the B-TID.
  const UserProfile* carol = p->user("carol");
  ASSERT_NE(carol, nullptr);
  EXPECT_EQ(mikey::wire::to_hex(carol->psk),
            "2532e88c2b05d029d3e7a431703cb7a78d33d4f71123418a7ce1d08229c12751");
  EXPECT_EQ(carol->psk_id, mikey::roles::Identity::nai("gIGCg4SFhoeIiYqLjI2Ojw==@bsf.example.org"));
  EXPECT_EQ(load_error(replaced(kMinimal,
                                "kms_config:\n  kms: {identity: sip:kms.lab.example}\n"
                                "  users:\n    - identity: sip:alice@lab.example\n"
                                "      psk: 000102030405060708090a0b0c0d0e0f\n",
                                "kms_config: nowhere.yaml\n")),
            "p.yaml:4:13: kms_config: no such file: nowhere.yaml (a path relative to the profile, "
            "or the KMS configuration inline)");
}

// The spellings of earlier profiles are errors that say where the value moved.
TEST(ProfileTest, OldSpellingsNameTheNewOnes) {
  const std::string text = kMinimal;
  const std::string alice = "users: {alice: sip:alice@lab.example}\n";
  auto user_with = [&](std::string_view key) {
    return replaced(
        text, alice,
        "users:\n  alice:\n    identity: sip:alice@lab.example\n    " + std::string(key) + ": x\n");
  };
  EXPECT_EQ(load_error(user_with("psk")),
            "p.yaml:12:5: 'psk' in a profile user moved to the KMS configuration: write it under "
            "users[] of the kms_config (see configs/README.md)");
  EXPECT_EQ(load_error(user_with("psk_id")),
            "p.yaml:12:5: 'psk_id' in a profile user moved to the KMS configuration: write it "
            "under users[] of the kms_config (see configs/README.md)");
  EXPECT_EQ(load_error(user_with("mode3_tpk")),
            "p.yaml:12:5: 'mode3_tpk' in a profile user moved to the KMS configuration: write it "
            "under ticket_keys[] of the kms_config with shared_with: the user's identity (see "
            "configs/README.md)");
  EXPECT_EQ(load_error("kms_identity: uri:sip:kms.lab.example\n" + text),
            "p.yaml:1:1: 'kms_identity' moved to the KMS configuration: write it as kms.identity "
            "of the kms_config (see configs/README.md)");
  EXPECT_EQ(load_error(text + "embedded: {clock_skew_s: 300}\n"),
            "p.yaml:12:1: 'embedded' moved to the KMS configuration: write its ticket_keys under "
            "ticket_keys[], clock_skew_s as policy.clock_skew and the lifetimes under lifetimes of "
            "the kms_config (see configs/README.md)");
  EXPECT_EQ(load_error(replaced(text, "{alice: sip:", "{alice: uri:sip:")),
            "p.yaml:9:16: user 'alice': identities are spelled as in the KMS configuration: write "
            "sip:alice@lab.example (see configs/README.md)");
  EXPECT_EQ(load_error(replaced(text, "{alice: sip:alice@lab.example", "{alice: nai:a@b")),
            "p.yaml:9:16: user 'alice': identities are spelled as in the KMS configuration: write "
            "{type: nai, value: a@b} (see configs/README.md)");
}

TEST(ProfileTest, ParsesIdentities) {
  EXPECT_EQ(parse_identity("nai:alice@example.org"),
            mikey::roles::Identity::nai("alice@example.org"));
  EXPECT_EQ(parse_identity("bytes:x"), mikey::roles::Identity::byte_string("x"));
  EXPECT_FALSE(parse_identity("sip:alice"));
  EXPECT_FALSE(parse_identity("uri:"));
  EXPECT_EQ(identity_text(mikey::roles::Identity::uri("sip:a")), "uri:sip:a");
}

TEST(ProfileTest, BuildsTheEmbeddedKmsConfig) {
  auto c = kms_config_from_profile(testing::reference_profile());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->identity, mikey::roles::Identity::uri("sip:kms.example.org"));
  EXPECT_EQ(c->users.size(), 3u);
  ASSERT_EQ(c->ticket_keys.size(), 3u);  // Alice's mode-3 TPK and the two KMS-only keys
  EXPECT_EQ(c->ticket_keys[0].shared_with, mikey::roles::Identity::uri("sip:alice@example.org"));
  EXPECT_FALSE(c->ticket_keys[1].shared_with);
}

TEST(BaselineTest, LoadsTheShippedReferenceBaseline) {
  auto b = load_baseline(testing::cases_dir() / "baselines" / "reference.yaml");
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  EXPECT_EQ(b->sut, "reference");
  EXPECT_TRUE(b->expected_failures.empty());
  EXPECT_TRUE(b->disabled.empty());
}

TEST(BaselineTest, LoadsAndRejectsBadEntries) {
  auto b = parse_baseline_text(
      "sut: lab-kms\n"
      "expected_failures:\n"
      "  - {id: kms.errors.replay, reason: no replay cache yet (ticket 12)}\n"
      "disabled:\n"
      "  - {id: kms.mode3.resolve, reason: mode 3 is switched off in this lab}\n",
      "b.yaml");
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  EXPECT_NE(b->expected_failure("kms.errors.replay"), nullptr);
  EXPECT_NE(b->disabled_entry("kms.mode3.resolve"), nullptr);
  EXPECT_EQ(b->expected_failure("kms.sanity"), nullptr);

  auto missing_reason = parse_baseline_text("sut: x\ndisabled:\n  - {id: kms.sanity}\n", "b.yaml");
  ASSERT_FALSE(missing_reason.ok());
  EXPECT_EQ(missing_reason.error().to_string(),
            "b.yaml:3:5: disabled entry needs the key 'reason'");
  auto both = parse_baseline_text(
      "sut: x\nexpected_failures: [{id: a, reason: r}]\ndisabled: [{id: a, reason: r}]\n",
      "b.yaml");
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().to_string(), "b.yaml:3:17: 'a' is both disabled and an expected failure");
}

}  // namespace
}  // namespace mikeyconf::harness
