// The fuzzer-mode switch (roles/protect.h "MAC decisions") works, and only where it is meant
// to: this file is built twice, as fuzz_mode_unit_test against mikey_roles_fuzzmode (which defines
// MIKEY_FUZZER_MODE for its users) and as fuzz_mode_off_unit_test against mikey_roles. The same
// tampered messages — a flipped byte in the V MAC of REQUEST_INIT, in the ticket's V and in Vr of
// a RESOLVE_INIT — are answered normally by the twin and refused with Error 0 (Auth failure) by
// the normal library.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "codec/message.h"
#include "crypto/rng.h"
#include "role_world.h"
#include "roles/clock.h"
#include "roles/error_message.h"
#include "roles/initiator.h"
#include "roles/kms.h"
#include "roles/protect.h"
#include "roles/responder.h"

#if defined(MIKEY_FUZZER_MODE)
#define MIKEY_MODE_TEST(name) TEST(FuzzerModeTwinTest, name)
#else
#define MIKEY_MODE_TEST(name) TEST(FuzzerModeOffTest, name)
#endif

namespace mikey::fuzz {
namespace {

using codec::DataType;

struct Parties {
  roles::ManualClock clock{seed_time()};
  crypto::DeterministicRng rng{7};
  roles::Kms kms{kms_config(), clock, rng};
  roles::Initiator alice{alice_config(), clock, rng};
  roles::Responder bob{bob_config(), clock, rng};
};

std::optional<DataType> data_type_of(ByteView message) {
  codec::ParseOutcome out = codec::parse_message(message);
  if (!out.ok()) return std::nullopt;
  return out.message.hdr.data_type;
}

std::optional<codec::ErrorNo> error_no_of(ByteView message) {
  codec::ParseOutcome out = codec::parse_message(message);
  if (!out.ok() || out.message.hdr.data_type != DataType::error) return std::nullopt;
  auto numbers = roles::error_numbers(out.message);
  if (numbers.size() != 1) return std::nullopt;
  return numbers.front();
}

// `message` with the last byte of the field whose layout path ends in `suffix` flipped.
Bytes flip_last_byte_of(const Bytes& message, std::string_view suffix) {
  codec::ParseOutcome out = codec::parse_message(message, codec::kWithLayout);
  EXPECT_TRUE(out.ok());
  for (const codec::FieldRange& f : out.layout.fields()) {
    const std::string& p = f.path;
    if (p.size() >= suffix.size() &&
        p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0 && f.length > 0) {
      Bytes b = message;
      b[f.offset + f.length - 1] ^= 0x01;
      return b;
    }
  }
  ADD_FAILURE() << "no field " << suffix;
  return message;
}

// A RESOLVE_INIT Bob sends for a ticket Alice obtained from the KMS (with or without forking).
Bytes resolve_init(Parties& w, bool forking) {
  auto init = w.alice.request_ticket(ticket_request(forking));
  EXPECT_TRUE(init.ok());
  if (!init.ok()) return {};
  roles::KmsReply reply = w.kms.handle_request_init(init.value());
  EXPECT_FALSE(reply.failure);
  EXPECT_TRUE(w.alice.process_request_resp(reply.message).ok());
  roles::TransferOptions o;
  o.responder = bob_id();
  auto transfer = w.alice.transfer_init(o);
  EXPECT_TRUE(transfer.ok());
  if (!transfer.ok()) return {};
  auto step = w.bob.process_transfer_init(transfer.value());
  EXPECT_TRUE(step.ok());
  if (!step.ok()) return {};
  EXPECT_EQ(step->action, roles::ResponderAction::send_resolve_init);
  return step->message;
}

// What the KMS answers: the twin ignores the MAC comparison; the normal library refuses with an
// unauthenticated Error 0 (RFC 3830 §5.1.2: the message could not be authenticated).
void expect_answer(const roles::KmsReply& reply, DataType accepted) {
#if defined(MIKEY_FUZZER_MODE)
  EXPECT_FALSE(reply.failure) << roles::to_string(*reply.failure) << ": " << reply.detail;
  EXPECT_EQ(data_type_of(reply.message), accepted);
  EXPECT_EQ(error_no_of(reply.message), std::nullopt);
#else
  (void)accepted;
  ASSERT_TRUE(reply.failure);
  EXPECT_EQ(data_type_of(reply.message), DataType::error);
  EXPECT_EQ(error_no_of(reply.message), codec::ErrorNo::auth_failure);
#endif
}

MIKEY_MODE_TEST(LibraryReportsItsMode) {
#if defined(MIKEY_FUZZER_MODE)
  EXPECT_TRUE(roles::fuzzer_mode());
#else
  EXPECT_FALSE(roles::fuzzer_mode());
#endif
}

MIKEY_MODE_TEST(UntamperedRequestInitIsAnsweredWithRequestResp) {
  Parties w;
  auto init = w.alice.request_ticket(ticket_request());
  ASSERT_TRUE(init.ok());
  roles::KmsReply reply = w.kms.handle_request_init(init.value());
  EXPECT_FALSE(reply.failure);
  EXPECT_EQ(data_type_of(reply.message), DataType::request_resp);
}

MIKEY_MODE_TEST(RequestInitWithFlippedMacByte) {
  Parties w;
  auto init = w.alice.request_ticket(ticket_request());
  ASSERT_TRUE(init.ok());
  Bytes tampered = flip_last_byte_of(init.value(), "V.mac");
  ASSERT_NE(tampered, init.value());
  expect_answer(w.kms.handle_request_init(tampered), DataType::request_resp);
}

// Bob's RESOLVE_INIT (with or without forking) with the last byte of `field` flipped, answered
// as expect_answer says.
void expect_flipped_resolve_answer(bool forking, std::string_view field) {
  Parties w;
  Bytes resolve = resolve_init(w, forking);
  ASSERT_FALSE(resolve.empty());
  Bytes tampered = flip_last_byte_of(resolve, field);
  ASSERT_NE(tampered, resolve);
  expect_answer(w.kms.handle_resolve_init(tampered), DataType::resolve_resp);
}

MIKEY_MODE_TEST(ResolveInitWithFlippedTicketMacByte) {
  // The ticket's V MAC ends its Ticket Data (App. A.1).
  expect_flipped_resolve_answer(false, "TICKET.ticket_data");
}

MIKEY_MODE_TEST(ResolveInitWithFlippedVrByte) {
  // Vr's MAC ends the Initiator Data [Vi, Vr] (§6.10).
  expect_flipped_resolve_answer(true, "TICKET.initiator_data");
}

MIKEY_MODE_TEST(UnparseableRequestIsRefusedInBothModes) {
  // Fuzzer mode only ignores comparison results: a message that does not parse is still refused.
  Parties w;
  auto init = w.alice.request_ticket(ticket_request());
  ASSERT_TRUE(init.ok());
  Bytes truncated(init->begin(), init->begin() + static_cast<std::ptrdiff_t>(init->size() / 2));
  roles::KmsReply reply = w.kms.handle_request_init(truncated);
  ASSERT_TRUE(reply.failure);
  EXPECT_EQ(data_type_of(reply.message), DataType::error);
}

}  // namespace
}  // namespace mikey::fuzz
