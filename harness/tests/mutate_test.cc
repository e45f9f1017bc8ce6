#include "harness/mutate.h"

#include <gtest/gtest.h>

#include "codec/message.h"
#include "crypto/rng.h"
#include "harness/embedded_kms.h"
#include "harness/tests/test_support.h"
#include "roles/error_message.h"
#include "roles/initiator.h"
#include "roles/kms.h"
#include "roles/responder.h"

namespace mikeyconf::harness {
namespace {

namespace roles = mikey::roles;
namespace codec = mikey::codec;
using mikey::Bytes;

// Alice, Bob and the reference KMS of cases/profiles/reference.yaml, in process.
class MutateTest : public ::testing::Test {
 protected:
  MutateTest() : profile_(testing::reference_profile()), rng_(42) {
    auto config = kms_config_from_profile(profile_);
    kms_ = std::make_unique<roles::Kms>(std::move(config).value(), clock_, kms_rng_);
  }

  const UserProfile& user(const char* name) const { return *profile_.user(name); }

  std::shared_ptr<const roles::PskCredential> credential(const UserProfile& u) const {
    return std::make_shared<const roles::PskCredential>(mikey::crypto::SecureBytes(u.psk),
                                                        u.psk_id);
  }

  roles::Initiator& alice() {
    if (!alice_) {
      roles::InitiatorConfig c;
      c.identity = user("alice").identity;
      c.kms_identity = profile_.kms_identity;
      c.credential = credential(user("alice"));
      alice_ = std::make_unique<roles::Initiator>(c, clock_, rng_);
    }
    return *alice_;
  }

  roles::TicketRequest ticket_request() const {
    roles::TicketRequest r;
    r.responders = {user("bob").identity};
    r.lifetime_s = 600;
    return r;
  }

  Bytes request_init() {
    auto b = alice().request_ticket(ticket_request());
    EXPECT_TRUE(b.ok());
    return b.ok() ? b.value() : Bytes{};
  }

  // A RESOLVE_INIT_PSK from Bob for a ticket Alice obtained.
  Bytes resolve_init() {
    auto resp = kms_->handle_request_init(request_init());
    EXPECT_FALSE(resp.failure);
    EXPECT_TRUE(alice().process_request_resp(resp.message).ok());
    roles::TransferOptions t;
    t.responder = user("bob").identity;
    auto ti = alice().transfer_init(t);
    EXPECT_TRUE(ti.ok());
    roles::ResponderConfig rc;
    rc.identity = user("bob").identity;
    rc.kms_identity = profile_.kms_identity;
    rc.credential = credential(user("bob"));
    bob_ = std::make_unique<roles::Responder>(std::move(rc), clock_, rng_);
    auto step = bob_->process_transfer_init(ti.value());
    EXPECT_TRUE(step.ok());
    return step.ok() ? step->message : Bytes{};
  }

  ProtectionKeys alice_keys() const {
    return {user("alice").psk, user("alice").identity.data, profile_.kms_identity.data, false};
  }

  static Mutation knob(Knob k, std::string field = {}) {
    Mutation m;
    m.knob = k;
    m.field = std::move(field);
    return m;
  }

  static std::vector<std::string> payload_names(const Bytes& b) {
    auto p = codec::parse_message(b, codec::kWithLayout);
    std::vector<std::string> out;
    for (const auto& pl : p.message.payloads) out.emplace_back(codec::to_string(pl.type));
    return out;
  }

  // Bytes that differ between a and b (same length).
  static std::vector<std::size_t> diff(const Bytes& a, const Bytes& b) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
      if (a[i] != b[i]) out.push_back(i);
    return out;
  }

  static std::optional<codec::ErrorNo> error_no(const Bytes& message) {
    auto p = codec::parse_message(message, codec::kWithLayout);
    if (!p.ok() || p.message.hdr.data_type != codec::DataType::error) return std::nullopt;
    auto n = roles::error_numbers(p.message);
    return n.empty() ? std::nullopt : std::optional(n.front());
  }

  SutProfile profile_;
  roles::SystemClock clock_;
  mikey::crypto::DeterministicRng rng_;
  mikey::crypto::DeterministicRng kms_rng_{9};
  std::unique_ptr<roles::Kms> kms_;
  std::unique_ptr<roles::Initiator> alice_;
  std::unique_ptr<roles::Responder> bob_;
};

// REQUEST_INIT_PSK of the reference Initiator: HDR(10) T(10) RANDR(35: as long as the 32-byte PSK,
// RFC 6043 §12.1) IDRi IDRkms TP IDRpsk V.
TEST_F(MutateTest, ResolvesSymbolicPaths) {
  const Bytes b = request_init();
  const auto p = codec::parse_message(b, codec::kWithLayout);
  ASSERT_TRUE(p.ok());
  auto v = resolve_field(p, "payload[V].mac");
  auto same = resolve_field(p, "payload[6].V.mac");
  auto last = resolve_field(p, "payload[-1].mac");
  ASSERT_TRUE(v.ok() && same.ok() && last.ok()) << (v.ok() ? "" : v.error());
  EXPECT_EQ(v->path, "payload[6].V.mac");
  EXPECT_EQ(v->offset, same->offset);
  EXPECT_EQ(v->offset, last->offset);
  EXPECT_EQ(v->length, 20u);
  auto idrkms = resolve_field(p, "payload[IDR:1].id_data");
  ASSERT_TRUE(idrkms.ok());
  EXPECT_EQ(idrkms->path, "payload[3].IDR.id_data");
  EXPECT_EQ(Bytes(b.begin() + idrkms->offset, b.begin() + idrkms->offset + idrkms->length),
            profile_.kms_identity.data);
  auto whole = resolve_field(p, "payload[RANDR]");
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(whole->whole_payload);
  EXPECT_EQ(whole->offset, 20u);
  EXPECT_EQ(whole->length, 35u);
  auto bit = resolve_field(p, "hdr.v");
  ASSERT_TRUE(bit.ok());
  EXPECT_EQ(bit->mask, 0x80);
}

TEST_F(MutateTest, ResolvesSymbolicPathsInsideContainers) {
  // The desired TP of the reference Initiator: TP Data = TRs, TRe, IDRr.
  const Bytes b = request_init();
  const auto p = codec::parse_message(b, codec::kWithLayout);
  ASSERT_TRUE(p.ok());
  auto tre = resolve_field(p, "payload[TP].tp_data.payload[TR:1].ts_value");
  auto same = resolve_field(p, "payload[TP].tp_data.payload[TR:-1].ts_value");
  auto idrr = resolve_field(p, "payload[TP].tp_data.payload[IDR:-1].id_data");
  ASSERT_TRUE(tre.ok() && same.ok() && idrr.ok()) << (tre.ok() ? "" : tre.error());
  EXPECT_EQ(tre->path, "payload[4].TP.tp_data.payload[1].TR.ts_value");
  EXPECT_EQ(same->offset, tre->offset);
  EXPECT_EQ(idrr->path, "payload[4].TP.tp_data.payload[2].IDR.id_data");
  EXPECT_FALSE(resolve_field(p, "payload[TP].tp_data.payload[TR:2].ts_value").ok());
}

TEST_F(MutateTest, ReportsPathsTheMessageDoesNotHave) {
  const auto p = codec::parse_message(request_init(), codec::kWithLayout);
  EXPECT_EQ(resolve_field(p, "payload[IDR:5]").error(),
            "payload[IDR:5] does not exist: the message has 3 payload(s) of that type");
  EXPECT_EQ(resolve_field(p, "payload[9].V.mac").error(),
            "payload[9] does not exist: the message has 7 payloads");
  EXPECT_EQ(resolve_field(p, "hdr.colour").error().substr(0, 34),
            "no field hdr.colour (fields: hdr.v");
  EXPECT_EQ(resolve_field(p, "payload[V].nope").error().substr(0, 50),
            "no field payload[V].nope (resolved to payload[6].n");
}

TEST_F(MutateTest, FlipBitChangesExactlyThatBit) {
  const Bytes b = request_init();
  Mutation m = knob(Knob::flip_bit, "hdr.version");
  m.bit = 7;
  auto out = apply_mutation(b, m);
  ASSERT_TRUE(out.ok()) << out.error();
  EXPECT_EQ(diff(b, out.value()), std::vector<std::size_t>{0});
  EXPECT_EQ(out.value()[0], 0x00);  // version 1 → 0

  m.field = "payload[V].mac";
  m.bit = 9;
  out = apply_mutation(b, m);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(diff(b, out.value()), std::vector<std::size_t>{171});
  EXPECT_EQ(out.value()[171], b[171] ^ 0x40);
}

TEST_F(MutateTest, FlipBitInABitFieldCountsTheFieldsBits) {
  const Bytes b = request_init();
  Mutation m = knob(Knob::flip_bit, "hdr.prf_func");  // mask 0x7f: bit 0 is 0x40
  m.bit = 0;
  auto out = apply_mutation(b, m);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value()[3], b[3] ^ 0x40);
  m.bit = 7;
  EXPECT_EQ(apply_mutation(b, m).error(), "hdr.prf_func is a 7-bit field: bit 7 does not exist");
}

TEST_F(MutateTest, FlipMacBitFlipsTheFirstBitOfTheLastV) {
  const Bytes b = request_init();
  auto out = apply_mutation(b, knob(Knob::flip_mac_bit));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(diff(b, out.value()), std::vector<std::size_t>{170});
  EXPECT_EQ(out.value()[170], b[170] ^ 0x80);
}

TEST_F(MutateTest, SetMasksIntoBitFieldsAndWritesBigEndian) {
  const Bytes b = request_init();
  ASSERT_EQ(b[3] & 0x80, 0x80);  // V = 1 (RFC 6043 §4.2.1.1)
  Mutation m = knob(Knob::set, "hdr.v");
  m.int_value = 0;
  auto out = apply_mutation(b, m);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(diff(b, out.value()), std::vector<std::size_t>{3});
  EXPECT_EQ(out.value()[3], b[3] & 0x7f);

  m = knob(Knob::set, "hdr.csb_id");
  m.int_value = 0x01020304;
  out = apply_mutation(b, m);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(Bytes(out->begin() + 4, out->begin() + 8), (Bytes{1, 2, 3, 4}));
  for (std::size_t i : diff(b, out.value())) EXPECT_TRUE(i >= 4 && i < 8) << i;

  m = knob(Knob::set, "hdr.v");
  m.int_value = 2;
  EXPECT_EQ(apply_mutation(b, m).error(), "value 2 does not fit the 1-bit field hdr.v");
  m = knob(Knob::set, "hdr.version");
  m.int_value = 256;
  EXPECT_EQ(apply_mutation(b, m).error(), "value 256 does not fit the 1-byte field hdr.version");
}

TEST_F(MutateTest, SetWithHexSplicesTheField) {
  const Bytes b = request_init();
  Mutation m = knob(Knob::set, "payload[IDR:2].id_data");
  m.bytes = mikey::to_bytes("psk-zzzzz");
  auto out = apply_mutation(b, m);
  ASSERT_TRUE(out.ok());
  auto p = codec::parse_message(out.value(), codec::kWithLayout);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.message.payloads[5].get<codec::IdWithRole>()->data, mikey::to_bytes("psk-zzzzz"));
  m.bytes = Bytes{1, 2};  // shorter: the length field is not updated, the message breaks
  out = apply_mutation(b, m);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->size(), b.size() - 7);
}

TEST_F(MutateTest, TruncateAppendAndDeleteChangeLengths) {
  const Bytes b = request_init();
  Mutation t = knob(Knob::truncate);
  t.at = 5;
  EXPECT_EQ(apply_mutation(b, t).value(), Bytes(b.begin(), b.begin() + 5));
  t.at.reset();
  t.drop_last = 7;
  EXPECT_EQ(apply_mutation(b, t).value(), Bytes(b.begin(), b.end() - 7));
  t.drop_last.reset();
  t.field = "payload[V]";
  EXPECT_EQ(apply_mutation(b, t).value(), Bytes(b.begin(), b.begin() + 168));
  t = knob(Knob::truncate);
  t.at = 999;
  EXPECT_EQ(apply_mutation(b, t).error(), "truncate at 999: the message has only 190 bytes");

  Mutation a = knob(Knob::append);
  a.bytes = Bytes{0xde, 0xad};
  auto appended = apply_mutation(b, a);
  ASSERT_TRUE(appended.ok());
  EXPECT_EQ(appended->size(), b.size() + 2);
  EXPECT_EQ(Bytes(appended->end() - 2, appended->end()), (Bytes{0xde, 0xad}));

  auto deleted = apply_mutation(b, knob(Knob::delete_field, "payload[V].mac"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted.value(), Bytes(b.begin(), b.begin() + 170));
  EXPECT_EQ(apply_mutation(b, knob(Knob::delete_field, "hdr.v")).error(),
            "hdr.v is a bit field: it cannot be deleted");
}

TEST_F(MutateTest, DeletingAPayloadRechainsTheMessage) {
  const Bytes b = request_init();
  auto out = apply_mutation(b, knob(Knob::delete_field, "payload[RANDR]"));
  ASSERT_TRUE(out.ok()) << out.error();
  EXPECT_EQ(out->size(), b.size() - 35);
  EXPECT_EQ(payload_names(out.value()),
            (std::vector<std::string>{"T", "IDR", "IDR", "TP", "IDR", "V"}));
  // The first payload: HDR's Next payload must name RANDR now.
  out = apply_mutation(b, knob(Knob::delete_field, "payload[0]"));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value()[2], 15);  // RANDR
  EXPECT_TRUE(codec::parse_message(out.value(), codec::kWithLayout).ok());
  // The last payload: the new last one carries Next payload 0.
  out = apply_mutation(b, knob(Knob::delete_field, "payload[-1]"));
  ASSERT_TRUE(out.ok());
  auto p = codec::parse_message(out.value(), codec::kWithLayout);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.message.payloads.back().type, codec::PayloadType::idr);
}

TEST_F(MutateTest, DuplicateAndSwapKeepTheChainWalkable) {
  const Bytes b = request_init();
  auto dup = apply_mutation(b, knob(Knob::duplicate_payload, "payload[T]"));
  ASSERT_TRUE(dup.ok()) << dup.error();
  EXPECT_EQ(payload_names(dup.value()),
            (std::vector<std::string>{"T", "T", "RANDR", "IDR", "IDR", "TP", "IDR", "V"}));
  Mutation s = knob(Knob::swap, "payload[T]");
  s.with = "payload[RANDR]";
  auto swapped = apply_mutation(b, s);
  ASSERT_TRUE(swapped.ok()) << swapped.error();
  EXPECT_EQ(swapped.value()[2], 15);  // HDR names RANDR first
  EXPECT_EQ(payload_names(swapped.value()),
            (std::vector<std::string>{"RANDR", "T", "IDR", "IDR", "TP", "IDR", "V"}));
  EXPECT_EQ(apply_mutation(b, knob(Knob::duplicate_payload, "payload[V].mac")).error(),
            "duplicate_payload needs a whole payload reference");
}

TEST_F(MutateTest, MutationsComposeInOrder) {
  const Bytes b = request_init();
  Mutation first = knob(Knob::duplicate_payload, "payload[TP]");
  Mutation second = knob(Knob::flip_bit, "payload[TP:1].tp_data");
  second.bit = 3;
  auto out = apply_mutations(b, {first, second});
  ASSERT_TRUE(out.ok()) << out.error();
  auto p = codec::parse_message(out.value(), codec::kWithLayout);
  auto tps = p.message.find_all(codec::PayloadType::tp);
  EXPECT_EQ(tps.size(), 2u);
  Mutation bad = knob(Knob::flip_bit, "payload[TP:2].tp_data");
  EXPECT_EQ(apply_mutations(b, {first, bad}).error(),
            "mutation 2 (flip_bit payload[TP:2].tp_data bit 0): payload[TP:2] does not exist: the "
            "message has 2 payload(s) of that type");
}

TEST_F(MutateTest, WithoutReProtectionTheKmsSeesABadMac) {
  Mutation m = knob(Knob::set, "hdr.v");
  m.int_value = 0;
  auto out = apply_mutation(request_init(), m);
  ASSERT_TRUE(out.ok());
  auto reply = kms_->handle_request_init(out.value());
  EXPECT_EQ(error_no(reply.message), codec::ErrorNo::auth_failure);
}

TEST_F(MutateTest, ReProtectedRequestVerifiesAtTheKms) {
  Mutation m = knob(Knob::set, "hdr.v");
  m.int_value = 0;
  auto out = apply_mutation(request_init(), m);
  ASSERT_TRUE(out.ok());
  auto protected_ = re_protect(out.value(), alice_keys());
  ASSERT_TRUE(protected_.ok()) << protected_.error();
  EXPECT_NE(protected_.value(), out.value());  // only the MAC changed
  EXPECT_EQ(diff(out.value(), protected_.value()).back() >= 154, true);
  auto reply = kms_->handle_request_init(protected_.value());
  EXPECT_FALSE(reply.failure) << roles::to_string(*reply.failure) << " " << reply.detail;
  EXPECT_EQ(codec::parse_message(reply.message, codec::kWithLayout).message.hdr.data_type,
            codec::DataType::request_resp);
}

TEST_F(MutateTest, ReProtectionKeysWithTheMutatedCsbIdAndRand) {
  Mutation csb = knob(Knob::set, "hdr.csb_id");
  csb.int_value = 0xcafef00d;
  Mutation rand = knob(Knob::flip_bit, "payload[RANDR].rand");
  rand.bit = 5;
  auto out = apply_mutations(request_init(), {csb, rand});
  ASSERT_TRUE(out.ok());
  auto protected_ = re_protect(out.value(), alice_keys());
  ASSERT_TRUE(protected_.ok());
  auto reply = kms_->handle_request_init(protected_.value());
  EXPECT_FALSE(reply.failure) << roles::to_string(*reply.failure);
}

TEST_F(MutateTest, ReProtectionUsesTheConfiguredIdentityWhenIdrIsGone) {
  // Without IDRkms the KMS uses its own identity in the MAC input (INTERPRETATION: RFC 6043 §5.5
  // leaves the bytes open), and so does re_protect, from ProtectionKeys::identity_kms.
  auto out = apply_mutation(request_init(), knob(Knob::delete_field, "payload[IDR:1]"));
  ASSERT_TRUE(out.ok());
  auto protected_ = re_protect(out.value(), alice_keys());
  ASSERT_TRUE(protected_.ok());
  auto reply = kms_->handle_request_init(protected_.value());
  EXPECT_FALSE(reply.failure) << roles::to_string(*reply.failure);
}

TEST_F(MutateTest, ReProtectedResolveVerifiesAtTheKms) {
  const Bytes resolve = resolve_init();
  ASSERT_FALSE(resolve.empty());
  Mutation m = knob(Knob::duplicate_payload, "payload[T]");
  auto out = apply_mutation(resolve, m);
  ASSERT_TRUE(out.ok());
  ProtectionKeys keys{user("bob").psk, user("bob").identity.data, profile_.kms_identity.data, true};
  auto protected_ = re_protect(out.value(), keys);
  ASSERT_TRUE(protected_.ok()) << protected_.error();
  auto reply = kms_->handle_resolve_init(protected_.value());
  EXPECT_FALSE(reply.failure) << roles::to_string(*reply.failure) << " " << reply.detail;
  auto unprotected = kms_->handle_resolve_init(out.value());
  EXPECT_EQ(error_no(unprotected.message), codec::ErrorNo::auth_failure);
}

TEST_F(MutateTest, ReProtectRefusesAMessageThatNoLongerParses) {
  Mutation t = knob(Knob::truncate);
  t.drop_last = 3;
  auto out = apply_mutation(request_init(), t);
  ASSERT_TRUE(out.ok());
  auto r = re_protect(out.value(), alice_keys());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.error().rfind(
          "re_protect: the mutated message does not parse (input ends inside a payload at offset",
          0),
      0u)
      << r.error();
}

TEST(MutatePathSyntaxTest, ChecksPathsWithoutAMessage) {
  EXPECT_FALSE(field_path_problem("hdr.csb_id"));
  EXPECT_FALSE(field_path_problem("payload[V].mac"));
  EXPECT_FALSE(field_path_problem("payload[IDR:2]"));
  EXPECT_FALSE(field_path_problem("payload[-1].mac"));
  EXPECT_EQ(field_path_problem("csb_id"), "a field path starts with 'hdr.' or 'payload[...]'");
  EXPECT_EQ(field_path_problem("payload[IDR:x]"),
            "the occurrence after ':' must be a number (negative: from the last)");
  EXPECT_FALSE(field_path_problem("payload[IDR:-1].id_data"));
  EXPECT_EQ(field_path_problem("payload[2]mac"), "expected '.<field>' after ']'");
  EXPECT_EQ(payload_ref_problem("payload[2].V"),
            "expected a whole payload: payload[<index or type>]");
  EXPECT_FALSE(payload_ref_problem("payload[General_Ext]"));
}

}  // namespace
}  // namespace mikeyconf::harness
