// Internal to KmsServer (server.cc, server_session.cc): the state every connection shares
// (ServerCore) and the per-connection Session behind SessionBase. Beast/Asio live here, so
// only the transport's own .cc files include this header.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "transport/access_log.h"
#include "transport/server.h"
#include "wire/fuzzing.h"

namespace mikey::transport::server_detail {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

// How a connection holds its place (ServerCore::conn_mutex guards `slot` and `address`).
enum class Slot : std::uint8_t {
  served,     // one of max_connections; counted for its address
  limited,    // answered 503 at once (a cap was reached), then closed
  reclaimed,  // was served; its slot went to a newer connection and it is closing
};

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void start() = 0;
  virtual void notify_stop() = 0;  // close when idle; close after the in-flight response
  virtual void force_close() = 0;
  // Its slot went to a new connection: close if it still waits, else after its response.
  virtual void reclaim() = 0;

  Slot slot = Slot::served;
  asio::ip::address address;
  // Since when (steady clock ticks) the connection has waited in a TLS handshake, for a
  // request or for the rest of one: what a full server may reclaim. 0: it is answering.
  std::atomic<std::int64_t> waiting_since{0};
};
using SteadyClock = std::chrono::steady_clock;

// At most one log line per event name and second; the lines a burst did not get are counted
// in the next one, so an idle flood cannot flood the log too.
class RateLimitedEvents {
 public:
  // The detail to log now (with the count of the lines held back), or nothing.
  std::optional<std::string> admit(std::string_view name, std::string_view detail);

 private:
  struct Window {
    SteadyClock::time_point last{};
    std::uint64_t held_back = 0;
  };
  std::mutex mutex_;
  std::map<std::string, Window, std::less<>> windows_;
};

// Everything sessions share. Member order matters: io objects come last so they are
// destroyed first, while the counters and the TLS context sessions use still exist.
struct ServerCore {
  ServerCore(ServerOptions o, HttpHandler h) : opts(std::move(o)), handler(std::move(h)) {
    if (opts.threads == 0) opts.threads = 1;
    // The default writer is thread-safe itself; a sink the caller gives is called one line at a
    // time (log_mutex), as ServerOptions::access_log promises.
    if (!opts.access_log) {
      sink = stderr_log.sink();
      return;
    }
    sink = [this, user = opts.access_log](std::string_view line) {
      std::lock_guard<std::mutex> lock(log_mutex);
      user(line);
    };
  }

  ServerOptions opts;
  HttpHandler handler;           // sees the verified client certificate (peer_identity.h)
  BufferedLogWriter stderr_log;  // the default sink: batched lines to stderr
  LogSink sink;
  std::mutex log_mutex;

  std::atomic<bool> stopping{false};
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> limited{0};
  std::atomic<std::uint64_t> reclaimed{0};
  RateLimitedEvents limited_events;

  mutable std::mutex conn_mutex;
  std::condition_variable conn_cv;
  std::size_t active = 0;           // served connections
  std::size_t overload_active = 0;  // Slot::limited and Slot::reclaimed connections
  std::map<asio::ip::address, std::size_t> per_address;
  std::vector<std::weak_ptr<SessionBase>> sessions;

  std::mutex stop_mutex;  // start/stop/stop_on_signals
  std::mutex state_mutex;
  std::condition_variable state_cv;
  bool started = false;
  bool running = false;
  bool stopped = false;
  std::once_flag stopper_once;
  std::thread stopper;

  std::optional<ssl::context> tls_ctx;

  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_retry;
  std::optional<asio::signal_set> signals;
  std::vector<std::thread> threads;

  void log_line(const std::string& line) {
    try {
      sink(line);
    } catch (...) {  // a failing log sink must not take an io thread down
      wire::trap_when_fuzzing();
    }
  }
  void log(const AccessLogEntry& e) { log_line(format_access_log(e)); }
  void event(std::string_view remote, std::string_view name, std::string_view detail) {
    std::string line = "remote=" + escape_log_value(remote.empty() ? "-" : remote, 64) +
                       " event=" + escape_log_value(name, 64);
    if (!detail.empty()) line += " detail=\"" + escape_log_value(detail) + "\"";
    log_line(line);
  }

  // A rate-limited event line (RateLimitedEvents).
  void burst_event(std::string_view remote, std::string_view name, std::string_view detail) {
    if (auto line = limited_events.admit(name, detail)) event(remote, name, *line);
  }

  void session_ended(const SessionBase& s);

  std::vector<std::shared_ptr<SessionBase>> live_sessions() {
    std::vector<std::shared_ptr<SessionBase>> out;
    std::lock_guard<std::mutex> lock(conn_mutex);
    for (const auto& w : sessions) {
      if (auto s = w.lock()) out.push_back(std::move(s));
    }
    return out;
  }

  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);
  // Places a new connection (ServerOptions::max_connections and its neighbours); nullopt: no
  // place, close it. A reclaimed session is closed by the caller.
  struct Admission {
    Slot slot;
    std::string reason;  // why a limited one is answered 503
    std::shared_ptr<SessionBase> reclaimed;
    bool at_accept = false;  // limited: answered by answer_at_accept, without a session
  };
  // The 503 a connection gets when a cap is reached (A.3-1: the KMS knows it cannot serve).
  HttpResponse limit_response() const {
    return make_error_response(Reject::overloaded,
                               "the KMS is at its connection limit; retry later",
                               opts.retry_after_seconds);
  }
  void answer_at_accept(tcp::socket& socket);
  std::optional<Admission> admit(const asio::ip::address& a);
  std::shared_ptr<SessionBase> reclaimable(const std::vector<std::shared_ptr<SessionBase>>& live);
  void request_stop();
  void stop();
};

// A connection's session (TLS when core.tls_ctx is set); start() it. Slot::limited: it answers
// 503 at once (after the TLS handshake) without reading a request.
std::shared_ptr<SessionBase> make_session(ServerCore& core, tcp::socket socket, Slot slot,
                                          std::string remote);

}  // namespace mikey::transport::server_detail
