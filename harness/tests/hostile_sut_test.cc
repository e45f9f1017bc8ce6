// Hostile systems under test on real loopback sockets: a server that accepts and never answers,
// one that closes in the middle of a response, one that sends garbage, one that streams a 100 MB
// body, one that answers 200 with the wrong media type, and one that serves the sanity case and
// then dies. For each, the suite run must end within a bound derived from the profile's
// timeouts, give every selected case a verdict (fail or error for the ones the SUT spoilt, with a
// reason naming the problem) and carry on; the process survives (the ASan build runs this too).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "harness/engine.h"
#include "harness/tests/test_support.h"
#include "transport/request_parser.h"

namespace mikeyconf::harness {
namespace {

namespace transport = mikey::transport;
using Steady = std::chrono::steady_clock;

// A loopback TCP server (127.0.0.1, port 0) that runs `behaviour` for every accepted connection,
// each on its own thread. stop() ends everything; die() stops listening at once, so that later
// connection attempts are refused.
class HostileServer {
 public:
  // The connection, and a flag that turns true when the server stops (behaviours poll it).
  using Behaviour = std::function<void(int fd, const std::atomic<bool>& stopping)>;

  explicit HostileServer(Behaviour behaviour) : behaviour_(std::move(behaviour)) {}
  ~HostileServer() { stop(); }
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  std::uint16_t start() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||  // NOLINT
        ::listen(listen_fd_, 64) != 0) {
      return 0;
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);  // NOLINT
    acceptor_ = std::thread([this] { accept_loop(); });
    return ntohs(addr.sin_port);
  }

  // Stops accepting: a listening socket shut down refuses new connections (Linux). Safe from a
  // behaviour thread.
  void die() {
    dead_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
  }

  void stop() {
    stopping_ = true;
    if (listen_fd_ >= 0) die();
    {
      const std::lock_guard<std::mutex> lock(mu_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    if (acceptor_.joinable()) acceptor_.join();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
  }

  std::size_t connections() const noexcept { return accepted_; }

 private:
  void accept_loop() {
    while (!stopping_ && !dead_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++accepted_;
      const std::lock_guard<std::mutex> lock(mu_);
      open_fds_.push_back(fd);
      workers_.emplace_back([this, fd] {
        behaviour_(fd, stopping_);
        const std::lock_guard<std::mutex> l(mu_);
        open_fds_.remove(fd);
        ::close(fd);
      });
    }
  }

  Behaviour behaviour_;
  int listen_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> dead_{false};
  std::atomic<std::size_t> accepted_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::list<int> open_fds_;
  std::list<std::thread> workers_;  // only the acceptor adds, only stop() joins
};

// Reads one HTTP request with the reference's parser; nullopt when the peer closed, the server
// stops or nothing complete arrives within 5 s.
std::optional<transport::RequestParser> read_request(int fd, const std::atomic<bool>& stopping) {
  static const transport::AnnexAProfile annex_a = testing::reference_profile().annex_a;
  transport::RequestParser parser(annex_a);
  const auto give_up = Steady::now() + std::chrono::seconds(5);
  char buf[16 * 1024];
  while (!stopping && Steady::now() < give_up) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return std::nullopt;
    const auto state = parser.feed(
        mikey::ByteView(reinterpret_cast<const std::uint8_t*>(buf), static_cast<std::size_t>(n)));
    if (state == transport::RequestParser::State::done) return parser;
    if (state == transport::RequestParser::State::failed) return std::nullopt;
  }
  return std::nullopt;
}

// Sends `data`; returns how many bytes went out before the peer closed or the server stopped.
std::size_t send_all(int fd, std::string_view data, const std::atomic<bool>& stopping) {
  std::size_t sent = 0;
  while (sent < data.size() && !stopping) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  return sent;
}

// Waits until the peer closes or the server stops.
void linger(int fd, const std::atomic<bool>& stopping) {
  char buf[4096];
  while (!stopping) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    if (::recv(fd, buf, sizeof buf, 0) <= 0) return;
  }
}

// The reference KMS's HTTP answer to `request`, then `edit`.
std::string reference_answer(const transport::RequestParser& request,
                             const std::function<void(transport::HttpResponse&)>& edit = {}) {
  static const SutProfile profile = testing::reference_profile();
  static const transport::KmsHandler handler = testing::reference_handler(profile);
  transport::HttpResponse r = transport::respond(profile.annex_a, handler, request.view());
  if (edit) edit(r);
  r.close = true;
  return transport::serialize_response(r, "hostile", transport::http_date_now());
}

// Short limits, so that a run against a SUT that never answers stays short.
constexpr std::uint32_t kConnectMs = 300;
constexpr std::uint32_t kRequestMs = 400;
constexpr std::uint32_t kCaseMs = 2000;

SutProfile hostile_profile(std::uint16_t port) {
  SutProfile p = testing::reference_profile().with_port(port);
  p.timeouts.connect_ms = kConnectMs;
  p.timeouts.request_ms = kRequestMs;
  p.timeouts.case_ms = kCaseMs;
  return p;
}

struct TimedRun {
  RunResult run;
  double seconds = 0;
  std::size_t selected = 0;  // cases the options select for the kms role
};

// How many kms cases `options.only` selects (exact ids; empty: all).
std::size_t selected_count(const RunOptions& options) {
  std::size_t n = 0;
  for (const Scenario& s : testing::suite()) {
    const bool listed = options.only.empty() || std::find(options.only.begin(), options.only.end(),
                                                          s.id) != options.only.end();
    if (s.sut_role == SutRole::kms && listed) ++n;
  }
  return n;
}

TimedRun run_hostile(std::uint16_t port, RunOptions options) {
  options.strict = true;
  options.jobs = 2;
  const SutProfile profile = hostile_profile(port);
  const DriverFactory drivers = [profile] { return std::make_unique<KmsDriver>(profile); };
  TimedRun t;
  t.selected = selected_count(options);
  const auto start = Steady::now();
  t.run = run_suite(testing::suite(), profile, drivers, nullptr, options);
  t.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  return t;
}

std::string reasons(const RunResult& run) {
  std::string out;
  for (const CaseResult& c : run.cases)
    out += "  " + c.id + ": " + std::string(to_string(c.verdict)) + " — " + c.reason + "\n";
  return out;
}

// Every selected case has a verdict, none of them pass unless `may_pass` allows it, every
// spoilt one names `problem`, and the run ended within `bound_s`.
void expect_bounded_and_reported(const TimedRun& t, const std::string& problem, double bound_s,
                                 const std::function<bool(const CaseResult&)>& may_pass = {}) {
  std::printf("[ hostile  ] %zu cases in %.2f s (bound %.1f s); problem named: %s\n",
              t.run.cases.size(), t.seconds, bound_s, problem.c_str());
  EXPECT_LE(t.seconds, bound_s) << reasons(t.run);
  ASSERT_EQ(t.run.cases.size(), t.selected) << reasons(t.run);
  for (const CaseResult& c : t.run.cases) {
    if (may_pass && may_pass(c)) continue;
    EXPECT_TRUE(c.verdict == Verdict::fail || c.verdict == Verdict::error)
        << c.id << ": " << to_string(c.verdict) << " " << c.reason;
    EXPECT_NE(c.reason.find(problem), std::string::npos) << c.id << ": " << c.reason;
  }
}

// A handful of cases that each start with an exchange (three of them need a 200 first).
RunOptions sample() {
  RunOptions o;
  o.stop_on_sanity_failure = false;
  o.only = {"kms.sanity",
            "kms.http.wrong-method",
            "kms.errors.bad-mac",
            "kms.three-party.basic",
            "kms.errors.expired-ticket",
            "kms.robustness.truncated-mac"};
  return o;
}

// With stop_on_sanity_failure the opening sanity case decides: one exchange, the rest not run.
constexpr double kWholeSuiteBoundS = 2.0 * kCaseMs / 1000.0;
// Without it, each sampled case spends at most one request timeout on its first exchange and
// stops there (two workers; doubled for slack).
const double kSampleBoundS = 2.0 * 6 * (kConnectMs + kRequestMs) / 1000.0;

TEST(HostileSutTest, AServerThatNeverAnswersTimesOut) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) { linger(fd, stopping); });
  const std::uint16_t port = server.start();
  ASSERT_NE(port, 0);
  TimedRun whole = run_hostile(port, {});
  expect_bounded_and_reported(whole, "timed out", kWholeSuiteBoundS);
  TimedRun each = run_hostile(port, sample());
  expect_bounded_and_reported(each, "timed out", kSampleBoundS);
  server.stop();
}

TEST(HostileSutTest, AServerThatClosesInsideTheHeaderIsReported) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (!read_request(fd, stopping)) return;
    send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: applic", stopping);
  });
  const std::uint16_t port = server.start();
  ASSERT_NE(port, 0);
  expect_bounded_and_reported(run_hostile(port, {}), "connection_closed", kWholeSuiteBoundS);
  expect_bounded_and_reported(run_hostile(port, sample()), "closed in the middle of a response",
                              kSampleBoundS);
}

TEST(HostileSutTest, AServerThatClosesInsideTheBodyIsReported) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (!read_request(fd, stopping)) return;
    send_all(fd,
             "HTTP/1.1 200 OK\r\nContent-Type: application/mikey\r\nContent-Length: 300\r\n\r\n" +
                 std::string(150, 'A'),
             stopping);
  });
  const std::uint16_t port = server.start();
  ASSERT_NE(port, 0);
  expect_bounded_and_reported(run_hostile(port, sample()), "closed in the middle of a response",
                              kSampleBoundS);
}

TEST(HostileSutTest, AServerThatSendsGarbageIsReported) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    if (!read_request(fd, stopping)) return;
    std::string garbage;
    std::uint32_t x = 0x9e3779b9;
    for (int i = 0; i < 4096; ++i) {
      x = x * 1664525u + 1013904223u;  // a fixed pseudo-random byte stream
      garbage += static_cast<char>(x >> 24);
    }
    send_all(fd, garbage, stopping);
  });
  const std::uint16_t port = server.start();
  ASSERT_NE(port, 0);
  expect_bounded_and_reported(run_hostile(port, {}), "bad_response", kWholeSuiteBoundS);
  expect_bounded_and_reported(run_hostile(port, sample()), "bad_response", kSampleBoundS);
}

// Streams a 100 MB body in 64 KiB pieces, without buffering it, until the peer stops reading;
// `sent` adds up what went out.
HostileServer::Behaviour streams_100mb(bool announce_length, std::atomic<std::size_t>& sent) {
  return [announce_length, &sent](int fd, const std::atomic<bool>& stopping) {
    if (!read_request(fd, stopping)) return;
    constexpr std::size_t kTotal = 100u << 20;
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/mikey\r\n" +
                             (announce_length ? "Content-Length: " + std::to_string(kTotal) + "\r\n"
                                              : std::string("Connection: close\r\n")) +
                             "\r\n";
    if (send_all(fd, head, stopping) < head.size()) return;
    const std::string piece(64 * 1024, 'A');
    for (std::size_t done = 0; done < kTotal;) {
      const std::size_t n = send_all(fd, piece, stopping);
      sent += n;
      done += n;
      if (n < piece.size()) return;  // the client stopped reading and closed
    }
  };
}

TEST(HostileSutTest, AHundredMegabyteBodyIsCutOffAtTheDriversLimit) {
  for (const bool announce_length : {true, false}) {
    SCOPED_TRACE(announce_length ? "Content-Length: 104857600" : "body delimited by the close");
    std::atomic<std::size_t> sent{0};
    HostileServer server(streams_100mb(announce_length, sent));
    const std::uint16_t port = server.start();
    ASSERT_NE(port, 0);
    TimedRun t = run_hostile(port, sample());
    server.stop();
    expect_bounded_and_reported(t, "response_too_large", kSampleBoundS);
    // The driver stopped reading at its limit (1 MiB) and closed: far less than 100 MB went out
    // per connection (socket buffers hold a few MB at most).
    const std::size_t per_connection = sent / std::max<std::size_t>(server.connections(), 1);
    std::printf("[ hostile  ] about %zu KiB sent per connection\n", per_connection / 1024);
    EXPECT_LT(per_connection, 32u << 20);
  }
}

TEST(HostileSutTest, AWrongContentTypeIsReported) {
  HostileServer server([](int fd, const std::atomic<bool>& stopping) {
    auto request = read_request(fd, stopping);
    if (!request) return;
    send_all(fd,
             reference_answer(*request,
                              [](transport::HttpResponse& r) {
                                for (auto& [name, value] : r.headers)
                                  if (transport::iequals(name, "Content-Type")) value = "text/html";
                              }),
             stopping);
  });
  const std::uint16_t port = server.start();
  ASSERT_NE(port, 0);
  expect_bounded_and_reported(run_hostile(port, {}), "text/html", kWholeSuiteBoundS);
  // A refusal the case expects as a 4xx is still right whatever its media type.
  expect_bounded_and_reported(
      run_hostile(port, sample()), "text/html", kSampleBoundS, [](const CaseResult& c) {
        return c.id == "kms.http.wrong-method" && c.verdict == Verdict::pass;
      });
}

TEST(HostileSutTest, AServerThatDiesAfterTheSanityCaseIsReported) {
  std::atomic<int> answered{0};
  HostileServer* self = nullptr;
  HostileServer server([&](int fd, const std::atomic<bool>& stopping) {
    auto request = read_request(fd, stopping);
    if (!request) return;
    const std::string answer = reference_answer(*request);
    // Dead before the answer leaves, so no later connection attempt can get in first.
    if (++answered == 1) self->die();
    send_all(fd, answer, stopping);
  });
  self = &server;
  const std::uint16_t port = server.start();
  ASSERT_NE(port, 0);
  RunOptions o;
  o.probe_setup = false;  // the server answers once: that answer is the sanity case's
  TimedRun t = run_hostile(port, o);
  server.stop();
  ASSERT_FALSE(t.run.cases.empty());
  EXPECT_EQ(t.run.cases.front().id, "kms.sanity");
  EXPECT_EQ(t.run.cases.front().verdict, Verdict::pass) << t.run.cases.front().reason;
  // The first cases after it find nobody ("could not be reached"); their failed health check
  // stops the rest ("not run").
  expect_bounded_and_reported(t, "could not be reached", kWholeSuiteBoundS + kSampleBoundS,
                              [](const CaseResult& c) { return c.id == "kms.sanity"; });
  std::size_t not_run = 0;
  for (const CaseResult& c : t.run.cases)
    if (c.reason.find("not run: the SUT failed the health check") != std::string::npos) ++not_run;
  EXPECT_GT(not_run, t.run.cases.size() / 2);
  EXPECT_EQ(answered.load(), 1);
}

}  // namespace
}  // namespace mikeyconf::harness
