// Writer: big-endian fields, length prefixes patched when a scope closes, and a sticky first
// error after which every call is a no-op (BoringSSL CBB semantics).
#include "wire/writer.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>

#include "wire/errc.h"

namespace mikey::wire {
namespace {

Bytes filled(std::size_t n, std::uint8_t v) { return Bytes(n, v); }

// A writer holding one length scope of `width` bytes around n bytes of `fill`.
Writer scoped(int width, std::size_t n, std::uint8_t fill = 0x01) {
  Writer w;
  Writer::LengthScope s = w.begin_length(width);
  w.bytes(filled(n, fill));
  w.end_length(s);
  return w;
}

TEST(WriterTest, WritesFieldsBigEndian) {
  Writer w;
  w.u8(0x81);
  w.u16(0x8283);
  w.u24(0x848586);
  w.u32(0x8788898a);
  w.u64(0x8b8c8d8e8f909192);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.error(), Errc::ok);
  EXPECT_EQ(w.data(), (Bytes{0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c,
                             0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x92}));
  EXPECT_EQ(w.size(), 18u);
}

TEST(WriterTest, WritesZeroAndMaxValuesAtFullWidth) {
  Writer w;
  w.u16(0);
  w.u24(0xffffff);
  w.u32(0);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.data(), (Bytes{0x00, 0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00}));
}

TEST(WriterTest, BytesAppendsVerbatim) {
  Writer w;
  w.u8(0x01);
  w.bytes(as_bytes("abc"));
  w.bytes({});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.data(), (Bytes{0x01, 'a', 'b', 'c'}));
}

TEST(WriterTest, U24AboveMaxSetsLengthOverflowAndWritesNothing) {
  Writer w;
  w.u8(0x07);
  w.u24(0x1000000);
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.error(), Errc::length_overflow);
  EXPECT_EQ(w.data(), (Bytes{0x07}));
}

TEST(WriterTest, OneByteLengthPrefixCountsTheScope) {
  Writer w;
  w.u8(0xaa);
  Writer::LengthScope s = w.begin_length(1);
  EXPECT_EQ(s.at, 1u);
  EXPECT_EQ(s.width, 1);
  w.u16(0x0102);
  w.u8(0x03);
  w.end_length(s);
  w.u8(0xbb);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.data(), (Bytes{0xaa, 0x03, 0x01, 0x02, 0x03, 0xbb}));
}

TEST(WriterTest, TwoByteLengthPrefixIsBigEndian) {
  Writer w = scoped(2, 300, 0x5a);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w.size(), 302u);
  EXPECT_EQ(w.data()[0], 0x01);  // 300 = 0x012c
  EXPECT_EQ(w.data()[1], 0x2c);
  EXPECT_EQ(w.data()[2], 0x5a);
}

TEST(WriterTest, EmptyScopeWritesZeroLength) {
  Writer w;
  Writer::LengthScope one = w.begin_length(1);
  w.end_length(one);
  Writer::LengthScope two = w.begin_length(2);
  w.end_length(two);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.data(), (Bytes{0x00, 0x00, 0x00}));
}

TEST(WriterTest, NestedScopesEachCountTheirOwnContent) {
  Writer w;
  Writer::LengthScope outer = w.begin_length(2);
  w.u8(0x11);
  Writer::LengthScope inner = w.begin_length(1);
  w.u16(0x2233);
  Writer::LengthScope innermost = w.begin_length(1);
  w.u8(0x44);
  w.end_length(innermost);
  w.end_length(inner);
  w.u8(0x55);
  w.end_length(outer);
  ASSERT_TRUE(w.ok());
  // outer = 0x11 + [inner prefix + 0x2233 + [innermost prefix + 0x44]] + 0x55 = 7 bytes.
  EXPECT_EQ(w.data(), (Bytes{0x00, 0x07, 0x11, 0x04, 0x22, 0x33, 0x01, 0x44, 0x55}));
}

TEST(WriterTest, LargestLengthThatFitsIsAccepted) {
  Writer w1 = scoped(1, 255);
  ASSERT_TRUE(w1.ok());
  EXPECT_EQ(w1.data()[0], 0xff);

  Writer w2 = scoped(2, 65535);
  ASSERT_TRUE(w2.ok());
  EXPECT_EQ(w2.data()[0], 0xff);
  EXPECT_EQ(w2.data()[1], 0xff);
}

TEST(WriterTest, Length256InOneByteScopeOverflows) {
  Writer w = scoped(1, 256);
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.error(), Errc::length_overflow);
  EXPECT_EQ(w.size(), 257u);  // nothing removed: the writer never truncates
}

TEST(WriterTest, OverflowingPrefixIsNotPatchedWithTheWrappedLength) {
  Writer w = scoped(1, 257);
  EXPECT_EQ(w.error(), Errc::length_overflow);
  EXPECT_EQ(w.data()[0], 0x00);  // 257 mod 256 would be 0x01
}

TEST(WriterTest, Length65536InTwoByteScopeOverflows) {
  Writer w = scoped(2, 65536);
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.error(), Errc::length_overflow);
}

TEST(WriterTest, OverflowInNestedScopeFailsTheWholeWriter) {
  Writer w;
  Writer::LengthScope outer = w.begin_length(2);
  Writer::LengthScope inner = w.begin_length(1);
  w.bytes(filled(256, 0x01));
  w.end_length(inner);
  w.end_length(outer);
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.error(), Errc::length_overflow);
  EXPECT_EQ(w.data()[0], 0x00);  // the outer prefix is not patched after the error either
  EXPECT_EQ(w.data()[1], 0x00);
}

TEST(WriterTest, ErrorIsStickyAndLaterWritesAreNoOps) {
  Writer w;
  w.u8(0x01);
  Writer::LengthScope s = w.begin_length(1);
  w.bytes(filled(256, 0x02));
  w.end_length(s);
  ASSERT_EQ(w.error(), Errc::length_overflow);
  const Bytes before = w.data();

  w.u8(0x03);
  w.u16(0x0304);
  w.u24(0x030405);
  w.u32(0x03040506);
  w.u64(0x0304050607080900);
  w.bytes(as_bytes("xyz"));
  Writer::LengthScope later = w.begin_length(2);
  w.end_length(later);
  w.patch_u8(0, 0xff);
  w.u24(0x1000000);         // would be length_overflow again
  w.patch_u8(10000, 0xff);  // would be truncated
  w.fail(Errc::limit_exceeded);

  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.error(), Errc::length_overflow);
  EXPECT_EQ(w.data(), before);
}

TEST(WriterTest, FailRecordsOnlyTheFirstError) {
  Writer w;
  w.fail(Errc::limit_exceeded);
  w.fail(Errc::truncated);
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.error(), Errc::limit_exceeded);
  w.u8(0x01);
  EXPECT_EQ(w.size(), 0u);
}

TEST(WriterTest, PatchU8OverwritesAWrittenByte) {
  Writer w;
  w.u8(0x00);
  w.u16(0x1234);
  w.patch_u8(0, 0x2a);
  w.patch_u8(2, 0x99);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.data(), (Bytes{0x2a, 0x12, 0x99}));
}

TEST(WriterTest, PatchU8PastTheEndSetsTruncated) {
  Writer w;
  w.u16(0x1234);
  w.patch_u8(2, 0xff);  // one past the last byte
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.error(), Errc::truncated);
  EXPECT_EQ(w.data(), (Bytes{0x12, 0x34}));
}

TEST(WriterTest, PatchU8OnEmptyWriterSetsTruncated) {
  Writer w;
  w.patch_u8(0, 0xff);
  EXPECT_EQ(w.error(), Errc::truncated);
  EXPECT_EQ(w.size(), 0u);
}

TEST(WriterTest, TakeMovesTheBytesOut) {
  Writer w;
  w.u16(0xbeef);
  Bytes out = std::move(w).take();
  EXPECT_EQ(out, (Bytes{0xbe, 0xef}));
}

}  // namespace
}  // namespace mikey::wire
