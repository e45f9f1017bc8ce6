#include "reports/transcript_pcap.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <vector>

#include "inspect/pcap.h"
#include "wire/base64.h"

namespace mikeyconf::reports {

using harness::CaseResult;
using harness::TranscriptEntry;

namespace {

constexpr std::uint32_t kLinkTypeEthernet = 1;  // LINKTYPE_ETHERNET (pcap-linktype(7))
// TCP payload per segment: well under the 65535-byte IPv4 datagram limit (RFC 791) and the
// pcap writer's snap length, so every segment is captured whole.
constexpr std::size_t kMaxSegment = 32768;
constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

// ---- HTTP text ----

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_mikey_media_type(std::string_view value) {
  return iequals(trim(value.substr(0, value.find(';'))), "application/mikey");
}

struct HeaderLine {
  std::string_view name, value, line;
};

std::vector<HeaderLine> header_lines(std::string_view head) {
  std::vector<HeaderLine> out;
  std::size_t pos = head.find("\r\n");  // skip the start line
  while (pos != std::string_view::npos && pos + 2 <= head.size()) {
    const std::size_t start = pos + 2;
    const std::size_t end = std::min(head.find("\r\n", start), head.size());
    const std::string_view line = head.substr(start, end - start);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      out.push_back({line.substr(0, colon), trim(line.substr(colon + 1)), line});
    } else {
      out.push_back({line, {}, line});
    }
    pos = end < head.size() ? end : std::string_view::npos;
  }
  return out;
}

// ---- frames ----

void put16(mikey::Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v & 0xff));
}

void put32(mikey::Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v & 0xffff));
}

void set16(mikey::Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v & 0xff);
}

// The Internet checksum (RFC 1071) over `data` added to `sum`.
std::uint32_t add_ones_complement(std::uint32_t sum, mikey::ByteView data) {
  for (std::size_t i = 0; i < data.size(); i += 2) {
    const std::uint32_t hi = data[i];
    const std::uint32_t lo = i + 1 < data.size() ? data[i + 1] : 0;
    sum += (hi << 8) | lo;
  }
  return sum;
}

std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

using Ipv4 = std::array<std::uint8_t, 4>;

struct Endpoint {
  Ipv4 ip{};
  std::uint16_t port = 0;
};

struct Segment {
  Endpoint from, to;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  mikey::ByteView payload;
};

// Ethernet II (zero MAC addresses, as a Linux loopback capture has them) + IPv4 (RFC 791) +
// TCP (RFC 9293) with correct checksums.
mikey::Bytes frame(const Segment& s) {
  mikey::Bytes f(12, 0);
  put16(f, 0x0800);  // EtherType IPv4
  const std::size_t ip = f.size();
  const auto tcp_len = static_cast<std::uint16_t>(20 + s.payload.size());
  f.push_back(0x45);  // version 4, IHL 5
  f.push_back(0);
  put16(f, static_cast<std::uint16_t>(20 + tcp_len));
  put16(f, 0);       // identification
  put16(f, 0x4000);  // don't fragment
  f.push_back(64);   // TTL
  f.push_back(6);    // protocol TCP
  put16(f, 0);       // header checksum, set below
  f.insert(f.end(), s.from.ip.begin(), s.from.ip.end());
  f.insert(f.end(), s.to.ip.begin(), s.to.ip.end());
  set16(f, ip + 10, fold(add_ones_complement(0, mikey::ByteView(f).subspan(ip, 20))));
  const std::size_t tcp = f.size();
  put16(f, s.from.port);
  put16(f, s.to.port);
  put32(f, s.seq);
  put32(f, (s.flags & kAck) != 0 ? s.ack : 0);  // meaningful only with ACK (RFC 9293 §3.1)
  f.push_back(5 << 4);                          // data offset 5 words
  f.push_back(s.flags);
  put16(f, 65535);  // window
  put16(f, 0);      // checksum, set below
  put16(f, 0);      // urgent pointer
  f.insert(f.end(), s.payload.begin(), s.payload.end());
  mikey::Bytes pseudo(s.from.ip.begin(), s.from.ip.end());
  pseudo.insert(pseudo.end(), s.to.ip.begin(), s.to.ip.end());
  put16(pseudo, 6);
  put16(pseudo, tcp_len);
  std::uint32_t sum = add_ones_complement(0, pseudo);
  sum = add_ones_complement(sum, mikey::ByteView(f).subspan(tcp));
  set16(f, tcp + 16, fold(sum));
  return f;
}

struct TimedFrame {
  std::uint64_t usec = 0;
  mikey::Bytes data;
};

// One TCP connection (re-opened on the same port pair after a reset) between the harness
// (client) and the SUT (server), written as frames with strictly increasing timestamps.
class Conversation {
 public:
  Conversation(std::size_t index, std::vector<TimedFrame>& out) : out_(out) {
    // One port pair per conversation: 16384 ephemeral ports (RFC 6335 §6), then the next
    // loopback address.
    const auto hi = static_cast<std::uint32_t>(index >> 14);
    const std::uint32_t ip = 0x7f000001u + hi;
    client_.ip = {0x7f, static_cast<std::uint8_t>(ip >> 16), static_cast<std::uint8_t>(ip >> 8),
                  static_cast<std::uint8_t>(ip)};
    client_.port = static_cast<std::uint16_t>(49152 + (index & 0x3fff));
    server_.ip = {127, 0, 0, 1};
    server_.port = kPcapServerPort;
    isn_ = 0x10000000u + static_cast<std::uint32_t>(index) * 0x10000u;
  }

  void exchange(std::uint64_t at_us, std::string_view request, std::uint64_t response_at_us,
                const std::string* response) {
    open(at_us);
    send(true, request, at_us);
    if (response == nullptr) {
      // No HTTP response arrived: the SUT resets the connection; the next exchange reconnects.
      emit(false, kRst | kAck, {}, response_at_us);
      open_ = false;
      return;
    }
    send(false, *response, response_at_us);
    emit(true, kAck, {}, response_at_us);
  }

  void close(std::uint64_t at_us) {
    if (!open_) return;
    emit(true, kFin | kAck, {}, at_us);
    emit(false, kFin | kAck, {}, at_us);
    emit(true, kAck, {}, at_us);
    open_ = false;
  }

 private:
  void open(std::uint64_t at_us) {
    if (open_) return;
    client_seq_ = isn_ + 0x1000u * reconnects_;
    server_seq_ = 0x80000000u + isn_ + 0x1000u * reconnects_;
    ++reconnects_;
    emit(true, kSyn, {}, at_us);
    emit(false, kSyn | kAck, {}, at_us);
    emit(true, kAck, {}, at_us);
    open_ = true;
  }

  void send(bool from_client, std::string_view data, std::uint64_t at_us) {
    const mikey::ByteView bytes = mikey::as_bytes(data);
    for (std::size_t off = 0; off < bytes.size(); off += kMaxSegment) {
      const std::size_t n = std::min(kMaxSegment, bytes.size() - off);
      const bool last = off + n == bytes.size();
      emit(from_client, static_cast<std::uint8_t>(kAck | (last ? kPsh : 0)), bytes.subspan(off, n),
           at_us);
    }
  }

  void emit(bool from_client, std::uint8_t flags, mikey::ByteView payload, std::uint64_t at_us) {
    Segment s;
    s.from = from_client ? client_ : server_;
    s.to = from_client ? server_ : client_;
    std::uint32_t& seq = from_client ? client_seq_ : server_seq_;
    s.seq = seq;
    s.ack = from_client ? server_seq_ : client_seq_;
    s.flags = flags;
    s.payload = payload;
    seq += static_cast<std::uint32_t>(payload.size()) + ((flags & (kSyn | kFin)) ? 1u : 0u);
    last_us_ = std::max(at_us, last_us_ + 1);
    out_.push_back({last_us_, frame(s)});
  }

  std::vector<TimedFrame>& out_;
  Endpoint client_, server_;
  std::uint32_t isn_ = 0, client_seq_ = 0, server_seq_ = 0, reconnects_ = 0;
  bool open_ = false;
  std::uint64_t last_us_ = 0;
};

std::uint64_t to_us(double ms) { return ms > 0 ? static_cast<std::uint64_t>(ms * 1000.0) : 0; }

// "2026-11-29T10:20:30Z" (fractions ignored) → microseconds since the Unix epoch; 0 when the
// text is not that shape.
std::uint64_t epoch_us(std::string_view utc) {
  int y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, s = 0;
  const std::string text(utc.substr(0, 19));
  if (std::sscanf(text.c_str(), "%4d-%2u-%2uT%2u:%2u:%2u", &y, &mo, &d, &h, &mi, &s) != 6) return 0;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{mo},
                                        std::chrono::day{d}};
  if (!ymd.ok() || y < 1970 || h > 23 || mi > 59 || s > 60) return 0;
  const auto secs = std::chrono::sys_days{ymd}.time_since_epoch() + std::chrono::hours{h} +
                    std::chrono::minutes{mi} + std::chrono::seconds{s};
  return static_cast<std::uint64_t>(
             std::chrono::duration_cast<std::chrono::seconds>(secs).count()) *
         1'000'000u;
}

void add_case(const CaseResult& c, std::size_t index, std::uint64_t run_start_us,
              std::vector<TimedFrame>& out) {
  Conversation conv(index, out);
  const std::uint64_t case_start = run_start_us + to_us(c.start_ms);
  std::uint64_t last = case_start;
  bool any = false;
  for (const TranscriptEntry& e : c.transcript) {
    if (e.kind != "http") continue;
    const std::uint64_t at = case_start + to_us(e.start_ms);
    const std::uint64_t back = at + to_us(e.duration_ms);
    const std::string request = with_binary_mikey_body(e.request);
    if (e.transport_error.empty()) {
      const std::string response = with_binary_mikey_body(response_message(e));
      conv.exchange(at, request, back, &response);
    } else {
      conv.exchange(at, request, back, nullptr);
    }
    last = std::max(last, back);
    any = true;
  }
  if (any) conv.close(last);
}

mikey::Bytes to_pcap(std::vector<TimedFrame>& frames) {
  std::stable_sort(frames.begin(), frames.end(),
                   [](const TimedFrame& a, const TimedFrame& b) { return a.usec < b.usec; });
  std::vector<inspect::PcapPacket> packets;
  packets.reserve(frames.size());
  for (const TimedFrame& f : frames) {
    packets.push_back({f.data, static_cast<std::uint32_t>(f.usec / 1'000'000u),
                       static_cast<std::uint32_t>(f.usec % 1'000'000u)});
  }
  return inspect::make_pcap(packets, kLinkTypeEthernet);
}

}  // namespace

std::string with_binary_mikey_body(std::string_view message) {
  const std::size_t end = message.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::string(message);
  const std::string_view head = message.substr(0, end);
  const std::string_view body = message.substr(end + 4);
  const std::vector<HeaderLine> headers = header_lines(head);
  bool mikey = false;
  for (const HeaderLine& h : headers) {
    if (iequals(h.name, "Transfer-Encoding")) return std::string(message);
    if (iequals(h.name, "Content-Type")) mikey = is_mikey_media_type(h.value);
  }
  if (!mikey) return std::string(message);
  auto binary = mikey::wire::base64_decode(body, mikey::wire::Base64Mode::lenient, body.size());
  if (!binary.ok()) return std::string(message);
  const std::string length = "Content-Length: " + std::to_string(binary->size());
  std::string out(head.substr(0, head.find("\r\n")));
  bool length_written = false;
  for (const HeaderLine& h : headers) {
    out += "\r\n";
    if (iequals(h.name, "Content-Length")) {
      if (length_written) continue;
      out += length;
      length_written = true;
    } else {
      out += h.line;
    }
  }
  if (!length_written) out += "\r\n" + length;
  out += "\r\n\r\n";
  out.append(binary->begin(), binary->end());
  return out;
}

std::string response_message(const TranscriptEntry& e) {
  std::string out = "HTTP/1.1 " + std::to_string(e.status) + " " + e.reason + "\r\n";
  for (const auto& [name, value] : e.headers) {
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding")) continue;
    out += name + ": " + value + "\r\n";
  }
  out += "Content-Length: " + std::to_string(e.body.size()) + "\r\n\r\n" + e.body;
  return out;
}

mikey::Bytes transcript_pcap(const harness::RunResult& run) {
  const std::uint64_t start = epoch_us(run.started_utc);
  std::vector<TimedFrame> frames;
  std::size_t index = 0;
  for (const CaseResult& c : run.cases) add_case(c, index++, start, frames);
  for (const harness::HealthCheck& h : run.health) add_case(h.result, index++, start, frames);
  return to_pcap(frames);
}

mikey::Bytes case_pcap(const CaseResult& c, std::string_view started_utc) {
  std::vector<TimedFrame> frames;
  add_case(c, 0, epoch_us(started_utc), frames);
  return to_pcap(frames);
}

}  // namespace mikeyconf::reports
