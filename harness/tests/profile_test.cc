#include "harness/profile.h"

#include <gtest/gtest.h>

#include "harness/embedded_kms.h"
#include "harness/tests/test_support.h"

namespace mikeyconf::harness {
namespace {

constexpr const char* kMinimal =
    "name: lab-kms\n"                                   // 1
    "role: kms\n"                                       // 2
    "base_url: https://kms.lab.example:8443\n"          // 3
    "kms_identity: uri:sip:kms.lab.example\n"           // 4
    "users:\n"                                          // 5
    "  alice:\n"                                        // 6
    "    identity: uri:sip:alice@lab.example\n"         // 7
    "    psk: 000102030405060708090a0b0c0d0e0f\n"       // 8
    "parties: {initiator: alice, responder: alice}\n"   // 9
    "tls: {ca: certs/ca.pem, sni: kms.lab.example}\n";  // 10

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

TEST(ProfileTest, ReportsErrorsWithPositions) {
  auto bad = [](std::string text) {
    auto p = parse_profile_text(text, "p.yaml");
    return p.ok() ? std::string("(accepted)") : p.error().to_string();
  };
  std::string text = kMinimal;
  EXPECT_EQ(bad(text + "colour: red\n").substr(0, 42),
            "p.yaml:11:1: unknown key 'colour' in a SUT");
  EXPECT_EQ(bad(std::string(kMinimal).replace(text.find("responder: alice"), 16, "responder: zed")),
            "p.yaml:9:40: no user 'zed' in users");
  EXPECT_EQ(bad(std::string(kMinimal).replace(text.find("000102"), 6, "zz0102")),
            "p.yaml:8:10: psk is not hex: character is not a hexadecimal digit at character 0");
  EXPECT_EQ(bad(std::string(kMinimal).replace(text.find("uri:sip:alice"), 4, "tel:")),
            "p.yaml:7:15: identity must read type:data with type uri, nai or bytes");
  EXPECT_EQ(bad(std::string(kMinimal).replace(text.find("https"), 5, "ftp")),
            "p.yaml:3:11: base_url scheme must be http or https");
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
