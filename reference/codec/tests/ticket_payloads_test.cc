// The RFC 6043 payloads TP and TICKET (§6.10), with the same checks for each: known bytes with
// checked fields, both round trips, identical layout maps, and every truncation failing with
// `truncated`.
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
using testing::serialize_single;

Bytes u16_bytes(std::size_t n) {
  return {static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n & 0xff)};
}

bool has_deviation(const std::vector<Deviation>& ds, DeviationKind kind, std::uint32_t offset) {
  for (const Deviation& d : ds)
    if (d.kind == kind && d.offset == offset) return true;
  return false;
}

// ---- TP (RFC 6043 §6.10) ----

// The TP of the worked REQUEST_INIT_PSK (self-generated example): its own Next Payload is 0e
// (IDRpsk follows); Ticket Type 1, Subtype 1, Version 1, PRF 0, D F H N O set; TP Data =
// First Payload 0e + IDRr URI "sip:bob@example.org".
const char kWorkedTp[] =
    "0e 0001 01 01 01 50 60 0019 0e 00 02 01 0013 7369703a626f62406578616d706c652e6f7267";
const char kWorkedTpData[] = "0e 00 02 01 0013 7369703a626f62406578616d706c652e6f7267";

void expect_worked_policy(const TicketPolicy& tp) {
  EXPECT_EQ(tp.ticket_type, TicketType::mikey_base_ticket);
  EXPECT_EQ(tp.subtype, 1);
  EXPECT_EQ(tp.version, 1);
  EXPECT_EQ(tp.prf_func, PrfFunc::mikey_1);
  const TicketFlags& f = tp.flags;
  EXPECT_TRUE(f.d);
  EXPECT_FALSE(f.e);
  EXPECT_TRUE(f.f);
  EXPECT_FALSE(f.g);
  EXPECT_TRUE(f.h);
  EXPECT_FALSE(f.i);
  EXPECT_FALSE(f.j);
  EXPECT_FALSE(f.k);
  EXPECT_FALSE(f.l);
  EXPECT_FALSE(f.m);
  EXPECT_TRUE(f.n);
  EXPECT_TRUE(f.o);
  EXPECT_EQ(f.reserved, 0);
  ASSERT_TRUE(tp.tp_data.present);
  ASSERT_EQ(tp.tp_data.payloads.size(), 1u);
  EXPECT_TRUE(tp.tp_data.trailing.empty());
  const auto* idrr = tp.tp_data.payloads[0].get<IdWithRole>();
  ASSERT_NE(idrr, nullptr);
  EXPECT_EQ(idrr->role, IdRole::idrr);
  EXPECT_EQ(idrr->id_type, IdType::uri);
  EXPECT_EQ(idrr->data, to_bytes("sip:bob@example.org"));
}

TEST(TicketPolicyTest, ParsesWorkedRequestInitPskPolicy) {
  Bytes bytes = hex(kWorkedTp);
  ASSERT_EQ(bytes.size(), 35u);
  ParseState st;
  st.options = kWithLayout;
  FieldReader r(wire::Reader(bytes), st, "tp", PayloadType::tp);
  std::uint8_t next = 0;
  ASSERT_TRUE(r.u8("next_payload", next));
  EXPECT_EQ(next, 0x0e);  // IDRpsk follows in the message
  TicketPolicy tp;
  ParseError e = parse_body(r, tp);
  ASSERT_EQ(e.code, Errc::ok) << to_string(e.code) << " at " << e.offset;
  EXPECT_EQ(r.remaining(), 0u);
  expect_worked_policy(tp);
  EXPECT_TRUE(st.deviations.empty());
  // Field positions of RFC 6043 §6.10.
  struct Where {
    const char* path;
    std::uint32_t offset;
    std::uint32_t length;
    std::uint8_t mask;
  };
  const Where where[] = {
      {"tp.ticket_type", 1, 2, 0xff},
      {"tp.subtype", 3, 1, 0xff},
      {"tp.version", 4, 1, 0xff},
      {"tp.prf_func", 5, 1, 0xfe},
      {"tp.d", 5, 1, 0x01},
      {"tp.f", 6, 1, 0x40},
      {"tp.h", 6, 1, 0x10},
      {"tp.n", 7, 1, 0x40},
      {"tp.o", 7, 1, 0x20},
      {"tp.res", 7, 1, 0x1f},
      {"tp.tp_data_length", 8, 2, 0xff},
      {"tp.tp_data", 10, 25, 0xff},
      {"tp.tp_data.first_payload", 10, 1, 0xff},
      {"tp.tp_data.payload[0].IDR.id_data", 16, 19, 0xff},
  };
  for (const Where& w : where) {
    auto f = st.layout.find(w.path);
    ASSERT_TRUE(f.has_value()) << w.path;
    EXPECT_EQ(f->offset, w.offset) << w.path;
    EXPECT_EQ(f->length, w.length) << w.path;
    EXPECT_EQ(f->mask, w.mask) << w.path;
  }
}

TEST(TicketPolicyTest, ParsesPolicyInsideWorkedRequestInitPsk) {
  Bytes bytes =
      hex("010b05801234567800 01"
          "0f00e5a1b2c300000000"
          "0e0110c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
          "0e0101 0015 7369703a616c696365406578616d706c652e6f7267"
          "100301 000f 6b6d732e6578616d706c652e6f7267"
          "0e0001010101506000190e0002010013 7369703a626f62406578616d706c652e6f7267"
          "090402 0008 70736b2d69642d31"
          "0001 fcefb0bf9c6cef0e88ed958fc5e5b3e3bfa72eaf");
  ParseOutcome out = parse_message(bytes, kWithLayout);
  ASSERT_TRUE(out.ok()) << to_string(out.error.code) << " at " << out.error.offset;
  const Payload* tp = out.message.find(PayloadType::tp);
  ASSERT_NE(tp, nullptr);
  EXPECT_EQ(tp->offset, 85u);
  EXPECT_EQ(tp->length, 35u);
  expect_worked_policy(*tp->get<TicketPolicy>());
  auto id = out.layout.find("payload[4].TP.tp_data.payload[0].IDR.id_data");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->offset, 85u + 16u);
}

TEST(TicketPolicyTest, RoundTripsWorkedPolicyAndEveryTruncationFails) {
  Bytes bytes = hex(kWorkedTp);
  bytes[0] = 0x00;  // alone, the TP is the last payload
  expect_payload_shapes(PayloadType::tp, bytes);
}

TEST(TicketPolicyTest, SerializesWorkedPolicyFromModel) {
  TicketPolicy tp;
  tp.ticket_type = TicketType::mikey_base_ticket;
  tp.subtype = 1;
  tp.version = 1;
  tp.flags.d = tp.flags.f = tp.flags.h = tp.flags.n = tp.flags.o = true;
  tp.tp_data.present = true;
  tp.tp_data.payloads.push_back(
      make_payload(IdWithRole{IdRole::idrr, IdType::uri, to_bytes("sip:bob@example.org")}));
  auto out = serialize_single(make_payload(tp));
  ASSERT_TRUE(out.ok()) << to_string(out.error());
  Bytes want = hex(kWorkedTp);
  want[0] = 0x00;
  EXPECT_EQ(wire::to_hex(out.value()), wire::to_hex(want));
}

// One flag of RFC 6043 §6.10 at its byte (payload offsets, Next Payload = byte 0) and mask.
struct FlagCase {
  const char* name;
  std::size_t byte;
  std::uint8_t mask;
  bool TicketFlags::*member;
};
const FlagCase kFlags[] = {
    {"d", 5, 0x01, &TicketFlags::d}, {"e", 6, 0x80, &TicketFlags::e},
    {"f", 6, 0x40, &TicketFlags::f}, {"g", 6, 0x20, &TicketFlags::g},
    {"h", 6, 0x10, &TicketFlags::h}, {"i", 6, 0x08, &TicketFlags::i},
    {"j", 6, 0x04, &TicketFlags::j}, {"k", 6, 0x02, &TicketFlags::k},
    {"l", 6, 0x01, &TicketFlags::l}, {"m", 7, 0x80, &TicketFlags::m},
    {"n", 7, 0x40, &TicketFlags::n}, {"o", 7, 0x20, &TicketFlags::o},
};

// A TP (or TICKET, with `ticket_tail`) with every flag clear and empty TP Data.
const char kZeroTp[] = "00 0001 01 01 00 00 00 0000";
const char kTicketTail[] = "0000 0000";  // Ticket Data length 0, Initiator Data length 0

void expect_single_flag(const TicketPolicy& p, const FlagCase& set) {
  for (const FlagCase& c : kFlags) {
    EXPECT_EQ(p.flags.*c.member, &c == &set) << "flag " << c.name;
  }
  EXPECT_EQ(p.prf_func, PrfFunc::mikey_1);
  EXPECT_EQ(p.flags.reserved, 0);
}

TEST(TicketPolicyTest, ParsesFlagBitsAtRfcPositions) {
  for (const FlagCase& c : kFlags) {
    SCOPED_TRACE(c.name);
    Bytes bytes = hex(kZeroTp);
    bytes[c.byte] = c.mask;
    auto out = parse_single(PayloadType::tp, bytes);
    ASSERT_EQ(out.error.code, Errc::ok);
    expect_single_flag(*out.payloads[0].get<TicketPolicy>(), c);
    auto f = out.state.layout.find(std::string("payload[0].TP.") + c.name);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->offset, c.byte);
    EXPECT_EQ(f->mask, c.mask);
    EXPECT_TRUE(out.state.deviations.empty());
    expect_payload_shapes(PayloadType::tp, bytes);
  }
}

TEST(TicketPolicyTest, SerializesEachFlagAtRfcPosition) {
  for (const FlagCase& c : kFlags) {
    SCOPED_TRACE(c.name);
    TicketPolicy tp;
    tp.flags.*c.member = true;
    auto out = serialize_single(make_payload(tp));
    ASSERT_TRUE(out.ok());
    Bytes want = hex(kZeroTp);
    want[c.byte] = c.mask;
    EXPECT_EQ(wire::to_hex(out.value()), wire::to_hex(want));
  }
}

TEST(TicketTest, SharesFlagPositionsWithTp) {
  for (const FlagCase& c : kFlags) {
    SCOPED_TRACE(c.name);
    Bytes bytes = concat({hex(kZeroTp), hex(kTicketTail)});
    bytes[c.byte] = c.mask;
    auto out = parse_single(PayloadType::ticket, bytes);
    ASSERT_EQ(out.error.code, Errc::ok);
    expect_single_flag(out.payloads[0].get<Ticket>()->policy, c);
    auto f = out.state.layout.find(std::string("payload[0].TICKET.") + c.name);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->offset, c.byte);
    EXPECT_EQ(f->mask, c.mask);
    expect_payload_shapes(PayloadType::ticket, bytes);
  }
}

TEST(TicketPolicyTest, ParsesPrfFuncFromHighSevenBits) {
  struct Case {
    std::uint8_t byte5;
    std::uint8_t prf;
    bool d;
  };
  const Case cases[] = {{0x02, 1, false}, {0x03, 1, true}, {0xfe, 127, false}, {0xe1, 112, true}};
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.byte5));
    Bytes bytes = hex(kZeroTp);
    bytes[5] = c.byte5;
    auto out = parse_single(PayloadType::tp, bytes);
    ASSERT_EQ(out.error.code, Errc::ok);
    const auto* tp = out.payloads[0].get<TicketPolicy>();
    EXPECT_EQ(raw(tp->prf_func), c.prf);
    EXPECT_EQ(tp->flags.d, c.d);
    expect_payload_shapes(PayloadType::tp, bytes);
  }
}

TEST(TicketPolicyTest, ReportsReservedBitsAsDeviationAndKeepsThem) {
  for (int res : {0x01, 0x02, 0x04, 0x08, 0x10, 0x1f}) {
    SCOPED_TRACE(res);
    Bytes bytes = hex(kZeroTp);
    bytes[7] = static_cast<std::uint8_t>(0x40 | res);  // N set too: flags stay independent
    auto out = parse_single(PayloadType::tp, bytes);
    ASSERT_EQ(out.error.code, Errc::ok);
    const auto* tp = out.payloads[0].get<TicketPolicy>();
    EXPECT_EQ(tp->flags.reserved, res);
    EXPECT_TRUE(tp->flags.n);
    EXPECT_FALSE(tp->flags.m);
    EXPECT_FALSE(tp->flags.o);
    ASSERT_EQ(out.state.deviations.size(), 1u);
    EXPECT_EQ(out.state.deviations[0].kind, DeviationKind::reserved_bits_set);
    EXPECT_EQ(out.state.deviations[0].offset, 7u);
    expect_payload_shapes(PayloadType::tp, bytes);
  }
}

TEST(TicketPolicyTest, RejectsUnencodableModel) {
  TicketPolicy tp;
  tp.prf_func = static_cast<PrfFunc>(0x80);  // 7-bit field
  auto out = serialize_single(make_payload(tp));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), Errc::inconsistent_model);
  tp = TicketPolicy{};
  tp.flags.reserved = 0x20;  // 5-bit field
  out = serialize_single(make_payload(tp));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), Errc::inconsistent_model);
  tp = TicketPolicy{};
  tp.tp_data.payloads.push_back(make_payload(Rand{hex("01")}));  // payloads but not present
  out = serialize_single(make_payload(tp));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), Errc::inconsistent_model);
}

TEST(TicketPolicyTest, RoundTripsEmptyTpData) {
  Bytes bytes = hex(kZeroTp);
  auto out = parse_single(PayloadType::tp, bytes);
  ASSERT_EQ(out.error.code, Errc::ok);
  EXPECT_FALSE(out.payloads[0].get<TicketPolicy>()->tp_data.present);
  auto data = out.state.layout.find("payload[0].TP.tp_data");
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->length, 0u);
  expect_payload_shapes(PayloadType::tp, bytes);
}

TEST(TicketPolicyTest, ParsesFullTpDataChain) {
  // TP Data = First Payload, IDRkms, IDRi, TRs, TRe, TRr, KEMAC (NULL/NULL), IDRapp, IDRr
  // (RFC 6043 §6.10 order).
  Bytes tp_data =
      hex("0e"
          "0e 03 01 0003 6b6d73"                                     // IDRkms "kms"
          "0d 01 01 0005 616c696365"                                 // IDRi "alice"
          "0d 02 03 e5a1b2c3"                                        // TRs NTP-UTC-32
          "0d 03 03 e5a2b2c3"                                        // TRe NTP-UTC-32
          "01 04 03 00000e10"                                        // TRr 3600 s
          "0e 00 0014 00000010 00000000000000000000000000000000 00"  // KEMAC: TGK, zero key
          "0e 05 02 0003 617070"                                     // IDRapp "app"
          "00 02 01 0003 626f62");                                   // IDRr "bob"
  Bytes bytes = concat({hex("00 0001 01 01 00 30 60"), u16_bytes(tp_data.size()), tp_data});
  auto out = parse_single(PayloadType::tp, bytes);
  ASSERT_EQ(out.error.code, Errc::ok) << to_string(out.error.code) << " at " << out.error.offset;
  const Chain& c = out.payloads[0].get<TicketPolicy>()->tp_data;
  const PayloadType order[] = {PayloadType::idr, PayloadType::idr, PayloadType::tr,
                               PayloadType::tr,  PayloadType::tr,  PayloadType::kemac,
                               PayloadType::idr, PayloadType::idr};
  ASSERT_EQ(c.payloads.size(), std::size(order));
  for (std::size_t i = 0; i < std::size(order); ++i) EXPECT_EQ(c.payloads[i].type, order[i]) << i;
  EXPECT_EQ(c.payloads[4].get<TimestampWithRole>()->value, 3600u);
  EXPECT_EQ(c.payloads[5].get<Kemac>()->encr_data.size(), 20u);
  EXPECT_EQ(c.payloads[7].get<IdWithRole>()->role, IdRole::idrr);
  expect_payload_shapes(PayloadType::tp, bytes);
}

TEST(TicketPolicyTest, KeepsTpDataTrailingBytesAsDeviation) {
  // TP Data = the worked IDRr chain, then two bytes after the chain ended.
  Bytes tp_data = concat({hex(kWorkedTpData), hex("ffff")});
  Bytes bytes = concat({hex("00 0001 01 01 01 50 60"), u16_bytes(tp_data.size()), tp_data});
  auto out = parse_single(PayloadType::tp, bytes);
  ASSERT_EQ(out.error.code, Errc::ok);
  const Chain& c = out.payloads[0].get<TicketPolicy>()->tp_data;
  ASSERT_EQ(c.payloads.size(), 1u);
  EXPECT_EQ(c.trailing, hex("ffff"));
  ASSERT_EQ(out.state.deviations.size(), 1u);
  EXPECT_EQ(out.state.deviations[0].kind, DeviationKind::container_trailing_bytes);
  EXPECT_EQ(out.state.deviations[0].offset, 35u);
  expect_field_at(out.state.layout, "payload[0].TP.tp_data.trailing", 35u, 2u);
  expect_payload_shapes(PayloadType::tp, bytes);
}

// `levels` TPs, each the only payload of the enclosing TP's TP Data; the innermost TP Data holds
// one IDRr.
Bytes nested_tps(int levels) {
  Bytes data = hex("0e 00 02 01 0001 61");
  Bytes tp;
  for (int i = 0; i < levels; ++i) {
    tp = concat({hex("00 0001 01 01 00 00 00"), u16_bytes(data.size()), data});
    data = concat({hex("10"), tp});  // First Payload = TP
  }
  return tp;
}

TEST(TicketPolicyTest, AcceptsNestingUpToMaxDepth) {
  Bytes bytes = nested_tps(4);  // four containers: depth 0..3 < max_depth 4
  auto out = parse_single(PayloadType::tp, bytes);
  ASSERT_EQ(out.error.code, Errc::ok);
  expect_payload_shapes(PayloadType::tp, bytes);
}

TEST(TicketPolicyTest, RejectsNestingBeyondMaxDepth) {
  Bytes bytes = nested_tps(5);
  auto out = parse_single(PayloadType::tp, bytes);
  EXPECT_EQ(out.error.code, Errc::nesting_too_deep);
  // TPs start at 0, 11, 22, 33, 44 (10-byte fixed part + First Payload byte); the fifth TP's
  // TP Data starts at 54.
  EXPECT_EQ(out.error.offset, 54u);
  EXPECT_EQ(out.error.where, PayloadType::tp);
}

TEST(TicketPolicyTest, RejectsUnknownPayloadTypeInTpDataAtItsOffset) {
  // First Payload 19 (unassigned, RFC 3830 §6.1 Table 6.1.b): its length cannot be known.
  auto out = parse_single(PayloadType::tp, hex("00 0001 01 01 01 50 60 0004 13 000102"));
  EXPECT_EQ(out.error.code, Errc::unknown_payload_type);
  EXPECT_EQ(out.error.offset, 11u);  // where the unknown payload begins, after First Payload
  EXPECT_EQ(out.error.where, static_cast<PayloadType>(19));  // the type that cannot be read
  // Key data (20) exists only inside KEMAC Encr data.
  out = parse_single(PayloadType::tp, hex("00 0001 01 01 01 50 60 0004 14 000102"));
  EXPECT_EQ(out.error.code, Errc::unexpected_payload_type);
  EXPECT_EQ(out.error.offset, 11u);
}

TEST(TicketPolicyTest, ReportsTruncationInsideTpDataChain) {
  // TP Data length says 6 but the IDR inside claims 19 bytes of ID Data: the container, not
  // the input, ends first.
  auto out =
      parse_single(PayloadType::tp, hex("00 0001 01 01 01 50 60 0006 0e 00 02 01 0013 7369703a"));
  EXPECT_EQ(out.error.code, Errc::truncated);
  EXPECT_EQ(out.error.where, PayloadType::idr);
  EXPECT_EQ(out.error.offset, 16u);
}

// ---- TICKET (RFC 6043 §6.10) ----

// Worked policy (flags D F H N O), Ticket Data de ad be ef, no Initiator Data (length 0).
const char kTicketNoInit[] =
    "00 0001 01 01 01 50 60 0019 0e 00 02 01 0013 7369703a626f62406578616d706c652e6f7267"
    "0004 deadbeef"
    "0000";

// Key forking (E F H I N O): Initiator Data = First Payload V, Vi (HMAC-SHA-1), Vr.
const char kTicketWithInit[] =
    "00 0001 01 01 01 d8 60 0019 0e 00 02 01 0013 7369703a626f62406578616d706c652e6f7267"
    "0004 deadbeef"
    "002d 09"
    "09 01 505152535455565758595a5b5c5d5e5f60616263"   // Vi
    "00 01 707172737475767778797a7b7c7d7e7f80818283";  // Vr

TEST(TicketTest, ParsesTicketWithoutInitiatorData) {
  Bytes bytes = hex(kTicketNoInit);
  ASSERT_EQ(bytes.size(), 43u);
  auto out = parse_single(PayloadType::ticket, bytes);
  ASSERT_EQ(out.error.code, Errc::ok);
  const auto* t = out.payloads[0].get<Ticket>();
  ASSERT_NE(t, nullptr);
  expect_worked_policy(t->policy);
  EXPECT_EQ(t->ticket_data, hex("deadbeef"));
  EXPECT_FALSE(t->initiator_data.present);
  EXPECT_TRUE(t->initiator_data.payloads.empty());
  expect_field_at(out.state.layout, "payload[0].TICKET.ticket_data", 37u, 4u);
  expect_field_at(out.state.layout, "payload[0].TICKET.initiator_data_length", 41u, 2u);
  expect_payload_shapes(PayloadType::ticket, bytes);
}

TEST(TicketTest, ParsesTicketWithInitiatorDataViVr) {
  Bytes bytes = hex(kTicketWithInit);
  ASSERT_EQ(bytes.size(), 88u);
  auto out = parse_single(PayloadType::ticket, bytes);
  ASSERT_EQ(out.error.code, Errc::ok);
  const auto* t = out.payloads[0].get<Ticket>();
  EXPECT_TRUE(t->policy.flags.e);
  EXPECT_TRUE(t->policy.flags.f);
  EXPECT_TRUE(t->policy.flags.h);
  EXPECT_TRUE(t->policy.flags.i);
  EXPECT_FALSE(t->policy.flags.g);
  EXPECT_EQ(t->ticket_data, hex("deadbeef"));
  ASSERT_TRUE(t->initiator_data.present);
  ASSERT_EQ(t->initiator_data.payloads.size(), 2u);
  const auto* vi = t->initiator_data.payloads[0].get<Verification>();
  const auto* vr = t->initiator_data.payloads[1].get<Verification>();
  ASSERT_NE(vi, nullptr);
  ASSERT_NE(vr, nullptr);
  EXPECT_EQ(vi->auth_alg, MacAlg::hmac_sha1_160);
  EXPECT_EQ(wire::to_hex(vi->mac), "505152535455565758595a5b5c5d5e5f60616263");
  EXPECT_EQ(vr->auth_alg, MacAlg::hmac_sha1_160);
  EXPECT_EQ(wire::to_hex(vr->mac), "707172737475767778797a7b7c7d7e7f80818283");
  EXPECT_EQ(t->initiator_data.payloads[1].offset, 66u);
  expect_field_at(out.state.layout, "payload[0].TICKET.initiator_data", 43u, 45u);
  expect_field_at(out.state.layout, "payload[0].TICKET.initiator_data.payload[1].V.mac", 68u, 20u);
  expect_payload_shapes(PayloadType::ticket, bytes);
}

TEST(TicketTest, SerializesTicketWithInitiatorDataFromModel) {
  Ticket t;
  t.policy.flags.d = t.policy.flags.e = t.policy.flags.f = t.policy.flags.h = true;
  t.policy.flags.i = t.policy.flags.n = t.policy.flags.o = true;
  t.policy.tp_data.present = true;
  t.policy.tp_data.payloads.push_back(
      make_payload(IdWithRole{IdRole::idrr, IdType::uri, to_bytes("sip:bob@example.org")}));
  t.ticket_data = hex("deadbeef");
  t.initiator_data.present = true;
  t.initiator_data.payloads.push_back(make_payload(
      Verification{MacAlg::hmac_sha1_160, hex("505152535455565758595a5b5c5d5e5f60616263")}));
  t.initiator_data.payloads.push_back(make_payload(
      Verification{MacAlg::hmac_sha1_160, hex("707172737475767778797a7b7c7d7e7f80818283")}));
  auto out = serialize_single(make_payload(t));
  ASSERT_TRUE(out.ok()) << to_string(out.error());
  EXPECT_EQ(wire::to_hex(out.value()), wire::to_hex(hex(kTicketWithInit)));
}

TEST(TicketTest, RejectsTicketDataTooLargeForItsLengthField) {
  Ticket t;
  t.ticket_data.assign(0x10000, 0);
  auto out = serialize_single(make_payload(t));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), Errc::field_too_large);
}

TEST(TicketTest, KeepsInitiatorDataTrailingBytesAsDeviation) {
  // Initiator Data = First Payload V, Vi, then one stray byte.
  Bytes bytes =
      hex("00 0001 01 01 01 d8 60 0000 0000"
          "0018 09 00 01 505152535455565758595a5b5c5d5e5f60616263 ee");
  auto out = parse_single(PayloadType::ticket, bytes);
  ASSERT_EQ(out.error.code, Errc::ok);
  const Chain& c = out.payloads[0].get<Ticket>()->initiator_data;
  ASSERT_EQ(c.payloads.size(), 1u);
  EXPECT_EQ(c.trailing, hex("ee"));
  EXPECT_TRUE(has_deviation(out.state.deviations, DeviationKind::container_trailing_bytes, 37));
  expect_payload_shapes(PayloadType::ticket, bytes);
}

TEST(TicketTest, InitiatorDataCountsTowardsNestingDepth) {
  // Empty TP Data (no container to enter), Ticket Data de ad be ef, Initiator Data Vi, Vr.
  Bytes bytes =
      hex("00 0001 01 01 01 d8 60 0000 0004 deadbeef"
          "002d 09"
          "09 01 505152535455565758595a5b5c5d5e5f60616263"
          "00 01 707172737475767778797a7b7c7d7e7f80818283");
  ParseState st;
  st.options = kWithLayout;
  st.depth = st.options.max_depth;  // as if already inside max_depth containers
  FieldReader r(wire::Reader(bytes), st, "", PayloadType::last);
  std::vector<Payload> payloads;
  ParseError e = parse_chain(r, PayloadType::ticket, payloads);
  EXPECT_EQ(e.code, Errc::nesting_too_deep);
  EXPECT_EQ(e.offset, 18u);  // Initiator Data starts after the 2-byte length at 16
  EXPECT_EQ(e.where, PayloadType::ticket);
  expect_payload_shapes(PayloadType::ticket, bytes);
}

}  // namespace
}  // namespace mikey::codec
