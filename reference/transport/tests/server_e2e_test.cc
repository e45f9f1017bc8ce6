// KmsServer over loopback: keep-alive, pipelining, every split point of a request stream,
// concurrency, limits and timeouts, the access log, signals and clean shutdown.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <future>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "transport/tests/e2e_fixture.h"
#include "wire/base64.h"

namespace mikey::transport {
namespace {

using namespace std::chrono_literals;
using testing::echo_answer;
using testing::RawRequest;
using testing::sample_mikey;
using Clock = std::chrono::steady_clock;

class ServerE2ETest : public testing::ServerTest {};

std::string field(const std::string& line, const std::string& key) {
  std::smatch m;
  std::regex re("(?:^| )" + key + "=(\"(?:[^\"\\\\]|\\\\.)*\"|[^ ]*)");
  return std::regex_search(line, m, re) ? m[1].str() : "";
}

TEST_F(ServerE2ETest, KeepAliveServesTwoRequestsOnOneConnection) {
  start();
  AnnexAClient client(client_options());
  auto a = client.post(RequestType::ticket_request, sample_mikey(11));
  auto b = client.post(RequestType::ticket_resolve, sample_mikey(16));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(b->status, 200);
  EXPECT_TRUE(a->keep_alive);
  EXPECT_EQ(b->mikey, echo_answer(RequestType::ticket_resolve, sample_mikey(16)));
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(server_->stats().connections_accepted, 1u);
  ASSERT_TRUE(log_->wait_for(2));
  EXPECT_EQ(field(log_->lines()[0], "remote"), field(log_->lines()[1], "remote"));
}

TEST_F(ServerE2ETest, KeepAliveContinuesAfterA4xx) {
  start();
  AnnexAClient client(client_options());
  RawRequest bad;
  bad.method = "PUT";
  auto a = client.send_raw(bad.str());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->parsed.status, 405);
  auto b = client.send_raw(RawRequest().str());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->parsed.status, 200);
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(ServerE2ETest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  RawRequest resolve;
  resolve.target = "/keymanagement?requesttype=ticketresolve";
  resolve.body = wire::base64_encode(sample_mikey(17));
  AnnexAClient client(client_options());
  auto first = client.send_raw(RawRequest().str() + resolve.str());
  ASSERT_TRUE(first.ok()) << first.error().detail;
  auto second = client.read_raw();
  ASSERT_TRUE(second.ok()) << second.error().detail;
  EXPECT_EQ(first->parsed.mikey, echo_answer(RequestType::ticket_request, sample_mikey(11)));
  EXPECT_EQ(second->parsed.mikey, echo_answer(RequestType::ticket_resolve, sample_mikey(17)));
  EXPECT_EQ(client.connections_opened(), 1u);
}

// Every split point of the request stream gives the same result, over a socket
// (two writes with TCP_NODELAY and a pause between them).
TEST_F(ServerE2ETest, EverySplitPointGivesTheSameResult) {
  start();
  std::string req = RawRequest().str();
  AnnexAClient client(client_options());
  auto whole = client.send_raw(req);
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole->parsed.status, 200);
  for (std::size_t i = 1; i < req.size(); ++i) {
    std::string_view writes[] = {std::string_view(req).substr(0, i),
                                 std::string_view(req).substr(i)};
    auto r = client.send_raw(writes, 1ms);
    ASSERT_TRUE(r.ok()) << "split at " << i << ": " << r.error().detail;
    ASSERT_EQ(r->parsed.status, 200) << "split at " << i;
    ASSERT_EQ(r->parsed.body, whole->parsed.body) << "split at " << i;
  }
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(ServerE2ETest, ConcurrentClientsAreAllServed) {
  ServerOptions o;
  o.threads = 3;
  start(o);
  constexpr int kClients = 8;
  constexpr int kRequests = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      AnnexAClient client(client_options());
      for (int i = 0; i < kRequests; ++i) {
        Bytes m = sample_mikey(c % 2 ? 11 : 16, 16 + static_cast<std::size_t>(i));
        RequestType t = c % 2 ? RequestType::ticket_request : RequestType::ticket_resolve;
        auto r = client.post(t, m);
        if (r.ok() && r->status == 200 && r->mikey == echo_answer(t, m)) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  EXPECT_TRUE(log_->wait_for(kClients * kRequests));
  EXPECT_EQ(server_->stats().requests, static_cast<std::uint64_t>(kClients * kRequests));
}

TEST_F(ServerE2ETest, ResponsesCarryServerAndDateHeaders) {
  ServerOptions o;
  o.server_header = "test-kms/9";
  start(o);
  AnnexAClient client(client_options());
  auto r = client.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->header("Server"), "test-kms/9");
  ASSERT_TRUE(r->header("Date").has_value());
  EXPECT_EQ(r->header("Date")->size(), 29u);
  EXPECT_EQ(r->header("Content-Type"), "application/mikey");
}

TEST_F(ServerE2ETest, AccessLogLineHasTheDocumentedFormat) {
  start();
  AnnexAClient client(client_options());
  auto r = client.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_TRUE(r.ok());
  RawRequest get;
  get.method = "GET";
  get.target = "/keymanagement?requesttype=ticketresolve&x=\"1\"";
  ASSERT_TRUE(client.send_raw(get.str()).ok());
  ASSERT_TRUE(log_->wait_for(2));
  std::vector<std::string> lines = log_->lines();
  std::regex ok_line(
      "remote=127\\.0\\.0\\.1:[0-9]+ method=POST "
      "target=\"/keymanagement\\?requesttype=ticketrequest\" status=200 bytes=([0-9]+) "
      "duration_ms=[0-9]+\\.[0-9]{3} requesttype=ticketrequest detail=\"echo\"");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(lines[0], m, ok_line)) << lines[0];
  EXPECT_EQ(m[1].str(), std::to_string(r->body.size()));
  EXPECT_EQ(field(lines[1], "method"), "GET");
  EXPECT_EQ(field(lines[1], "target"), "\"/keymanagement?requesttype=ticketresolve&x=\\\"1\\\"\"");
  EXPECT_EQ(field(lines[1], "status"), "405");
  EXPECT_EQ(field(lines[1], "requesttype"), "-");
  EXPECT_EQ(field(lines[1], "detail"), "\"method GET is not allowed; use POST\"");
}

TEST_F(ServerE2ETest, ReadTimeoutClosesWithoutResponse) {
  ServerOptions o;
  o.read_timeout = 200ms;
  start(o);
  AnnexAClient client(client_options());
  auto begin = Clock::now();
  auto r = client.send_raw("POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHo");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::connection_closed) << r.error().detail;
  EXPECT_LT(Clock::now() - begin, 3s);
  EXPECT_EQ(log_->size(), 0u);
}

TEST_F(ServerE2ETest, IdleTimeoutClosesKeepAliveConnection) {
  ServerOptions o;
  o.idle_timeout = 200ms;
  start(o);
  AnnexAClient client(client_options());
  ASSERT_TRUE(client.post(RequestType::ticket_request, sample_mikey(11)).ok());
  auto begin = Clock::now();
  auto r = client.read_raw();  // nothing sent: waits until the server closes
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::connection_closed);
  EXPECT_LT(Clock::now() - begin, 3s);
  // The client reconnects transparently afterwards.
  auto again = client.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST_F(ServerE2ETest, ClientRetriesWhenServerClosedIdleConnection) {
  ServerOptions o;
  o.idle_timeout = 100ms;
  start(o);
  AnnexAClient client(client_options());
  ASSERT_TRUE(client.post(RequestType::ticket_request, sample_mikey(11)).ok());
  std::this_thread::sleep_for(400ms);  // the server closed; the client does not know yet
  auto r = client.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(client.connections_opened(), 2u);
}

int connect_loopback(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {  // NOLINT
    ::close(fd);
    return -1;
  }
  return fd;
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 3s) {
  auto until = Clock::now() + timeout;
  while (!pred()) {
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST_F(ServerE2ETest, BeyondTwiceTheConnectionLimitIsRefused) {
  ServerOptions o;
  o.max_connections = 1;
  o.reclaim = false;  // the silent first connection keeps its slot
  start(o);
  int served = connect_loopback(port_);  // takes the one slot
  ASSERT_TRUE(eventually([&] { return server_->stats().connections_accepted == 1; }));
  int overloaded = connect_loopback(port_);  // will be answered 503 once it sends
  ASSERT_TRUE(eventually([&] { return server_->stats().connections_accepted == 2; }));
  AnnexAClient third(client_options());
  auto r = third.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().code == Errc::connection_closed || r.error().code == Errc::write_failed)
      << to_string(r.error().code) << ": " << r.error().detail;
  EXPECT_GE(server_->stats().connections_refused, 1u);
  ::close(served);
  ::close(overloaded);
  // Slots free up again.
  ASSERT_TRUE(eventually([&] { return server_->stats().active_connections == 0; }));
  AnnexAClient later(client_options());
  auto ok = later.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ServerE2ETest, StopWithIdleClientConnectedCompletes) {
  ServerOptions o;
  o.idle_timeout = 60s;
  o.shutdown_grace = 10s;
  start(o);
  AnnexAClient client(client_options());
  ASSERT_TRUE(client.post(RequestType::ticket_request, sample_mikey(11)).ok());
  ASSERT_TRUE(client.connected());
  int silent = connect_loopback(port_);  // connected, never sends
  auto begin = Clock::now();
  server_->stop();
  EXPECT_LT(Clock::now() - begin, 2s);
  EXPECT_FALSE(server_->running());
  auto r = client.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::connect_failed) << r.error().detail;
  ::close(silent);
}

TEST_F(ServerE2ETest, StopFinishesInFlightRequests) {
  std::promise<void> entered;
  std::atomic<bool> signalled{false};
  start({}, [&](RequestType t, ByteView m) {
    if (!signalled.exchange(true)) entered.set_value();
    std::this_thread::sleep_for(300ms);
    return KmsAnswer{echo_answer(t, m), false, ""};
  });
  auto response = std::async(std::launch::async, [this] {
    AnnexAClient client(client_options());
    return client.post(RequestType::ticket_request, sample_mikey(11));
  });
  entered.get_future().wait();
  server_->stop();  // returns only after the in-flight response was written
  auto r = response.get();
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_EQ(r->mikey, echo_answer(RequestType::ticket_request, sample_mikey(11)));
}

TEST_F(ServerE2ETest, StopFromInsideTheHandlerDoesNotDeadlock) {
  KmsServer* self = nullptr;
  start({}, [&](RequestType t, ByteView m) {
    self->stop();  // from an io thread: becomes request_stop()
    return KmsAnswer{echo_answer(t, m), false, ""};
  });
  self = server_.get();
  AnnexAClient client(client_options());
  auto r = client.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, 200);
  auto waited = std::async(std::launch::async, [this] { server_->wait(); });
  EXPECT_EQ(waited.wait_for(10s), std::future_status::ready);
}

TEST_F(ServerE2ETest, SigtermStopsAServerThatHandlesSignals) {
  start();
  install_stop_signals(*server_);
  auto waited = std::async(std::launch::async, [this] { server_->wait(); });
  std::raise(SIGTERM);
  ASSERT_EQ(waited.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(server_->running());
  ASSERT_TRUE(log_->wait_for(1));
  EXPECT_NE(log_->lines().back().find("event=signal"), std::string::npos);
}

TEST_F(ServerE2ETest, StartReportsBindAndTlsSetupFailures) {
  start();
  ServerOptions same;
  same.port = port_;
  KmsServer clash(same, testing::echo_handler());
  auto r = clash.start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::bind_failed) << r.error().detail;
  EXPECT_FALSE(clash.running());

  ServerOptions tls;
  tls.tls = TlsServerOptions{"/nonexistent/cert.pem", "/nonexistent/key.pem", ""};
  KmsServer bad_tls(tls, testing::echo_handler());
  auto t = bad_tls.start();
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Errc::tls_setup_failed);

  auto twice = server_->start();
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, Errc::already_started);
}

}  // namespace
}  // namespace mikey::transport
