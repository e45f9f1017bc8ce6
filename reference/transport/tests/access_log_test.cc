// The access-log line format (access_log.h), its escaping of client-supplied text, and the
// batched writer that is the server's default sink.
#include "transport/access_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>
#include <thread>

namespace mikey::transport {
namespace {

TEST(AccessLogTest, FormatsOneLogfmtLine) {
  AccessLogEntry e;
  e.remote = "127.0.0.1:40312";
  e.method = "POST";
  e.target = "/keymanagement?requesttype=ticketrequest";
  e.status = 200;
  e.bytes = 88;
  e.duration_ms = 1.2345;
  e.request_type = "ticketrequest";
  EXPECT_EQ(format_access_log(e),
            "remote=127.0.0.1:40312 method=POST "
            "target=\"/keymanagement?requesttype=ticketrequest\" status=200 bytes=88 "
            "duration_ms=1.234 requesttype=ticketrequest");
  e.detail = "the request body is empty";
  EXPECT_EQ(format_access_log(e).substr(format_access_log(e).find(" detail=")),
            " detail=\"the request body is empty\"");
}

TEST(AccessLogTest, UnknownPartsAreDashes) {
  AccessLogEntry e;
  e.status = 431;
  EXPECT_EQ(format_access_log(e),
            "remote=- method=- target=\"-\" status=431 bytes=0 duration_ms=0.000 requesttype=-");
}

TEST(AccessLogTest, EscapesQuotesControlsAndCutsLongTargets) {
  EXPECT_EQ(escape_log_value("a\"b\\c\r\nd\x7f\xff"), "a\\\"b\\\\c\\x0d\\x0ad\\x7f\\xff");
  EXPECT_EQ(escape_log_value(std::string(600, 'x')), std::string(512, 'x') + "...");
  AccessLogEntry e;
  e.target = "/x\n127.0.0.1 forged=1";
  EXPECT_EQ(format_access_log(e).find('\n'), std::string::npos);
}

// A pipe whose read end does not block: what the writer wrote so far.
class Pipe {
 public:
  Pipe() {
    if (::pipe(fds_.data()) != 0) fds_ = {-1, -1};
    ::fcntl(fds_[0], F_SETFL, O_NONBLOCK);
    ::fcntl(fds_[1], F_SETPIPE_SZ, 1 << 20);  // the batch must fit; pipes start at 64 KiB
  }
  ~Pipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int write_end() const { return fds_[1]; }
  std::string drain() {
    std::array<char, 4096> buf{};
    ssize_t n = 0;
    while ((n = ::read(fds_[0], buf.data(), buf.size())) > 0) {
      got_.append(buf.data(), static_cast<std::size_t>(n));
    }
    return got_;
  }

 private:
  std::array<int, 2> fds_{};
  std::string got_;
};

TEST(BufferedLogWriterTest, WritesLinesInOrderOnFlush) {
  Pipe pipe;
  BufferedLogWriter w(pipe.write_end(), std::chrono::hours(1));
  LogSink sink = w.sink();
  sink("one");
  w.write("two");
  EXPECT_EQ(pipe.drain(), "");  // batched: nothing yet within the hour
  w.flush();
  EXPECT_EQ(pipe.drain(), "one\ntwo\n");
}

TEST(BufferedLogWriterTest, WritesWithinTheIntervalWithoutFlush) {
  Pipe pipe;
  BufferedLogWriter w(pipe.write_end(), std::chrono::milliseconds(20));
  w.write("idle server's last line");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (pipe.drain().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(pipe.drain(), "idle server's last line\n");
}

TEST(BufferedLogWriterTest, WritesAFullBatchAtOnce) {
  Pipe pipe;
  BufferedLogWriter w(pipe.write_end(), std::chrono::hours(1));
  const std::string line(1023, 'x');  // 1 KiB with its newline
  for (std::size_t i = 0; i < BufferedLogWriter::kBatchBytes / 1024; ++i) w.write(line);
  EXPECT_EQ(pipe.drain().size(), BufferedLogWriter::kBatchBytes);
}

TEST(BufferedLogWriterTest, DestructionWritesWhatIsLeft) {
  Pipe pipe;
  {
    BufferedLogWriter w(pipe.write_end(), std::chrono::hours(1));
    for (int i = 0; i < 3; ++i) {
      std::thread([&w, i] { w.write("line " + std::to_string(i)); }).join();
    }
  }
  EXPECT_EQ(pipe.drain(), "line 0\nline 1\nline 2\n");
}

}  // namespace
}  // namespace mikey::transport
