// TS 33.220 Annex B.2 KDF and Annex B.3 Ks_(ext)_NAF.
#include "crypto/gba.h"

#include <gtest/gtest.h>

#include "crypto/mac.h"
#include "vector_file.h"
#include "wire/hex.h"

namespace mikey::crypto {
namespace {

using namespace testing;  // load_vectors, load_case, code_of, to_hex, unhex

// TS 33.220 Annex B.3 Ks_NAF: self-generated example, cross-checked against Python hmac/hashlib
// (tests/data/crypto/gen_vectors.py).
TEST(GbaTest, KsNafMatchesDigestExample) {
  const auto c = load_case("gba_kdf.txt", "ks_naf_digest_example");
  ASSERT_TRUE(c.has_value());
  auto id = naf_id(c->text("naf_fqdn"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(to_hex(id.value()), to_hex(c->get("naf_id")));
  EXPECT_EQ(to_hex(c->get("ua_id")), to_hex(kUaKmsProtocolId));
  auto ks_naf = ks_ext_naf(c->get("ks"), c->get("rand"), c->text("impi"), id.value());
  ASSERT_TRUE(ks_naf.ok());
  EXPECT_EQ(to_hex(ks_naf->view()), to_hex(c->get("ks_naf")));
  EXPECT_EQ(to_hex(ks_naf->view()),
            "5d65f4e9d690453a800aa944631a7f1b6ffbcbfe6f8ee1ad41c181fe04c4cfa9");
}

// The KDF is HMAC-SHA-256 over the S the file spells out byte by byte.
TEST(GbaTest, GenericKdfMatchesIndependentVector) {
  const auto c = load_case("gba_kdf.txt", "two_octet_fc_empty_param");
  ASSERT_TRUE(c.has_value());
  auto out = gba_kdf(c->get("key"), c->get("fc"), {c->get("p0"), c->get("p1")});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(to_hex(out->view()), to_hex(c->get("out")));
  // S is FC || P0 || L0 || P1 || L1: same HMAC when computed directly over the file's S.
  std::uint8_t direct[32];
  ASSERT_TRUE(hmac_into(Digest::sha256, c->get("key"), {c->get("s")}, direct).ok());
  EXPECT_EQ(to_hex(direct), to_hex(c->get("out")));
}

TEST(GbaTest, NafIdTakesOtherUaProtocolIds) {
  const std::uint8_t ua[] = {0x01, 0x00, 0x00, 0x01, 0x00};
  auto id = naf_id("naf.example.org", ua);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(to_hex(id.value()), to_hex(as_bytes("naf.example.org")) + "0100000100");
}

TEST(GbaTest, MalformedFcIsBadParameter) {
  const Bytes key(32, 1);
  const std::uint8_t two_no_escape[] = {0x01, 0x02};
  const std::uint8_t three[] = {0xFF, 0x01, 0x02};
  EXPECT_EQ(code_of(gba_kdf(key, {}, {as_bytes("x")})), Errc::bad_parameter);
  EXPECT_EQ(code_of(gba_kdf(key, two_no_escape, {as_bytes("x")})), Errc::bad_parameter);
  EXPECT_EQ(code_of(gba_kdf(key, three, {as_bytes("x")})), Errc::bad_parameter);
}

TEST(GbaTest, ParameterLongerThan65535IsBadLength) {
  const Bytes key(32, 1);
  const std::uint8_t fc[] = {0x01};
  EXPECT_EQ(code_of(gba_kdf(key, fc, {Bytes(65536, 'a')})), Errc::bad_length);
  EXPECT_TRUE(gba_kdf(key, fc, {Bytes(65535, 'a')}).ok());
}

}  // namespace
}  // namespace mikey::crypto
