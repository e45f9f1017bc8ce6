// Label bytes and derivations (RFC 3830 §4.1.3, §4.1.4; RFC 6043 §5.1.1-§5.1.3, §6.10, App. A.2)
// against independently computed labels and keys.
#include "crypto/labels.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/derive.h"
#include "vector_file.h"
#include "wire/hex.h"

namespace mikey::crypto {
namespace {

using namespace testing;  // load_vectors, find_case, VectorCase, code_of, to_hex

struct Built {
  Result<Bytes, Error> label;
  Result<SecureBytes, Error> key;
};

// Builds the label and derives the key through the public function for the case's kind.
Built build(const VectorCase& c) {
  const std::string kind = c.text("kind");
  const auto f = static_cast<PrfFunc>(c.u8("prf"));
  const Bytes& inkey = c.get("inkey");
  const std::size_t n = c.get("outkey").size();
  if (kind == "tgk_3830") {
    return {label_tgk_3830(c.u32("constant"), c.u8("cs_id"), c.u32("csb_id"), c.get("rand")),
            derive_tgk_key_3830(f, inkey, c.u32("constant"), c.u8("cs_id"), c.u32("csb_id"),
                                c.get("rand"), n)};
  }
  if (kind == "psk_3830") {
    return {label_psk_3830(c.u32("constant"), c.u32("csb_id"), c.get("rand")),
            derive_psk_key_3830(f, inkey, c.u32("constant"), c.u32("csb_id"), c.get("rand"), n)};
  }
  if (kind == "forking") {
    EXPECT_EQ(n, inkey.size()) << "forking keeps the inkey length";
    return {label_forking(c.u32("constant"), c.get("id_data"), c.get("randr_kms")),
            derive_forked_key(f, inkey, c.u32("constant"), c.get("id_data"), c.get("randr_kms"))};
  }
  if (kind == "message") {
    const auto dir = static_cast<MessageDirection>(c.u8("direction"));
    return {label_message_key(c.u32("constant"), c.u32("csb_id"), dir, c.get("randri"),
                              c.get("randrr")),
            derive_message_key(f, inkey, c.u32("constant"), c.u32("csb_id"), dir, c.get("randri"),
                               c.get("randrr"), n)};
  }
  if (kind == "session") {
    return {label_session_key(c.u32("constant"), c.u8("cs_id"), c.get("randri"), c.get("randrr")),
            derive_session_key(f, inkey, c.u32("constant"), c.u8("cs_id"), c.get("randri"),
                               c.get("randrr"), n)};
  }
  if (kind == "vr") {
    EXPECT_EQ(c.u32("constant"), kConstAuth);
    return {label_vr(c.u32("constant")), derive_vr_key(f, inkey, n)};
  }
  if (kind == "tpk") {
    return {label_tpk(c.u32("constant"), c.get("rand")),
            derive_tpk_key(f, inkey, c.u32("constant"), c.get("rand"), n)};
  }
  if (kind == "mpk") {
    EXPECT_EQ(n, inkey.size()) << "MPKi/MPKr keep the inkey length";
    return {label_mpk(c.u32("constant"), c.get("rand")),
            derive_mpk_key(f, inkey, c.u32("constant"), c.get("rand"))};
  }
  ADD_FAILURE() << "unknown kind " << kind;
  return {Error{Errc::bad_parameter}, Error{Errc::bad_parameter}};
}

TEST(LabelsTest, EveryLabelAndKeyMatchesIndependentVectors) {
  auto cases = load_vectors("labels.txt");
  ASSERT_GE(cases.size(), 30u);
  std::set<std::string> kinds;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Built b = build(c);
    ASSERT_TRUE(b.label.ok()) << to_string(b.label.error().code);
    EXPECT_EQ(to_hex(b.label.value()), to_hex(c.get("label")));
    ASSERT_TRUE(b.key.ok()) << to_string(b.key.error().code);
    EXPECT_EQ(to_hex(b.key->view()), to_hex(c.get("outkey")));
    kinds.insert(c.text("kind"));
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"tgk_3830", "psk_3830", "forking", "message", "session",
                                          "vr", "tpk", "mpk"}));
}

// The label bytes of the self-generated examples (cross-checked against Python hmac/hashlib by
// tests/data/crypto/gen_vectors.py), written out by hand: an empty RANDRr contributes only its
// length byte 0.
TEST(LabelsTest, MessageLabelMatchesDigestBytes) {
  auto label = label_message_key(kConstAuth, 0x12345678, MessageDirection::initial,
                                 unhex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"), {});
  ASSERT_TRUE(label.ok());
  EXPECT_EQ(to_hex(label.value()), "2d22ac75ff123456780110c0c1c2c3c4c5c6c7c8c9cacbcccdcecf00");
}

TEST(LabelsTest, ForkingLabelMatchesDigestBytes) {
  auto label = label_forking(kConstMpkrFork, as_bytes("sip:bob@example.org"),
                             unhex("e0e1e2e3e4e5e6e7e8e9eaebecedeeef"));
  ASSERT_TRUE(label.ok());
  EXPECT_EQ(to_hex(label.value()),
            "2b288856ffffffffff000013"
            "7369703a626f62406578616d706c652e6f7267"
            "10e0e1e2e3e4e5e6e7e8e9eaebecedeeef");
}

TEST(LabelsTest, SessionAndVrLabelsMatchDigestBytes) {
  auto session = label_session_key(kConstTek, 1, unhex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"),
                                   unhex("d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"));
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(to_hex(session.value()),
            "2ad01c6401ffffffff0310c0c1c2c3c4c5c6c7c8c9cacbcccdcecf10d0d1d2d3d4d5d6d7d8d9dadbdcdd"
            "dedf");
  auto vr = label_vr();
  ASSERT_TRUE(vr.ok());
  EXPECT_EQ(to_hex(vr.value()), "2d22ac75ffffffffff04");
}

TEST(LabelsTest, LabelTypeValuesAreRfc6043TypeBytes) {
  EXPECT_EQ(static_cast<int>(LabelType::forking), 0x00);
  EXPECT_EQ(static_cast<int>(LabelType::initial), 0x01);
  EXPECT_EQ(static_cast<int>(LabelType::response), 0x02);
  EXPECT_EQ(static_cast<int>(LabelType::session), 0x03);
  EXPECT_EQ(static_cast<int>(LabelType::vr), 0x04);
  EXPECT_EQ(static_cast<int>(LabelType::tpk), 0x05);
  EXPECT_EQ(static_cast<int>(LabelType::mpk), 0x06);
  auto tpk = label_tpk(kConstEncr, {});
  auto mpk = label_mpk(kConstMpki, {});
  ASSERT_TRUE(tpk.ok() && mpk.ok());
  EXPECT_EQ(to_hex(tpk.value()), "150533e1ffffffffff0500");
  EXPECT_EQ(to_hex(mpk.value()), "220e99a2ffffffffff0600");
}

TEST(LabelsTest, ForkingRejectsIdDataLongerThan16BitLength) {
  Bytes id(65536, 'a');
  auto label = label_forking(kConstMpkrFork, id, Bytes(16, 1));
  ASSERT_FALSE(label.ok());
  EXPECT_EQ(code_of(label), Errc::bad_length);
  auto key = fork_mpkr(PrfFunc::mikey_1, Bytes(16, 2), id, Bytes(16, 1));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(code_of(key), Errc::bad_length);
  EXPECT_TRUE(label_forking(kConstMpkrFork, Bytes(65535, 'a'), Bytes(255, 1)).ok());
}

TEST(LabelsTest, RandLongerThan255IsBadLength) {
  Bytes long_rand(256, 9);
  Bytes rand(16, 9);
  const Errc kBad = Errc::bad_length;
  EXPECT_EQ(code_of(label_forking(kConstTgkFork, rand, long_rand)), kBad);
  EXPECT_EQ(code_of(label_message_key(kConstEncr, 1, MessageDirection::initial, long_rand, {})),
            kBad);
  EXPECT_EQ(code_of(label_message_key(kConstEncr, 1, MessageDirection::response, rand, long_rand)),
            kBad);
  EXPECT_EQ(code_of(label_session_key(kConstTek, 1, long_rand, rand)), kBad);
  EXPECT_EQ(code_of(label_session_key(kConstTek, 1, rand, long_rand)), kBad);
  EXPECT_EQ(code_of(label_tpk(kConstAuth, long_rand)), kBad);
  EXPECT_EQ(code_of(label_mpk(kConstMpkr, long_rand)), kBad);
  // RFC 3830 labels carry the RAND without a length, so any size is encodable.
  EXPECT_TRUE(label_psk_3830(kConstEncr, 1, long_rand).ok());
  EXPECT_TRUE(label_tgk_3830(kConstTek, 1, 1, long_rand).ok());
}

TEST(LabelsTest, UnknownMessageDirectionIsBadParameter) {
  for (std::uint8_t v : {0, 3, 4, 255}) {
    auto label =
        label_message_key(kConstAuth, 1, static_cast<MessageDirection>(v), Bytes(16, 1), {});
    ASSERT_FALSE(label.ok());
    EXPECT_EQ(code_of(label), Errc::bad_parameter);
  }
}

// Self-generated example, cross-checked against Python hmac and OpenSSL TLS1-PRF
// (gen_vectors.py): the REQUEST_RESP KEMAC keys (response label, PSK 404142..4f).
TEST(DeriveTest, MessageKeysBundleMatchesDigestResponseKeys) {
  Bytes psk = unhex("404142434445464748494a4b4c4d4e4f");
  Bytes randri = unhex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf");
  auto keys = derive_message_keys(PrfFunc::mikey_1, psk, 0x12345678, MessageDirection::response,
                                  randri, {}, 16, 20, 14);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(to_hex(keys->encr.view()), "cfeb0992357adf5d343266794d66ee13");
  EXPECT_EQ(to_hex(keys->salt.view()), "0519972484eee56bb8366ee975c1");
  auto auth = derive_message_key(PrfFunc::mikey_1, psk, kConstAuth, 0x12345678,
                                 MessageDirection::response, randri, {}, 20);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(to_hex(keys->auth.view()), to_hex(auth->view()));
  // The initial-message auth key (§15.2) differs only by the type byte.
  auto initial = derive_message_key(PrfFunc::mikey_1, psk, kConstAuth, 0x12345678,
                                    MessageDirection::initial, randri, {}, 20);
  ASSERT_TRUE(initial.ok());
  EXPECT_EQ(to_hex(initial->view()), "897b352c3fb83f9953671fc36e3f7a23d6771e3e");
}

TEST(DeriveTest, PskAndTpkBundlesMatchSingleDerivations) {
  auto cases = load_vectors("labels.txt");
  const auto* encr = find_case(cases, "psk_3830_encr");
  const auto* auth = find_case(cases, "psk_3830_auth");
  const auto* salt = find_case(cases, "psk_3830_salt");
  ASSERT_TRUE(encr && auth && salt);
  auto keys = derive_psk_keys_3830(PrfFunc::mikey_1, encr->get("inkey"), encr->u32("csb_id"),
                                   encr->get("rand"), 16, 20, 14);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(to_hex(keys->encr.view()), to_hex(encr->get("outkey")));
  EXPECT_EQ(to_hex(keys->auth.view()), to_hex(auth->get("outkey")));
  EXPECT_EQ(to_hex(keys->salt.view()), to_hex(salt->get("outkey")));

  const auto* tpk_encr = find_case(cases, "tpk_encr_mikey1");
  const auto* tpk_auth = find_case(cases, "tpk_auth_mikey1");
  const auto* tpk_salt = find_case(cases, "tpk_salt_mikey1");
  ASSERT_TRUE(tpk_encr && tpk_auth && tpk_salt);
  auto tpk =
      derive_tpk_keys(PrfFunc::mikey_1, tpk_encr->get("inkey"), tpk_encr->get("rand"), 16, 20, 14);
  ASSERT_TRUE(tpk.ok());
  EXPECT_EQ(to_hex(tpk->encr.view()), to_hex(tpk_encr->get("outkey")));
  EXPECT_EQ(to_hex(tpk->auth.view()), to_hex(tpk_auth->get("outkey")));
  EXPECT_EQ(to_hex(tpk->salt.view()), to_hex(tpk_salt->get("outkey")));
}

TEST(DeriveTest, ZeroLengthKeyInBundleIsEmpty) {
  auto keys = derive_message_keys(PrfFunc::hmac_sha256, Bytes(32, 1), 1, MessageDirection::initial,
                                  Bytes(16, 2), {}, 32, 0, 0);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->encr.size(), 32u);
  EXPECT_TRUE(keys->auth.empty());
  EXPECT_TRUE(keys->salt.empty());
}

TEST(DeriveTest, BundlePropagatesPrfError) {
  auto keys = derive_message_keys(static_cast<PrfFunc>(9), Bytes(16, 1), 1,
                                  MessageDirection::initial, Bytes(16, 2), {}, 16, 20, 14);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(code_of(keys), Errc::unsupported_algorithm);
}

TEST(DeriveTest, MpkiAndMpkrKeepLengthAndDiffer) {
  Bytes mpk(32, 0x5a);
  Bytes rand(16, 0xa5);
  auto mpki = derive_mpki(PrfFunc::hmac_sha256, mpk, rand);
  auto mpkr = derive_mpkr(PrfFunc::hmac_sha256, mpk, rand);
  ASSERT_TRUE(mpki.ok() && mpkr.ok());
  EXPECT_EQ(mpki->size(), 32u);
  EXPECT_EQ(mpkr->size(), 32u);
  EXPECT_NE(to_hex(mpki->view()), to_hex(mpkr->view()));
}

TEST(DeriveTest, ForkedTgkAndMpkrUseDifferentConstants) {
  const auto c = load_case("labels.txt", "forking_tgk_prf1_32byte");
  ASSERT_TRUE(c.has_value());
  auto tgk =
      fork_tgk(PrfFunc::hmac_sha256, c->get("inkey"), c->get("id_data"), c->get("randr_kms"));
  auto mpkr =
      fork_mpkr(PrfFunc::hmac_sha256, c->get("inkey"), c->get("id_data"), c->get("randr_kms"));
  ASSERT_TRUE(tgk.ok() && mpkr.ok());
  EXPECT_EQ(to_hex(tgk->view()), to_hex(c->get("outkey")));
  EXPECT_NE(to_hex(tgk->view()), to_hex(mpkr->view()));
}

}  // namespace
}  // namespace mikey::crypto
