#include "inspect/pcap.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace mikeyconf::inspect {

namespace {

// pcap headers are in the writer's byte order; we always write little-endian so the output
// does not depend on the host (readers detect the order from the magic number).
void put_le32(mikey::Bytes& out, std::uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) {
    out.push_back(static_cast<std::uint8_t>((v >> shift) & 0xff));
  }
}

void put_le16(mikey::Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}

}  // namespace

mikey::Bytes make_pcap(std::span<const PcapPacket> packets, std::uint32_t link_type) {
  mikey::Bytes out;
  std::size_t total = 24;
  for (const PcapPacket& p : packets)
    total += 16 + std::min<std::size_t>(p.data.size(), kPcapSnapLen);
  out.reserve(total);
  // Global header (pcap-savefile(5)): magic, version 2.4, thiszone 0, sigfigs 0, snaplen,
  // network (link type).
  put_le32(out, 0xa1b2c3d4);
  put_le16(out, 2);
  put_le16(out, 4);
  put_le32(out, 0);
  put_le32(out, 0);
  put_le32(out, kPcapSnapLen);
  put_le32(out, link_type);
  for (const PcapPacket& p : packets) {
    const std::size_t captured = std::min<std::size_t>(p.data.size(), kPcapSnapLen);
    // Record header: ts_sec, ts_usec, incl_len, orig_len.
    put_le32(out, p.ts_sec);
    put_le32(out, p.ts_usec);
    put_le32(out, static_cast<std::uint32_t>(captured));
    put_le32(out, static_cast<std::uint32_t>(std::min<std::size_t>(p.data.size(), UINT32_MAX)));
    out.insert(out.end(), p.data.begin(), p.data.begin() + static_cast<std::ptrdiff_t>(captured));
  }
  return out;
}

bool write_pcap_file(const std::string& path, std::span<const PcapPacket> packets,
                     std::uint32_t link_type, std::string* error) {
  const mikey::Bytes bytes = make_pcap(packets, link_type);
  errno = 0;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f) {
    for (std::uint8_t b : bytes) f.put(static_cast<char>(b));
    f.flush();
  }
  if (!f) {
    if (error != nullptr) {
      *error =
          "cannot write " + path + (errno != 0 ? ": " + std::string(std::strerror(errno)) : "");
    }
    return false;
  }
  return true;
}

}  // namespace mikeyconf::inspect
