// One access-log line per request (logfmt: key=value, space separated), so operators and the
// harness can grep and parse it. Example:
//   remote=127.0.0.1:40312 method=POST target="/keymanagement?requesttype=ticketrequest"
//   status=200 bytes=88 duration_ms=1.234 requesttype=ticketrequest
// (one line; ` detail="..."` is appended when there is a detail). Client-supplied text is
// escaped (`"` `\` and bytes outside 0x20..0x7e as \xHH) and the target is cut at 512 bytes,
// so a request cannot forge log lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace mikey::transport {

// Receives complete lines without the trailing newline. The server serialises calls.
using LogSink = std::function<void(std::string_view line)>;

struct AccessLogEntry {
  std::string remote;  // "address:port" ("[v6]:port")
  std::string method;  // "-" when the request line was not parsed
  std::string target;  // "-" likewise
  std::uint16_t status = 0;
  std::size_t bytes = 0;     // response body bytes
  double duration_ms = 0;    // first request byte to response written
  std::string request_type;  // the requesttype URI value, "-" when not accepted
  std::string detail;        // why it failed, or the KMS's log_detail; may be empty
};

std::string format_access_log(const AccessLogEntry& entry);

// Escapes `s` for a log value as described above (no quotes added), cut at `max` bytes.
std::string escape_log_value(std::string_view s, std::size_t max = 512);

// The default sink: the line plus '\n' to stderr.
void stderr_log_sink(std::string_view line);

}  // namespace mikey::transport
