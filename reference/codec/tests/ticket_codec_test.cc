// Ticket formats (ticket_codec.h): the MIKEY Base Ticket (RFC 6043 App. A), the PROVISIONAL,
// NOT 3GPP Type 2 codec, the registry, and the MAC inputs involving a TICKET (RFC 6043 App. A.1,
// §5.5).
#include "codec/ticket_codec.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "codec/message.h"
#include "codec/tests/payload_test_util.h"

namespace mikey::codec {
namespace {

using testing::hex;

// A complete base-ticket Ticket Data (104 bytes, self-made for these tests):
//   THDR (Next Payload T, THDR Data "thdr"), T (NTP-UTC), RAND (16 bytes),
//   KEMAC (AES-CM-128, 32 bytes of Encr data, Mac alg NULL), IDRpsk (Byte string "tpk-1"),
//   V (HMAC-SHA-1-160).
const char kTicketData[] =
    "05 0004 74686472"                                                                // THDR  0
    "0b 00 e5a1b2c300000000"                                                          // T     7
    "01 10 a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"                                          // RAND 17
    "0e 01 0020 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f 00"  // KEMAC 35
    "09 04 02 0005 74706b2d31"                                                        // IDRpsk 72
    "00 01 b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3";                                 // V    82
const char kTicketDataWithoutMac[] =
    "05 0004 74686472"
    "0b 00 e5a1b2c300000000"
    "01 10 a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
    "0e 01 0020 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f 00"
    "09 04 02 0005 74706b2d31"
    "00 01";

// TP part of a TICKET after its Next Payload byte: 1/1/1, PRF 0, D | E F H I | N O, TP Data =
// First Payload IDR + IDRr "sip:bob@example.org" (25 bytes).
const char kPolicy[] =
    "0001 01 01 01 d8 60 0019 0e 00 02 01 0013 7369703a626f62406578616d706c652e6f7267";
// Initiator Data length and Initiator Data: First Payload V, Vi, Vr.
const char kInitiatorData[] =
    "002d 09"
    "09 01 505152535455565758595a5b5c5d5e5f60616263"
    "00 01 707172737475767778797a7b7c7d7e7f80818283";

// A whole TICKET payload with the given Next Payload byte.
Bytes ticket_payload(const char* next_payload) {
  return concat(
      {hex(next_payload), hex(kPolicy), hex("0068"), hex(kTicketData), hex(kInitiatorData)});
}

struct Parsed {
  ParseError error;
  TicketData data;
  ParseState state;
};

Parsed parse_with(const TicketCodec& codec, ByteView bytes, std::size_t base = 0) {
  Parsed p;
  p.state.options = kWithLayout;
  p.error = codec.parse(bytes, base, p.state, "ticket_data", p.data);
  return p;
}

// ---- MIKEY Base Ticket ----

TEST(BaseTicketTest, ParsesCompleteTicketDataFields) {
  Bytes bytes = hex(kTicketData);
  ASSERT_EQ(bytes.size(), 104u);
  Parsed p = parse_with(mikey_base_ticket_codec(), bytes);
  ASSERT_EQ(p.error.code, Errc::ok) << to_string(p.error.code) << " at " << p.error.offset;
  const TicketData& d = p.data;
  EXPECT_EQ(d.thdr.thdr_data, to_bytes("thdr"));
  ASSERT_EQ(d.payloads.size(), 5u);
  const PayloadType order[] = {PayloadType::t, PayloadType::rand, PayloadType::kemac,
                               PayloadType::idr, PayloadType::v};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(d.payloads[i].type, order[i]) << i;
  EXPECT_EQ(d.payloads[0].get<Timestamp>()->ts_type, TsType::ntp_utc);
  EXPECT_EQ(d.payloads[0].get<Timestamp>()->value, 0xe5a1b2c300000000u);
  EXPECT_EQ(wire::to_hex(d.payloads[1].get<Rand>()->rand), "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  const Kemac* kemac = d.payloads[2].get<Kemac>();
  EXPECT_EQ(kemac->encr_alg, EncrAlg::aes_cm_128);
  EXPECT_EQ(kemac->encr_data.size(), 32u);
  EXPECT_EQ(kemac->mac_alg, MacAlg::null);  // App. A.1: the MAC is in V
  const IdWithRole* idr = d.payloads[3].get<IdWithRole>();
  EXPECT_EQ(idr->role, IdRole::idrpsk);
  EXPECT_EQ(idr->id_type, IdType::byte_string);
  EXPECT_EQ(idr->data, to_bytes("tpk-1"));
  const Verification* v = d.payloads[4].get<Verification>();
  EXPECT_EQ(v->auth_alg, MacAlg::hmac_sha1_160);
  EXPECT_EQ(wire::to_hex(v->mac), "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3");
  EXPECT_TRUE(d.trailing.empty());
  EXPECT_TRUE(p.state.deviations.empty());
  EXPECT_EQ(d.find(PayloadType::kemac), &d.payloads[2]);
  EXPECT_EQ(d.find(PayloadType::sign), nullptr);
}

TEST(BaseTicketTest, RecordsAbsoluteOffsetsUnderPrefix) {
  Bytes bytes = hex(kTicketData);
  Parsed p = parse_with(mikey_base_ticket_codec(), bytes, 40);
  ASSERT_EQ(p.error.code, Errc::ok);
  struct Where {
    const char* path;
    std::uint32_t offset;
    std::uint32_t length;
  };
  const Where where[] = {
      {"ticket_data.thdr.next_payload", 40, 1},
      {"ticket_data.thdr.thdr_data_length", 41, 2},
      {"ticket_data.thdr.thdr_data", 43, 4},
      {"ticket_data.payload[0].T.ts_value", 49, 8},
      {"ticket_data.payload[2].KEMAC.encr_data", 79, 32},
      {"ticket_data.payload[4].V.mac", 124, 20},
  };
  for (const Where& w : where) {
    auto f = p.state.layout.find(w.path);
    ASSERT_TRUE(f.has_value()) << w.path;
    EXPECT_EQ(f->offset, w.offset) << w.path;
    EXPECT_EQ(f->length, w.length) << w.path;
  }
  EXPECT_EQ(p.data.payloads[4].offset, 122u);
  EXPECT_EQ(p.data.payloads[4].length, 22u);
}

TEST(BaseTicketTest, RoundTripsBothWaysWithIdenticalLayout) {
  Bytes bytes = hex(kTicketData);
  Parsed p = parse_with(mikey_base_ticket_codec(), bytes);
  ASSERT_EQ(p.error.code, Errc::ok);
  Layout layout;
  auto again = mikey_base_ticket_codec().serialize(p.data, &layout, "ticket_data");
  ASSERT_TRUE(again.ok()) << to_string(again.error());
  EXPECT_EQ(wire::to_hex(again.value()), wire::to_hex(bytes));
  EXPECT_EQ(layout, p.state.layout);
  Parsed back = parse_with(mikey_base_ticket_codec(), again.value());
  ASSERT_EQ(back.error.code, Errc::ok);
  EXPECT_EQ(back.data, p.data);
}

TEST(BaseTicketTest, SerializesFromModel) {
  TicketData d;
  d.thdr.thdr_data = to_bytes("thdr");
  d.payloads.push_back(make_payload(Timestamp{TsType::ntp_utc, 0xe5a1b2c300000000u}));
  d.payloads.push_back(make_payload(Rand{hex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf")}));
  d.payloads.push_back(
      make_payload(Kemac{EncrAlg::aes_cm_128,
                         hex("202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"),
                         MacAlg::null,
                         {}}));
  d.payloads.push_back(
      make_payload(IdWithRole{IdRole::idrpsk, IdType::byte_string, to_bytes("tpk-1")}));
  d.payloads.push_back(make_payload(
      Verification{MacAlg::hmac_sha1_160, hex("b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3")}));
  auto out = mikey_base_ticket_codec().serialize(d);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(wire::to_hex(out.value()), wire::to_hex(hex(kTicketData)));
}

TEST(BaseTicketTest, EveryTruncationFailsWithTruncated) {
  Bytes bytes = hex(kTicketData);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    Parsed p = parse_with(mikey_base_ticket_codec(), ByteView(bytes).first(n));
    EXPECT_EQ(p.error.code, Errc::truncated) << "prefix of " << n << " bytes";
    EXPECT_LE(p.error.offset, n) << "prefix of " << n << " bytes";
    // Inside THDR the error names the TICKET; inside the chain, the payload being read.
    PayloadType want = n < 7    ? PayloadType::ticket
                       : n < 17 ? PayloadType::t
                       : n < 35 ? PayloadType::rand
                       : n < 72 ? PayloadType::kemac
                       : n < 82 ? PayloadType::idr
                                : PayloadType::v;
    EXPECT_EQ(p.error.where, want) << "prefix of " << n << " bytes";
  }
}

TEST(BaseTicketTest, KeepsTrailingBytesAsDeviation) {
  Bytes bytes = concat({hex(kTicketData), hex("ffee")});
  Parsed p = parse_with(mikey_base_ticket_codec(), bytes, 10);
  ASSERT_EQ(p.error.code, Errc::ok);
  EXPECT_EQ(p.data.trailing, hex("ffee"));
  ASSERT_EQ(p.state.deviations.size(), 1u);
  EXPECT_EQ(p.state.deviations[0].kind, DeviationKind::container_trailing_bytes);
  EXPECT_EQ(p.state.deviations[0].offset, 114u);
  Layout layout;
  auto again = mikey_base_ticket_codec().serialize(p.data, &layout);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), bytes);
  auto t = layout.find("ticket_data.trailing");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->offset, 104u);
}

TEST(BaseTicketTest, RejectsUnknownPayloadTypeAfterThdr) {
  Parsed p = parse_with(mikey_base_ticket_codec(), hex("13 0000 000102"), 5);
  EXPECT_EQ(p.error.code, Errc::unknown_payload_type);
  EXPECT_EQ(p.error.offset, 8u);                           // after the 3-byte THDR
  EXPECT_EQ(p.error.where, static_cast<PayloadType>(19));  // the type that cannot be read
}

TEST(BaseTicketTest, CountsTowardsNestingDepth) {
  Bytes bytes = hex(kTicketData);
  Parsed p;
  p.state.depth = p.state.options.max_depth;
  p.error = mikey_base_ticket_codec().parse(bytes, 0, p.state, "ticket_data", p.data);
  EXPECT_EQ(p.error.code, Errc::nesting_too_deep);
  EXPECT_EQ(p.error.where, PayloadType::ticket);
}

TEST(BaseTicketTest, RejectsThdrDataTooLargeForItsLengthField) {
  TicketData d;
  d.thdr.thdr_data.assign(0x10000, 0);
  auto out = mikey_base_ticket_codec().serialize(d);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error(), Errc::field_too_large);
}

// ---- Registry ----

TEST(TicketCodecRegistryTest, FindsBuiltInCodecsByTypeSubtypeVersion) {
  const TicketCodec* base = find_ticket_codec(TicketType::mikey_base_ticket, 1, 1);
  ASSERT_EQ(base, &mikey_base_ticket_codec());
  EXPECT_FALSE(base->provisional());
  EXPECT_EQ(base->name(), "MIKEY Base Ticket 1/1/1");

  const TicketCodec* type2 = find_ticket_codec(TicketType::three_gpp_base_ticket, 0, 0);
  ASSERT_EQ(type2, &provisional_type2_ticket_codec());
  EXPECT_TRUE(type2->provisional());
  EXPECT_NE(type2->name().find("PROVISIONAL, NOT 3GPP"), std::string_view::npos);

  EXPECT_EQ(find_ticket_codec(TicketType::three_gpp_base_ticket, 1, 0), nullptr);
  EXPECT_EQ(find_ticket_codec(TicketType::three_gpp_base_ticket, 0, 1), nullptr);
  EXPECT_EQ(find_ticket_codec(TicketType::mikey_base_ticket, 0, 0), nullptr);
  EXPECT_EQ(find_ticket_codec(TicketType::mikey_base_ticket, 1, 2), nullptr);
  EXPECT_EQ(find_ticket_codec(static_cast<TicketType>(3), 1, 1), nullptr);
  EXPECT_EQ(find_ticket_codec(static_cast<TicketType>(3), 0, 0), nullptr);
  EXPECT_EQ(find_ticket_codec(static_cast<TicketType>(0), 1, 1), nullptr);

  TicketPolicy policy;  // defaults: 1/1/1
  EXPECT_EQ(find_ticket_codec(policy), base);
  policy.ticket_type = TicketType::three_gpp_base_ticket;
  policy.subtype = 0;
  policy.version = 0;
  EXPECT_EQ(find_ticket_codec(policy), type2);
  policy.subtype = 1;
  EXPECT_EQ(find_ticket_codec(policy), nullptr);
}

TEST(TicketCodecRegistryTest, ProvisionalType2ReadsBaseTicketLayout) {
  Bytes bytes = hex(kTicketData);
  Parsed p = parse_with(provisional_type2_ticket_codec(), bytes);
  ASSERT_EQ(p.error.code, Errc::ok);
  Parsed base = parse_with(mikey_base_ticket_codec(), bytes);
  EXPECT_EQ(p.data, base.data);
  auto again = provisional_type2_ticket_codec().serialize(p.data);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), bytes);
}

TEST(TicketCodecRegistryTest, ParseTicketDataReportsUnsupportedFormat) {
  Ticket t;
  t.policy.ticket_type = static_cast<TicketType>(3);
  t.ticket_data = hex(kTicketData);
  ParseState st;
  st.options = kWithLayout;
  TicketData out;
  ParseError e = parse_ticket_data(t, 37, st, "ticket_data", out);
  EXPECT_EQ(e.code, Errc::unsupported_ticket_format);
  EXPECT_EQ(e.offset, 37u);
  EXPECT_EQ(e.where, PayloadType::ticket);
  auto s = serialize_ticket_data(t.policy, TicketData{});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), Errc::unsupported_ticket_format);

  t.policy.ticket_type = TicketType::mikey_base_ticket;
  e = parse_ticket_data(t, 37, st, "ticket_data", out);
  ASSERT_EQ(e.code, Errc::ok);
  EXPECT_EQ(out.payloads.size(), 5u);
  s = serialize_ticket_data(t.policy, out);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value(), t.ticket_data);
}

// A lab codec for a Private Use Ticket Type (61440, RFC 6043 §6.10 Table 6.15): the whole
// Ticket Data is kept as THDR Data.
class OpaqueLabCodec final : public TicketCodec {
 public:
  OpaqueLabCodec(TicketType type, std::uint8_t subtype, std::uint8_t version)
      : type_(type), subtype_(subtype), version_(version) {}
  std::string_view name() const noexcept override { return "lab opaque"; }
  bool handles(TicketType type, std::uint8_t subtype,
               std::uint8_t version) const noexcept override {
    return type == type_ && subtype == subtype_ && version == version_;
  }
  ParseError parse(ByteView ticket_data, std::size_t, ParseState&, const std::string&,
                   TicketData& out) const noexcept override {
    out = TicketData{};
    out.thdr.thdr_data.assign(ticket_data.begin(), ticket_data.end());
    return {};
  }
  Result<Bytes, Errc> serialize(const TicketData& in, Layout*, const std::string&) const override {
    return in.thdr.thdr_data;
  }

 private:
  TicketType type_;
  std::uint8_t subtype_;
  std::uint8_t version_;
};

TEST(TicketCodecRegistryTest, RegistersAndUnregistersCustomCodec) {
  const auto kPrivate = static_cast<TicketType>(61440);
  ASSERT_EQ(find_ticket_codec(kPrivate, 1, 1), nullptr);
  std::size_t before = ticket_codecs().size();
  const TicketCodec* lab = register_ticket_codec(std::make_unique<OpaqueLabCodec>(kPrivate, 1, 1));
  ASSERT_NE(lab, nullptr);
  EXPECT_EQ(find_ticket_codec(kPrivate, 1, 1), lab);
  EXPECT_EQ(find_ticket_codec(kPrivate, 1, 2), nullptr);
  ASSERT_EQ(ticket_codecs().size(), before + 1);
  EXPECT_EQ(ticket_codecs().front(), lab);
  // Built-ins still answer.
  EXPECT_EQ(find_ticket_codec(TicketType::mikey_base_ticket, 1, 1), &mikey_base_ticket_codec());

  Ticket t;
  t.policy.ticket_type = kPrivate;
  t.ticket_data = hex("0102030405");
  ParseState st;
  st.options = kWithLayout;
  TicketData out;
  ASSERT_EQ(parse_ticket_data(t, 0, st, "ticket_data", out).code, Errc::ok);
  EXPECT_EQ(out.thdr.thdr_data, t.ticket_data);

  EXPECT_TRUE(unregister_ticket_codec(lab));
  EXPECT_EQ(find_ticket_codec(kPrivate, 1, 1), nullptr);
  EXPECT_EQ(ticket_codecs().size(), before);
  EXPECT_FALSE(unregister_ticket_codec(&mikey_base_ticket_codec()));
  EXPECT_EQ(register_ticket_codec(nullptr), nullptr);
}

TEST(TicketCodecRegistryTest, RegisteredCodecOverridesProvisionalType2) {
  const TicketCodec* lab = register_ticket_codec(
      std::make_unique<OpaqueLabCodec>(TicketType::three_gpp_base_ticket, 0, 0));
  ASSERT_NE(lab, nullptr);
  const TicketCodec* found = find_ticket_codec(TicketType::three_gpp_base_ticket, 0, 0);
  EXPECT_EQ(found, lab);
  EXPECT_FALSE(found->provisional());
  EXPECT_TRUE(unregister_ticket_codec(lab));
  EXPECT_EQ(find_ticket_codec(TicketType::three_gpp_base_ticket, 0, 0),
            &provisional_type2_ticket_codec());
}

// ---- MAC inputs ----

TEST(TicketMacInputTest, CoversTicketTypeThroughTicketDataMinusMac) {
  Bytes ticket = ticket_payload("09");
  ASSERT_EQ(ticket.size(), 1u + 35u - 1u + 2u + 104u + 47u);
  // TICKET[1 .. 12+t+d−maclen) with t = 25, d = 104, maclen = 20: bytes 1..120.
  Bytes want = concat({hex(kPolicy), hex("0068"), hex(kTicketDataWithoutMac)});
  ASSERT_EQ(want.size(), 120u);

  auto by_len = ticket_mac_input(ticket, 20);
  ASSERT_TRUE(by_len.ok()) << to_string(by_len.error());
  EXPECT_EQ(wire::to_hex(by_len.value()), wire::to_hex(want));
  EXPECT_EQ(by_len->data(), &ticket[1]);  // a view into the payload as received

  auto by_v = base_ticket_mac_input(ticket);
  ASSERT_TRUE(by_v.ok()) << to_string(by_v.error());
  EXPECT_EQ(wire::to_hex(by_v.value()), wire::to_hex(want));
}

TEST(TicketMacInputTest, RejectsInconsistentTicketBytes) {
  Bytes ticket = ticket_payload("00");
  auto cut = ticket_mac_input(ByteView(ticket).first(ticket.size() - 1), 20);
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error(), Errc::truncated);
  Bytes longer = concat({ticket, hex("00")});
  auto extra = ticket_mac_input(longer, 20);
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.error(), Errc::inconsistent_model);
  auto big_mac = ticket_mac_input(ticket, 105);  // d = 104
  ASSERT_FALSE(big_mac.ok());
  EXPECT_EQ(big_mac.error(), Errc::inconsistent_model);
  auto empty = base_ticket_mac_input({});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error(), Errc::truncated);
}

TEST(TicketMacInputTest, BaseTicketInputNeedsSupportedFormatAndFinalV) {
  Bytes ticket = ticket_payload("00");
  Bytes unsupported = ticket;
  unsupported[2] = 0x03;  // Ticket Type 3
  auto u = base_ticket_mac_input(unsupported);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error(), Errc::unsupported_ticket_format);

  // Ticket Data ending with IDRpsk instead of V.
  Bytes no_v =
      concat({hex("00"), hex(kPolicy), hex("0052"),
              hex("05 0004 74686472"
                  "0b 00 e5a1b2c300000000"
                  "01 10 a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"
                  "0e 01 0020 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f 00"
                  "00 04 02 0005 74706b2d31"),
              hex("0000")});
  auto nv = base_ticket_mac_input(no_v);
  ASSERT_FALSE(nv.ok());
  EXPECT_EQ(nv.error(), Errc::unexpected_payload_type);

  // Ticket Data that does not parse: THDR claims more bytes than there are.
  Bytes bad = concat({hex("00"), hex(kPolicy), hex("0003 05 0009"), hex("0000")});
  auto b = base_ticket_mac_input(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error(), Errc::truncated);
}

// TRANSFER_INIT = HDR, T, RANDRi, IDRi, IDRr, TICKET (with Initiator Data Vi, Vr), V.
const char kTransferInitHead[] =
    "01 0e 05 80 12345678 00 02"                                // HDR, GENERIC-ID, #CS 0
    "0f 00 e5a1b2c300000000"                                    // T
    "0e 01 10 c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"                 // RANDRi
    "0e 01 01 0015 7369703a616c696365406578616d706c652e6f7267"  // IDRi
    "11 02 01 0013 7369703a626f62406578616d706c652e6f7267";     // IDRr
const char kTransferInitV[] = "00 01 909192939495969798999a9b9c9d9e9fa0a1a2a3";

TEST(TransferInitMacInputTest, RemovesInitiatorDataAndMacThenAppendsIdentities) {
  Bytes message = concat({hex(kTransferInitHead), ticket_payload("09"), hex(kTransferInitV)});
  ParseOutcome parsed = parse_message(message, kWithLayout);
  ASSERT_TRUE(parsed.ok()) << to_string(parsed.error.code) << " at " << parsed.error.offset;
  ASSERT_EQ(parsed.message.payloads.size(), 6u);

  auto input = transfer_init_mac_input(message, parsed.layout, to_bytes("sip:alice@example.org"),
                                       to_bytes("sip:bob@example.org"));
  ASSERT_TRUE(input.ok()) << to_string(input.error());
  // Removed, not zeroed (INTERPRETATION of RFC 6043 §5.5): the TICKET ends with its Ticket
  // Data; V keeps Next Payload and Auth alg; the identities follow.
  Bytes want =
      concat({hex(kTransferInitHead), hex("09"), hex(kPolicy), hex("0068"), hex(kTicketData),
              hex("00 01"), to_bytes("sip:alice@example.org"), to_bytes("sip:bob@example.org")});
  EXPECT_EQ(wire::to_hex(input.value()), wire::to_hex(want));
  EXPECT_EQ(input->size(), message.size() - 47 - 20 + 21 + 19);
}

TEST(TransferInitMacInputTest, RemovesEmptyInitiatorDataLength) {
  Bytes ticket = concat({hex("09"), hex(kPolicy), hex("0068"), hex(kTicketData), hex("0000")});
  Bytes message = concat({hex(kTransferInitHead), ticket, hex(kTransferInitV)});
  ParseOutcome parsed = parse_message(message, kWithLayout);
  ASSERT_TRUE(parsed.ok());
  auto input = transfer_init_mac_input(message, parsed.layout, {}, {});
  ASSERT_TRUE(input.ok());
  Bytes want = concat({hex(kTransferInitHead), hex("09"), hex(kPolicy), hex("0068"),
                       hex(kTicketData), hex("00 01")});
  EXPECT_EQ(wire::to_hex(input.value()), wire::to_hex(want));
}

TEST(TransferInitMacInputTest, RejectsMessageNotEndingWithV) {
  // The TICKET is the last payload (Next Payload 0): there is no MAC field to leave out.
  Bytes message = concat({hex(kTransferInitHead), ticket_payload("00")});
  ParseOutcome parsed = parse_message(message, kWithLayout);
  ASSERT_TRUE(parsed.ok());
  auto input = transfer_init_mac_input(message, parsed.layout, {}, {});
  ASSERT_FALSE(input.ok());
  EXPECT_EQ(input.error(), Errc::unexpected_payload_type);
}

TEST(TransferInitMacInputTest, RejectsLayoutOfAnotherMessage) {
  Bytes message = concat({hex(kTransferInitHead), ticket_payload("09"), hex(kTransferInitV)});
  ParseOutcome parsed = parse_message(message, kWithLayout);
  ASSERT_TRUE(parsed.ok());
  auto input =
      transfer_init_mac_input(ByteView(message).first(message.size() - 1), parsed.layout, {}, {});
  ASSERT_FALSE(input.ok());
  EXPECT_EQ(input.error(), Errc::inconsistent_model);
}

}  // namespace
}  // namespace mikey::codec
