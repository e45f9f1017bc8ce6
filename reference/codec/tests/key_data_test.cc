// Tests of the IBAKE/ESK/SAKKE bodies (RFC 6267, RFC 6509) and of the Key data sub-payloads
// (RFC 3830 §6.13) through the KEMAC chain: for
// each payload a known-bytes vector assembled by hand from the RFC figure (one comment per
// field), the shapes of payload_test_util.h (both round trips, identical layout maps, every
// truncation fails with `truncated`) and the specific errors its parser and serialiser report.
// Values come from the self-generated MIKEY-TICKET examples (tests/data/crypto, cross-checked
// against Python hmac/hashlib and the OpenSSL command line by gen_vectors.py) where a
// real-looking value exists.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/message.h"
#include "codec/payloads.h"
#include "codec/tests/payload_test_util.h"
#include "wire/hex.h"

namespace mikey::codec {
namespace {

using namespace testing;

// ---------------------------------------------------------------------------------------------
// IBAKE / ESK (RFC 6267 §6.1.1, §6.1.2) and SAKKE (RFC 6509 §4.2)

TEST(IbakeEskTest, ParsesKnownBytes) {
  for (PayloadType t : {PayloadType::ibake, PayloadType::esk}) {
    SCOPED_TRACE(raw(t));
    const Bytes bytes = concat({hex("00"          // Next payload: Last payload
                                    "0030"),      // Encr data len: 48
                                seq(48, 0x30)});  // Encr data (opaque here)
    SingleOutcome out = parse_single(t, bytes);
    ASSERT_EQ(out.error.code, Errc::ok);
    EXPECT_EQ(out.payloads[0].type, t);
    const OpaqueEncrData* o = first_body<OpaqueEncrData>(out);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->encr_data, seq(48, 0x30));
    expect_payload_shapes(t, bytes);
  }
}

TEST(SakkeTest, ParsesKnownBytes) {
  const Bytes sed = concat({hex("04"), seq(256, 0x11), seq(16, 0xe0)});  // 0x04 | R (x|y) | H
  const Bytes bytes = concat({hex("00"      // Next payload: Last payload
                                  "01"      // SAKKE params: 1 (RFC 6509 parameter set 1)
                                  "01"      // ID scheme: 1 (tel URI with monthly keys)
                                  "0111"),  // SAKKE data length: 273
                              sed});        // SAKKE data: encapsulated data
  SingleOutcome out = parse_single(PayloadType::sakke, bytes);
  ASSERT_EQ(out.error.code, Errc::ok);
  const Sakke* s = first_body<Sakke>(out);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->params, 1);
  EXPECT_EQ(s->id_scheme, 1);
  EXPECT_EQ(s->data, sed);
  expect_field(out.state.layout, "payload[0].SAKKE.sakke_data", 5, 273);
  expect_payload_shapes(PayloadType::sakke, bytes);
}

// ---------------------------------------------------------------------------------------------
// Key data sub-payloads (RFC 3830 §6.13, §6.14; RFC 6043 §6.2.1) through the KEMAC chain

// Parse → serialise → same bytes and layout; model → bytes → model; every non-empty proper
// prefix fails with truncated (the empty prefix is the legal empty chain).
void expect_key_data_chain_shapes(const Bytes& bytes) {
  ParseState st;
  st.options = kWithLayout;
  KeyDataChain chain;
  ParseError e = parse_key_data_chain(bytes, 0, st, "encr_data", chain);
  ASSERT_EQ(e.code, Errc::ok) << to_string(e.code) << " at " << e.offset;

  Bytes again;
  Layout layout;
  ASSERT_EQ(serialize_key_data_chain(chain, again, &layout, "encr_data"), Errc::ok);
  EXPECT_EQ(wire::to_hex(again), wire::to_hex(bytes)) << "bytes→model→bytes differs";
  EXPECT_EQ(layout, st.layout) << "layout maps differ";

  ParseState st2;

  st2.options = kWithLayout;
  KeyDataChain reparsed;
  ASSERT_EQ(parse_key_data_chain(again, 0, st2, "encr_data", reparsed).code, Errc::ok);
  EXPECT_EQ(reparsed, chain) << "model→bytes→model differs";

  for (std::size_t n = 1; n < bytes.size(); ++n) {
    ParseState cst;
    cst.options = kWithLayout;
    KeyDataChain cut;
    ParseError ce = parse_key_data_chain(ByteView(bytes).first(n), 0, cst, "encr_data", cut);
    EXPECT_EQ(ce.code, Errc::truncated) << "prefix of " << n << " bytes";
    EXPECT_LE(ce.offset, n) << "prefix of " << n << " bytes";
    EXPECT_EQ(ce.where, PayloadType::key_data) << "prefix of " << n << " bytes";
  }
}

TEST(KeyDataChainTest, ParsesTicketExamplePlaintext) {
  // Self-generated KEMAC example plaintext: MPK with SPI 00000001, then TGK with SPI 00000002.
  const Bytes bytes =
      hex("14"                                // Next payload: Key data
          "61"                                // Type 6 MPK | KV 1 SPI/MKI
          "0010"                              // Key data len: 16
          "101112131415161718191a1b1c1d1e1f"  // Key data
          "04"                                // SPI Length: 4
          "00000001"                          // SPI
          "00"                                // Next payload: Last payload
          "01"                                // Type 0 TGK | KV 1 SPI/MKI
          "0010"                              // Key data len: 16
          "202122232425262728292a2b2c2d2e2f"  // Key data
          "04"                                // SPI Length: 4
          "00000002");                        // SPI
  ParseState st;
  st.options = kWithLayout;
  KeyDataChain chain;
  ASSERT_EQ(parse_key_data_chain(bytes, 0, st, "encr_data", chain).code, Errc::ok);
  ASSERT_EQ(chain.keys.size(), 2u);
  EXPECT_EQ(chain.keys[0].type, KeyDataType::mpk);
  EXPECT_EQ(chain.keys[0].kv, KvType::spi);
  EXPECT_EQ(chain.keys[0].key, seq(16, 0x10));
  EXPECT_TRUE(chain.keys[0].salt.empty());
  EXPECT_EQ(chain.keys[0].kv_data.spi, hex("00000001"));
  EXPECT_EQ(chain.keys[1].type, KeyDataType::tgk);
  EXPECT_EQ(chain.keys[1].key, seq(16, 0x20));
  EXPECT_EQ(chain.keys[1].kv_data.spi, hex("00000002"));
  EXPECT_TRUE(chain.trailing.empty());
  EXPECT_TRUE(st.deviations.empty());
  expect_field(st.layout, "encr_data.key_data[1].next_payload", 25, 1);
  expect_field(st.layout, "encr_data.key_data[1].type", 26, 1, 0xf0);
  expect_field(st.layout, "encr_data.key_data[1].kv", 26, 1, 0x0f);
  expect_field(st.layout, "encr_data.key_data[1].spi", 46, 4);
  expect_key_data_chain_shapes(bytes);
}

TEST(KeyDataChainTest, ParsesSingleTgkWithKvNull) {
  const Bytes bytes =
      hex("00"                                  // Next payload: Last payload
          "00"                                  // Type 0 TGK | KV 0 Null
          "0010"                                // Key data len: 16
          "000102030405060708090a0b0c0d0e0f");  // Key data (self-generated PRF example TGK)
  ParseState st;
  st.options = kWithLayout;
  KeyDataChain chain;
  ASSERT_EQ(parse_key_data_chain(bytes, 0, st, "encr_data", chain).code, Errc::ok);
  ASSERT_EQ(chain.keys.size(), 1u);
  EXPECT_EQ(chain.keys[0].type, KeyDataType::tgk);
  EXPECT_EQ(chain.keys[0].kv, KvType::null);
  EXPECT_EQ(chain.keys[0].key, seq(16));
  EXPECT_EQ(chain.keys[0].kv_data, KvData{});
  expect_key_data_chain_shapes(bytes);
}

TEST(KeyDataChainTest, ParsesThreeKeysWithSaltAndEveryKv) {
  const Bytes bytes = hex(
      // key_data[0]
      "14"                                // Next payload: Key data
      "11"                                // Type 1 TGK+SALT | KV 1 SPI/MKI
      "0010"                              // Key data len: 16
      "000102030405060708090a0b0c0d0e0f"  // Key data
      "000e"                              // Salt len: 14
      "c19bd30c0f756df5cb26cb343639"      // Salt data (self-generated PRF example salt)
      "04"                                // SPI Length: 4
      "00000001"                          // SPI
      // key_data[1]
      "14"                                // Next payload: Key data
      "32"                                // Type 3 TEK+SALT | KV 2 Interval
      "0010"                              // Key data len: 16
      "9ba4f67e6a85e7e7e9aa57681ca1f27d"  // Key data (self-generated PRF example TEK)
      "000e"                              // Salt len: 14
      "4f2f2d38f97374b3e226cf73b3f2"      // Salt data
      "06"                                // VF Length: 6
      "000000000000"                      // Valid From (SRTP index)
      "06"                                // VT Length: 6
      "0000ffffffff"                      // Valid To
      // key_data[2]
      "00"    // Next payload: Last payload
      "40"    // Type 4 GTGK | KV 0 Null
      "0020"  // Key data len: 32
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");  // Key data
  ParseState st;
  st.options = kWithLayout;
  KeyDataChain chain;
  ASSERT_EQ(parse_key_data_chain(bytes, 0, st, "encr_data", chain).code, Errc::ok);
  ASSERT_EQ(chain.keys.size(), 3u);
  EXPECT_EQ(chain.keys[0].type, KeyDataType::tgk_salt);
  EXPECT_EQ(chain.keys[0].salt, hex("c19bd30c0f756df5cb26cb343639"));
  EXPECT_EQ(chain.keys[0].kv_data.spi, hex("00000001"));
  EXPECT_EQ(chain.keys[1].type, KeyDataType::tek_salt);
  EXPECT_EQ(chain.keys[1].kv, KvType::interval);
  EXPECT_EQ(chain.keys[1].key, hex("9ba4f67e6a85e7e7e9aa57681ca1f27d"));
  EXPECT_EQ(chain.keys[1].salt, hex("4f2f2d38f97374b3e226cf73b3f2"));
  EXPECT_EQ(chain.keys[1].kv_data.valid_from, hex("000000000000"));
  EXPECT_EQ(chain.keys[1].kv_data.valid_to, hex("0000ffffffff"));
  EXPECT_EQ(chain.keys[2].type, KeyDataType::gtgk);
  EXPECT_EQ(chain.keys[2].kv, KvType::null);
  EXPECT_EQ(chain.keys[2].key, seq(32));
  expect_field(st.layout, "encr_data.key_data[0].salt_len", 20, 2);
  expect_field(st.layout, "encr_data.key_data[0].salt_data", 22, 14);
  expect_field(st.layout, "encr_data.key_data[1].valid_to", 85, 6);
  expect_key_data_chain_shapes(bytes);
}

TEST(KeyDataChainTest, RoundTripsRemainingTypes) {
  // GTGK+SALT with SPI, TEK with Interval, MPK with Null, K_PR (RFC 6267) with SPI.
  expect_key_data_chain_shapes(
      hex("14 51 0010 a0a1a2a3a4a5a6a7a8a9aaabacadaeaf 000e b0b1b2b3b4b5b6b7b8b9babbbcbd 01 07"
          "14 22 0010 c0c1c2c3c4c5c6c7c8c9cacbcccdcecf 06 000000000000 06 000000010000"
          "14 60 0010 d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
          "00 71 0004 01020304 02 0001"));
}

TEST(KeyDataChainTest, AcceptsEmptyEncrData) {
  // RFC 3830 §6.2: a CSB update may skip the Key data sub-payloads.
  ParseState st;
  st.options = kWithLayout;
  KeyDataChain chain;
  chain.keys.resize(1);
  ASSERT_EQ(parse_key_data_chain({}, 0, st, "encr_data", chain).code, Errc::ok);
  EXPECT_TRUE(chain.keys.empty());
  Bytes out = hex("ff");
  ASSERT_EQ(serialize_key_data_chain(KeyDataChain{}, out), Errc::ok);
  EXPECT_TRUE(out.empty());
}

TEST(KeyDataChainTest, RejectsUnexpectedNextPayload) {
  // Next payload 5 (T) after a Key data: only 20 or 0 may appear inside Encr data. Offsets are
  // absolute: the Encr data starts at 100 here.
  ParseState st;
  st.options = kWithLayout;
  KeyDataChain chain;
  ParseError e = parse_key_data_chain(hex("05 00 0002 abcd 00 00 0002 abcd"), 100, st, "", chain);
  expect_error(e, Errc::unexpected_payload_type, 100, PayloadType::key_data);
  EXPECT_EQ(chain.keys.size(), 1u);  // the Key data before the bad link is kept
}

TEST(KeyDataChainTest, KeepsTrailingBytesAsDeviation) {
  const Bytes bytes = hex("00 20 0002 abcd 0000");
  ParseState st;
  st.options = kWithLayout;
  KeyDataChain chain;
  ASSERT_EQ(parse_key_data_chain(bytes, 10, st, "encr_data", chain).code, Errc::ok);
  ASSERT_EQ(chain.keys.size(), 1u);
  EXPECT_EQ(chain.keys[0].type, KeyDataType::tek);
  EXPECT_EQ(chain.trailing, hex("0000"));
  ASSERT_EQ(st.deviations.size(), 1u);
  EXPECT_EQ(st.deviations[0].kind, DeviationKind::container_trailing_bytes);
  EXPECT_EQ(st.deviations[0].offset, 16u);
  expect_field(st.layout, "encr_data.trailing", 16, 2);
  Bytes again;
  ASSERT_EQ(serialize_key_data_chain(chain, again), Errc::ok);
  EXPECT_EQ(again, bytes);
}

TEST(KeyDataChainTest, RejectsMoreKeysThanTheLimit) {
  ParseState st;
  st.options = kWithLayout;
  st.options.max_payloads = 2;
  KeyDataChain chain;
  ParseError e =
      parse_key_data_chain(hex("14 00 0001 aa 14 00 0001 bb 00 00 0001 cc"), 0, st, "", chain);
  expect_error(e, Errc::too_many_payloads, 10, PayloadType::key_data);
}

TEST(KeyDataChainTest, RejectsUnknownKvType) {
  ParseState st;
  st.options = kWithLayout;
  KeyDataChain chain;
  ParseError e = parse_key_data_chain(hex("00 03 0002 abcd 04 00000001"), 0, st, "", chain);
  expect_error(e, Errc::unknown_kv_type, 1, PayloadType::key_data);
}

TEST(KeyDataChainTest, RejectsKeyDataLenPastEnd) {
  ParseState st;
  st.options = kWithLayout;
  KeyDataChain chain;
  ParseError e = parse_key_data_chain(hex("00 00 0010 000102"), 0, st, "", chain);
  expect_error(e, Errc::truncated, 4, PayloadType::key_data);
}

TEST(KeyDataChainTest, UnassignedTypeCarriesNoSalt) {
  // Type 8 is unassigned; only the +SALT types are known to carry Salt len / Salt data.
  const Bytes bytes = hex("00 80 0002 abcd");
  ParseState st;
  st.options = kWithLayout;
  KeyDataChain chain;
  ASSERT_EQ(parse_key_data_chain(bytes, 0, st, "encr_data", chain).code, Errc::ok);
  EXPECT_EQ(raw(chain.keys[0].type), 8);
  expect_key_data_chain_shapes(bytes);
}

TEST(KeyDataChainTest, SerializerRejectsInconsistentKeys) {
  KeyDataChain chain;
  chain.keys.resize(1);
  chain.keys[0].type = KeyDataType::tgk;
  chain.keys[0].salt = hex("0102");  // TGK carries no salt
  Bytes out;
  EXPECT_EQ(serialize_key_data_chain(chain, out), Errc::inconsistent_model);

  chain.keys[0].salt.clear();
  chain.keys[0].kv = KvType::interval;
  chain.keys[0].kv_data.spi = hex("01");  // SPI under KV Interval
  EXPECT_EQ(serialize_key_data_chain(chain, out), Errc::inconsistent_model);

  chain.keys[0].kv = KvType::spi;
  chain.keys[0].kv_data.spi = Bytes(256, 1);  // SPI Length is one byte
  EXPECT_EQ(serialize_key_data_chain(chain, out), Errc::field_too_large);

  KeyDataChain only_trailing;
  only_trailing.trailing = hex("00");
  EXPECT_EQ(serialize_key_data_chain(only_trailing, out), Errc::inconsistent_model);
  EXPECT_TRUE(out.empty());  // untouched on failure
}

// ---------------------------------------------------------------------------------------------
// The bodies in a message: an RFC 3830 public-key I_MESSAGE (data type 2) with every payload
// kind chained, SIGN last (RFC 3830 §3.2, §6.5).

TEST(BasePayloadChainTest, ParsesPublicKeyMessageEndingInSign) {
  const Bytes msg = concat({
      hex("01 02 05 80 12345678 00 01"),  // HDR: v1, Public key, next T, V=1, #CS 0, Empty map
      hex("0b 00 e5a1b2c3 00000000"),     // T, next RAND
      hex("07 10 c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"),                 // RAND, next CERT
      hex("06 00 0004 30820100"),                                    // CERT, next ID
      hex("0a 01 0015 7369703a616c696365406578616d706c652e6f7267"),  // ID, next SP
      hex("01 01 00 0003 00 01 01"),                                 // SP, next KEMAC
      hex("08 01 0002 abcd 00"),                                     // KEMAC, next CHASH
      hex("02 00 a9993e364706816aba3e25717850c26c9cd0d89d"),         // CHASH, next PKE
      hex("15 00 04 01020304"),                                      // PKE, next General Ext
      hex("04 00 0002 0001"),                                        // General Ext, next SIGN
      hex("00 04 0a0b0c0d"),  // SIGN: RSA/PKCS#1/1.5, 4 bytes
  });
  ParseOutcome out = parse_message(msg, kWithLayout);
  ASSERT_TRUE(out.ok()) << to_string(out.error.code) << " at " << out.error.offset;
  ASSERT_EQ(out.message.payloads.size(), 10u);
  EXPECT_EQ(out.message.payloads[4].type, PayloadType::sp);
  EXPECT_EQ(out.message.payloads.back().type, PayloadType::sign);
  EXPECT_EQ(out.message.payloads.back().get<Sign>()->signature, hex("0a0b0c0d"));
  auto again = serialize_message(out.message);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), msg);
}

}  // namespace
}  // namespace mikey::codec
