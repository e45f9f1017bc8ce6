// MIKEY PRF (RFC 3830 §4.1.2, RFC 6043 §6.1) against independently computed vectors.
#include "crypto/prf.h"

#include <gtest/gtest.h>

#include "vector_file.h"
#include "wire/hex.h"

namespace mikey::crypto {
namespace {

using namespace testing;  // load_vectors, load_case, code_of, to_hex, unhex

TEST(PrfTest, MatchesIndependentVectors) {
  auto cases = load_vectors("prf_vectors.txt");
  ASSERT_GE(cases.size(), 11u);
  int mikey_1 = 0;
  int hmac_sha256 = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto func = static_cast<PrfFunc>(c.u8("prf"));
    auto out = prf(func, c.get("inkey"), c.get("label"), c.get("outkey").size());
    ASSERT_TRUE(out.ok()) << to_string(out.error().code);
    EXPECT_EQ(to_hex(out->view()), to_hex(c.get("outkey")));
    (func == PrfFunc::mikey_1 ? mikey_1 : hmac_sha256) += 1;
  }
  EXPECT_GE(mikey_1, 3);  // both PRFs are covered
  EXPECT_GE(hmac_sha256, 3);
}

// Self-generated example, cross-checked against Python hmac and OpenSSL TLS1-PRF
// (tests/data/crypto/gen_vectors.py): TGK 000102..0f, label 2ad01c64 01 12345678 a0..af, TEK(128).
TEST(PrfTest, MikeyOneMatchesDigestTgkVector) {
  Bytes tgk = unhex("000102030405060708090a0b0c0d0e0f");
  Bytes label = unhex("2ad01c640112345678a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  auto tek = prf(PrfFunc::mikey_1, tgk, label, 16);
  ASSERT_TRUE(tek.ok());
  EXPECT_EQ(to_hex(tek->view()), "9ba4f67e6a85e7e7e9aa57681ca1f27d");
}

// Self-generated example (same cross-check): two-block inkey check (48-byte inkey, n = 2).
TEST(PrfTest, MikeyOneMatchesDigestTwoChunkVector) {
  const auto c = load_case("prf_vectors.txt", "mikey1_two_chunk_inkey_digest");
  ASSERT_TRUE(c.has_value());
  ASSERT_EQ(c->get("inkey").size(), 48u);
  auto out = prf(PrfFunc::mikey_1, c->get("inkey"), c->get("label"), 16);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(to_hex(out->view()), "dd830c9faa07354d93f531c9ef2cb78b");
}

// The chunks are processed independently and XORed: PRF(s1 || s2) = PRF(s1) ^ PRF(s2) when s1
// is exactly 256 bits.
TEST(PrfTest, TwoChunkInkeyIsXorOfChunkOutputs) {
  Bytes inkey(48);
  for (std::size_t i = 0; i < inkey.size(); ++i) inkey[i] = static_cast<std::uint8_t>(3 * i + 1);
  Bytes label = unhex("2d22ac75ff1234567801");
  for (PrfFunc f : {PrfFunc::mikey_1, PrfFunc::hmac_sha256}) {
    auto whole = prf(f, inkey, label, 40);
    auto first = prf(f, ByteView(inkey).first(32), label, 40);
    auto second = prf(f, ByteView(inkey).subspan(32), label, 40);
    ASSERT_TRUE(whole.ok() && first.ok() && second.ok());
    Bytes x(40);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = first->view()[i] ^ second->view()[i];
    EXPECT_EQ(to_hex(whole->view()), to_hex(x)) << to_string(f);
  }
}

// "the outkey_len most significant bits of T": a shorter output is a prefix of a longer one.
TEST(PrfTest, ShorterOutputIsPrefixOfLonger) {
  Bytes inkey = unhex("00112233445566778899aabbccddeeff");
  Bytes label = unhex("01020304");
  for (PrfFunc f : {PrfFunc::mikey_1, PrfFunc::hmac_sha256}) {
    auto long_out = prf(f, inkey, label, 100);
    auto short_out = prf(f, inkey, label, 21);
    ASSERT_TRUE(long_out.ok() && short_out.ok());
    EXPECT_EQ(to_hex(long_out->view().first(21)), to_hex(short_out->view()));
  }
}

TEST(PrfTest, TheTwoPrfsDiffer) {
  Bytes inkey(16, 0x42);
  auto a = prf(PrfFunc::mikey_1, inkey, inkey, 16);
  auto b = prf(PrfFunc::hmac_sha256, inkey, inkey, 16);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(to_hex(a->view()), to_hex(b->view()));
}

TEST(PrfTest, UnknownPrfIsUnsupportedAlgorithm) {
  Bytes inkey(16, 1);
  for (std::uint8_t v : {2, 112, 127, 255}) {
    auto out = prf(static_cast<PrfFunc>(v), inkey, inkey, 16);
    ASSERT_FALSE(out.ok()) << int(v);
    EXPECT_EQ(code_of(out), Errc::unsupported_algorithm);
  }
}

TEST(PrfTest, EmptyOrOversizedInkeyIsBadKeyLength) {
  auto empty = prf(PrfFunc::mikey_1, {}, as_bytes("label"), 16);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(code_of(empty), Errc::bad_key_length);
  Bytes big(kMaxPrfInkeyBytes + 1, 7);
  auto over = prf(PrfFunc::mikey_1, big, as_bytes("label"), 16);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(code_of(over), Errc::bad_key_length);
  Bytes max(kMaxPrfInkeyBytes, 7);
  EXPECT_TRUE(prf(PrfFunc::mikey_1, max, as_bytes("label"), 16).ok());
}

TEST(PrfTest, OversizedOutkeyIsBadLength) {
  Bytes inkey(16, 1);
  auto out = prf(PrfFunc::hmac_sha256, inkey, inkey, kMaxPrfOutkeyBytes + 1);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(code_of(out), Errc::bad_length);
  auto max = prf(PrfFunc::hmac_sha256, inkey, inkey, kMaxPrfOutkeyBytes);
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->size(), kMaxPrfOutkeyBytes);
}

TEST(PrfTest, ZeroOutkeyGivesEmptyKey) {
  Bytes inkey(16, 1);
  auto out = prf(PrfFunc::mikey_1, inkey, inkey, 0);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->empty());
}

TEST(PrfTest, PrfFuncNamesAndKnownValues) {
  EXPECT_EQ(to_string(PrfFunc::mikey_1), "MIKEY-1");
  EXPECT_EQ(to_string(PrfFunc::hmac_sha256), "PRF-HMAC-SHA-256");
  EXPECT_EQ(to_string(static_cast<PrfFunc>(5)), "unknown");
  EXPECT_TRUE(is_known(PrfFunc::hmac_sha256));
  EXPECT_FALSE(is_known(static_cast<PrfFunc>(2)));
  EXPECT_EQ(static_cast<int>(PrfFunc::mikey_1), 0);
  EXPECT_EQ(static_cast<int>(PrfFunc::hmac_sha256), 1);
}

}  // namespace
}  // namespace mikey::crypto
