// mutate() and cross_over() without keys: deterministic, bounded, and the structural operators
// really change the structure of a message the codec still reads.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "codec/message.h"
#include "codec/samples.h"
#include "mutator/mutator.h"

namespace mikey::mutator {
namespace {

Bytes sample(std::string_view name) {
  for (const codec::NamedMessage& s : codec::sample_messages()) {
    if (s.name != name) continue;
    auto b = codec::serialize_message(s.message);
    if (b.ok()) return b.value();
  }
  ADD_FAILURE() << "no sample " << name;
  return {};
}

// The payload types of every chain, in document order (TP Data and Initiator Data included).
std::vector<int> shape(const codec::Message& m) {
  std::vector<int> out{static_cast<int>(m.hdr.data_type)};
  for (const codec::Payload& p : m.payloads) {
    out.push_back(static_cast<int>(p.type));
    if (const auto* t = p.get<codec::Ticket>()) {
      for (const auto& q : t->policy.tp_data.payloads)
        out.push_back(100 + static_cast<int>(q.type));
      for (const auto& q : t->initiator_data.payloads)
        out.push_back(200 + static_cast<int>(q.type));
    }
    if (const auto* tp = p.get<codec::TicketPolicy>())
      for (const auto& q : tp->tp_data.payloads) out.push_back(100 + static_cast<int>(q.type));
  }
  return out;
}

TEST(Mutator, SameSeedSameMutantAndSeedsDiffer) {
  const Bytes in = sample("ticket_resolve_init_psk");
  std::set<Bytes> distinct;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const Bytes a = mutate(in, seed);
    EXPECT_EQ(a, mutate(in, seed)) << seed;
    distinct.insert(a);
    const Bytes other = sample("ticket_request_resp");
    EXPECT_EQ(cross_over(in, other, seed), cross_over(in, other, seed)) << seed;
  }
  EXPECT_GT(distinct.size(), 150u);
}

TEST(Mutator, NeverLongerThanMaxSize) {
  const Bytes in = sample("ticket_transfer_init_forking");
  const Bytes b = sample("ticket_request_resp");
  for (std::size_t max : {std::size_t{1}, std::size_t{16}, in.size(), in.size() + 4}) {
    for (std::uint64_t seed = 0; seed < 150; ++seed) {
      const Bytes m = mutate(in, seed, {max});
      EXPECT_FALSE(m.empty());
      EXPECT_LE(m.size(), max) << seed;
      EXPECT_LE(cross_over(in, b, seed, {max}).size(), max) << seed;
    }
  }
}

TEST(Mutator, UnparsableInputStillMutates) {
  const Bytes junk = {0x01, 0x0b, 0xff, 0x00, 0x42};
  int changed = 0;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    const Bytes m = mutate(junk, seed, {64});
    EXPECT_FALSE(m.empty());
    EXPECT_LE(m.size(), 64u);
    changed += m != junk;
  }
  EXPECT_GT(changed, 40);
  EXPECT_FALSE(mutate({}, 7).empty());
}

// Structural operators alone: most mutants parse and have another payload chain.
TEST(Mutator, ChainOperatorsChangeStructure) {
  const Bytes in = sample("ticket_request_init_psk");
  const auto original = codec::parse_message(in);
  ASSERT_TRUE(original.ok());
  int reshaped = 0, nested = 0;
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    const auto out = codec::parse_message(mutate(in, seed, {4096, kChain}));
    if (!out.ok() || shape(out.message) == shape(original.message)) continue;
    ++reshaped;
    // The same number of top-level payloads in the same order: the change is inside TP.
    std::vector<int> top, top0;
    for (const auto& p : out.message.payloads) top.push_back(static_cast<int>(p.type));
    for (const auto& p : original.message.payloads) top0.push_back(static_cast<int>(p.type));
    nested += top == top0;
  }
  EXPECT_GT(reshaped, 200);
  EXPECT_GT(nested, 20);
}

TEST(Mutator, CodePointOperatorsChangeCodePoints) {
  const Bytes in = sample("ticket_request_init_psk");
  int changed = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const Bytes m = mutate(in, seed, {4096, kCodePoint});
    EXPECT_EQ(m.size(), in.size());  // a code point changes in place
    changed += m != in;
  }
  EXPECT_GT(changed, 150);
}

TEST(Mutator, CrossOverSplicesPayloadsOfTheOther) {
  const Bytes a = sample("ticket_request_init_psk");
  const Bytes b = sample("mikey_dh_init");  // the only sample with a DH payload
  int spliced = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const auto out = codec::parse_message(cross_over(a, b, seed));
    if (!out.ok()) continue;
    spliced += out.message.find(codec::PayloadType::dh) != nullptr;
  }
  EXPECT_GT(spliced, 20);
}

}  // namespace
}  // namespace mikey::mutator
