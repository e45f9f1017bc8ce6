// Reader: every read succeeds big-endian and advances, or fails and leaves offset(), remaining()
// and the out-parameter exactly as they were (BoringSSL CBS semantics).
#include "wire/reader.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "wire/errc.h"

namespace mikey::wire {

// Lets gtest print an Error readably; ADL finds it in Error's namespace.
static void PrintTo(const Error& e, std::ostream* os) {
  *os << to_string(e.code) << " at " << e.offset;
}

namespace {

// 0x81 0x82 ... : high bits set everywhere so sign-extension or byte-order slips show.
Bytes pattern(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(0x81 + i);
  return b;
}

bool same_view(ByteView a, ByteView b) { return a.data() == b.data() && a.size() == b.size(); }

// A reader over `in` (at absolute offset `base`) that has consumed its first `consumed` bytes.
Reader reader_after(ByteView in, std::size_t base, std::size_t consumed) {
  Reader r(in, base);
  EXPECT_TRUE(r.skip(consumed));
  return r;
}

TEST(ReaderTest, ReadsU8) {
  Bytes in = {0xfe, 0x01};
  Reader r(in);
  std::uint8_t v = 0;
  ASSERT_TRUE(r.u8(v));
  EXPECT_EQ(v, 0xfe);
  EXPECT_EQ(r.offset(), 1u);
  EXPECT_EQ(r.remaining(), 1u);
  ASSERT_TRUE(r.u8(v));
  EXPECT_EQ(v, 0x01);
  EXPECT_TRUE(r.empty());
}

TEST(ReaderTest, ReadsConsecutiveFieldsOfMixedWidths) {
  Bytes in = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
  Reader r(in);
  std::uint8_t a = 0;
  std::uint16_t b = 0;
  std::uint32_t c = 0;
  std::uint32_t d = 0;
  ASSERT_TRUE(r.u8(a));
  ASSERT_TRUE(r.u16(b));
  ASSERT_TRUE(r.u24(c));
  ASSERT_TRUE(r.u32(d));
  EXPECT_EQ(a, 0x01);
  EXPECT_EQ(b, 0x0203);
  EXPECT_EQ(c, 0x040506u);
  EXPECT_EQ(d, 0x0708090au);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.offset(), 10u);
}

// One integer read, with its width, expressed over a sentinel-initialised out-parameter.
struct IntRead {
  const char* name;
  std::size_t width;
  // Performs the read into a value pre-set to all 0x5a bytes; returns {ok, value after}.
  std::function<std::pair<bool, std::uint64_t>(Reader&)> read;
};

template <class T>
IntRead int_read(const char* name, std::size_t width, bool (Reader::*read)(T&) noexcept) {
  return {name, width, [read](Reader& r) {
            T v = static_cast<T>(0x5a5a5a5a5a5a5a5aull);
            const bool ok = (r.*read)(v);
            return std::pair<bool, std::uint64_t>{ok, v};
          }};
}

std::vector<IntRead> int_reads() {
  return {int_read("u8", 1, &Reader::u8), int_read("u16", 2, &Reader::u16),
          int_read("u24", 3, &Reader::u24), int_read("u32", 4, &Reader::u32),
          int_read("u64", 8, &Reader::u64)};
}

// A read of each width wider than a byte, over pattern(width + 1), and the value it gives.
struct BigEndianCase {
  std::size_t index;  // into int_reads()
  std::uint64_t expected;
};

class ReaderBigEndianTest : public ::testing::TestWithParam<BigEndianCase> {};

TEST_P(ReaderBigEndianTest, ReadsBigEndian) {
  const IntRead rd = int_reads()[GetParam().index];
  Bytes in = pattern(rd.width + 1);
  Reader r(in);
  auto [ok, value] = rd.read(r);
  ASSERT_TRUE(ok);
  EXPECT_EQ(value, GetParam().expected);
  EXPECT_EQ(r.offset(), rd.width);
  EXPECT_EQ(r.remaining(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Widths, ReaderBigEndianTest,
                         ::testing::Values(BigEndianCase{1, 0x8182}, BigEndianCase{2, 0x818283u},
                                           BigEndianCase{3, 0x81828384u},
                                           BigEndianCase{4, 0x8182838485868788u}),
                         [](const auto& info) {
                           return std::string(int_reads()[info.param.index].name);
                         });

std::uint64_t sentinel(std::size_t width) {
  return width == 1 ? 0x5a : width == 2 ? 0x5a5a : width <= 4 ? 0x5a5a5a5a : 0x5a5a5a5a5a5a5a5a;
}

TEST(ReaderTest, FailedIntegerReadLeavesCursorAndOutUnmovedAtEveryShortLength) {
  for (const IntRead& rd : int_reads()) {
    for (std::size_t avail = 0; avail < rd.width; ++avail) {
      // One byte is consumed first and the reader has a base, so "unchanged" is not just 0.
      Bytes in = pattern(1 + avail);
      Reader r = reader_after(in, 40, 1);
      SCOPED_TRACE(std::string(rd.name) + " with " + std::to_string(avail) + " bytes left");
      auto [ok, value] = rd.read(r);
      EXPECT_FALSE(ok);
      EXPECT_EQ(value, sentinel(rd.width));
      EXPECT_EQ(r.offset(), 41u);
      EXPECT_EQ(r.remaining(), avail);
      EXPECT_TRUE(same_view(r.rest(), ByteView(in).subspan(1)));
    }
  }
}

TEST(ReaderTest, IntegerReadSucceedsWithExactlyItsWidthLeft) {
  for (const IntRead& rd : int_reads()) {
    SCOPED_TRACE(rd.name);
    Bytes in = pattern(rd.width);
    Reader r(in, 7);
    auto [ok, value] = rd.read(r);
    ASSERT_TRUE(ok);
    std::uint64_t expected = 0;
    for (std::uint8_t b : in) expected = (expected << 8) | b;
    EXPECT_EQ(value, expected);
    EXPECT_EQ(r.offset(), 7 + rd.width);
    EXPECT_TRUE(r.empty());
  }
}

TEST(ReaderTest, ReaderCanContinueAfterAFailedRead) {
  Bytes in = {0xab, 0xcd};
  Reader r(in);
  std::uint32_t wide = 0;
  ASSERT_FALSE(r.u24(wide));
  std::uint16_t v = 0;
  ASSERT_TRUE(r.u16(v));
  EXPECT_EQ(v, 0xabcd);
}

TEST(ReaderTest, BytesReturnsViewIntoInputAndAdvances) {
  Bytes in = pattern(6);
  Reader r = reader_after(in, 100, 1);
  ByteView out;
  ASSERT_TRUE(r.bytes(3, out));
  EXPECT_TRUE(same_view(out, ByteView(in).subspan(1, 3)));
  EXPECT_EQ(r.offset(), 104u);
  EXPECT_EQ(r.remaining(), 2u);
}

TEST(ReaderTest, BytesOfZeroSucceedsOnEmptyInput) {
  Reader r;
  ByteView out = as_bytes("x");
  ASSERT_TRUE(r.bytes(0, out));
  EXPECT_EQ(out.size(), 0u);
  EXPECT_EQ(r.offset(), 0u);
}

TEST(ReaderTest, FailedBytesLeavesCursorAndOutUnmovedAtEveryShortLength) {
  const ByteView marker = as_bytes("marker");
  for (std::size_t avail = 0; avail <= 9; ++avail) {
    Bytes in = pattern(avail + 2);
    Reader r = reader_after(in, 3, 2);
    for (std::size_t n :
         {avail + 1, avail + 2, avail + 9, std::numeric_limits<std::size_t>::max()}) {
      SCOPED_TRACE("avail " + std::to_string(avail) + " n " + std::to_string(n));
      ByteView out = marker;
      EXPECT_FALSE(r.bytes(n, out));
      EXPECT_TRUE(same_view(out, marker));
      EXPECT_EQ(r.offset(), 5u);
      EXPECT_EQ(r.remaining(), avail);
    }
  }
}

TEST(ReaderTest, SkipAdvancesAndFailedSkipLeavesCursorUnmoved) {
  for (std::size_t avail = 0; avail <= 9; ++avail) {
    Bytes in = pattern(avail);
    Reader r(in, 11);
    for (std::size_t n : {avail + 1, avail + 5, std::numeric_limits<std::size_t>::max()}) {
      SCOPED_TRACE("avail " + std::to_string(avail) + " n " + std::to_string(n));
      EXPECT_FALSE(r.skip(n));
      EXPECT_EQ(r.offset(), 11u);
      EXPECT_EQ(r.remaining(), avail);
    }
    ASSERT_TRUE(r.skip(avail));
    EXPECT_EQ(r.offset(), 11 + avail);
    EXPECT_TRUE(r.empty());
  }
}

TEST(ReaderTest, SubKeepsAbsoluteOffsets) {
  Bytes in = pattern(10);
  Reader r = reader_after(in, 1000, 2);
  Reader sub;
  ASSERT_TRUE(r.sub(5, sub));
  EXPECT_EQ(r.offset(), 1007u);
  EXPECT_EQ(r.remaining(), 3u);
  EXPECT_EQ(sub.offset(), 1002u);
  EXPECT_EQ(sub.remaining(), 5u);
  EXPECT_TRUE(same_view(sub.rest(), ByteView(in).subspan(2, 5)));

  std::uint16_t v = 0;
  ASSERT_TRUE(sub.u16(v));
  EXPECT_EQ(v, 0x8384);
  EXPECT_EQ(sub.offset(), 1004u);

  // A sub-reader of a sub-reader still counts from the outermost input.
  Reader inner;
  ASSERT_TRUE(sub.sub(2, inner));
  EXPECT_EQ(inner.offset(), 1004u);
  std::uint8_t b = 0;
  ASSERT_TRUE(inner.u8(b));
  EXPECT_EQ(b, 0x85);
  EXPECT_EQ(inner.offset(), 1005u);
  EXPECT_EQ(sub.offset(), 1006u);
}

TEST(ReaderTest, SubIsBoundedToItsLength) {
  Bytes in = pattern(8);
  Reader r(in);
  Reader sub;
  ASSERT_TRUE(r.sub(3, sub));
  std::uint32_t v = 0x5a5a5a5a;
  EXPECT_FALSE(sub.u32(v));  // the parent has 8 bytes, the sub-reader only 3
  EXPECT_EQ(v, 0x5a5a5a5au);
  EXPECT_EQ(sub.offset(), 0u);
  EXPECT_EQ(sub.remaining(), 3u);
}

TEST(ReaderTest, FailedSubLeavesCursorAndOutUnmovedAtEveryShortLength) {
  Bytes other = pattern(4);
  for (std::size_t avail = 0; avail <= 9; ++avail) {
    Bytes in = pattern(avail + 1);
    Reader r = reader_after(in, 20, 1);
    for (std::size_t n : {avail + 1, avail + 3, std::numeric_limits<std::size_t>::max()}) {
      SCOPED_TRACE("avail " + std::to_string(avail) + " n " + std::to_string(n));
      Reader out = reader_after(other, 77, 1);
      EXPECT_FALSE(r.sub(n, out));
      EXPECT_EQ(r.offset(), 21u);
      EXPECT_EQ(r.remaining(), avail);
      EXPECT_EQ(out.offset(), 78u);
      EXPECT_EQ(out.remaining(), 3u);
      EXPECT_TRUE(same_view(out.rest(), ByteView(other).subspan(1)));
    }
  }
}

TEST(ReaderTest, PeekReturnsNextByteWithoutConsumingIt) {
  Bytes in = {0x9c, 0x01};
  Reader r(in, 5);
  std::uint8_t v = 0;
  ASSERT_TRUE(r.peek_u8(v));
  EXPECT_EQ(v, 0x9c);
  EXPECT_EQ(r.offset(), 5u);
  EXPECT_EQ(r.remaining(), 2u);
  std::uint8_t again = 0;
  ASSERT_TRUE(r.u8(again));
  EXPECT_EQ(again, 0x9c);
  ASSERT_TRUE(r.peek_u8(v));
  EXPECT_EQ(v, 0x01);
}

TEST(ReaderTest, PeekOnEmptyReaderFailsAndLeavesOutUntouched) {
  Bytes in = {0x01};
  Reader r = reader_after(in, 9, 1);
  std::uint8_t v = 0x5a;
  EXPECT_FALSE(r.peek_u8(v));
  EXPECT_EQ(v, 0x5a);
  EXPECT_EQ(r.offset(), 10u);
}

TEST(ReaderTest, SinceReturnsBytesConsumedSinceAbsoluteOffset) {
  Bytes in = pattern(10);
  Reader outer = reader_after(in, 50, 2);
  Reader r;
  ASSERT_TRUE(outer.sub(6, r));  // absolute 52..58
  ASSERT_TRUE(r.skip(4));        // now at 56
  EXPECT_TRUE(same_view(r.since(52), ByteView(in).subspan(2, 4)));
  EXPECT_TRUE(same_view(r.since(54), ByteView(in).subspan(4, 2)));
  EXPECT_EQ(r.since(56).size(), 0u);  // nothing consumed since the current offset
}

TEST(ReaderTest, SinceOutsideTheReadersConsumedRangeIsEmpty) {
  Bytes in = pattern(10);
  Reader outer = reader_after(in, 50, 2);
  Reader r;
  ASSERT_TRUE(outer.sub(6, r));
  ASSERT_TRUE(r.skip(4));
  EXPECT_EQ(r.since(57).size(), 0u);  // not yet consumed
  EXPECT_EQ(r.since(51).size(), 0u);  // before this reader's data
  EXPECT_EQ(r.since(0).size(), 0u);
}

TEST(ReaderTest, DefaultReaderIsEmptyAndEveryReadFails) {
  Reader r;
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.offset(), 0u);
  EXPECT_EQ(r.remaining(), 0u);
  std::uint8_t v = 0x5a;
  EXPECT_FALSE(r.u8(v));
  EXPECT_FALSE(r.peek_u8(v));
  EXPECT_FALSE(r.skip(1));
  EXPECT_EQ(v, 0x5a);
}

// The error table: Errc::ok plus every entry of MIKEY_WIRE_ERRORS.
std::vector<Errc> all_errcs() {
  return {Errc::ok,
#define X(name, msg) Errc::name,
          MIKEY_WIRE_ERRORS(X)
#undef X
  };
}

TEST(ErrcTest, EveryCodeHasADistinctNonEmptyMessage) {
  std::set<std::string> seen;
  for (Errc e : all_errcs()) {
    std::string msg(to_string(e));
    EXPECT_FALSE(msg.empty()) << static_cast<int>(e);
    EXPECT_NE(msg, "unknown wire error") << static_cast<int>(e);
    EXPECT_TRUE(seen.insert(msg).second) << "duplicate message: " << msg;
  }
  EXPECT_EQ(seen.size(), all_errcs().size());
}

TEST(ErrcTest, ErrorCodeCarriesTheWireCategoryAndMessage) {
  std::set<std::string> seen;
  for (Errc e : all_errcs()) {
    std::error_code ec = e;  // implicit via is_error_code_enum
    EXPECT_EQ(ec.value(), static_cast<int>(e));
    EXPECT_EQ(&ec.category(), &wire_category());
    EXPECT_STREQ(ec.category().name(), "mikey.wire");
    EXPECT_EQ(ec.message(), to_string(e));
    EXPECT_TRUE(seen.insert(ec.message()).second) << "duplicate message: " << ec.message();
    EXPECT_EQ(static_cast<bool>(ec), e != Errc::ok);
  }
}

TEST(ErrcTest, UnknownValueHasFallbackMessage) {
  EXPECT_EQ(to_string(static_cast<Errc>(200)), "unknown wire error");
}

TEST(ErrcTest, ErrorComparesCodeAndOffset) {
  EXPECT_EQ((Error{Errc::truncated, 3}), (Error{Errc::truncated, 3}));
  EXPECT_NE((Error{Errc::truncated, 3}), (Error{Errc::truncated, 4}));
  EXPECT_NE((Error{Errc::truncated, 3}), (Error{Errc::length_overflow, 3}));
}

}  // namespace
}  // namespace mikey::wire
