// Over loopback sockets: the server's choices for a request announcing a body over the limit
// (docs/latitude.md "announced-body-too-large": 413 at once, close, or wait for the body), and
// the client reading an answer that arrives before the request is fully written — a 413 ahead
// of a close that makes the write fail (plain and TLS), or a server that stops reading.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "transport/tests/e2e_fixture.h"

namespace mikey::transport {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;
using namespace testing;  // Pki, RawRequest, TempDir

// POST headers announcing `length` body bytes, followed by `body`.
std::string announcing(std::size_t length, const std::string& body = {}) {
  return "POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHost: a\r\n"
         "Content-Type: application/mikey\r\nContent-Length: " +
         std::to_string(length) + "\r\n\r\n" + body;
}

class HttpLatitudeE2ETest : public testing::ServerTest {};

TEST_F(HttpLatitudeE2ETest, UnknownMethodGets501WhenConfigured) {
  ServerOptions o;
  o.profile.unknown_method_status = 501;
  start(o);
  RawRequest fetch;
  fetch.method = "FETCH";
  EXPECT_EQ(raw(fetch.str()).parsed.status, 501);
  RawRequest garbled;
  garbled.method = "P@ST";
  RawResponse resp = raw(garbled.str());
  EXPECT_EQ(resp.parsed.status, 501);
  EXPECT_EQ(resp.parsed.header("Connection"), "close");
  RawRequest get;
  get.method = "GET";
  EXPECT_EQ(raw(get.str()).parsed.status, 405);
}

class OversizedBodyE2ETest : public testing::ServerTest {
 protected:
  void start_with(OversizedBody choice, std::chrono::milliseconds read_timeout = 10s) {
    ServerOptions o;
    o.profile.max_body_bytes = 1024;
    o.oversized_body = choice;
    o.read_timeout = read_timeout;
    start(o);
  }
};

TEST_F(OversizedBodyE2ETest, Early413AnswersBeforeTheBody) {
  start_with(OversizedBody::early_413);
  AnnexAClient client(client_options());
  auto r = client.send_raw(announcing(100000, "AAAA"));  // the body never comes
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->parsed.status, 413);
  EXPECT_EQ(r->parsed.header("Connection"), "close");
}

TEST_F(OversizedBodyE2ETest, CloseAnswersNothing) {
  start_with(OversizedBody::close);
  AnnexAClient client(client_options());
  auto r = client.send_raw(announcing(100000, "AAAA"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::connection_closed) << r.error().detail;
  expect_first_log_line_has("event=body_too_large_closed");
}

TEST_F(OversizedBodyE2ETest, WaitReadsTheAnnouncedBodyThenAnswers413) {
  start_with(OversizedBody::wait);
  AnnexAClient client(client_options());
  const std::string head = announcing(4096, std::string(100, 'A'));
  const std::string rest(4096 - 100, 'A');
  std::string_view writes[] = {head, rest};
  const auto begin = Steady::now();
  auto r = client.send_raw(writes, 300ms);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->parsed.status, 413);
  // No early answer: it came after the second write, and the whole request was written.
  EXPECT_GE(Steady::now() - begin, 300ms);
  EXPECT_TRUE(r->parsed.write_error.empty()) << r->parsed.write_error;
}

TEST_F(OversizedBodyE2ETest, WaitEndsAtTheReadTimeoutWithoutTheBody) {
  start_with(OversizedBody::wait, 300ms);
  AnnexAClient client(client_options());
  const auto begin = Steady::now();
  auto r = client.send_raw(announcing(100000, "AAAA"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::connection_closed) << r.error().detail;
  EXPECT_GE(Steady::now() - begin, 250ms);
}

// A 413 sent at once, then a close after the lingering read gave up on a body far over its
// limit: the client's write fails, and the answer that arrived first is what it reports.
class EarlyAnswerE2ETest : public testing::PkiServerTest {
 protected:
  void expect_413_before_the_write_ended(ClientOptions c) {
    RawRequest r;
    r.body = std::string(8u << 20, 'A');  // 8 MiB: past the server's 1 MiB lingering read
    AnnexAClient client(std::move(c));
    auto got = client.send_raw(r.str());
    ASSERT_TRUE(got.ok()) << to_string(got.error().code) << ": " << got.error().detail;
    EXPECT_EQ(got->parsed.status, 413);
    EXPECT_FALSE(got->parsed.write_error.empty());
    EXPECT_FALSE(client.connected());
  }
};

TEST_F(EarlyAnswerE2ETest, PlainClientReportsThe413) {
  start();
  expect_413_before_the_write_ended(client_options());
}

TEST_F(EarlyAnswerE2ETest, TlsClientReportsThe413) {
  ASSERT_TRUE(pki_error_.empty()) << pki_error_;
  ServerOptions o;
  o.tls = TlsServerOptions{pki_->server_cert, pki_->server_key, ""};
  start(o);
  ClientOptions c = client_options();
  ClientTlsOptions t;
  t.ca_file = pki_->ca_cert;
  t.sni = "localhost";
  c.tls = t;
  expect_413_before_the_write_ended(c);
}

TEST_F(EarlyAnswerE2ETest, PostReportsThe413Too) {
  start();
  AnnexAClient client(client_options());
  auto r = client.post(RequestType::ticket_request, testing::sample_mikey(11, 6u << 20));
  ASSERT_TRUE(r.ok()) << to_string(r.error().code) << ": " << r.error().detail;
  EXPECT_EQ(r->status, 413);
  EXPECT_FALSE(r->write_error.empty());
}

// A peer that answers as soon as the request head is in and then reads nothing more, without
// closing: the client's write would block until the deadline.
class AnswerAndStopReading {
 public:
  explicit AnswerAndStopReading(std::string reply) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 1) != 0) return;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, reply = std::move(reply)] { serve(reply); });
  }
  ~AnswerAndStopReading() {
    ::shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  AnswerAndStopReading(const AnswerAndStopReading&) = delete;
  AnswerAndStopReading& operator=(const AnswerAndStopReading&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  void serve(const std::string& reply) {
    const int c = ::accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    std::string in;
    char buf[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
    }
    (void)!::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    std::this_thread::sleep_for(2s);
    ::close(c);
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST(EarlyAnswerClientTest, AnAnswerEndsAWriteTheServerStoppedReading) {
  AnswerAndStopReading peer("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n");
  ASSERT_NE(peer.port(), 0);
  ClientOptions c;
  c.port = peer.port();
  c.total_timeout = 10s;
  AnnexAClient client(c);
  RawRequest r;
  r.body = std::string(32u << 20, 'A');  // more than the socket buffers hold
  const auto begin = Steady::now();
  auto got = client.send_raw(r.str());
  ASSERT_TRUE(got.ok()) << to_string(got.error().code) << ": " << got.error().detail;
  EXPECT_EQ(got->parsed.status, 413);
  EXPECT_EQ(got->parsed.write_error, "the server answered before the whole request was written");
  EXPECT_LT(Steady::now() - begin, 1500ms);
}

}  // namespace
}  // namespace mikey::transport
