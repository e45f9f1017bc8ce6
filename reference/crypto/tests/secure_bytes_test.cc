// SecureBytes ownership and cleansing; constant_time_equal.
#include "crypto/secure_bytes.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "wire/hex.h"

namespace mikey::crypto {
namespace {

using wire::to_hex;

// What the cleanse observer saw: per released buffer, its size and whether it was all zero.
struct Seen {
  std::size_t size;
  bool all_zero;
};
std::vector<Seen>* g_seen = nullptr;

void record(const std::uint8_t* data, std::size_t size) noexcept {
  bool zero = true;
  for (std::uint8_t b : ByteView(data, size)) zero = zero && b == 0;
  g_seen->push_back({size, zero});
}

class SecureBytesCleanseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_seen = &seen_;
    SecureBytes::set_cleanse_observer(&record);
  }
  void TearDown() override {
    SecureBytes::set_cleanse_observer(nullptr);
    g_seen = nullptr;
  }
  std::vector<Seen> seen_;
};

TEST(SecureBytesTest, CopiesInputAndExposesView) {
  const Bytes secret = {1, 2, 3, 4, 5};
  SecureBytes s(secret);
  EXPECT_EQ(s.size(), 5u);
  EXPECT_FALSE(s.empty());
  EXPECT_EQ(to_hex(s.view()), "0102030405");
  EXPECT_NE(s.data(), secret.data());
  SecureBytes zeros(3);
  EXPECT_EQ(to_hex(zeros.view()), "000000");
}

TEST(SecureBytesTest, MoveLeavesSourceEmpty) {
  SecureBytes a(Bytes{9, 9, 9});
  const std::uint8_t* buffer = a.data();
  SecureBytes b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(b.data(), buffer);
  EXPECT_EQ(to_hex(b.view()), "090909");
}

TEST(SecureBytesTest, CloneIsIndependent) {
  SecureBytes a(Bytes{1, 2});
  SecureBytes b = a.clone();
  b.span()[0] = 7;
  EXPECT_EQ(to_hex(a.view()), "0102");
  EXPECT_EQ(to_hex(b.view()), "0702");
}

TEST_F(SecureBytesCleanseTest, DestructionCleansesBeforeFree) {
  { SecureBytes s(Bytes(24, 0xAB)); }
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_EQ(seen_[0].size, 24u);
  EXPECT_TRUE(seen_[0].all_zero);
}

TEST_F(SecureBytesCleanseTest, MoveAssignmentCleansesReplacedBuffer) {
  SecureBytes target(Bytes(10, 0x11));
  SecureBytes source(Bytes(4, 0x22));
  target = std::move(source);
  ASSERT_EQ(seen_.size(), 1u);  // the old 10-byte buffer, not the moved one
  EXPECT_EQ(seen_[0].size, 10u);
  EXPECT_TRUE(seen_[0].all_zero);
  EXPECT_EQ(to_hex(target.view()), "22222222");
}

TEST_F(SecureBytesCleanseTest, ClearCleansesAndEmpties) {
  SecureBytes s(Bytes(5, 0xFF));
  s.clear();
  EXPECT_TRUE(s.empty());
  ASSERT_EQ(seen_.size(), 1u);
  EXPECT_TRUE(seen_[0].all_zero);
  s.clear();  // nothing left to cleanse
  EXPECT_EQ(seen_.size(), 1u);
}

TEST(ConstantTimeEqualTest, ComparesContentAndLength) {
  const Bytes a = {1, 2, 3};
  const Bytes b = {1, 2, 3};
  const Bytes c = {1, 2, 4};
  const Bytes d = {1, 2};
  EXPECT_TRUE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal(a, c));
  EXPECT_FALSE(constant_time_equal(a, d));
  EXPECT_FALSE(constant_time_equal(d, a));
  EXPECT_TRUE(constant_time_equal({}, {}));
  EXPECT_FALSE(constant_time_equal({}, a));
}

}  // namespace
}  // namespace mikey::crypto
