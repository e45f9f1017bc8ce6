// Base64 (RFC 4648 §4): known answers, round trips, strict vs lenient line breaks, and the
// specific error and offset for every kind of malformed input.
#include "wire/base64.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/errc.h"

namespace mikey::wire {

// Lets gtest print an Error readably; ADL finds it in Error's namespace.
static void PrintTo(const Error& e, std::ostream* os) {
  *os << to_string(e.code) << " at " << e.offset;
}

namespace {

struct Vector {
  std::string_view plain;
  std::string_view encoded;
};

// RFC 4648 §10 (Test Vectors), BASE64 section.
constexpr Vector kRfc4648Vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

Error decode_error(std::string_view text, Base64Mode mode = Base64Mode::strict,
                   std::size_t max_output = 16u << 20) {
  auto r = base64_decode(text, mode, max_output);
  EXPECT_FALSE(r.ok()) << "decoded \"" << text << "\" unexpectedly";
  return r.ok() ? Error{} : r.error();
}

TEST(Base64Test, EncodesRfc4648Vectors) {
  for (const Vector& v : kRfc4648Vectors) {
    EXPECT_EQ(base64_encode(as_bytes(v.plain)), v.encoded) << v.plain;
  }
}

TEST(Base64Test, DecodesRfc4648VectorsInBothModes) {
  for (const Vector& v : kRfc4648Vectors) {
    for (Base64Mode mode : {Base64Mode::strict, Base64Mode::lenient}) {
      auto r = base64_decode(v.encoded, mode);
      ASSERT_TRUE(r.ok()) << v.encoded << ": " << to_string(r.error().code) << " at "
                          << r.error().offset;
      EXPECT_EQ(*r, to_bytes(v.plain)) << v.encoded;
    }
  }
}

TEST(Base64Test, RoundTripsPseudoRandomBytesOfEveryLengthUpTo64) {
  std::mt19937 rng(4648);  // fixed seed: the same bytes on every run
  for (std::size_t n = 0; n <= 64; ++n) {
    Bytes data(n);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    std::string text = base64_encode(data);
    EXPECT_EQ(text.size(), (n + 2) / 3 * 4) << n;
    auto back = base64_decode(text);
    ASSERT_TRUE(back.ok()) << n << ": " << to_string(back.error().code) << " at "
                           << back.error().offset;
    EXPECT_EQ(*back, data) << n;
    // Decoding to exactly the data size is within the limit.
    auto bounded = base64_decode(text, Base64Mode::strict, n);
    ASSERT_TRUE(bounded.ok()) << n;
    EXPECT_EQ(*bounded, data);
  }
}

TEST(Base64Test, RoundTripsTheWholeAlphabet) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto bytes = base64_decode(alphabet);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 48u);
  EXPECT_EQ(base64_encode(*bytes), alphabet);
}

// Inputs that decode, in one mode and under one output limit, and what they decode to.
struct DecodeCase {
  const char* name;
  Base64Mode mode;
  std::size_t max_output;
  std::vector<std::pair<std::string_view, std::string_view>> text_plain;
};

constexpr std::size_t kDefaultMax = 16u << 20;
constexpr Base64Mode kStrict = Base64Mode::strict;
constexpr Base64Mode kLenient = Base64Mode::lenient;

class Base64DecodeTest : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(Base64DecodeTest, Decodes) {
  for (const auto& [text, plain] : GetParam().text_plain) {
    SCOPED_TRACE(text);
    auto r = base64_decode(text, GetParam().mode, GetParam().max_output);
    ASSERT_TRUE(r.ok()) << to_string(r.error().code) << " at " << r.error().offset;
    EXPECT_EQ(*r, to_bytes(plain));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Base64Test, Base64DecodeTest,
    ::testing::Values(
        DecodeCase{"LenientModeSkipsCrLfAnywhere",
                   kLenient,
                   kDefaultMax,
                   {{"Zm9v\r\nYmFy", "foobar"},
                    {"Zm\n9vYm\rFy", "foobar"},
                    {"\r\nZm9vYmFy\r\n", "foobar"},
                    {"Zm9vYmFy\n\n", "foobar"}}},
        DecodeCase{"LenientModeSkipsCrLfAroundPadding",
                   kLenient,
                   kDefaultMax,
                   {{"Zm9vYg\r\n=\n=\r\n", "foob"}}},
        DecodeCase{"OutputAtTheLimitIsAccepted", kStrict, 6, {{"Zm9vYmFy", "foobar"}}},
        DecodeCase{"PaddedOutputAtTheLimitIsAccepted", kStrict, 4, {{"Zm9vYg==", "foob"}}},
        DecodeCase{"EmptyOutputAtALimitOfZeroIsAccepted", kStrict, 0, {{"", ""}}},
        DecodeCase{"LenientLineBreaksDoNotCountTowardsTheLimit",
                   kLenient,
                   3,
                   {{"Zm9v\r\n\r\n\r\n\r\n", "foo"}}},
        DecodeCase{"MaximalLimitMeansUnlimited",
                   kStrict,
                   std::numeric_limits<std::size_t>::max(),
                   {{"Zm9vYmFy", "foobar"}}}),
    [](const auto& info) { return std::string(info.param.name); });

// Inputs that fail, in one mode and under one output limit, and the error each reports.
struct RejectCase {
  const char* name;
  Base64Mode mode;
  std::size_t max_output;
  std::vector<std::pair<std::string_view, Error>> text_error;
};

class Base64RejectTest : public ::testing::TestWithParam<RejectCase> {};

TEST_P(Base64RejectTest, ReportsTheErrorAndItsOffset) {
  for (const auto& [text, error] : GetParam().text_error) {
    EXPECT_EQ(decode_error(text, GetParam().mode, GetParam().max_output), error) << text;
  }
}

constexpr Errc kChar = Errc::bad_base64_char;
constexpr Errc kPadding = Errc::bad_base64_padding;
constexpr Errc kLength = Errc::bad_base64_length;
constexpr Errc kBits = Errc::nonzero_base64_bits;
constexpr Errc kLimit = Errc::limit_exceeded;

INSTANTIATE_TEST_SUITE_P(
    Base64Test, Base64RejectTest,
    ::testing::Values(
        RejectCase{"StrictModeRejectsCarriageReturnAtItsOffset",
                   kStrict,
                   kDefaultMax,
                   {{"Zm9v\rYmFy", {kChar, 4}}}},
        RejectCase{"StrictModeRejectsLineFeedAtItsOffset",
                   kStrict,
                   kDefaultMax,
                   {{"Zm9vYm\nFy", {kChar, 6}}, {"Zm9vYmFy\r\n", {kChar, 8}}}},
        RejectCase{"LenientModeStillRejectsOtherWhitespace",
                   kLenient,
                   kDefaultMax,
                   {{"Zm9v YmFy", {kChar, 4}}, {"Zm9v\r\n\tYmFy", {kChar, 6}}}},
        RejectCase{"BadCharacterReportsItsOffset",
                   kStrict,
                   kDefaultMax,
                   {{"Zm9v!mFy", {kChar, 4}}, {"Zm9vYmF\x80", {kChar, 7}}}},
        // RFC 4648 §5 characters are not part of the §4 alphabet.
        RejectCase{"RejectsUrlSafeAlphabet",
                   kStrict,
                   kDefaultMax,
                   {{"Zm-v", {kChar, 2}}, {"Zm9_", {kChar, 3}}}},
        RejectCase{"DataCharacterAfterPaddingIsPaddingError",
                   kStrict,
                   kDefaultMax,
                   {{"Zg=a", {kPadding, 2}}}},
        RejectCase{"PaddingAtStartIsPaddingError", kStrict, kDefaultMax, {{"=AAA", {kPadding, 0}}}},
        RejectCase{"PaddingAfterOneCharacterIsPaddingError",
                   kStrict,
                   kDefaultMax,
                   {{"Z===", {kPadding, 1}}}},
        RejectCase{"PaddingStartingANewQuantumIsPaddingError",
                   kStrict,
                   kDefaultMax,
                   {{"Zm9v=Zm9v", {kPadding, 4}}}},
        RejectCase{"ExtraPaddingAfterFinalQuantumIsPaddingError",
                   kStrict,
                   kDefaultMax,
                   {{"Zg===", {kPadding, 4}}}},
        // Concatenated encodings: the padding in the middle is what is misplaced.
        RejectCase{"DataAfterPaddedQuantumIsPaddingError",
                   kStrict,
                   kDefaultMax,
                   {{"Zg==Zg==", {kPadding, 4}}, {"Zm8=Zm9v", {kPadding, 4}}}},
        RejectCase{"NonAlphabetCharacterAfterPaddingIsBadChar",
                   kStrict,
                   kDefaultMax,
                   {{"Zg==!", {kChar, 4}}, {"Zg==\n", {kChar, 4}}}},
        // Without any '=' the decoder cannot tell missing padding from a short input; it reports
        // the length, at text.size().
        RejectCase{"MissingPaddingIsLengthError",
                   kStrict,
                   kDefaultMax,
                   {{"Zg", {kLength, 2}},
                    {"Zm8", {kLength, 3}},
                    {"Z", {kLength, 1}},
                    {"Zm9vY", {kLength, 5}}}},
        RejectCase{"IncompletePaddingIsPaddingErrorAtEnd",
                   kStrict,
                   kDefaultMax,
                   {{"Zg=", {kPadding, 3}}, {"Zm9vYg=", {kPadding, 7}}}},
        RejectCase{"LengthErrorOffsetIsFullInputSizeInLenientMode",
                   kLenient,
                   kDefaultMax,
                   {{"Zg\r\n", {kLength, 4}}}},
        // 'h' = 33 = 100001: the low four bits must be zero before "==".
        RejectCase{"NonzeroUnusedBitsWithTwoPadsAreRejected",
                   kStrict,
                   kDefaultMax,
                   {{"Zh==", {kBits, 1}}}},
        // '9' = 61 = 111101: the low two bits must be zero before "=" ("Zm8=" is canonical).
        RejectCase{"NonzeroUnusedBitsWithOnePadAreRejected",
                   kStrict,
                   kDefaultMax,
                   {{"Zm9=", {kBits, 2}}, {"Zm9vZm9=", {kBits, 6}}}},
        RejectCase{"NonzeroBitsOffsetNamesTheDataCharacterNotALineBreak",
                   kLenient,
                   kDefaultMax,
                   {{"Zh\r\n==", {kBits, 1}}}},
        // Caught while decoding: reported at the last character of the quantum that crossed it.
        RejectCase{
            "OutputOneByteOverTheLimitIsLimitExceeded", kStrict, 5, {{"Zm9vYmFy", {kLimit, 7}}}},
        RejectCase{"PaddedOutputOneByteOverTheLimitIsLimitExceeded",
                   kStrict,
                   4,
                   {{"Zm9vYmE=", {kLimit, 7}}}},
        // Caught by the size check before any allocation: reported at offset 0, even though the
        // input also has a bad character.
        RejectCase{"InputFarOverTheLimitIsRejectedBeforeDecoding",
                   kStrict,
                   3,
                   {{"Zm9vYmFy", {kLimit, 0}}}},
        RejectCase{"PaddedInputOverALimitOfZeroIsRejectedBeforeDecoding",
                   kStrict,
                   0,
                   {{"Zg==", {kLimit, 0}}}},
        RejectCase{"InputWithBadCharactersOverTheLimitIsRejectedBeforeDecoding",
                   kStrict,
                   1,
                   {{"Zm9vYmFy!!!!", {kLimit, 0}}}}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace mikey::wire
