// The RFC 6043 payloads TR (§6.4), IDR (§6.6) and RANDR (§6.8), with the same checks for each:
// known bytes with checked fields, both round trips, identical layout maps, and every truncation
// failing with `truncated`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/message.h"
#include "codec/payloads.h"
#include "codec/tests/payload_test_util.h"

namespace mikey::codec {
namespace {

using testing::expect_field_at;
using testing::expect_payload_shapes;
using testing::hex;
using testing::parse_single;

// ---- TR (RFC 6043 §6.4): Next Payload | TS Role | TS Type | TS Value ----

TEST(TimestampWithRoleTest, ParsesEveryRoleAndTsType) {
  const TsRole roles[] = {TsRole::tri, TsRole::trs, TsRole::tre, TsRole::trr};
  struct TypeCase {
    TsType type;
    const char* value_hex;
    std::uint64_t value;
  };
  const TypeCase types[] = {
      {TsType::ntp_utc, "e5a1b2c380000000", 0xe5a1b2c380000000u},  // 8 bytes
      {TsType::ntp, "e5a1b2c300000001", 0xe5a1b2c300000001u},      // 8 bytes
      {TsType::counter, "00000007", 7u},                           // 4 bytes
      {TsType::ntp_utc_32, "e5a1b2c3", 0xe5a1b2c3u},               // 4 bytes (RFC 6043 §6.3)
  };
  for (TsRole role : roles) {
    for (const TypeCase& tc : types) {
      SCOPED_TRACE(std::string(to_string(role)) + " / " + std::string(to_string(tc.type)));
      Bytes bytes = concat({hex("00"), Bytes{raw(role), raw(tc.type)}, hex(tc.value_hex)});
      auto out = parse_single(PayloadType::tr, bytes);
      ASSERT_EQ(out.error.code, Errc::ok);
      const auto* tr = out.payloads[0].get<TimestampWithRole>();
      ASSERT_NE(tr, nullptr);
      EXPECT_EQ(tr->role, role);
      EXPECT_EQ(tr->ts_type, tc.type);
      EXPECT_EQ(tr->value, tc.value);
      expect_payload_shapes(PayloadType::tr, bytes);
    }
  }
}

TEST(TimestampWithRoleTest, ParsesRekeyingIntervalKnownBytes) {
  // TRr, NTP-UTC-32 (RFC 6043 §6.10: TRr SHALL use NTP-UTC-32), 3600 seconds.
  Bytes bytes = hex("00 04 03 00000e10");
  auto out = parse_single(PayloadType::tr, bytes);
  ASSERT_EQ(out.error.code, Errc::ok);
  const auto* tr = out.payloads[0].get<TimestampWithRole>();
  EXPECT_EQ(tr->role, TsRole::trr);
  EXPECT_EQ(tr->ts_type, TsType::ntp_utc_32);
  EXPECT_EQ(tr->value, 3600u);
  expect_field_at(out.state.layout, "payload[0].TR.ts_value", 3u, 4u);
}

TEST(TimestampWithRoleTest, KeepsUnassignedRoleAsValue) {
  Bytes bytes = hex("00 f0 02 00000001");  // TS Role 240 (Private Use)
  auto out = parse_single(PayloadType::tr, bytes);
  ASSERT_EQ(out.error.code, Errc::ok);
  EXPECT_EQ(raw(out.payloads[0].get<TimestampWithRole>()->role), 0xf0);
  expect_payload_shapes(PayloadType::tr, bytes);
}

TEST(TimestampWithRoleTest, RejectsUnknownTsTypeAtItsOffset) {
  auto out = parse_single(PayloadType::tr, hex("00 01 04 00000000"));
  EXPECT_EQ(out.error.code, Errc::unknown_ts_type);
  EXPECT_EQ(out.error.offset, 2u);
  EXPECT_EQ(out.error.where, PayloadType::tr);
}

// ---- IDR (RFC 6043 §6.6): Next Payload | ID Role | ID Type | ID len (16) | ID Data ----

TEST(IdWithRoleTest, ParsesEveryRoleAndIdType) {
  const IdRole roles[] = {IdRole::idri,   IdRole::idrr,    IdRole::idrkms, IdRole::idrpsk,
                          IdRole::idrapp, IdRole::idrkmsi, IdRole::idrkmsr};
  const IdType types[] = {IdType::nai, IdType::uri, IdType::byte_string};
  for (IdRole role : roles) {
    for (IdType type : types) {
      SCOPED_TRACE(std::string(to_string(role)) + " / " + std::string(to_string(type)));
      Bytes bytes = concat({hex("00"), Bytes{raw(role), raw(type)}, hex("0003 616263")});
      auto out = parse_single(PayloadType::idr, bytes);
      ASSERT_EQ(out.error.code, Errc::ok);
      const auto* idr = out.payloads[0].get<IdWithRole>();
      ASSERT_NE(idr, nullptr);
      EXPECT_EQ(idr->role, role);
      EXPECT_EQ(idr->id_type, type);
      EXPECT_EQ(idr->data, to_bytes("abc"));
      expect_payload_shapes(PayloadType::idr, bytes);
    }
  }
}

TEST(IdWithRoleTest, ParsesWorkedExampleIdentities) {
  // The worked REQUEST_INIT_PSK's IDRi, IDRkms and IDRpsk, each as the last payload (Next Payload
  // 0).
  struct Case {
    const char* hex;
    IdRole role;
    IdType type;
    const char* data;
  };
  const Case cases[] = {
      {"00 01 01 0015 7369703a616c696365406578616d706c652e6f7267", IdRole::idri, IdType::uri,
       "sip:alice@example.org"},
      {"00 03 01 000f 6b6d732e6578616d706c652e6f7267", IdRole::idrkms, IdType::uri,
       "kms.example.org"},
      {"00 04 02 0008 70736b2d69642d31", IdRole::idrpsk, IdType::byte_string, "psk-id-1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.data);
    Bytes bytes = hex(c.hex);
    auto out = parse_single(PayloadType::idr, bytes);
    ASSERT_EQ(out.error.code, Errc::ok);
    const auto* idr = out.payloads[0].get<IdWithRole>();
    EXPECT_EQ(idr->role, c.role);
    EXPECT_EQ(idr->id_type, c.type);
    EXPECT_EQ(idr->data, to_bytes(c.data));
    auto data = out.state.layout.find("payload[0].IDR.id_data");
    ASSERT_TRUE(data.has_value());
    EXPECT_EQ(data->offset, 5u);
    EXPECT_EQ(data->length, idr->data.size());
    expect_payload_shapes(PayloadType::idr, bytes);
  }
}

TEST(IdWithRoleTest, RoundTripsEmptyIdDataAndUnassignedCodes) {
  Bytes empty = hex("00 02 01 0000");
  auto out = parse_single(PayloadType::idr, empty);
  ASSERT_EQ(out.error.code, Errc::ok);
  EXPECT_TRUE(out.payloads[0].get<IdWithRole>()->data.empty());
  expect_payload_shapes(PayloadType::idr, empty);
  Bytes unassigned = hex("00 f0 09 0001 7a");  // ID Role 240, ID Type 9: kept as values
  out = parse_single(PayloadType::idr, unassigned);
  ASSERT_EQ(out.error.code, Errc::ok);
  EXPECT_EQ(raw(out.payloads[0].get<IdWithRole>()->role), 0xf0);
  EXPECT_EQ(raw(out.payloads[0].get<IdWithRole>()->id_type), 9);
  expect_payload_shapes(PayloadType::idr, unassigned);
}

// ---- RANDR (RFC 6043 §6.8): Next Payload | RAND Role | RAND length | RAND ----

TEST(RandWithRoleTest, ParsesEveryRole) {
  const RandRole roles[] = {RandRole::randri, RandRole::randrr, RandRole::randrkms};
  for (RandRole role : roles) {
    SCOPED_TRACE(std::string(to_string(role)));
    Bytes bytes = concat({hex("00"), Bytes{raw(role)}, hex("10 c0c1c2c3c4c5c6c7c8c9cacbcccdcecf")});
    auto out = parse_single(PayloadType::randr, bytes);
    ASSERT_EQ(out.error.code, Errc::ok);
    const auto* r = out.payloads[0].get<RandWithRole>();
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->role, role);
    EXPECT_EQ(wire::to_hex(r->rand), "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf");
    expect_payload_shapes(PayloadType::randr, bytes);
  }
}

TEST(RandWithRoleTest, ParsesWorkedRandriAndRecordsRandRange) {
  // The worked REQUEST_INIT_PSK's RANDRi (Next Payload set to 0).
  Bytes bytes = hex("00 01 10 c0c1c2c3c4c5c6c7c8c9cacbcccdcecf");
  auto out = parse_single(PayloadType::randr, bytes);
  ASSERT_EQ(out.error.code, Errc::ok);
  EXPECT_EQ(out.payloads[0].get<RandWithRole>()->role, RandRole::randri);
  auto len = out.state.layout.find("payload[0].RANDR.rand_length");
  auto rand = out.state.layout.find("payload[0].RANDR.rand");
  ASSERT_TRUE(len.has_value());
  ASSERT_TRUE(rand.has_value());
  EXPECT_EQ(len->offset, 2u);
  EXPECT_EQ(rand->offset, 3u);
  EXPECT_EQ(rand->length, 16u);
}

}  // namespace
}  // namespace mikey::codec
