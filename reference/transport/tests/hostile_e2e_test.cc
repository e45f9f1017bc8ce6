// The server's bounds against clients that hold connections without finishing a request
// (RFC 7230 §6.5, §6.6; TS 33.328 Annex A: A.3-1, a KMS that cannot serve answers 503): the
// per-address and global caps answered 503 at once, the slot of the longest waiting connection
// reclaimed, and the handshake, header and body deadlines. Hostile sockets bind 127.0.0.2 and
// up (Linux routes 127.0.0.0/8 to lo) so that 127.0.0.1 stays a different client.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "transport/tests/e2e_fixture.h"

namespace mikey::transport {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // sample_mikey, echo_handler
using Clock = std::chrono::steady_clock;

// A raw TCP connection from `source` (127.0.0.N) to 127.0.0.1:port; -1 on failure.
int connect_from(const char* source, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &local.sin_addr);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||   // NOLINT
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {  // NOLINT
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_text(int fd, const std::string& s) { ::send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

// What the server sends until it closes (or `timeout` passes), and whether it closed.
struct Received {
  std::string bytes;
  bool closed = false;
  Clock::duration after{};
};
Received receive(int fd, std::chrono::milliseconds timeout) {
  Received r;
  const auto start = Clock::now();
  for (;;) {
    const auto left =
        timeout - std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      r.closed = true;
      break;
    }
    r.bytes.append(buf, static_cast<std::size_t>(n));
  }
  r.after = Clock::now() - start;
  return r;
}

const std::string kPartialHeader = "POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHo";

class HostileE2ETest : public testing::ServerTest {
 protected:
  void TearDown() override {
    for (int fd : fds_) ::close(fd);
    ServerTest::TearDown();
  }
  // A connection from `source` that sends nothing; fails the test when it cannot connect.
  int silent(const char* source) {
    int fd = connect_from(source, port_);
    EXPECT_GE(fd, 0) << "connect from " << source;
    if (fd >= 0) fds_.push_back(fd);
    return fd;
  }
  // The same holding a partial header.
  int hold(const char* source) {
    int fd = silent(source);
    if (fd >= 0) send_text(fd, kPartialHeader);
    return fd;
  }
  void expect_probe_ok() {
    AnnexAClient probe(client_options());
    auto r = probe.post(RequestType::ticket_request, sample_mikey(11));
    ASSERT_TRUE(r.ok()) << to_string(r.error().code) << ": " << r.error().detail;
    EXPECT_EQ(r->status, 200);
  }
  std::size_t log_lines_with(const std::string& text) const {
    std::size_t n = 0;
    for (const auto& l : log_->lines()) n += l.find(text) != std::string::npos ? 1 : 0;
    return n;
  }
  std::vector<int> fds_;
};

TEST_F(HostileE2ETest, OverThePerAddressCapIsAnswered503AtOnceAndLoggedOncePerBurst) {
  ServerOptions o;
  o.max_connections_per_address = 2;
  o.retry_after_seconds = 4;
  start(o);
  hold("127.0.0.2");
  hold("127.0.0.2");
  for (int i = 0; i < 5; ++i) {
    int fd = silent("127.0.0.2");
    Received r = receive(fd, 2000ms);  // nothing sent: the answer comes unasked
    EXPECT_EQ(r.bytes.rfind("HTTP/1.1 503 ", 0), 0u) << r.bytes;
    EXPECT_NE(r.bytes.find("Retry-After: 4\r\n"), std::string::npos) << r.bytes;
    EXPECT_TRUE(r.closed);
  }
  expect_probe_ok();  // 127.0.0.1 is another address
  EXPECT_EQ(server_->stats().connections_limited, 5u);
  EXPECT_EQ(log_lines_with("event=connection_limited"), 1u);
}

TEST_F(HostileE2ETest, AtTheGlobalCapANewConnectionIsAnswered503AtOnce) {
  ServerOptions o;
  o.max_connections = 2;
  o.reclaim = false;
  start(o);
  hold("127.0.0.2");
  hold("127.0.0.3");
  int fd = silent("127.0.0.4");
  Received r = receive(fd, 2000ms);
  EXPECT_EQ(r.bytes.rfind("HTTP/1.1 503 ", 0), 0u) << r.bytes;
  EXPECT_NE(r.bytes.find("Retry-After: 1\r\n"), std::string::npos) << r.bytes;
  EXPECT_TRUE(r.closed);
}

TEST_F(HostileE2ETest, AFullServerReclaimsTheConnectionWaitingLongest) {
  ServerOptions o;
  o.max_connections = 2;
  o.reclaim_after = 100ms;
  start(o);
  int oldest = hold("127.0.0.2");
  std::this_thread::sleep_for(50ms);
  int younger = hold("127.0.0.3");
  std::this_thread::sleep_for(200ms);
  expect_probe_ok();
  EXPECT_TRUE(receive(oldest, 2000ms).closed);
  EXPECT_FALSE(receive(younger, 100ms).closed);
  EXPECT_EQ(server_->stats().connections_reclaimed, 1u);
}

TEST_F(HostileE2ETest, AFullServerReclaimsAConnectionTricklingItsBody) {
  ServerOptions o;
  o.max_connections = 1;
  start(o);
  int trickling = silent("127.0.0.2");
  send_text(trickling,
            "POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/mikey\r\nContent-Length: 100\r\n\r\nAAAA");
  std::this_thread::sleep_for(50ms);
  expect_probe_ok();
  EXPECT_TRUE(receive(trickling, 2000ms).closed);
  EXPECT_EQ(server_->stats().connections_reclaimed, 1u);
}

TEST_F(HostileE2ETest, AYoungConnectionIsNotReclaimed) {
  ServerOptions o;
  o.max_connections = 1;
  o.reclaim_after = 10s;
  start(o);
  int held = hold("127.0.0.2");
  int fd = silent("127.0.0.3");
  EXPECT_EQ(receive(fd, 2000ms).bytes.rfind("HTTP/1.1 503 ", 0), 0u);
  EXPECT_FALSE(receive(held, 100ms).closed);
  EXPECT_EQ(server_->stats().connections_reclaimed, 0u);
}

TEST_F(HostileE2ETest, HeaderTimeoutCutsAPartialHeader) {
  ServerOptions o;
  o.header_timeout = 200ms;
  start(o);
  int fd = hold("127.0.0.2");
  Received r = receive(fd, 3000ms);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.bytes, "");
  EXPECT_GE(r.after, 150ms);
  EXPECT_LT(r.after, 2000ms);
}

TEST_F(HostileE2ETest, HeaderTimeoutCutsASilentNewConnection) {
  ServerOptions o;
  o.header_timeout = 200ms;
  o.idle_timeout = 30s;
  start(o);
  int fd = silent("127.0.0.2");
  Received r = receive(fd, 3000ms);
  EXPECT_TRUE(r.closed);
  EXPECT_LT(r.after, 2000ms);
}

TEST_F(HostileE2ETest, BodyTimeoutCutsATrickledBody) {
  ServerOptions o;
  o.body_timeout = 300ms;
  start(o);
  int fd = silent("127.0.0.2");
  send_text(fd,
            "POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/mikey\r\nContent-Length: 100\r\n\r\n");
  const auto start_time = Clock::now();
  bool closed = false;
  while (!closed && Clock::now() - start_time < 3s) {  // one byte every 50 ms
    send_text(fd, "A");
    closed = receive(fd, 50ms).closed;
  }
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - start_time, 2s);
}

TEST_F(HostileE2ETest, AnOversizedBodyIsRefusedBeforeItIsSent) {
  start();
  int fd = silent("127.0.0.2");
  send_text(fd,
            "POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/mikey\r\nContent-Length: 104857600\r\n\r\n");
  Received r = receive(fd, 2000ms);
  EXPECT_EQ(r.bytes.rfind("HTTP/1.1 413 ", 0), 0u) << r.bytes;
  expect_probe_ok();
}

class HostileTlsE2ETest : public testing::WithPki<HostileE2ETest> {};

TEST_F(HostileTlsE2ETest, HandshakeTimeoutCutsAStalledHandshake) {
  ServerOptions o;
  o.tls = TlsServerOptions{pki_->server_cert, pki_->server_key, ""};
  o.handshake_timeout = 200ms;
  start(o);
  int fd = silent("127.0.0.2");
  send_text(fd, std::string("\x16\x03\x01", 3));  // the start of a ClientHello, no more
  Received r = receive(fd, 3000ms);
  EXPECT_TRUE(r.closed);
  EXPECT_LT(r.after, 2000ms);
}

TEST_F(HostileTlsE2ETest, OverThePerAddressCapATlsClientGets503AfterTheHandshake) {
  ServerOptions o;
  o.tls = TlsServerOptions{pki_->server_cert, pki_->server_key, ""};
  o.max_connections_per_address = 1;
  start(o);
  ASSERT_GE(silent("127.0.0.1"), 0);  // a stalled handshake holds 127.0.0.1's slot
  const auto until = Clock::now() + 3s;
  while (server_->stats().connections_accepted == 0 && Clock::now() < until) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(server_->stats().connections_accepted, 1u);
  ClientOptions c = client_options();
  c.tls = ClientTlsOptions{};
  c.tls->ca_file = pki_->ca_cert;
  AnnexAClient client(c);
  auto r = client.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_TRUE(r.ok()) << to_string(r.error().code) << ": " << r.error().detail;
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->header("Retry-After"), "1");
}

}  // namespace
}  // namespace mikey::transport
