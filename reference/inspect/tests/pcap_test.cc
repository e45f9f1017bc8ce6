// The classic pcap writer (inspect/pcap.h): byte layout of the global and record headers.
#include "inspect/pcap.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "wire/hex.h"

namespace mikeyconf::inspect {
namespace {

std::string hex(const mikey::Bytes& b, std::size_t from, std::size_t n) {
  return mikey::wire::to_hex(mikey::ByteView(b).subspan(from, n));
}

TEST(PcapTest, GlobalHeaderIsClassicLittleEndianDltUser0) {
  mikey::Bytes file = make_pcap({});
  ASSERT_EQ(file.size(), 24u);
  // pcap-savefile(5): magic a1b2c3d4, version 2.4, thiszone 0, sigfigs 0, snaplen 262144,
  // link type 147 (LINKTYPE_USER0), all little-endian.
  EXPECT_EQ(hex(file, 0, 24),
            "d4c3b2a1"
            "0200"
            "0400"
            "00000000"
            "00000000"
            "00000400"
            "93000000");
}

TEST(PcapTest, EachPacketGetsARecordHeaderThenItsBytes) {
  const mikey::Bytes a = {0x01, 0x00, 0x05};
  const mikey::Bytes b = {0xaa, 0xbb};
  const std::array<PcapPacket, 2> packets{PcapPacket{a, 0x01020304, 999999}, PcapPacket{b, 7, 0}};
  mikey::Bytes file = make_pcap(packets);
  ASSERT_EQ(file.size(), 24u + 16 + 3 + 16 + 2);
  // ts_sec, ts_usec, incl_len, orig_len.
  EXPECT_EQ(hex(file, 24, 16),
            "04030201"
            "3f420f00"
            "03000000"
            "03000000");
  EXPECT_EQ(hex(file, 40, 3), "010005");
  EXPECT_EQ(hex(file, 43, 16),
            "07000000"
            "00000000"
            "02000000"
            "02000000");
  EXPECT_EQ(hex(file, 59, 2), "aabb");
}

TEST(PcapTest, OtherLinkTypesAreWrittenAsGiven) {
  mikey::Bytes file = make_pcap({}, 1);
  EXPECT_EQ(hex(file, 20, 4), "01000000");
}

TEST(PcapTest, PacketsLongerThanTheSnapLengthAreCutButKeepTheirLength) {
  const mikey::Bytes big(kPcapSnapLen + 10, 0x5a);
  const PcapPacket p{big};
  mikey::Bytes file = make_pcap(std::span(&p, 1));
  ASSERT_EQ(file.size(), 24u + 16 + kPcapSnapLen);
  EXPECT_EQ(hex(file, 32, 8),
            "00000400"
            "0a000400");  // incl_len = snaplen, orig_len full
}

TEST(PcapTest, WritesTheFileAndReportsUnwritablePaths) {
  const mikey::Bytes a = {0x01, 0x02};
  const PcapPacket p{a};
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("mikeyconf_pcap_test_" + std::to_string(::getpid()) + ".pcap");
  std::string error;
  ASSERT_TRUE(write_pcap_file(path.string(), std::span(&p, 1), kLinkTypeUser0, &error)) << error;
  std::ifstream f(path, std::ios::binary);
  mikey::Bytes back((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(back, make_pcap(std::span(&p, 1)));
  std::filesystem::remove(path);

  EXPECT_FALSE(
      write_pcap_file("/nonexistent-dir/x.pcap", std::span(&p, 1), kLinkTypeUser0, &error));
  EXPECT_NE(error.find("/nonexistent-dir/x.pcap"), std::string::npos) << error;
}

}  // namespace
}  // namespace mikeyconf::inspect
