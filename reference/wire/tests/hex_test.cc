// Hex: lowercase encoder; decoder accepts either case, skips ASCII whitespace (space, tab, CR,
// LF) and reports the offending character's index in the input text.
#include "wire/hex.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "wire/errc.h"

namespace mikey::wire {

// Lets gtest print an Error readably; ADL finds it in Error's namespace.
static void PrintTo(const Error& e, std::ostream* os) {
  *os << to_string(e.code) << " at " << e.offset;
}

namespace {

TEST(HexTest, EncodesLowercase) {
  EXPECT_EQ(to_hex(Bytes{0x00, 0x0f, 0xa5, 0xff}), "000fa5ff");
  EXPECT_EQ(to_hex({}), "");
}

TEST(HexTest, RoundTripsEveryByteValue) {
  Bytes all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
  std::string text = to_hex(all);
  ASSERT_EQ(text.size(), 512u);
  auto back = from_hex(text);
  ASSERT_TRUE(back.ok()) << to_string(back.error().code);
  EXPECT_EQ(*back, all);
}

TEST(HexTest, AcceptsUppercaseAndMixedCase) {
  auto upper = from_hex("ABCDEF09");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, (Bytes{0xab, 0xcd, 0xef, 0x09}));
  auto mixed = from_hex("aBcDeF");
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(*mixed, (Bytes{0xab, 0xcd, 0xef}));
}

TEST(HexTest, RejectsCharactersNeighbouringTheDigitRanges) {
  // The characters just outside '0'-'9', 'a'-'f', 'A'-'F', a "0x" prefix, other whitespace
  // and a non-ASCII byte.
  for (char c : {'/', ':', '`', 'g', '@', 'G', 'x', '\v', '\f', '\0', '\x80', '\xff'}) {
    std::string text = "ab";
    text.push_back(c);
    text += "cd";
    auto r = from_hex(text);
    ASSERT_FALSE(r.ok()) << static_cast<int>(c);
    EXPECT_EQ(r.error(), (Error{Errc::bad_hex_digit, 2})) << static_cast<int>(c);
  }
}

// What one input decodes to, or the error it reports (code ok for a successful decode).
struct DecodeCase {
  const char* name;
  std::string_view text;
  Bytes bytes;
  Error error;
};

class HexDecodeTest : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(HexDecodeTest, DecodesOrReportsTheErrorAndItsOffset) {
  auto r = from_hex(GetParam().text);
  if (GetParam().error.code != Errc::ok) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), GetParam().error);
    return;
  }
  ASSERT_TRUE(r.ok()) << to_string(r.error().code);
  EXPECT_EQ(*r, GetParam().bytes);
}

constexpr Error kOk{};

INSTANTIATE_TEST_SUITE_P(
    HexTest, HexDecodeTest,
    ::testing::Values(
        DecodeCase{"DecodesEmptyInputToNoBytes", "", {}, kOk},
        DecodeCase{"SkipsWhitespaceBetweenBytes",
                   " 01 02\n03\t04\r\n0506  ",
                   {0x01, 0x02, 0x03, 0x04, 0x05, 0x06},
                   kOk},
        DecodeCase{"WhitespaceOnlyInputDecodesToNoBytes", " \t\r\n", {}, kOk},
        DecodeCase{"BadDigitReportsItsOffset", "01g2", {}, {Errc::bad_hex_digit, 2}},
        DecodeCase{
            "BadDigitOffsetCountsSkippedWhitespace", "01 \n0x", {}, {Errc::bad_hex_digit, 5}},
        DecodeCase{"OddDigitCountReportsInputSize", "abc", {}, {Errc::odd_hex_length, 3}},
        DecodeCase{"OddDigitCountWithTrailingWhitespaceReportsFullInputSize",
                   "ab c \n",
                   {},
                   {Errc::odd_hex_length, 6}},
        DecodeCase{"SingleDigitIsOddLength", "f", {}, {Errc::odd_hex_length, 1}},
        DecodeCase{"BadDigitIsReportedBeforeOddLength", "abz", {}, {Errc::bad_hex_digit, 2}}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace mikey::wire
