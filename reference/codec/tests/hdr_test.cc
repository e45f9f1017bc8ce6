// HDR (RFC 3830 §6.1, §6.1.1; RFC 4563 §5; RFC 6043 §6.1.1): every CS ID map type.
#include <gtest/gtest.h>

#include "codec/message.h"
#include "codec/tests/payload_test_util.h"

namespace mikey::codec {
namespace {

using testing::hex;

// HDR only (next payload 0), each shape, through the message parser.
struct HdrCase {
  const char* name;
  const char* hex;
};

const HdrCase kHdrCases[] = {
    // version 1, data type 0, next 0, V=1 PRF 0, CSB ID, #CS 2, SRTP-ID: two 9-byte records
    {"srtp_id_two_sessions",
     "01 00 00 80 11223344 02 00 01 00000001 00000000 02 0000abcd 00000007"},
    // Empty map (RFC 4563 §5): no map info
    {"empty_map", "01 0b 00 80 12345678 00 01"},
    // GENERIC-ID (RFC 6043 §6.1.1): CS ID 1, SRTP, S=1 #P=2 (policies 0,1), Session Data 10
    // bytes (SSRC, ROC, SEQ), SPI 4 bytes; CS ID 2, S=0 #P=0, no session data, no SPI
    {"generic_id",
     "01 0e 00 01 00000001 02 02"
     "01 00 82 00 01 000a 11111111 00000000 0001 04 00000001"
     "02 00 00 0000 00"},
    // PRF-HMAC-SHA-256 (RFC 6043 §6.1) and V=0
    {"prf_sha256", "01 0d 00 01 12345678 00 01"},
};

class HdrShapes : public ::testing::TestWithParam<HdrCase> {};

TEST_P(HdrShapes, RoundTripsAndEveryTruncationFails) {
  Bytes bytes = hex(GetParam().hex);
  ParseOutcome out = parse_message(bytes, kWithLayout);
  ASSERT_TRUE(out.ok()) << to_string(out.error.code) << " at " << out.error.offset;
  Layout layout;
  auto again = serialize_message(out.message, &layout);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), bytes);
  EXPECT_EQ(layout, out.layout);
  EXPECT_EQ(parse_message(again.value(), kWithLayout).message, out.message);
  for (std::size_t n = 1; n < bytes.size(); ++n) {
    ParseOutcome cut = parse_message(ByteView(bytes).first(n), kWithLayout);
    EXPECT_EQ(cut.error.code, Errc::truncated) << n;
  }
}

INSTANTIATE_TEST_SUITE_P(All, HdrShapes, ::testing::ValuesIn(kHdrCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(HdrTest, ParsesSrtpIdRecords) {
  ParseOutcome out = parse_message(hex(kHdrCases[0].hex), kWithLayout);
  ASSERT_TRUE(out.ok());
  const Hdr& h = out.message.hdr;
  EXPECT_EQ(h.csb_id, 0x11223344u);
  EXPECT_TRUE(h.v);
  ASSERT_EQ(h.srtp_id.size(), 2u);
  EXPECT_EQ(h.srtp_id[1].policy_no, 2);
  EXPECT_EQ(h.srtp_id[1].ssrc, 0xabcdu);
  EXPECT_EQ(h.srtp_id[1].roc, 7u);
  EXPECT_EQ(out.layout.find("hdr.srtp_id[1].ssrc")->offset, 20u);  // 10 + 9 + 1
}

TEST(HdrTest, ParsesGenericIdBlocks) {
  ParseOutcome out = parse_message(hex(kHdrCases[2].hex), kWithLayout);
  ASSERT_TRUE(out.ok());
  const Hdr& h = out.message.hdr;
  EXPECT_EQ(h.map_type, MapType::generic_id);
  ASSERT_EQ(h.generic_id.size(), 2u);
  EXPECT_EQ(h.generic_id[0].cs_id, 1);
  EXPECT_TRUE(h.generic_id[0].s_flag);
  EXPECT_EQ(h.generic_id[0].policies, (std::vector<std::uint8_t>{0, 1}));
  EXPECT_EQ(h.generic_id[0].session_data.size(), 10u);
  EXPECT_EQ(wire::to_hex(h.generic_id[0].spi), "00000001");
  EXPECT_FALSE(h.generic_id[1].s_flag);
  EXPECT_TRUE(h.generic_id[1].spi.empty());
}

TEST(HdrTest, PrfFuncIsTheLowSevenBits) {
  ParseOutcome out = parse_message(hex(kHdrCases[3].hex), kWithLayout);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.message.hdr.prf_func, PrfFunc::prf_hmac_sha256);
  EXPECT_FALSE(out.message.hdr.v);
  EXPECT_EQ(out.layout.find("hdr.prf_func")->mask, 0x7f);
}

TEST(HdrTest, UnknownMapTypeFailsAtTheMapTypeByte) {
  ParseOutcome out = parse_message(hex("01 00 00 00 00000001 01 30"), kWithLayout);
  EXPECT_EQ(out.error.code, Errc::unknown_map_type);
  EXPECT_EQ(out.error.offset, 9u);
}

TEST(HdrTest, UnknownVersionIsADeviationNotAnError) {
  ParseOutcome out = parse_message(hex("02 0b 00 80 12345678 00 01"), kWithLayout);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out.deviations.size(), 1u);
  EXPECT_EQ(out.deviations[0].kind, DeviationKind::unknown_version);
}

TEST(HdrTest, SrtpIdInTicketMessageIsADeviation) {
  ParseOutcome out =
      parse_message(hex("01 0e 00 00 00000001 01 00 01 00000001 00000000"), kWithLayout);
  ASSERT_TRUE(out.ok());
  bool seen = false;
  for (const Deviation& d : out.deviations)
    seen |= d.kind == DeviationKind::srtp_id_in_ticket_message;
  EXPECT_TRUE(seen);
}

TEST(HdrTest, SerializerRejectsCsCountDisagreeingWithEntries) {
  Message m;
  m.hdr.map_type = MapType::srtp_id;
  m.hdr.cs_count = 2;
  m.hdr.srtp_id.resize(1);
  auto r = serialize_message(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Errc::inconsistent_model);
}

TEST(HdrTest, SerializerRejectsPrfFuncWiderThanSevenBits) {
  Message m;
  m.hdr.prf_func = static_cast<PrfFunc>(0x80);
  auto r = serialize_message(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Errc::inconsistent_model);
}

TEST(HdrTest, SerializerRejectsMoreThan127Policies) {
  Message m;
  m.hdr.map_type = MapType::generic_id;
  m.hdr.cs_count = 1;
  m.hdr.generic_id.resize(1);
  m.hdr.generic_id[0].policies.resize(128);
  auto r = serialize_message(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Errc::field_too_large);
}

}  // namespace
}  // namespace mikey::codec
