// transcript.pcap (reports/README.md): every HTTP exchange of every case (and of every health
// check) as a TCP conversation on loopback, one port pair per case, so Wireshark's HTTP dissector
// reassembles the requests and responses and hands application/mikey bodies to its MIKEY
// dissector. Classic pcap through inspect/pcap.h, link type Ethernet.
//
// Wireshark decodes an application/mikey body with its MIKEY dissector only when the body is the
// binary message; TS 33.328 Annex A carries it base64-encoded. So the pcap carries each
// application/mikey body base64-decoded (Content-Length adjusted), and results.json keeps the
// bytes exactly as sent (request.hex, response.body_hex).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "harness/results.h"
#include "wire/bytes.h"

namespace mikeyconf::reports {

// The server side of every conversation. The SUT's real address is in results.json; port 80
// makes Wireshark pick its HTTP dissector without a "Decode As" setting.
inline constexpr std::uint16_t kPcapServerPort = 80;

// The whole file for a run: cases first (conversation i = case i), then health checks; packets
// ordered by time.
mikey::Bytes transcript_pcap(const harness::RunResult& run);

// The file for one case (a repro bundle's transcript.pcap); `started_utc` dates the packets.
mikey::Bytes case_pcap(const harness::CaseResult& c, std::string_view started_utc);

// An HTTP message (head and body) with an application/mikey base64 body replaced by the decoded
// binary message and Content-Length set to its size. Anything else (another content type, a
// body that is not valid base64, chunked transfer coding, no end of head) comes back unchanged.
std::string with_binary_mikey_body(std::string_view http_message);

// The response of an HTTP transcript entry as bytes on the wire: status line, the headers
// received (without Content-Length / Transfer-Encoding), Content-Length, the body.
std::string response_message(const harness::TranscriptEntry& e);

}  // namespace mikeyconf::reports
