// Random sources: DeterministicRng reproducibility and the splitmix64 reference stream.
#include "crypto/rng.h"

#include <gtest/gtest.h>

#include "wire/hex.h"

namespace mikey::crypto {
namespace {

using wire::to_hex;

TEST(RngTest, DeterministicSameSeedSameBytes) {
  DeterministicRng a(42);
  DeterministicRng b(42);
  EXPECT_EQ(to_hex(a.bytes(100)), to_hex(b.bytes(100)));
  EXPECT_EQ(a.u32(), b.u32());
}

TEST(RngTest, DeterministicDifferentSeedsDiffer) {
  DeterministicRng a(1);
  DeterministicRng b(2);
  EXPECT_NE(to_hex(a.bytes(32)), to_hex(b.bytes(32)));
}

// The stream does not depend on how it is cut into fill() calls (so a fuzz run replays even if
// a caller changes the sizes it asks for).
TEST(RngTest, DeterministicStreamIndependentOfCallSizes) {
  DeterministicRng whole(7);
  DeterministicRng pieces(7);
  Bytes all = whole.bytes(45);
  Bytes joined;
  for (std::size_t n : {1, 3, 8, 0, 13, 20}) {
    Bytes part = pieces.bytes(n);
    joined.insert(joined.end(), part.begin(), part.end());
  }
  EXPECT_EQ(to_hex(joined), to_hex(all));
}

// splitmix64 with state 0: first outputs 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4 (Vigna's
// reference splitmix64.c; also: python3 -c with the same three lines), each emitted least
// significant byte first.
TEST(RngTest, DeterministicMatchesSplitmix64Reference) {
  DeterministicRng rng(0);
  EXPECT_EQ(to_hex(rng.bytes(16)), "afcd1d7b39a820e2f465b9a16a9e786e");
}

TEST(RngTest, U32IsBigEndianOfNextFourBytes) {
  DeterministicRng a(9);
  DeterministicRng b(9);
  Bytes four = a.bytes(4);
  const std::uint32_t expected = (std::uint32_t{four[0]} << 24) | (std::uint32_t{four[1]} << 16) |
                                 (std::uint32_t{four[2]} << 8) | four[3];
  EXPECT_EQ(b.u32(), expected);
}

TEST(RngTest, SecretHasRequestedSizeAndStreamBytes) {
  DeterministicRng a(5);
  DeterministicRng b(5);
  SecureBytes key = a.secret(16);
  EXPECT_EQ(key.size(), 16u);
  EXPECT_EQ(to_hex(key.view()), to_hex(b.bytes(16)));
}

TEST(RngTest, OpenSslRngFillsAndDoesNotRepeat) {
  OpenSslRng rng;
  Bytes a = rng.bytes(32);
  Bytes b = rng.bytes(32);
  EXPECT_EQ(a.size(), 32u);
  // 2^-256 chance of a false failure.
  EXPECT_NE(to_hex(a), to_hex(b));
  EXPECT_NE(to_hex(a), std::string(64, '0'));
}

}  // namespace
}  // namespace mikey::crypto
