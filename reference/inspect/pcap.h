// Classic libpcap files (the "pcap" format of tcpdump/Wireshark: a 24-byte global header with
// magic 0xa1b2c3d4, then one 16-byte record header per packet), written little-endian.
// MIKEY messages go out with link type 147 (LINKTYPE_USER0 / DLT_USER0) so that each packet is
// exactly one binary MIKEY message and field offsets equal MIKEY offsets; Wireshark decodes it
// with a user-DLT mapping:
//   tshark -o 'uat:user_dlts:"User 0 (DLT=147)","mikey","0","","0",""' -r FILE
// The reports reuse this for transcripts (one packet per message exchanged).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "wire/bytes.h"

namespace mikeyconf::inspect {

inline constexpr std::uint32_t kLinkTypeUser0 = 147;  // DLT_USER0
// Records longer than this are cut (orig_len keeps the full length), as tcpdump does; 256 KiB
// is Wireshark's default maximum and far above any MIKEY message (KEMAC ≤ 2^16 bytes).
inline constexpr std::uint32_t kPcapSnapLen = 262144;

struct PcapPacket {
  mikey::ByteView data;  // not owned: must outlive the write call
  std::uint32_t ts_sec = 0;
  std::uint32_t ts_usec = 0;  // microseconds, < 1'000'000
};

// The whole file: global header, then each packet in order. Never fails.
mikey::Bytes make_pcap(std::span<const PcapPacket> packets,
                       std::uint32_t link_type = kLinkTypeUser0);

// Writes make_pcap(...) to `path` (created or truncated). On failure returns false and, if
// `error` is given, a message naming the path and the OS error.
bool write_pcap_file(const std::string& path, std::span<const PcapPacket> packets,
                     std::uint32_t link_type = kLinkTypeUser0, std::string* error = nullptr);

}  // namespace mikeyconf::inspect
