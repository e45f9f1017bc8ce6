#include "transport/access_log.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <string>
#include <string_view>

namespace mikey::transport {

std::string escape_log_value(std::string_view s, std::size_t max) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() < max ? s.size() : max);
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u > 0x7e) {
      out += "\\x";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

std::string format_access_log(const AccessLogEntry& e) {
  std::array<char, 32> duration{};
  std::snprintf(duration.data(), duration.size(), "%.3f", e.duration_ms < 0 ? 0.0 : e.duration_ms);
  std::string line;
  line.reserve(160 + e.target.size());
  line += "remote=";
  line += escape_log_value(e.remote.empty() ? "-" : e.remote, 64);
  line += " method=";
  line += escape_log_value(e.method.empty() ? "-" : e.method, 32);
  line += " target=\"";
  line += escape_log_value(e.target.empty() ? "-" : e.target);
  line += "\" status=";
  line += std::to_string(e.status);
  line += " bytes=";
  line += std::to_string(e.bytes);
  line += " duration_ms=";
  line += duration.data();
  line += " requesttype=";
  line += escape_log_value(e.request_type.empty() ? "-" : e.request_type, 32);
  if (!e.detail.empty()) {
    line += " detail=\"";
    line += escape_log_value(e.detail);
    line += '"';
  }
  return line;
}

BufferedLogWriter::BufferedLogWriter(int fd, std::chrono::milliseconds interval) noexcept
    : fd_(fd), interval_(interval) {}

BufferedLogWriter::~BufferedLogWriter() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  flush();
}

void BufferedLogWriter::write(std::string_view line) {
  std::size_t waiting = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const bool was_empty = buffer_.empty();
    buffer_.append(line);
    buffer_.push_back('\n');
    waiting = buffer_.size();
    if (!thread_.joinable() && !stop_) thread_ = std::thread([this] { run(); });
    if (was_empty) cv_.notify_one();
  }
  if (waiting >= kBatchBytes) flush();
}

void BufferedLogWriter::flush() noexcept {
  std::lock_guard<std::mutex> fd_lock(fd_mutex_);
  std::string batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(buffer_);
  }
  std::string_view rest = batch;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the fd is gone (closed pipe, bad fd): nothing can take the lines
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

void BufferedLogWriter::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    cv_.wait(lock, [this] { return stop_ || !buffer_.empty(); });
    // Let the lines of the next `interval` join this batch.
    cv_.wait_for(lock, interval_, [this] { return stop_; });
    lock.unlock();
    flush();
    lock.lock();
  }
}

}  // namespace mikey::transport
