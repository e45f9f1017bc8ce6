// HMAC primitive (RFC 4231, RFC 2202) and the MIKEY MAC algorithms (RFC 3830 §4.2.4, RFC 6043
// §6.2).
#include "crypto/mac.h"

#include <gtest/gtest.h>

#include "vector_file.h"
#include "wire/hex.h"

namespace mikey::crypto {
namespace {

using namespace testing;  // load_vectors, load_case, code_of, to_hex, unhex

TEST(HmacTest, MatchesRfc4231AndRfc2202Vectors) {
  auto cases = load_vectors("rfc4231_hmac_sha256.txt");
  ASSERT_EQ(cases.size(), 7u);
  int sha1 = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string digest = c.text("digest");
    ASSERT_TRUE(digest == "sha1" || digest == "sha256") << digest;
    const Digest d = digest == "sha1" ? Digest::sha1 : Digest::sha256;
    sha1 += d == Digest::sha1;
    auto mac = hmac(d, c.get("key"), c.get("data"));
    ASSERT_TRUE(mac.ok());
    EXPECT_EQ(to_hex(mac.value()), to_hex(c.get("mac")));
  }
  EXPECT_EQ(sha1, 2);
}

TEST(HmacTest, PartsAreConcatenated) {
  const auto c = load_case("rfc4231_hmac_sha256.txt", "rfc4231_4.3_test_case_2");
  ASSERT_TRUE(c.has_value());
  ByteView data = c->get("data");
  std::uint8_t out[32];
  auto n = hmac_into(Digest::sha256, c->get("key"), {data.first(5), {}, data.subspan(5)}, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n.value(), 32u);
  EXPECT_EQ(to_hex(out), to_hex(c->get("mac")));
}

TEST(HmacTest, ShortOutputBufferIsBadLength) {
  std::uint8_t out[19];
  EXPECT_EQ(code_of(hmac_into(Digest::sha1, as_bytes("k"), {as_bytes("d")}, out)),
            Errc::bad_length);
  EXPECT_EQ(code_of(hmac_into(static_cast<Digest>(7), as_bytes("k"), {as_bytes("d")}, out)),
            Errc::unsupported_algorithm);
}

TEST(MacTest, MatchesIndependentVectors) {
  auto cases = load_vectors("mac_vectors.txt");
  ASSERT_GE(cases.size(), 3u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto alg = static_cast<MacAlg>(c.u8("mac_alg"));
    ByteView parts[3] = {c.get("part0"), c.get("part1"), c.get("part2")};
    auto mac = compute_mac(alg, c.get("key"), std::span<const ByteView>(parts));
    ASSERT_TRUE(mac.ok());
    EXPECT_EQ(to_hex(mac.value()), to_hex(c.get("mac")));
    EXPECT_TRUE(verify_mac(alg, c.get("key"), std::span<const ByteView>(parts), c.get("mac")).ok());
  }
}

// Self-generated example, cross-checked against Python hmac (gen_vectors.py): V MAC of the worked
// REQUEST_INIT_PSK over message || IDi || IDkms.
TEST(MacTest, WorkedRequestInitPskMacMatchesDigest) {
  const auto c = load_case("mac_vectors.txt", "request_init_psk_v_hmac_sha1");
  ASSERT_TRUE(c.has_value());
  ASSERT_EQ(c->get("part0").size(), 135u);
  auto mac = compute_mac(
      MacAlg::hmac_sha1_160, c->get("key"),
      {c->get("part0"), as_bytes("sip:alice@example.org"), as_bytes("kms.example.org")});
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(to_hex(mac.value()), "fcefb0bf9c6cef0e88ed958fc5e5b3e3bfa72eaf");
}

TEST(MacTest, VerifyRejectsFlippedBitAndWrongLength) {
  const auto c = load_case("mac_vectors.txt", "three_parts_hmac_sha256");
  ASSERT_TRUE(c.has_value());
  const Bytes& good = c->get("mac");
  ASSERT_EQ(good.size(), 32u);
  for (std::size_t i = 0; i < good.size(); i += 7) {
    Bytes bad = good;
    bad[i] ^= 0x40;
    EXPECT_EQ(code_of(verify_mac(MacAlg::hmac_sha256_256, c->get("key"),
                                 {c->get("part0"), c->get("part1"), c->get("part2")}, bad)),
              Errc::integrity_failure)
        << i;
  }
  EXPECT_EQ(code_of(verify_mac(MacAlg::hmac_sha256_256, c->get("key"),
                               {c->get("part0"), c->get("part1"), c->get("part2")},
                               ByteView(good).first(20))),
            Errc::integrity_failure);
  // The same bytes split differently are the same MAC input.
  Bytes joined = concat({c->get("part0"), c->get("part1"), c->get("part2")});
  EXPECT_TRUE(verify_mac(MacAlg::hmac_sha256_256, c->get("key"), {joined}, good).ok());
  // Wrong key.
  Bytes key = c->get("key");
  key[31] ^= 1;
  EXPECT_EQ(code_of(verify_mac(MacAlg::hmac_sha256_256, key, {joined}, good)),
            Errc::integrity_failure);
}

TEST(MacTest, NullMacIsEmpty) {
  auto mac = compute_mac(MacAlg::null, as_bytes("key"), {as_bytes("message")});
  ASSERT_TRUE(mac.ok());
  EXPECT_TRUE(mac->empty());
  EXPECT_TRUE(verify_mac(MacAlg::null, {}, {as_bytes("message")}, {}).ok());
  EXPECT_EQ(code_of(verify_mac(MacAlg::null, {}, {as_bytes("message")}, as_bytes("x"))),
            Errc::integrity_failure);
}

TEST(MacTest, LengthsAndUnknownAlgorithm) {
  EXPECT_EQ(mac_length(MacAlg::null).value(), 0u);
  EXPECT_EQ(mac_length(MacAlg::hmac_sha1_160).value(), 20u);
  EXPECT_EQ(mac_length(MacAlg::hmac_sha256_256).value(), 32u);
  EXPECT_EQ(auth_key_length(MacAlg::hmac_sha1_160).value(), 20u);
  EXPECT_EQ(auth_key_length(MacAlg::hmac_sha256_256).value(), 32u);
  for (std::uint8_t v : {3, 241, 255}) {
    const auto alg = static_cast<MacAlg>(v);
    EXPECT_EQ(code_of(mac_length(alg)), Errc::unsupported_algorithm);
    EXPECT_EQ(code_of(compute_mac(alg, as_bytes("k"), {as_bytes("m")})),
              Errc::unsupported_algorithm);
    EXPECT_EQ(code_of(verify_mac(alg, as_bytes("k"), {as_bytes("m")}, {})),
              Errc::unsupported_algorithm);
    EXPECT_FALSE(is_known(alg));
  }
  EXPECT_EQ(to_string(MacAlg::hmac_sha256_256), "HMAC-SHA-256-256");
}

}  // namespace
}  // namespace mikey::crypto
