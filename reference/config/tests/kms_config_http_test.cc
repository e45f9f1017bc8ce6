// The `http:` section of the KMS configuration (configs/README.md; docs/latitude.md
// "unknown-method", "announced-body-too-large"): defaults, each choice, and every wrong value
// reported at its line and column.
#include <gtest/gtest.h>

#include <string>

#include "config/kms_config.h"

namespace mikey::config {
namespace {

const std::string kBase = R"(kms:
  identity: sip:kms.example.org
users:
  - identity: sip:alice@example.org
    psk: 404142434445464748494a4b4c4d4e4f
    psk_id: psk-alice
)";

Result<LoadedKmsConfig, ConfigError> parse(const std::string& yaml) {
  return parse_kms_config(yaml, "kms.yaml", "");
}

TEST(KmsConfigHttpTest, DefaultsAre405AndEarly413) {
  auto c = parse(kBase);
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->http.unknown_method_status, 405);
  EXPECT_EQ(c->http.oversized_body, OversizedBody::early_413);
}

TEST(KmsConfigHttpTest, ReadsEveryChoice) {
  auto c = parse(kBase + "http:\n  unknown_method_status: 501\n  oversized_body: close\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->http.unknown_method_status, 501);
  EXPECT_EQ(c->http.oversized_body, OversizedBody::close);
  auto w = parse(kBase + "http:\n  oversized_body: wait\n");
  ASSERT_TRUE(w.ok()) << w.error().str();
  EXPECT_EQ(w->http.oversized_body, OversizedBody::wait);
  EXPECT_EQ(w->http.unknown_method_status, 405);
}

TEST(KmsConfigHttpTest, WrongValuesNameTheirPlace) {
  auto status = parse(kBase + "http:\n  unknown_method_status: 404\n");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().line, 8);
  EXPECT_NE(status.error().message.find("http.unknown_method_status"), std::string::npos)
      << status.error().str();
  auto body = parse(kBase + "http:\n  oversized_body: later\n");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().line, 8);
  EXPECT_NE(body.error().message.find("early-413, close or wait"), std::string::npos)
      << body.error().str();
  auto key = parse(kBase + "http:\n  keep_alive: false\n");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("unknown key 'keep_alive'"), std::string::npos)
      << key.error().str();
}

}  // namespace
}  // namespace mikey::config
