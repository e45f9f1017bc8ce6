// hostile_clients: one phase of hostile clients against a KMS (TS 33.328 Annex A) while a probe
// client, from another source address, posts a fresh REQUEST_INIT_PSK every second and must get
// its 200 within the budget (scripts/hostile-clients runs the phases; configs/README.md "Limits"
// lists the server bounds they exercise). Phases:
//   idle       connections holding a partial request header (RFC 7230 §6.5), reopened when closed
//   big-body   requests announcing a 100 MB body and sending it as fast as they can
//   trickle    requests whose body arrives one byte every 500 ms
//   tls-stall  TLS handshakes that stop after the first bytes of a ClientHello
// Hostile sockets bind 127.0.0.2, 127.0.0.3, ... (Linux routes 127.0.0.0/8 to lo) so the probe
// from 127.0.0.1 is another client. Exit status: 0 every probe answered in time, 1 a miss,
// 2 usage or setup error.
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "config/kms_config.h"
#include "tools/kms.h"
#include "transport/client.h"
#include "transport/endpoint.h"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

enum class Kind { idle, big_body, trickle, tls_stall };

constexpr std::uint64_t kBigBody = 100ull * 1024 * 1024;
constexpr std::size_t kChunk = 64 * 1024;
constexpr milliseconds kTrickleEvery{500};

std::string request_header(std::uint64_t content_length) {
  return "POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHost: kms\r\n"
         "Content-Type: application/mikey\r\nContent-Length: " +
         std::to_string(content_length) + "\r\n\r\n";
}

struct Counters {
  std::uint64_t opened = 0;
  std::uint64_t connect_failed = 0;
  std::uint64_t closed = 0;                      // by the server (or reset)
  std::map<std::string, std::uint64_t> answers;  // status line → count
  std::int64_t holding = 0;                      // connected now
};

struct Attack {
  asio::io_context& ioc;
  tcp::endpoint target;
  std::vector<asio::ip::address> sources;  // empty: no bind
  Kind kind;
  milliseconds reopen;
  Counters counters;
};

// One hostile connection, reopened after `reopen` whenever the server closes it.
class Attacker : public std::enable_shared_from_this<Attacker> {
 public:
  Attacker(Attack& a, std::size_t index)
      : a_(a), index_(index), socket_(a.ioc), timer_(a.ioc), tick_(a.ioc) {}

  void open() {
    error_code ec;
    socket_ = tcp::socket(a_.ioc);
    socket_.open(a_.target.protocol(), ec);
    if (!a_.sources.empty() && !ec) {
      socket_.bind(tcp::endpoint(a_.sources[index_ % a_.sources.size()], 0), ec);
    }
    if (ec) {
      ++a_.counters.connect_failed;
      reopen_later();
      return;
    }
    socket_.async_connect(a_.target,
                          [self = shared_from_this()](error_code cec) { self->on_connect(cec); });
  }

 private:
  void on_connect(error_code ec) {
    if (ec) {
      ++a_.counters.connect_failed;
      reopen_later();
      return;
    }
    ++a_.counters.opened;
    ++a_.counters.holding;
    open_ = true;
    sent_ = 0;
    seen_status_ = false;
    switch (a_.kind) {
      case Kind::idle:
        send("POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHo");
        break;
      case Kind::tls_stall:
        send(std::string("\x16\x03\x01", 3));  // a TLS record header, then nothing
        break;
      case Kind::trickle:
        send(request_header(1000));
        trickle();
        break;
      case Kind::big_body:
        send(request_header(kBigBody));
        pump();
        break;
    }
    read();
  }

  void send(std::string bytes) {
    auto data = std::make_shared<std::string>(std::move(bytes));
    asio::async_write(socket_, asio::buffer(*data), [data](error_code, std::size_t) {});
  }

  void trickle() {
    tick_.expires_after(kTrickleEvery);
    tick_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || !self->open_) return;
      self->send("A");
      self->trickle();
    });
  }

  void pump() {
    static const std::string zeros(kChunk, '0');
    if (!open_ || sent_ >= kBigBody) return;
    asio::async_write(socket_, asio::buffer(zeros),
                      [self = shared_from_this()](error_code ec, std::size_t n) {
                        self->sent_ += n;
                        if (!ec) self->pump();
                      });
  }

  void read() {
    socket_.async_read_some(
        asio::buffer(buf_), [self = shared_from_this()](error_code ec, std::size_t n) {
          if (ec) {
            self->closed();
            return;
          }
          if (!self->seen_status_) {
            self->seen_status_ = true;
            const std::string head(self->buf_.data(), std::min<std::size_t>(n, 12));
            ++self->a_.counters.answers[head];
          }
          self->read();
        });
  }

  void closed() {
    if (!open_) return;
    open_ = false;
    ++a_.counters.closed;
    --a_.counters.holding;
    error_code ignored;
    socket_.close(ignored);
    tick_.cancel();
    reopen_later();
  }

  void reopen_later() {
    timer_.expires_after(a_.reopen);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->open();
    });
  }

  Attack& a_;
  std::size_t index_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  asio::steady_timer tick_;
  std::array<char, 4096> buf_{};
  bool open_ = false;
  bool seen_status_ = false;
  std::uint64_t sent_ = 0;
};

struct Args {
  std::string url;
  std::string config;
  std::string user = "sip:alice@example.org";
  std::string ca;  // https: the CA of the KMS certificate
  std::string phase = "idle";
  int seconds = 15;
  std::size_t connections = 1000;
  std::size_t addresses = 4;  // hostile source addresses 127.0.0.2 onwards; 0: no bind
  milliseconds reopen{250};
  milliseconds budget{100};
};

const char* const kUsage =
    "usage: hostile_clients --url URL --config FILE --phase idle|big-body|trickle|tls-stall\n"
    "         [--user ID] [--ca FILE] [--seconds N] [--connections N] [--addresses N]\n"
    "         [--reopen-ms MS] [--budget-ms MS]\n";

bool parse_args(int argc, char** argv, Args& a) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const std::string v = argv[i + 1];
    if (k == "--url")
      a.url = v;
    else if (k == "--config")
      a.config = v;
    else if (k == "--user")
      a.user = v;
    else if (k == "--ca")
      a.ca = v;
    else if (k == "--phase")
      a.phase = v;
    else if (k == "--seconds")
      a.seconds = std::stoi(v);
    else if (k == "--connections")
      a.connections = std::stoul(v);
    else if (k == "--addresses")
      a.addresses = std::stoul(v);
    else if (k == "--reopen-ms")
      a.reopen = milliseconds(std::stol(v));
    else if (k == "--budget-ms")
      a.budget = milliseconds(std::stol(v));
    else
      return false;
  }
  return argc % 2 == 1 && !a.url.empty() && !a.config.empty();
}

std::optional<Kind> kind_of(const std::string& phase) {
  if (phase == "idle") return Kind::idle;
  if (phase == "big-body") return Kind::big_body;
  if (phase == "trickle") return Kind::trickle;
  if (phase == "tls-stall") return Kind::tls_stall;
  return std::nullopt;
}

// Raises the open-file limit to its hard limit; returns the soft limit now in force.
std::size_t raise_fd_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return 1024;
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
  ::getrlimit(RLIMIT_NOFILE, &r);
  return static_cast<std::size_t>(r.rlim_cur);
}

struct ProbeResult {
  std::vector<double> latencies_ms;
  std::size_t misses = 0;
};

// One probe: a fresh REQUEST_INIT_PSK on a new connection; its latency, or a miss.
void probe_once(const mikey::roles::KmsConfig& kms, const Args& a,
                const mikey::transport::ClientOptions& co, ProbeResult& out) {
  auto request = mikeyconf::tools::make_request_init(kms, a.user, {});
  if (!request.ok()) {
    std::cerr << "hostile_clients: cannot build the probe request: " << request.error() << "\n";
    ++out.misses;
    return;
  }
  const auto start = Clock::now();
  mikey::transport::AnnexAClient client(co);
  auto r = client.post(mikey::transport::RequestType::ticket_request, *request);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  out.latencies_ms.push_back(ms);
  const bool ok = r.ok() && r->status == 200;
  if (!ok || ms > static_cast<double>(a.budget.count())) {
    ++out.misses;
    std::cerr << "hostile_clients: probe miss: "
              << (r.ok() ? "status " + std::to_string(r->status)
                         : std::string(mikey::transport::to_string(r.error().code)) + " " +
                               r.error().detail)
              << " after " << ms << " ms\n";
  }
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

void report(const Args& a, const Counters& c, const ProbeResult& p) {
  std::printf(
      "phase=%s seconds=%d connections=%zu probes=%zu misses=%zu max_ms=%.1f p99_ms=%.1f"
      " p50_ms=%.1f\n",
      a.phase.c_str(), a.seconds, a.connections, p.latencies_ms.size(), p.misses,
      percentile(p.latencies_ms, 1.0), percentile(p.latencies_ms, 0.99),
      percentile(p.latencies_ms, 0.5));
  std::printf("  attack: opened=%llu closed_by_server=%llu connect_failed=%llu holding_at_end=%lld",
              static_cast<unsigned long long>(c.opened), static_cast<unsigned long long>(c.closed),
              static_cast<unsigned long long>(c.connect_failed), static_cast<long long>(c.holding));
  for (const auto& [status, n] : c.answers) {
    std::printf(" answer[%s]=%llu", status.c_str(), static_cast<unsigned long long>(n));
  }
  std::printf("\n");
}

// The probe's client options from the URL (https: trusting --ca).
std::optional<mikey::transport::ClientOptions> probe_options(const Args& a) {
  auto e = mikey::transport::parse_endpoint(a.url);
  if (!e.ok()) return std::nullopt;
  mikey::transport::ClientOptions co;
  co.host = e->host;
  co.port = e->port;
  co.keep_alive = false;
  co.connect_timeout = milliseconds(2000);
  co.total_timeout = milliseconds(2000);
  if (e->scheme == "https") {
    co.tls = mikey::transport::ClientTlsOptions{};
    co.tls->ca_file = a.ca;
  }
  return co;
}

int run(const Args& a, Kind kind, const mikey::roles::KmsConfig& kms,
        const mikey::transport::ClientOptions& co) {
  asio::io_context ioc;
  error_code ec;
  const auto address = asio::ip::make_address(co.host, ec);
  if (ec) {
    std::cerr << "hostile_clients: --url needs a numeric host\n";
    return 2;
  }
  Attack attack{ioc, tcp::endpoint(address, co.port), {}, kind, a.reopen, {}};
  for (std::size_t i = 0; i < a.addresses; ++i) {
    attack.sources.push_back(asio::ip::make_address_v4(0x7F000002u + static_cast<unsigned>(i)));
  }
  std::vector<std::shared_ptr<Attacker>> attackers;
  for (std::size_t i = 0; i < a.connections; ++i) {
    attackers.push_back(std::make_shared<Attacker>(attack, i));
    attackers.back()->open();
  }
  std::thread io([&ioc] { ioc.run(); });
  std::this_thread::sleep_for(milliseconds(1000));  // the attack settles
  ProbeResult probes;
  auto next = Clock::now();
  for (int s = 0; s < a.seconds; ++s) {
    probe_once(kms, a, co, probes);
    next += std::chrono::seconds(1);
    std::this_thread::sleep_until(next);
  }
  ioc.stop();
  io.join();
  report(a, attack.counters, probes);
  return probes.misses == 0 && !probes.latencies_ms.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  bool parsed = false;
  try {
    parsed = parse_args(argc, argv, a);
  } catch (const std::exception&) {  // std::stoi and friends on a non-number
    parsed = false;
  }
  if (!parsed) {
    std::cerr << kUsage;
    return 2;
  }
  const std::optional<Kind> kind = kind_of(a.phase);
  const auto co = probe_options(a);
  if (!kind || !co) {
    std::cerr << kUsage;
    return 2;
  }
  const std::size_t limit = raise_fd_limit();
  if (a.connections + 64 > limit) {
    a.connections = limit > 128 ? limit - 128 : 0;
    std::cerr << "hostile_clients: open-file limit " << limit << ": " << a.connections
              << " connections\n";
  }
  auto loaded = mikey::config::load_kms_config(a.config);
  if (!loaded.ok()) {
    std::cerr << "hostile_clients: " << loaded.error().str() << "\n";
    return 2;
  }
  return run(a, *kind, loaded->kms, *co);
}
