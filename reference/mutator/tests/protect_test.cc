// mutate() with keys: re-protected mutants pass the reference KMS's MAC check (RFC 6043 §5.5)
// where the same mutants unprotected are refused, and an encrypted KEMAC is opened, mutated and
// sealed again (RFC 3830 §4.2.3).
#include <gtest/gtest.h>

#include "codec/message.h"
#include "codec/samples.h"
#include "crypto/kemac_cipher.h"
#include "crypto/rng.h"
#include "mutator/mutator.h"
#include "role_world.h"
#include "roles/failure.h"
#include "roles/kms.h"
#include "roles/message_util.h"
#include "roles/reprotect.h"

namespace mikey::mutator {
namespace {

namespace world = mikey::fuzz;

// Alice's REQUEST_INIT_PSK, built by the reference Initiator against the fuzz world's KMS.
Bytes request_init() {
  roles::ManualClock clock(world::seed_time());
  crypto::DeterministicRng rng(1);
  roles::Initiator alice(world::alice_config(), clock, rng);
  auto init = alice.request_ticket(world::ticket_request());
  EXPECT_TRUE(init.ok());
  return init.ok() ? init.value() : Bytes{};
}

// What a fresh KMS of the world answers.
std::optional<roles::Failure> kms_failure(ByteView request) {
  roles::ManualClock clock(world::seed_time());
  crypto::DeterministicRng rng(2);
  roles::Kms kms(world::kms_config(), clock, rng);
  return kms.handle_request_init(request).failure;
}

Protection alice_protection() {
  Protection p;
  p.re_mac = [](Bytes& m) {
    static const Bytes alice = world::alice_id().data;
    static const Bytes kms = world::kms_id().data;
    const auto psk = world::alice_psk(roles::kSuite128);
    auto out = roles::re_protect(m, {psk->psk(), alice, kms});
    if (!out.ok()) return false;
    m = std::move(out).value();
    return true;
  };
  return p;
}

bool ends_with_v(ByteView m) {
  const auto out = codec::parse_message(m);
  return out.ok() && roles::last_v(out.message) != nullptr;
}

TEST(MutatorProtect, ReprotectedMutantsPassTheMacCheck) {
  const Bytes in = request_init();
  ASSERT_FALSE(in.empty());
  ASSERT_FALSE(kms_failure(in).has_value());  // the seed itself is granted
  Options with_keys;
  with_keys.protection = alice_protection();
  int checked = 0, past_mac = 0, plain_refused = 0;
  for (std::uint64_t seed = 0; seed < 150; ++seed) {
    const Bytes mutant = mutate(in, seed, with_keys);
    if (mutant == in || !ends_with_v(mutant)) continue;
    ++checked;
    const auto failure = kms_failure(mutant);
    EXPECT_NE(failure, roles::Failure::auth_failure) << "seed " << seed;
    if (failure == roles::Failure::auth_failure) continue;
    ++past_mac;
    // The same mutant without keys: the operators draw the same numbers, only the MAC differs.
    const Bytes plain = mutate(in, seed);
    if (plain != mutant && kms_failure(plain) == roles::Failure::auth_failure) ++plain_refused;
  }
  EXPECT_GT(checked, 60);
  EXPECT_EQ(past_mac, checked);
  EXPECT_GT(plain_refused, checked / 2);
}

// A KEMAC sealed with AES-CM-128 under a fixed key: the Key data operators reach its plaintext
// only through the callbacks, and seal what they changed.
constexpr std::uint64_t kIvT = 0x0102030405060708ull;
const Bytes kKey(16, 0x21);
const Bytes kSalt(14, 0x43);

std::optional<Bytes> open(const codec::Message& m, const codec::Kemac& k) {
  auto pt = crypto::decrypt_kemac(crypto::EncrAlg::aes_cm_128, kKey, kSalt, m.hdr.csb_id, kIvT,
                                  k.encr_data);
  if (!pt.ok()) return std::nullopt;
  return Bytes(pt->view().begin(), pt->view().end());
}

bool seal(const codec::Message& m, codec::Kemac& k, ByteView plain) {
  auto ct =
      crypto::encrypt_kemac(crypto::EncrAlg::aes_cm_128, kKey, kSalt, m.hdr.csb_id, kIvT, plain);
  if (!ct.ok()) return false;
  k.encr_data = std::move(ct).value();
  return true;
}

TEST(MutatorProtect, KemacKeyDataReencrypted) {
  codec::KeyDataChain keys;
  keys.keys.push_back({codec::KeyDataType::tgk, codec::KvType::null, Bytes(16, 0x77), {}, {}});
  Bytes plain;
  ASSERT_EQ(codec::serialize_key_data_chain(keys, plain), codec::Errc::ok);
  codec::Message m = codec::sample_messages().front().message;
  m.payloads.insert(
      m.payloads.begin(),
      codec::make_payload(codec::Kemac{codec::EncrAlg::aes_cm_128, {}, codec::MacAlg::null, {}}));
  ASSERT_TRUE(seal(m, *m.payloads.front().get<codec::Kemac>(), plain));
  auto in = codec::serialize_message(m);
  ASSERT_TRUE(in.ok());

  Options keyed(4096, kKeyData);
  keyed.protection.open_kemac = open;
  keyed.protection.seal_kemac = seal;
  int reencrypted = 0;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    const auto out = codec::parse_message(mutate(in.value(), seed, keyed));
    if (!out.ok() || out.message.find(codec::PayloadType::kemac) == nullptr) continue;
    const auto pt =
        open(out.message, *out.message.find(codec::PayloadType::kemac)->get<codec::Kemac>());
    ASSERT_TRUE(pt.has_value());
    codec::ParseState st;
    codec::KeyDataChain chain;
    if (*pt == plain) continue;
    reencrypted += codec::parse_key_data_chain(*pt, 0, st, "", chain).code == codec::Errc::ok;
  }
  EXPECT_GT(reencrypted, 40);
}

}  // namespace
}  // namespace mikey::mutator
