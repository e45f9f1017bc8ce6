// Tickets in the base-ticket layout (ticket.h; RFC 6043 App. A): Type 1 and the PROVISIONAL,
// NOT 3GPP Type 2 codec.
#include "roles/ticket.h"

#include <gtest/gtest.h>

#include "codec/message.h"
#include "crypto/derive.h"
#include "crypto/kemac_cipher.h"
#include "crypto/mac.h"
#include "role_fixture.h"
#include "roles/message_util.h"

namespace mikey::roles {
namespace {

using testing::hex_of;
using testing::pattern;

codec::TicketPolicy policy_for(TicketFormat f, codec::PrfFunc prf) {
  codec::TicketPolicy tp;
  tp.ticket_type = f.type;
  tp.subtype = f.subtype;
  tp.version = f.version;
  tp.prf_func = prf;
  tp.flags.d = tp.flags.f = tp.flags.h = true;
  tp.tp_data.present = true;
  tp.tp_data.payloads = {make_idr(codec::IdRole::idrr, testing::kBob)};
  return tp;
}

TicketContents contents(std::size_t len) {
  TicketContents c;
  c.mpk =
      KeyItem{codec::KeyDataType::mpk, crypto::SecureBytes(pattern(len, 0x10)), {}, {0, 0, 0, 1}};
  c.keys.push_back(
      KeyItem{codec::KeyDataType::tgk, crypto::SecureBytes(pattern(len, 0x20)), {}, {0, 0, 0, 2}});
  return c;
}

// A MIKEY-1 base ticket of 16-byte keys sealed under `key` at time t (RNG seed 7).
Result<SealedTicket, Failure> seal_base_ticket(const TicketKey& key, std::uint64_t t) {
  crypto::DeterministicRng rng(7);
  return seal_ticket(policy_for(kBaseTicket, codec::PrfFunc::mikey_1), contents(16), key, t, rng);
}

// The TICKET payload bytes as a receiver would slice them out of a message.
struct Received1 {
  Received r;
  const codec::Payload* payload = nullptr;
  ByteView bytes() const { return payload_bytes(r.bytes, *payload); }
  const codec::Ticket& ticket() const { return *payload->get<codec::Ticket>(); }
};
Received1 as_received(const codec::Ticket& t) {
  codec::Message m;
  m.hdr = make_hdr(codec::DataType::error, false, codec::PrfFunc::mikey_1, 0);
  m.payloads = {codec::make_payload(t)};
  Received1 out;
  out.r = receive(codec::serialize_message(m).value());
  out.payload = out.r.message().find(codec::PayloadType::ticket);
  return out;
}

TEST(TicketProtectionTest, SealedTicketsOpenWithTheSameKeysForBothFormatsAndSuites) {
  for (const Algorithms& algs : {kSuite128, kSuite256}) {
    for (TicketFormat format : {kBaseTicket, kProvisionalType2}) {
      crypto::DeterministicRng rng(7);
      TicketKey key = testing::ticket_key(format, algs, "tpk-1", 0x80);
      TicketContents c = contents(algs.key_length());
      auto sealed = seal_ticket(policy_for(format, algs.prf), c, key, 0xe5a1b2c300000000u, rng);
      ASSERT_TRUE(sealed.ok()) << to_string(sealed.error());
      Received1 in = as_received(sealed->ticket);
      const TicketKey keys[] = {key.clone()};
      auto opened = open_ticket(in.bytes(), in.ticket(), keys);
      ASSERT_TRUE(opened.ok()) << to_string(opened.error());
      EXPECT_EQ(hex_of(opened->contents.mpk.key.view()), hex_of(c.mpk.key.view()));
      ASSERT_EQ(opened->contents.keys.size(), 1u);
      EXPECT_EQ(hex_of(opened->contents.keys[0].key.view()), hex_of(c.keys[0].key.view()));
      EXPECT_EQ(opened->contents.keys[0].spi, c.keys[0].spi);
      EXPECT_EQ(hex_of(opened->mpki.view()), hex_of(sealed->mpki.view()));
      EXPECT_EQ(hex_of(opened->mpkr.view()), hex_of(sealed->mpkr.view()));
      EXPECT_NE(hex_of(opened->mpki.view()), hex_of(opened->mpkr.view()));
      EXPECT_EQ(opened->mpki.size(), c.mpk.key.size());  // App. A.2.2: outkey_len = inkey_len
    }
  }
}

TEST(TicketProtectionTest, TicketKemacUsesCsbIdAllOnesAndTheTicketTime) {
  TicketKey key = testing::ticket_key(kBaseTicket, kSuite128, "tpk-1", 0x80);
  auto sealed = seal_base_ticket(key, 0xe5a1b2c300000000u);
  ASSERT_TRUE(sealed.ok());
  codec::ParseState st;
  codec::TicketData data;
  ASSERT_EQ(
      codec::mikey_base_ticket_codec().parse(sealed->ticket.ticket_data, 0, st, "t", data).code,
      codec::Errc::ok);
  // App. A.1: THDR, T, RAND, KEMAC, IDRpsk, V.
  ASSERT_EQ(data.payloads.size(), 5u);
  const auto& rand = data.payloads[1].get<codec::Rand>()->rand;
  EXPECT_GE(rand.size(), 16u);  // T-12.1-4
  auto keys = crypto::derive_tpk_keys(crypto::PrfFunc::mikey_1, key.tpk.view(), rand, 16, 0, 14);
  ASSERT_TRUE(keys.ok());
  const auto& kemac = *data.payloads[2].get<codec::Kemac>();
  EXPECT_EQ(kemac.mac_alg, codec::MacAlg::null);  // T-A.1-2
  auto plain =
      crypto::decrypt_kemac(crypto::EncrAlg::aes_cm_128, keys->encr.view(), keys->salt.view(),
                            0xFFFFFFFF, 0xe5a1b2c300000000u, kemac.encr_data);
  ASSERT_TRUE(plain.ok());
  auto decoded = decode_keys(plain->view());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->front().type, codec::KeyDataType::mpk);  // T-A.1-4
  auto wrong = crypto::decrypt_kemac(crypto::EncrAlg::aes_cm_128, keys->encr.view(),
                                     keys->salt.view(), 0, 0xe5a1b2c300000000u, kemac.encr_data);
  EXPECT_FALSE(decode_keys(wrong->view()).ok());  // another CSB ID gives garbage (T-A.1-3)
}

TEST(TicketProtectionTest, VIsTheMacOverTheBaseTicketMacInput) {
  TicketKey key = testing::ticket_key(kBaseTicket, kSuite128, "tpk-1", 0x80);
  auto sealed = seal_base_ticket(key, 0xe5a1b2c300000000u);
  ASSERT_TRUE(sealed.ok());
  Received1 in = as_received(sealed->ticket);
  auto input = codec::base_ticket_mac_input(in.bytes());
  ASSERT_TRUE(input.ok());
  codec::ParseState st;
  codec::TicketData data;
  ASSERT_EQ(codec::mikey_base_ticket_codec().parse(in.ticket().ticket_data, 0, st, "t", data).code,
            codec::Errc::ok);
  const auto& rand = data.payloads[1].get<codec::Rand>()->rand;
  auto auth = crypto::derive_tpk_key(crypto::PrfFunc::mikey_1, key.tpk.view(), crypto::kConstAuth,
                                     rand, 20);
  const ByteView parts[] = {input.value()};
  auto mac = crypto::compute_mac(crypto::MacAlg::hmac_sha1_160, auth->view(), parts);
  EXPECT_EQ(hex_of(mac.value()), hex_of(data.payloads.back().get<codec::Verification>()->mac));
}

TEST(TicketProtectionTest, ChangedPolicyFailsTheTicketIntegrityCheck) {
  TicketKey key = testing::ticket_key(kBaseTicket, kSuite128, "tpk-1", 0x80);
  auto sealed = seal_base_ticket(key, 1);
  ASSERT_TRUE(sealed.ok());
  codec::Ticket t = sealed->ticket;
  t.policy.flags.j = true;  // the TP is covered by the ticket MAC (App. A.1)
  Received1 in = as_received(t);
  const TicketKey keys[] = {key.clone()};
  auto opened = open_ticket(in.bytes(), in.ticket(), keys);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error(), Failure::ticket_integrity_failure);
}

TEST(TicketProtectionTest, UnknownTpkIdIsIssuerUnknownAndMissingIdTriesEveryKey) {
  TicketKey key = testing::ticket_key(kBaseTicket, kSuite128, "", 0x80);  // no IDRpsk
  auto sealed = seal_base_ticket(key, 1);
  ASSERT_TRUE(sealed.ok());
  Received1 in = as_received(sealed->ticket);
  const TicketKey both[] = {testing::ticket_key(kBaseTicket, kSuite128, "", 0x33), key.clone()};
  auto opened = open_ticket(in.bytes(), in.ticket(), both);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->key, &both[1]);
  const TicketKey other_format[] = {testing::ticket_key(kProvisionalType2, kSuite128, "", 0x80)};
  auto none = open_ticket(in.bytes(), in.ticket(), other_format);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error(), Failure::ticket_issuer_unknown);
}

TEST(TicketProtectionTest, FormatMismatchBetweenPolicyAndKeyIsRefused) {
  TicketKey key = testing::ticket_key(kProvisionalType2, kSuite128, "tpk-2", 0x80);
  auto sealed = seal_base_ticket(key, 1);
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.error(), Failure::unsupported_ticket_type);
}

}  // namespace
}  // namespace mikey::roles
