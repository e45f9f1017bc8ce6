#include "role_fixture.h"

#include "codec/message.h"
#include "roles/error_message.h"
#include "wire/hex.h"

namespace mikey::roles::testing {

Bytes hex(std::string_view text) {
  auto b = wire::from_hex(text);
  EXPECT_TRUE(b.ok()) << text;
  return b.ok() ? b.value() : Bytes{};
}

std::string hex_of(ByteView b) { return wire::to_hex(b); }

World::World(const Algorithms& a, std::uint64_t seed)
    : rng(seed),
      algs(a),
      alice_psk(psk_credential(0x40, a.key_length(), "psk-alice")),
      bob_psk(psk_credential(0x60, a.key_length(), "psk-bob")) {}

KmsConfig World::kms_config() const {
  KmsConfig c;
  c.identity = kKms;
  c.users.push_back(KmsUser{kAlice, alice_psk, {}, false});
  c.users.push_back(KmsUser{kBob, bob_psk, {}, false});
  c.ticket_keys.push_back(ticket_key(kBaseTicket, algs, "tpk-1", 0x80));
  c.ticket_keys.push_back(ticket_key(kProvisionalType2, algs, "tpk-2", 0xa0));
  return c;
}

InitiatorConfig World::alice_config() const {
  return samples::party_config<InitiatorConfig>(kAlice, kKms, alice_psk, algs);
}

ResponderConfig World::bob_config() const {
  return samples::party_config<ResponderConfig>(kBob, kKms, bob_psk, algs);
}

TicketRequest World::ticket_request(bool forking, TicketFormat format) const {
  TicketRequest r;
  r.format = format;
  r.prf = algs.prf;
  r.responders = {kBob};
  r.lifetime_s = 600;
  if (forking) {
    r.flags.i = true;  // §6.10: I ⇒ E
    r.flags.e = true;
  }
  return r;
}

codec::TicketPolicy World::obtain_ticket(Initiator& alice, Kms& kms, const TicketRequest& r,
                                         Transcript* t) {
  auto init = alice.request_ticket(r);
  EXPECT_TRUE(init.ok()) << (init.ok() ? "" : to_string(init.error().failure));
  if (!init.ok()) return {};
  KmsReply reply = kms.handle_request_init(init.value());
  EXPECT_FALSE(reply.failure) << to_string(*reply.failure) << ": " << reply.detail;
  auto granted = alice.process_request_resp(reply.message);
  EXPECT_TRUE(granted.ok()) << (granted.ok() ? "" : to_string(granted.error().failure));
  if (t != nullptr) {
    t->request_init = init.value();
    t->request_resp = reply.message;
  }
  return granted.ok() ? granted.value() : codec::TicketPolicy{};
}

bool World::transfer(Initiator& alice, Responder& bob, Kms& kms, Transcript* t,
                     const TransferOptions* options) {
  TransferOptions defaults;
  defaults.responder = kBob;
  auto init = alice.transfer_init(options != nullptr ? *options : defaults);
  EXPECT_TRUE(init.ok()) << (init.ok() ? "" : to_string(init.error().failure));
  if (!init.ok()) return false;
  auto step = bob.process_transfer_init(init.value());
  EXPECT_TRUE(step.ok()) << (step.ok() ? "" : to_string(step.error().failure));
  if (!step.ok()) return false;
  if (t != nullptr) t->transfer_init = init.value();
  if (step->action == ResponderAction::send_resolve_init) {
    KmsReply reply = kms.handle_resolve_init(step->message);
    EXPECT_FALSE(reply.failure) << to_string(*reply.failure) << ": " << reply.detail;
    if (t != nullptr) {
      t->resolve_init = step->message;
      t->resolve_resp = reply.message;
    }
    step = bob.process_resolve_resp(reply.message);
    EXPECT_TRUE(step.ok()) << (step.ok() ? "" : to_string(step.error().failure));
    if (!step.ok()) return false;
  }
  if (step->action == ResponderAction::send_transfer_resp) {
    if (t != nullptr) t->transfer_resp = step->message;
    auto done = alice.process_transfer_resp(step->message);
    EXPECT_TRUE(done.ok()) << (done.ok() ? "" : to_string(done.error().failure));
    if (!done.ok()) return false;
  }
  return alice.transfer_complete() && bob.transfer_complete();
}

void World::expect_same_srtp_keys(const Initiator& alice, const Responder& bob) {
  auto a = alice.srtp_keys();
  auto b = bob.srtp_keys();
  ASSERT_TRUE(a.ok()) << to_string(a.error().failure);
  ASSERT_TRUE(b.ok()) << to_string(b.error().failure);
  ASSERT_EQ(a->size(), b->size());
  ASSERT_FALSE(a->empty());
  for (std::size_t i = 0; i < a->size(); ++i) {
    const SrtpKeys& x = (*a)[i];
    const SrtpKeys& y = (*b)[i];
    EXPECT_EQ(x.cs_id, y.cs_id);
    EXPECT_FALSE(x.master_key.empty());
    EXPECT_EQ(hex_of(x.master_key.view()), hex_of(y.master_key.view()));
    EXPECT_EQ(hex_of(x.master_salt.view()), hex_of(y.master_salt.view()));
    EXPECT_EQ(x.spi, y.spi);
  }
}

Bytes request_init(World& w, const TicketRequest& r, InitiatorConfig cfg) {
  Initiator alice(std::move(cfg), w.clock, w.rng);
  auto bytes = alice.request_ticket(r);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? bytes.value() : Bytes{};
}

std::optional<codec::ErrorNo> error_no_of(ByteView message) {
  auto parsed = codec::parse_message(message);
  if (!parsed.ok() || parsed.message.hdr.data_type != codec::DataType::error) return std::nullopt;
  auto numbers = error_numbers(parsed.message);
  if (numbers.size() != 1) return std::nullopt;
  return numbers.front();
}

bool error_is_authenticated(ByteView message) {
  auto parsed = codec::parse_message(message);
  return parsed.ok() && parsed.message.find(codec::PayloadType::v) != nullptr;
}

}  // namespace mikey::roles::testing
