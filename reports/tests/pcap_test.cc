// transcript.pcap: binary MIKEY bodies, TCP framing read back field by field, and Wireshark
// (tshark) as the second implementation that must reassemble the HTTP exchanges and decode the
// MIKEY messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "reports/tests/test_run.h"
#include "reports/transcript_pcap.h"
#include "wire/base64.h"

namespace mikeyconf::reports {
namespace {

using harness::RunResult;
using harness::TranscriptEntry;

std::uint32_t le32(const mikey::Bytes& b, std::size_t at) {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) |
         (static_cast<std::uint32_t>(b[at + 3]) << 24);
}
std::uint32_t be16(const mikey::Bytes& b, std::size_t at) { return (b[at] << 8) | b[at + 1]; }
std::uint32_t be32(const mikey::Bytes& b, std::size_t at) {
  return (be16(b, at) << 16) | be16(b, at + 2);
}

struct Packet {
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::string payload;
};

// Reads our pcap back: Ethernet, IPv4 (20 bytes), TCP (20 bytes).
std::vector<Packet> packets(const mikey::Bytes& pcap) {
  std::vector<Packet> out;
  for (std::size_t at = 24; at + 16 <= pcap.size();) {
    const std::uint32_t len = le32(pcap, at + 8);
    const std::size_t f = at + 16;
    Packet p;
    p.sport = static_cast<std::uint16_t>(be16(pcap, f + 34));
    p.dport = static_cast<std::uint16_t>(be16(pcap, f + 36));
    p.seq = be32(pcap, f + 38);
    p.ack = be32(pcap, f + 42);
    p.flags = pcap[f + 47];
    p.payload.assign(pcap.begin() + static_cast<std::ptrdiff_t>(f + 54),
                     pcap.begin() + static_cast<std::ptrdiff_t>(f + len));
    out.push_back(p);
    at = f + len;
  }
  return out;
}

// The MIKEY data type numbers tshark printed: from lines "<prefix>... (N)" (-V) or lines that
// are just a number (-T fields); tshark's own notices are ignored.
std::multiset<std::string> data_types(const std::string& out, std::string_view prefix) {
  std::multiset<std::string> types;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    const auto start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    line = line.substr(start);
    if (!prefix.empty()) {
      if (line.rfind(prefix, 0) != 0 || line.back() != ')') continue;
      line = line.substr(line.rfind('(') + 1);
      line.pop_back();
    }
    if (!line.empty() && line.find_first_not_of("0123456789") == std::string::npos) {
      types.insert(line);
    }
  }
  return types;
}

TEST(PcapTest, MikeyBodiesGoBinaryWithTheirLength) {
  const mikey::Bytes msg = testing::sample("ticket_request_init_psk");
  const std::string b64 = mikey::wire::base64_encode(msg);
  const std::string req =
      "POST /k HTTP/1.1\r\nContent-Type: application/mikey; v=1\r\nContent-Length: " +
      std::to_string(b64.size()) + "\r\nHost: h\r\n\r\n" + b64;
  EXPECT_EQ(with_binary_mikey_body(req),
            "POST /k HTTP/1.1\r\nContent-Type: application/mikey; v=1\r\nContent-Length: " +
                std::to_string(msg.size()) + "\r\nHost: h\r\n\r\n" +
                std::string(msg.begin(), msg.end()));
  // No Content-Length at all: one is added.
  EXPECT_EQ(
      with_binary_mikey_body("HTTP/1.1 200 OK\r\ncontent-type: APPLICATION/MIKEY\r\n\r\n" + b64),
      "HTTP/1.1 200 OK\r\ncontent-type: APPLICATION/MIKEY\r\nContent-Length: " +
          std::to_string(msg.size()) + "\r\n\r\n" + std::string(msg.begin(), msg.end()));
}

TEST(PcapTest, OtherBodiesStayAsSent) {
  for (std::string m : {"POST / HTTP/1.1\r\nContent-Type: text/plain\r\n\r\nAQID",
                        "POST / HTTP/1.1\r\nContent-Type: application/mikey\r\n\r\n***",
                        "POST / HTTP/1.1\r\nContent-Type: application/mikey\r\nTransfer-Encoding: "
                        "chunked\r\n\r\n4\r\nAQID\r\n0\r\n\r\n",
                        "no head at all"}) {
    EXPECT_EQ(with_binary_mikey_body(m), m);
  }
}

TEST(PcapTest, ResponseMessageRebuildsTheWireForm) {
  TranscriptEntry e;
  e.status = 404;
  e.reason = "Not Found";
  e.headers = {{"Server", "x"}, {"Content-Length", "999"}, {"Transfer-Encoding", "chunked"}};
  e.body = "gone";
  EXPECT_EQ(response_message(e),
            "HTTP/1.1 404 Not Found\r\nServer: x\r\nContent-Length: 4\r\n\r\ngone");
}

TEST(PcapTest, EveryCaseIsOneTcpConversationWithConsistentSequenceNumbers) {
  RunResult run = testing::make_run();
  run.cases.resize(2);
  run.health.clear();
  run.cases[1].transcript[2].transport_error = "timeout: no answer";
  const mikey::Bytes pcap = transcript_pcap(run);
  ASSERT_GE(pcap.size(), 24u);
  EXPECT_EQ(le32(pcap, 0), 0xa1b2c3d4u);
  EXPECT_EQ(le32(pcap, 20), 1u);  // LINKTYPE_ETHERNET
  const std::vector<Packet> all = packets(pcap);
  for (std::uint16_t port : {49152, 49153}) {
    std::vector<Packet> conv;
    for (const Packet& p : all)
      if (p.sport == port || p.dport == port) conv.push_back(p);
    ASSERT_GE(conv.size(), 6u);
    EXPECT_EQ(conv[0].flags, 0x02);  // SYN
    EXPECT_EQ(conv[1].flags, 0x12);  // SYN, ACK
    EXPECT_EQ(conv[1].ack, conv[0].seq + 1);
    // Each side's next sequence number follows from what it sent (SYN and FIN count one).
    std::uint32_t next_client = conv[0].seq, next_server = conv[1].seq;
    for (const Packet& p : conv) {
      const bool from_client = p.sport == port;
      std::uint32_t& next = from_client ? next_client : next_server;
      if ((p.flags & 0x02) != 0) next = p.seq;  // a (re)connection
      EXPECT_EQ(p.seq, next);
      if ((p.flags & 0x10) != 0 && (p.flags & 0x04) == 0) {
        EXPECT_EQ(p.ack, from_client ? next_server : next_client);
      }
      next += static_cast<std::uint32_t>(p.payload.size()) + ((p.flags & 0x03) != 0 ? 1 : 0);
      EXPECT_TRUE(p.sport == 80 || p.dport == 80);
    }
  }
  // Case 1's second exchange had no response: the SUT side resets, nothing answers it.
  std::size_t resets = 0;
  for (const Packet& p : all) resets += (p.flags & 0x04) != 0 ? 1 : 0;
  EXPECT_EQ(resets, 1u);
}

TEST(PcapTest, TsharkReassemblesHttpAndDecodesMikey) {
  std::string version;
  ASSERT_EQ(testing::run_command("tshark --version", &version), 0)
      << "tshark is needed to check transcript.pcap (scripts/bootstrap installs it): " << version;
  RunResult run = testing::make_run();
  // A body larger than one TCP segment, so the HTTP dissector must reassemble it.
  run.cases[0].transcript[0].headers = {{"Content-Type", "text/plain"}};
  run.cases[0].transcript[0].body.assign(100'000, 'x');
  const auto dir = testing::fresh_dir("tshark");
  const mikey::Bytes pcap = transcript_pcap(run);
  testing::write(dir / "transcript.pcap", std::string(pcap.begin(), pcap.end()));
  std::string out;
  ASSERT_EQ(testing::run_command(
                "tshark -r " + testing::quote(dir / "transcript.pcap") + " -V -Y mikey", &out),
            0)
      << out;
  EXPECT_NE(out.find("Multimedia Internet KEYing"), std::string::npos) << out.substr(0, 4000);
  // RFC 6043 data types 16 (RESOLVE_INIT_PSK) and 18 (RESOLVE_RESP) of the Annex A exchange.
  // Wireshark 4.0 has no names for the RFC 6043 types ("Unknown (16)"); the numbers are what
  // counts.
  // Every case (7) and the health check: one resolve request and one response each.
  std::multiset<std::string> expected;
  for (int i = 0; i < 8; ++i) expected.insert({"16", "18"});
  EXPECT_EQ(data_types(out, "Data Type: "), expected) << out.substr(0, 4000);
  std::string fields;
  ASSERT_EQ(testing::run_command("tshark -r " + testing::quote(dir / "transcript.pcap") +
                                     " -Y mikey -T fields -e mikey.type",
                                 &fields),
            0);
  EXPECT_EQ(data_types(fields, ""), expected) << fields;
  // The 100 000-byte body arrived in one reassembled HTTP response.
  std::string lengths;
  ASSERT_EQ(
      testing::run_command("tshark -r " + testing::quote(dir / "transcript.pcap") +
                               " -Y 'http.response.code == 500' -T fields -e http.content_length",
                           &lengths),
      0);
  EXPECT_NE(lengths.find("100000"), std::string::npos) << lengths;
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mikeyconf::reports
