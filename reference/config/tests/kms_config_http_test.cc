// The `http:` section of the KMS configuration (configs/README.md; docs/latitude.md
// "unknown-method", "announced-body-too-large"): defaults, each choice, and every wrong value
// reported at its line and column.
#include <gtest/gtest.h>

#include <chrono>
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

TEST(KmsConfigHttpTest, ConnectionBoundsReachTheServerOptions) {
  auto c =
      parse(kBase +
            "http:\n  max_connections: 100\n  max_connections_per_address: 0\n  reclaim: 0\n"
            "  reclaim_after_ms: 250\n  handshake_timeout_ms: 1500\n  header_timeout_ms: 2000\n"
            "  body_timeout_ms: 3000\n  read_timeout_ms: 4000\n  idle_timeout_ms: 5000\n"
            "  write_timeout_ms: 6000\n  retry_after_s: 7\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->http.limits.size(), server_limits().size());
  transport::ServerOptions o;
  apply_server_limits(c->http, o);
  using std::chrono::milliseconds;
  EXPECT_EQ(o.max_connections, 100u);
  EXPECT_EQ(o.max_connections_per_address, 0u);
  EXPECT_FALSE(o.reclaim);
  EXPECT_EQ(o.reclaim_after, milliseconds(250));
  EXPECT_EQ(o.handshake_timeout, milliseconds(1500));
  EXPECT_EQ(o.header_timeout, milliseconds(2000));
  EXPECT_EQ(o.body_timeout, milliseconds(3000));
  EXPECT_EQ(o.read_timeout, milliseconds(4000));
  EXPECT_EQ(o.idle_timeout, milliseconds(5000));
  EXPECT_EQ(o.write_timeout, milliseconds(6000));
  EXPECT_EQ(o.retry_after_seconds, 7u);
  transport::ServerOptions defaults;
  apply_server_limits(parse(kBase)->http, defaults);
  EXPECT_EQ(defaults.max_connections_per_address,
            transport::ServerOptions{}.max_connections_per_address);
}

TEST(KmsConfigHttpTest, ConnectionBoundsOutOfRangeNameTheirPlace) {
  auto zero = parse(kBase + "http:\n  max_connections: 0\n");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().line, 8);
  EXPECT_NE(zero.error().message.find("http.max_connections"), std::string::npos)
      << zero.error().str();
  auto timeout = parse(kBase + "http:\n  header_timeout_ms: 0\n");
  ASSERT_FALSE(timeout.ok());
  EXPECT_NE(timeout.error().message.find("http.header_timeout_ms"), std::string::npos)
      << timeout.error().str();
}

}  // namespace
}  // namespace mikey::config
