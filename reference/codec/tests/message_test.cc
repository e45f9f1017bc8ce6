// Message-level parsing: the HDR + Next payload chain walk, deviations, limits and the
// round trips of whole messages.
#include "codec/message.h"

#include <gtest/gtest.h>

#include <optional>

#include "codec/tests/payload_test_util.h"

namespace mikey::codec {
namespace {

using testing::expect_field_at;
using testing::hex;

// The worked REQUEST_INIT_PSK (155 bytes; self-generated example, its MAC cross-checked against
// Python hmac by tests/data/crypto/gen_vectors.py; layout checked field by field against RFC 6043
// §4.2.1, §6.6, §6.8, §6.10, RFC 3830 §6.1, §6.6, §6.9 and RFC 4563 §5).
const char kRequestInitPsk[] =
    "010b05801234567800 01"                                                    // HDR
    "0f00e5a1b2c300000000"                                                     // T, NTP-UTC
    "0e0110c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"                                   // RANDRi
    "0e0101 0015 7369703a616c696365406578616d706c652e6f7267"                   // IDRi
    "100301 000f 6b6d732e6578616d706c652e6f7267"                               // IDRkms
    "0e0001010101506000190e0002010013 7369703a626f62406578616d706c652e6f7267"  // TP
    "090402 0008 70736b2d69642d31"                                             // IDRpsk
    "0001 fcefb0bf9c6cef0e88ed958fc5e5b3e3bfa72eaf";                           // V

// Parses `bytes` and expects it to stop with `code` at `offset`; the outcome, for more checks.
ParseOutcome expect_parse_error(const Bytes& bytes, Errc code, std::uint32_t offset) {
  ParseOutcome out = parse_message(bytes, kWithLayout);
  EXPECT_EQ(out.error.code, code);
  EXPECT_EQ(out.error.offset, offset);
  return out;
}

// Parsing succeeded with exactly one deviation, of `kind` (at `offset`, when given).
void expect_one_deviation(const ParseOutcome& out, DeviationKind kind,
                          std::optional<std::uint32_t> offset = std::nullopt) {
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out.deviations.size(), 1u);
  EXPECT_EQ(out.deviations[0].kind, kind);
  if (offset) EXPECT_EQ(out.deviations[0].offset, *offset);
}

TEST(MessageTest, ParsesWorkedRequestInitPsk) {
  Bytes bytes = hex(kRequestInitPsk);
  ASSERT_EQ(bytes.size(), 155u);
  ParseOutcome out = parse_message(bytes, kWithLayout);
  ASSERT_TRUE(out.ok()) << to_string(out.error.code) << " at " << out.error.offset;
  const Message& m = out.message;
  EXPECT_EQ(m.hdr.data_type, DataType::request_init_psk);
  EXPECT_TRUE(m.hdr.v);
  EXPECT_EQ(m.hdr.prf_func, PrfFunc::mikey_1);
  EXPECT_EQ(m.hdr.csb_id, 0x12345678u);
  EXPECT_EQ(m.hdr.cs_count, 0);
  EXPECT_EQ(m.hdr.map_type, MapType::empty);
  ASSERT_EQ(m.payloads.size(), 7u);
  const PayloadType order[] = {PayloadType::t,   PayloadType::randr, PayloadType::idr,
                               PayloadType::idr, PayloadType::tp,    PayloadType::idr,
                               PayloadType::v};
  for (std::size_t i = 0; i < 7; ++i) EXPECT_EQ(m.payloads[i].type, order[i]) << i;
  EXPECT_EQ(m.payloads[0].get<Timestamp>()->value, 0xe5a1b2c300000000u);
  EXPECT_EQ(m.payloads[2].get<IdWithRole>()->role, IdRole::idri);
  EXPECT_EQ(m.payloads[3].get<IdWithRole>()->role, IdRole::idrkms);
  EXPECT_EQ(m.payloads[5].get<IdWithRole>()->role, IdRole::idrpsk);
  EXPECT_EQ(wire::to_hex(m.payloads[6].get<Verification>()->mac),
            "fcefb0bf9c6cef0e88ed958fc5e5b3e3bfa72eaf");
  EXPECT_EQ(m.payloads[6].offset, 133u);
  EXPECT_EQ(m.payloads[6].length, 22u);
  EXPECT_TRUE(out.deviations.empty());
  // Layout map: the MAC is the last 20 bytes.
  expect_field_at(out.layout, "payload[6].V.mac", 135u, 20u);
  auto v = out.layout.find("hdr.v");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->offset, 3u);
  EXPECT_EQ(v->mask, 0x80);
}

TEST(MessageTest, RoundTripsBothWaysWithIdenticalLayout) {
  Bytes bytes = hex(kRequestInitPsk);
  ParseOutcome out = parse_message(bytes, kWithLayout);
  ASSERT_TRUE(out.ok());
  Layout layout;
  auto again = serialize_message(out.message, &layout);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), bytes);
  EXPECT_EQ(layout, out.layout);
  ParseOutcome back = parse_message(again.value(), kWithLayout);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.message, out.message);
}

TEST(MessageTest, EveryTruncationFailsWithTruncated) {
  Bytes bytes = hex(kRequestInitPsk);
  for (std::size_t n = 1; n < bytes.size(); ++n) {
    ParseOutcome out = parse_message(ByteView(bytes).first(n), kWithLayout);
    EXPECT_EQ(out.error.code, Errc::truncated) << "prefix " << n;
    EXPECT_LE(out.error.offset, n) << "prefix " << n;
  }
}

TEST(MessageTest, EmptyInputIsMissingHdr) {
  ParseOutcome out = parse_message({}, kWithLayout);
  EXPECT_EQ(out.error.code, Errc::missing_hdr);
  EXPECT_EQ(out.error.offset, 0u);
}

TEST(MessageTest, UnknownPayloadTypeNamesItsOffset) {
  // HDR announcing payload 19 (unassigned) at offset 10.
  ParseOutcome out =
      expect_parse_error(hex("0100 13 00 00000001 00 01 00 0000"), Errc::unknown_payload_type, 10u);
  EXPECT_EQ(out.error.where, static_cast<PayloadType>(19));
}

TEST(MessageTest, KeyDataAtTopLevelIsUnexpected) {
  Bytes bytes = hex("0100 14 00 00000001 00 01 00 0000");
  ParseOutcome out = parse_message(bytes, kWithLayout);
  EXPECT_EQ(out.error.code, Errc::unexpected_payload_type);
  EXPECT_EQ(out.error.offset, 10u);
}

TEST(MessageTest, PartialMessageIsKeptOnError) {
  // HDR, a complete T, then a RAND that claims 16 bytes but has 2.
  ParseOutcome out = expect_parse_error(
      hex("0100 05 00 00000001 00 01 0b00 0000000000000001 0010 abcd"), Errc::truncated, 22u);
  EXPECT_EQ(out.error.where, PayloadType::rand);
  ASSERT_EQ(out.message.payloads.size(), 2u);
  EXPECT_EQ(out.message.payloads[0].type, PayloadType::t);
  EXPECT_TRUE(out.layout.find("payload[1].RAND.rand_len").has_value());
}

TEST(MessageTest, TrailingBytesAreADeviationAndRoundTrip) {
  Bytes bytes = hex("0106 0c 00 00000001 00 01 00 0c 0000 00");
  ParseOutcome out = parse_message(bytes, kWithLayout);
  expect_one_deviation(out, DeviationKind::trailing_bytes, 14u);
  EXPECT_EQ(out.message.trailing, Bytes{0x00});
  auto again = serialize_message(out.message);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), bytes);
}

TEST(MessageTest, VFlagConflictIsReportedForRequestInitWithVZero) {
  Bytes bytes = hex(kRequestInitPsk);
  bytes[3] = 0x00;  // V = 0, PRF 0: what RFC 6043 §6.1 would say, against §4.2.1.1
  ParseOutcome out = parse_message(bytes, kWithLayout);
  expect_one_deviation(out, DeviationKind::v_flag_conflict, 3u);
}

TEST(MessageTest, ErrorMessageWithoutErrIsADeviation) {
  // Error message = HDR, T only.
  Bytes bytes = hex("0106 05 00 00000001 00 01 0000 0000000000000001");
  ParseOutcome out = parse_message(bytes, kWithLayout);
  expect_one_deviation(out, DeviationKind::error_without_err);
}

TEST(MessageTest, SignEndsTheChainAndLaterBytesAreTrailing) {
  // HDR (PK init), SIGN type 0 with 2 signature bytes, then one extra byte.
  Bytes bytes = hex("0102 04 00 00000001 00 01 00 0002 abcd ff");
  ParseOutcome out = parse_message(bytes, kWithLayout);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out.message.payloads.size(), 1u);
  EXPECT_EQ(out.message.payloads[0].type, PayloadType::sign);
  ASSERT_EQ(out.deviations.size(), 1u);
  EXPECT_EQ(out.deviations[0].kind, DeviationKind::trailing_bytes);
}

TEST(MessageTest, TooManyPayloadsIsBounded) {
  // HDR then 10 ERR payloads chained; limit 4.
  std::string h = "0106 0c 00 00000001 00 01";
  for (int i = 0; i < 9; ++i) h += "0c 0c 0000";
  h += "00 0c 0000";
  ParseOptions opts;
  opts.max_payloads = 4;
  ParseOutcome out = parse_message(hex(h), opts);
  EXPECT_EQ(out.error.code, Errc::too_many_payloads);
  EXPECT_EQ(out.message.payloads.size(), 4u);
  EXPECT_TRUE(parse_message(hex(h), kWithLayout).ok());
}

TEST(MessageTest, SerializerRejectsPayloadAfterSign) {
  Message m;
  m.hdr.data_type = DataType::pk_init;
  m.payloads.push_back(make_payload(Sign{}));
  m.payloads.push_back(make_payload(Err{}));
  auto r = serialize_message(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Errc::inconsistent_model);
}

TEST(MessageTest, SerializerRejectsTypeBodyMismatch) {
  Message m;
  Payload p = make_payload(Err{});
  p.type = PayloadType::t;
  m.payloads.push_back(p);
  auto r = serialize_message(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Errc::inconsistent_model);
}

TEST(MessageTest, NoLayoutIsRecordedWhenDisabled) {
  ParseOptions opts;
  opts.record_layout = false;
  ParseOutcome out = parse_message(hex(kRequestInitPsk), opts);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out.layout.fields().empty());
}

TEST(MessageTest, ExpectedVFlagFollowsRfc6043Section4) {
  Message m;
  m.hdr.data_type = DataType::resolve_init_psk;
  EXPECT_EQ(expected_v_flag(m), std::optional<bool>(true));
  m.hdr.data_type = DataType::resolve_resp;
  EXPECT_EQ(expected_v_flag(m), std::optional<bool>(false));
  m.hdr.data_type = DataType::transfer_init;
  EXPECT_EQ(expected_v_flag(m), std::nullopt);  // CSB update: no TICKET
  Ticket t;
  t.policy.flags.f = true;
  m.payloads.push_back(make_payload(t));
  EXPECT_EQ(expected_v_flag(m), std::optional<bool>(true));
}

}  // namespace
}  // namespace mikey::codec
