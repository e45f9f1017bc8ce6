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

TEST(Base64Test, StrictModeRejectsCarriageReturnAtItsOffset) {
  EXPECT_EQ(decode_error("Zm9v\rYmFy"), (Error{Errc::bad_base64_char, 4}));
}

TEST(Base64Test, StrictModeRejectsLineFeedAtItsOffset) {
  EXPECT_EQ(decode_error("Zm9vYm\nFy"), (Error{Errc::bad_base64_char, 6}));
  EXPECT_EQ(decode_error("Zm9vYmFy\r\n"), (Error{Errc::bad_base64_char, 8}));
}

TEST(Base64Test, LenientModeSkipsCrLfAnywhere) {
  for (std::string_view text :
       {"Zm9v\r\nYmFy", "Zm\n9vYm\rFy", "\r\nZm9vYmFy\r\n", "Zm9vYmFy\n\n"}) {
    auto r = base64_decode(text, Base64Mode::lenient);
    ASSERT_TRUE(r.ok()) << to_string(r.error().code) << " at " << r.error().offset;
    EXPECT_EQ(*r, to_bytes("foobar"));
  }
}

TEST(Base64Test, LenientModeSkipsCrLfAroundPadding) {
  auto r = base64_decode("Zm9vYg\r\n=\n=\r\n", Base64Mode::lenient);
  ASSERT_TRUE(r.ok()) << to_string(r.error().code) << " at " << r.error().offset;
  EXPECT_EQ(*r, to_bytes("foob"));
}

TEST(Base64Test, LenientModeStillRejectsOtherWhitespace) {
  EXPECT_EQ(decode_error("Zm9v YmFy", Base64Mode::lenient), (Error{Errc::bad_base64_char, 4}));
  EXPECT_EQ(decode_error("Zm9v\r\n\tYmFy", Base64Mode::lenient), (Error{Errc::bad_base64_char, 6}));
}

TEST(Base64Test, BadCharacterReportsItsOffset) {
  EXPECT_EQ(decode_error("Zm9v!mFy"), (Error{Errc::bad_base64_char, 4}));
  EXPECT_EQ(decode_error("Zm9vYmF\x80"), (Error{Errc::bad_base64_char, 7}));
}

TEST(Base64Test, RejectsUrlSafeAlphabet) {
  // RFC 4648 §5 characters are not part of the §4 alphabet.
  EXPECT_EQ(decode_error("Zm-v"), (Error{Errc::bad_base64_char, 2}));
  EXPECT_EQ(decode_error("Zm9_"), (Error{Errc::bad_base64_char, 3}));
}

TEST(Base64Test, DataCharacterAfterPaddingIsPaddingError) {
  EXPECT_EQ(decode_error("Zg=a"), (Error{Errc::bad_base64_padding, 2}));
}

TEST(Base64Test, PaddingAtStartIsPaddingError) {
  EXPECT_EQ(decode_error("=AAA"), (Error{Errc::bad_base64_padding, 0}));
}

TEST(Base64Test, PaddingAfterOneCharacterIsPaddingError) {
  EXPECT_EQ(decode_error("Z==="), (Error{Errc::bad_base64_padding, 1}));
}

TEST(Base64Test, PaddingStartingANewQuantumIsPaddingError) {
  EXPECT_EQ(decode_error("Zm9v=Zm9v"), (Error{Errc::bad_base64_padding, 4}));
}

TEST(Base64Test, ExtraPaddingAfterFinalQuantumIsPaddingError) {
  EXPECT_EQ(decode_error("Zg==="), (Error{Errc::bad_base64_padding, 4}));
}

TEST(Base64Test, DataAfterPaddedQuantumIsPaddingError) {
  // Concatenated encodings: the padding in the middle is what is misplaced.
  EXPECT_EQ(decode_error("Zg==Zg=="), (Error{Errc::bad_base64_padding, 4}));
  EXPECT_EQ(decode_error("Zm8=Zm9v"), (Error{Errc::bad_base64_padding, 4}));
}

TEST(Base64Test, NonAlphabetCharacterAfterPaddingIsBadChar) {
  EXPECT_EQ(decode_error("Zg==!"), (Error{Errc::bad_base64_char, 4}));
  EXPECT_EQ(decode_error("Zg==\n"), (Error{Errc::bad_base64_char, 4}));
}

TEST(Base64Test, MissingPaddingIsLengthError) {
  // Without any '=' the decoder cannot tell missing padding from a short input; it reports the
  // length, at text.size().
  EXPECT_EQ(decode_error("Zg"), (Error{Errc::bad_base64_length, 2}));
  EXPECT_EQ(decode_error("Zm8"), (Error{Errc::bad_base64_length, 3}));
  EXPECT_EQ(decode_error("Z"), (Error{Errc::bad_base64_length, 1}));
  EXPECT_EQ(decode_error("Zm9vY"), (Error{Errc::bad_base64_length, 5}));
}

TEST(Base64Test, IncompletePaddingIsPaddingErrorAtEnd) {
  EXPECT_EQ(decode_error("Zg="), (Error{Errc::bad_base64_padding, 3}));
  EXPECT_EQ(decode_error("Zm9vYg="), (Error{Errc::bad_base64_padding, 7}));
}

TEST(Base64Test, LengthErrorOffsetIsFullInputSizeInLenientMode) {
  EXPECT_EQ(decode_error("Zg\r\n", Base64Mode::lenient), (Error{Errc::bad_base64_length, 4}));
}

TEST(Base64Test, NonzeroUnusedBitsWithTwoPadsAreRejected) {
  // 'h' = 33 = 100001: the low four bits must be zero before "==".
  EXPECT_EQ(decode_error("Zh=="), (Error{Errc::nonzero_base64_bits, 1}));
}

TEST(Base64Test, NonzeroUnusedBitsWithOnePadAreRejected) {
  // '9' = 61 = 111101: the low two bits must be zero before "=" ("Zm8=" is canonical).
  EXPECT_EQ(decode_error("Zm9="), (Error{Errc::nonzero_base64_bits, 2}));
  EXPECT_EQ(decode_error("Zm9vZm9="), (Error{Errc::nonzero_base64_bits, 6}));
}

TEST(Base64Test, NonzeroBitsOffsetNamesTheDataCharacterNotALineBreak) {
  EXPECT_EQ(decode_error("Zh\r\n==", Base64Mode::lenient), (Error{Errc::nonzero_base64_bits, 1}));
}

TEST(Base64Test, OutputAtTheLimitIsAccepted) {
  auto r = base64_decode("Zm9vYmFy", Base64Mode::strict, 6);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, to_bytes("foobar"));
  auto padded = base64_decode("Zm9vYg==", Base64Mode::strict, 4);
  ASSERT_TRUE(padded.ok());
  EXPECT_EQ(*padded, to_bytes("foob"));
  auto empty = base64_decode("", Base64Mode::strict, 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(Base64Test, OutputOneByteOverTheLimitIsLimitExceeded) {
  // Caught while decoding: reported at the last character of the quantum that crossed it.
  EXPECT_EQ(decode_error("Zm9vYmFy", Base64Mode::strict, 5), (Error{Errc::limit_exceeded, 7}));
  EXPECT_EQ(decode_error("Zm9vYmE=", Base64Mode::strict, 4), (Error{Errc::limit_exceeded, 7}));
}

TEST(Base64Test, InputFarOverTheLimitIsRejectedBeforeDecoding) {
  // Caught by the size check before any allocation: reported at offset 0, even though the
  // input also has a bad character.
  EXPECT_EQ(decode_error("Zm9vYmFy", Base64Mode::strict, 3), (Error{Errc::limit_exceeded, 0}));
  EXPECT_EQ(decode_error("Zg==", Base64Mode::strict, 0), (Error{Errc::limit_exceeded, 0}));
  EXPECT_EQ(decode_error("Zm9vYmFy!!!!", Base64Mode::strict, 1), (Error{Errc::limit_exceeded, 0}));
}

TEST(Base64Test, LenientLineBreaksDoNotCountTowardsTheLimit) {
  auto r = base64_decode("Zm9v\r\n\r\n\r\n\r\n", Base64Mode::lenient, 3);
  ASSERT_TRUE(r.ok()) << to_string(r.error().code) << " at " << r.error().offset;
  EXPECT_EQ(*r, to_bytes("foo"));
}

TEST(Base64Test, MaximalLimitMeansUnlimited) {
  auto r = base64_decode("Zm9vYmFy", Base64Mode::strict, std::numeric_limits<std::size_t>::max());
  ASSERT_TRUE(r.ok()) << to_string(r.error().code) << " at " << r.error().offset;
  EXPECT_EQ(*r, to_bytes("foobar"));
}

}  // namespace
}  // namespace mikey::wire
