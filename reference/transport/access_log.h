// One access-log line per request (logfmt: key=value, space separated), so operators and the
// harness can grep and parse it. Example:
//   remote=127.0.0.1:40312 method=POST target="/keymanagement?requesttype=ticketrequest"
//   status=200 bytes=88 duration_ms=1.234 requesttype=ticketrequest
// (one line; ` detail="..."` is appended when there is a detail). Client-supplied text is
// escaped (`"` `\` and bytes outside 0x20..0x7e as \xHH) and the target is cut at 512 bytes,
// so a request cannot forge log lines.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

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

// Lines (each plus '\n') to a file descriptor in batches: a line is written at most `interval`
// after it was logged, at once when 64 KiB are waiting, and by flush() and the destructor, so
// no line is lost and an idle server's last lines still appear promptly. One write(2) per batch
// instead of two per line keeps the access log off a busy server's critical path. Thread-safe;
// lines keep their order. A writer blocked by a full pipe blocks the loggers past 64 KiB, as an
// unbuffered write would, rather than growing without bound. The server's default sink.
class BufferedLogWriter {
 public:
  static constexpr std::size_t kBatchBytes = 64 * 1024;

  explicit BufferedLogWriter(
      int fd = 2, std::chrono::milliseconds interval = std::chrono::milliseconds(100)) noexcept;
  BufferedLogWriter(const BufferedLogWriter&) = delete;
  BufferedLogWriter& operator=(const BufferedLogWriter&) = delete;
  ~BufferedLogWriter();

  void write(std::string_view line);
  void flush() noexcept;
  // A sink writing to this writer, which must outlive it.
  LogSink sink() {
    return [this](std::string_view line) { write(line); };
  }

 private:
  void run();

  int fd_;
  std::chrono::milliseconds interval_;
  std::mutex fd_mutex_;  // taken before mutex_: batches reach the fd in the order they were cut
  std::mutex mutex_;     // buffer_, stop_, thread_
  std::condition_variable cv_;
  std::string buffer_;
  bool stop_ = false;
  std::thread thread_;  // started by the first line
};

}  // namespace mikey::transport
