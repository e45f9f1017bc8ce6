// KEMAC ciphers: AES-CM (RFC 3830 §4.2.3 over RFC 3711), AES-KW (RFC 3394), NULL.
#include "crypto/kemac_cipher.h"

#include <gtest/gtest.h>

#include "vector_file.h"
#include "wire/hex.h"

namespace mikey::crypto {
namespace {

using namespace testing;  // load_vectors, load_case, code_of, to_hex, unhex

// RFC 3711 App. B.2: the MIKEY IV with CSB ID 0 and T 0 is the SRTP counter block, and the
// keystream (AES-CM of zeros) matches blocks 0000-0002 and FEFF-FF01.
TEST(AesCmTest, KeystreamMatchesRfc3711AppendixB2) {
  auto cases = load_vectors("rfc3711_aes_cm.txt");
  ASSERT_EQ(cases.size(), 2u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto iv = aes_cm_iv(c.get("salt"), c.u32("csb_id"), c.u64("t64"));
    ASSERT_TRUE(iv.ok());
    EXPECT_EQ(to_hex(iv.value()), to_hex(c.get("iv")));
    const std::size_t first = c.u16("first_block");
    Bytes zeros((first + 3) * 16);
    auto stream = aes_cm_crypt(EncrAlg::aes_cm_128, c.get("key"), iv.value(), zeros);
    ASSERT_TRUE(stream.ok());
    EXPECT_EQ(to_hex(ByteView(stream.value()).subspan(first * 16)), to_hex(c.get("keystream")));
  }
}

TEST(AesCmTest, IvMatchesDigestBothReadings) {
  auto cases = load_vectors("kemac_vectors.txt");
  // Self-generated example IVs (cross-checked against OpenSSL aes-128-ctr by gen_vectors.py),
  // reading (a) and (b) of RFC 3830 §4.2.3 / RFC 6043 §6.2.
  struct Expected {
    const char* name;
    const char* iv;
  };
  for (const Expected& e :
       {Expected{"aes_cm_128_request_resp_reading_a", "05198510d29600ca0af26ee975c10000"},
        Expected{"aes_cm_128_request_resp_reading_b", "05198510d29600ca0af56ee975c10000"}}) {
    const auto* c = find_case(cases, e.name);
    ASSERT_NE(c, nullptr) << e.name;
    auto iv = aes_cm_iv(c->get("salt"), c->u32("csb_id"), c->u64("t64"));
    ASSERT_TRUE(iv.ok());
    EXPECT_EQ(to_hex(iv.value()), e.iv);
    EXPECT_EQ(to_hex(iv.value()), to_hex(c->get("iv")));
  }
}

TEST(KemacCipherTest, EncryptAndDecryptMatchIndependentVectors) {
  auto cases = load_vectors("kemac_vectors.txt");
  ASSERT_GE(cases.size(), 4u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto alg = static_cast<EncrAlg>(c.u8("encr_alg"));
    auto ct = encrypt_kemac(alg, c.get("encr_key"), c.get("salt"), c.u32("csb_id"), c.u64("t64"),
                            c.get("plaintext"));
    ASSERT_TRUE(ct.ok()) << to_string(ct.error().code);
    EXPECT_EQ(to_hex(ct.value()), to_hex(c.get("ciphertext")));
    auto pt = decrypt_kemac(alg, c.get("encr_key"), c.get("salt"), c.u32("csb_id"), c.u64("t64"),
                            c.get("ciphertext"));
    ASSERT_TRUE(pt.ok()) << to_string(pt.error().code);
    EXPECT_EQ(to_hex(pt->view()), to_hex(c.get("plaintext")));
  }
}

// Reading (a) and (b) of the response IV really give different ciphertexts, so a receiver
// configured for the wrong one gets garbage (RFC 3830 §4.2.3 names "the
// timestamp sent by the Initiator"; RFC 6043 responders send a fresh T, so neither is confirmed).
TEST(KemacCipherTest, WrongIvReadingDoesNotDecrypt) {
  auto cases = load_vectors("kemac_vectors.txt");
  const auto* a = find_case(cases, "aes_cm_128_request_resp_reading_a");
  const auto* b = find_case(cases, "aes_cm_128_request_resp_reading_b");
  ASSERT_TRUE(a && b);
  auto pt = decrypt_kemac(EncrAlg::aes_cm_128, a->get("encr_key"), a->get("salt"), a->u32("csb_id"),
                          b->u64("t64"), a->get("ciphertext"));
  ASSERT_TRUE(pt.ok());
  EXPECT_NE(to_hex(pt->view()), to_hex(a->get("plaintext")));
}

TEST(AesKwTest, WrapAndUnwrapMatchRfc3394Section4) {
  auto cases = load_vectors("rfc3394_aes_kw.txt");
  ASSERT_EQ(cases.size(), 6u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(to_hex(c.get("iv")), to_hex(kAesKwDefaultIv));
    auto wrapped = aes_kw_wrap(c.get("kek"), c.get("iv"), c.get("key_data"));
    ASSERT_TRUE(wrapped.ok()) << to_string(wrapped.error().code);
    EXPECT_EQ(to_hex(wrapped.value()), to_hex(c.get("ciphertext")));
    auto unwrapped = aes_kw_unwrap(c.get("kek"), c.get("iv"), c.get("ciphertext"));
    ASSERT_TRUE(unwrapped.ok()) << to_string(unwrapped.error().code);
    EXPECT_EQ(to_hex(unwrapped->view()), to_hex(c.get("key_data")));
  }
}

TEST(AesKwTest, Rfc3394Section41IsAesKw128) {
  const auto c = load_case("rfc3394_aes_kw.txt", "rfc3394_4.1_128bit_kek_128bit_key");
  ASSERT_TRUE(c.has_value());
  auto ct =
      encrypt_kemac(EncrAlg::aes_kw_128, c->get("kek"), kAesKwDefaultIv, 0, 0, c->get("key_data"));
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(to_hex(ct.value()), "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
}

TEST(AesKwTest, FlippedCiphertextByteIsIntegrityFailure) {
  const auto c = load_case("rfc3394_aes_kw.txt", "rfc3394_4.1_128bit_kek_128bit_key");
  ASSERT_TRUE(c.has_value());
  for (std::size_t i = 0; i < c->get("ciphertext").size(); ++i) {
    Bytes bad = c->get("ciphertext");
    bad[i] ^= 0x01;
    auto r = aes_kw_unwrap(c->get("kek"), c->get("iv"), bad);
    EXPECT_EQ(code_of(r), Errc::integrity_failure) << "byte " << i;
  }
}

TEST(AesKwTest, WrongIvOrKekIsIntegrityFailure) {
  const auto c = load_case("rfc3394_aes_kw.txt", "rfc3394_4.1_128bit_kek_128bit_key");
  ASSERT_TRUE(c.has_value());
  Bytes other_iv(8, 0xA6);
  other_iv[7] = 0xA7;
  EXPECT_EQ(code_of(aes_kw_unwrap(c->get("kek"), other_iv, c->get("ciphertext"))),
            Errc::integrity_failure);
  Bytes other_kek = c->get("kek");
  other_kek[0] ^= 0x80;
  EXPECT_EQ(code_of(aes_kw_unwrap(other_kek, c->get("iv"), c->get("ciphertext"))),
            Errc::integrity_failure);
  // The KEMAC path reports the same code.
  EXPECT_EQ(code_of(decrypt_kemac(EncrAlg::aes_kw_128, c->get("kek"), other_iv, 0, 0,
                                  c->get("ciphertext"))),
            Errc::integrity_failure);
}

// RFC 3394 §2, RFC 3830 §4.2.3: MIKEY defines no AES-KW padding, so a 25-byte key-data chain is
// refused, never padded.
TEST(AesKwTest, LengthNotMultipleOf8OrTooShortIsRefused) {
  Bytes kek(16, 1);
  Bytes iv(8, 2);
  for (std::size_t n : {0, 8, 15, 17, 25, 33}) {
    EXPECT_EQ(code_of(aes_kw_wrap(kek, iv, Bytes(n, 3))), Errc::not_multiple_of_8) << n;
  }
  EXPECT_TRUE(aes_kw_wrap(kek, iv, Bytes(16, 3)).ok());
  EXPECT_TRUE(aes_kw_wrap(kek, iv, Bytes(24, 3)).ok());
  for (std::size_t n : {0, 8, 16, 23, 25, 31}) {
    EXPECT_EQ(code_of(aes_kw_unwrap(kek, iv, Bytes(n, 3))), Errc::not_multiple_of_8) << n;
  }
  EXPECT_EQ(code_of(encrypt_kemac(EncrAlg::aes_kw_128, kek, iv, 0, 0, Bytes(25, 4))),
            Errc::not_multiple_of_8);
}

TEST(AesKwTest, BadKekOrIvLength) {
  Bytes data(16, 3);
  for (std::size_t n : {0, 8, 15, 17, 31, 33}) {
    EXPECT_EQ(code_of(aes_kw_wrap(Bytes(n, 1), Bytes(8, 2), data)), Errc::bad_key_length) << n;
    EXPECT_EQ(code_of(aes_kw_unwrap(Bytes(n, 1), Bytes(8, 2), Bytes(24, 0))), Errc::bad_key_length)
        << n;
  }
  for (std::size_t n : {0, 7, 9, 16}) {
    EXPECT_EQ(code_of(aes_kw_wrap(Bytes(16, 1), Bytes(n, 2), data)), Errc::bad_length) << n;
  }
}

TEST(KemacCipherTest, WrongKeyOrSaltLengthIsRefused) {
  Bytes plain(32, 7);
  EXPECT_EQ(code_of(encrypt_kemac(EncrAlg::aes_cm_128, Bytes(32, 1), Bytes(14, 2), 1, 1, plain)),
            Errc::bad_key_length);
  EXPECT_EQ(code_of(encrypt_kemac(EncrAlg::aes_cm_256, Bytes(16, 1), Bytes(14, 2), 1, 1, plain)),
            Errc::bad_key_length);
  EXPECT_EQ(code_of(encrypt_kemac(EncrAlg::aes_kw_128, Bytes(32, 1), Bytes(8, 2), 1, 1, plain)),
            Errc::bad_key_length);
  EXPECT_EQ(code_of(encrypt_kemac(EncrAlg::aes_cm_128, Bytes(16, 1), Bytes(13, 2), 1, 1, plain)),
            Errc::bad_length);
  EXPECT_EQ(code_of(encrypt_kemac(EncrAlg::aes_kw_128, Bytes(16, 1), Bytes(14, 2), 1, 1, plain)),
            Errc::bad_length);
  EXPECT_EQ(code_of(aes_cm_iv(Bytes(16, 0), 1, 1)), Errc::bad_length);
  AesCmIv iv{};
  EXPECT_EQ(code_of(aes_cm_crypt(EncrAlg::aes_cm_128, Bytes(24, 1), iv, plain)),
            Errc::bad_key_length);
  EXPECT_EQ(code_of(aes_cm_crypt(EncrAlg::aes_kw_128, Bytes(16, 1), iv, plain)),
            Errc::unsupported_algorithm);
}

TEST(KemacCipherTest, UnknownEncrAlgIsUnsupported) {
  for (std::uint8_t v : {4, 240, 255}) {
    const auto alg = static_cast<EncrAlg>(v);
    EXPECT_EQ(code_of(encrypt_kemac(alg, Bytes(16, 1), Bytes(14, 2), 1, 1, Bytes(16, 3))),
              Errc::unsupported_algorithm);
    EXPECT_EQ(code_of(decrypt_kemac(alg, Bytes(16, 1), Bytes(14, 2), 1, 1, Bytes(16, 3))),
              Errc::unsupported_algorithm);
    EXPECT_EQ(code_of(encr_key_length(alg)), Errc::unsupported_algorithm);
    EXPECT_EQ(code_of(salt_key_length(alg)), Errc::unsupported_algorithm);
    EXPECT_FALSE(is_known(alg));
    EXPECT_EQ(to_string(alg), "unknown");
  }
}

TEST(KemacCipherTest, NullEncryptionCopies) {
  Bytes plain = unhex("14610010101112131415161718191a1b1c1d1e1f0400000001");
  auto ct = encrypt_kemac(EncrAlg::null, {}, {}, 1, 2, plain);
  ASSERT_TRUE(ct.ok());
  EXPECT_EQ(to_hex(ct.value()), to_hex(plain));
  auto pt = decrypt_kemac(EncrAlg::null, {}, {}, 1, 2, plain);
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ(to_hex(pt->view()), to_hex(plain));
}

// RFC 3830 §4.2.3: at most 2^23 bits under one IV.
TEST(AesCmTest, MoreThan2To23BitsIsBadLength) {
  AesCmIv iv{};
  Bytes key(16, 1);
  EXPECT_EQ(code_of(aes_cm_crypt(EncrAlg::aes_cm_128, key, iv, Bytes(kAesCmMaxBytes + 1))),
            Errc::bad_length);
  auto max = aes_cm_crypt(EncrAlg::aes_cm_128, key, iv, Bytes(kAesCmMaxBytes));
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->size(), kAesCmMaxBytes);
}

TEST(AesCmTest, EmptyInputGivesEmptyOutput) {
  AesCmIv iv{};
  auto out = aes_cm_crypt(EncrAlg::aes_cm_256, Bytes(32, 1), iv, {});
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->empty());
}

// RFC 3830 §4.2.3 and RFC 6043 §6.2 key and salt sizes.
TEST(KemacCipherTest, KeyAndSaltLengthsPerAlgorithm) {
  EXPECT_EQ(encr_key_length(EncrAlg::null).value(), 0u);
  EXPECT_EQ(encr_key_length(EncrAlg::aes_cm_128).value(), 16u);
  EXPECT_EQ(encr_key_length(EncrAlg::aes_kw_128).value(), 16u);
  EXPECT_EQ(encr_key_length(EncrAlg::aes_cm_256).value(), 32u);
  EXPECT_EQ(salt_key_length(EncrAlg::null).value(), 0u);
  EXPECT_EQ(salt_key_length(EncrAlg::aes_cm_128).value(), 14u);
  EXPECT_EQ(salt_key_length(EncrAlg::aes_kw_128).value(), 8u);
  EXPECT_EQ(salt_key_length(EncrAlg::aes_cm_256).value(), 14u);
  EXPECT_EQ(to_string(EncrAlg::aes_cm_256), "AES-CM-256");
  EXPECT_TRUE(is_known(EncrAlg::aes_kw_128));
}

}  // namespace
}  // namespace mikey::crypto
