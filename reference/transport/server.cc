// KmsServer: Beast streams (tcp_stream for timeouts, ssl_stream for TLS) on one io_context.
// Requests are parsed by RequestParser and answered by respond() (annex_a.h), the same code
// handle_request_bytes runs, so unit tests and the fuzz target cover the server's logic.
#include "transport/server.h"

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "transport/request_parser.h"

namespace mikey::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
// Lingering close (RFC 7230 §6.6): after the last response, read and discard what the client
// still sends for a while so our close does not reset the connection before it read the
// response (e.g. a 413 sent before the body arrived).
constexpr std::chrono::milliseconds kLinger{1000};
constexpr std::size_t kLingerBytes = 1 << 20;

// Set in io threads: lets stop() detect that it is called from its own pool.
thread_local const void* tl_io_owner = nullptr;

std::string endpoint_string(const tcp::endpoint& ep) {
  const auto addr = ep.address();
  std::string host = addr.to_string();
  if (addr.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void start() = 0;
  virtual void notify_stop() = 0;  // close when idle; close after the in-flight response
  virtual void force_close() = 0;
};

// Everything sessions share. Member order matters: io objects come last so they are
// destroyed first, while the counters and the TLS context sessions use still exist.
struct ServerCore {
  ServerCore(ServerOptions o, KmsHandler h) : opts(std::move(o)), handler(std::move(h)) {
    if (opts.threads == 0) opts.threads = 1;
    sink = opts.access_log ? opts.access_log : LogSink(stderr_log_sink);
  }

  ServerOptions opts;
  KmsHandler handler;
  LogSink sink;
  std::mutex log_mutex;

  std::atomic<bool> stopping{false};
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> requests{0};

  mutable std::mutex conn_mutex;
  std::condition_variable conn_cv;
  std::size_t active = 0;           // served connections
  std::size_t overload_active = 0;  // connections being answered 503
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
    std::lock_guard<std::mutex> lock(log_mutex);
    try {
      sink(line);
    } catch (...) {  // a failing log sink must not take an io thread down
    }
  }
  void log(const AccessLogEntry& e) { log_line(format_access_log(e)); }
  void event(std::string_view remote, std::string_view name, std::string_view detail) {
    std::string line = "remote=" + escape_log_value(remote.empty() ? "-" : remote, 64) +
                       " event=" + escape_log_value(name, 64);
    if (!detail.empty()) line += " detail=\"" + escape_log_value(detail) + "\"";
    log_line(line);
  }

  void session_ended(bool overloaded) {
    {
      std::lock_guard<std::mutex> lock(conn_mutex);
      (overloaded ? overload_active : active) -= 1;
    }
    conn_cv.notify_all();
  }

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
  void request_stop();
  void stop();
};

template <bool kTls>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<kTls>> {
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  Session(ServerCore& core, tcp::socket socket, bool overloaded, std::string remote)
      : core_(core), stream_(make_stream(core, std::move(socket))), overloaded_(overloaded) {
    entry_.remote = std::move(remote);
  }
  ~Session() override { core_.session_ended(overloaded_); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() override {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::on_start, this->shared_from_this()));
  }

  void notify_stop() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stop_requested_ = true;
      if (self->phase_ == Phase::idle || self->phase_ == Phase::handshake) self->close_now();
    });
  }

  void force_close() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->close_now(); });
  }

 private:
  enum class Phase : std::uint8_t { handshake, idle, reading, handling, writing, closing };

  static Stream make_stream(ServerCore& core, tcp::socket socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *core.tls_ctx);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& tcp_layer() { return beast::get_lowest_layer(stream_); }
  const ServerOptions& opts() const { return core_.opts; }

  void on_start() {
    if constexpr (kTls) {
      phase_ = Phase::handshake;
      tcp_layer().expires_after(opts().read_timeout);
      stream_.async_handshake(
          ssl::stream_base::server,
          beast::bind_front_handler(&Session::on_handshake, this->shared_from_this()));
    } else {
      next_request();
    }
  }

  void on_handshake(error_code ec) {
    if (ec) {
      core_.event(entry_.remote, "tls_handshake_failed", ec.message());
      close_now();
      return;
    }
    next_request();
  }

  void next_request() {
    if (stop_requested_ || core_.stopping) {
      graceful_close();
      return;
    }
    parser_.emplace(opts().profile);
    continue_sent_ = false;
    close_after_ = false;
    phase_ = Phase::idle;
    if (!carry_.empty()) {  // a pipelined request already received
      std::string bytes = std::move(carry_);
      carry_.clear();
      on_bytes(as_bytes(bytes));
      return;
    }
    tcp_layer().expires_after(opts().idle_timeout);
    read();
  }

  void read() {
    stream_.async_read_some(asio::buffer(buf_),
                            beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(error_code ec, std::size_t n) {
    if (ec) {
      // A half-closed client (EOF after part of a request) can still read our answer.
      bool eof = ec == asio::error::eof || ec == ssl::error::stream_truncated;
      if (eof && phase_ == Phase::reading && parser_->finish() == RequestParser::State::failed) {
        reject(*parser_->failure());
        return;
      }
      close_now();  // idle/read timeout, reset, clean close between requests, stop()
      return;
    }
    on_bytes(ByteView(reinterpret_cast<const std::uint8_t*>(buf_.data()), n));  // NOLINT
  }

  void on_bytes(ByteView data) {
    if (phase_ == Phase::idle) {
      phase_ = Phase::reading;
      request_start_ = Clock::now();
      tcp_layer().expires_after(opts().read_timeout);
    }
    switch (parser_->feed(data)) {
      case RequestParser::State::done: {
        ByteView rest = parser_->leftover();
        carry_.assign(rest.begin(), rest.end());
        handle();
        return;
      }
      case RequestParser::State::failed:
        reject(*parser_->failure());
        return;
      case RequestParser::State::need_more:
        break;
    }
    if (parser_->expects_continue() && !continue_sent_) {
      // RFC 7231 §5.1.1: tell a waiting client (curl does this) to send the body.
      continue_sent_ = true;
      out_ = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(out_),
                        [self = this->shared_from_this()](error_code wec, std::size_t) {
                          if (wec) {
                            self->close_now();
                          } else {
                            self->read();
                          }
                        });
      return;
    }
    read();
  }

  void handle() {
    phase_ = Phase::handling;
    HttpResponse response =
        overloaded_ ? make_error_response(Reject::overloaded,
                                          "the KMS is at its connection limit; retry later",
                                          opts().retry_after_seconds)
                    : respond(opts().profile, core_.handler, parser_->view());
    close_after_ = response.close || overloaded_ || !parser_->keep_alive() || stop_requested_ ||
                   core_.stopping;
    write(std::move(response));
  }

  void reject(const Rejection& r) {
    close_after_ = true;
    write(make_error_response(r.code, r.text, opts().retry_after_seconds));
  }

  void write(HttpResponse response) {
    response.close = close_after_;
    entry_.method = parser_->header_done() ? std::string(parser_->method()) : "-";
    entry_.target = parser_->header_done() ? std::string(parser_->target()) : "-";
    entry_.status = response.status;
    entry_.bytes = response.body.size();
    entry_.request_type = response.type ? opts().profile.type_value(*response.type) : "-";
    entry_.detail = std::move(response.log_detail);
    out_ = serialize_response(response, opts().server_header, http_date_now());
    phase_ = Phase::writing;
    tcp_layer().expires_after(opts().write_timeout);
    asio::async_write(stream_, asio::buffer(out_),
                      beast::bind_front_handler(&Session::on_write, this->shared_from_this()));
  }

  void on_write(error_code ec, std::size_t) {
    entry_.duration_ms = ms_since(request_start_);
    core_.requests.fetch_add(1, std::memory_order_relaxed);
    core_.log(entry_);
    if (ec) {
      close_now();
    } else if (close_after_) {
      graceful_close();
    } else {
      next_request();
    }
  }

  void graceful_close() {
    phase_ = Phase::closing;
    tcp_layer().expires_after(kLinger);
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](error_code) { self->close_now(); });
    } else {
      error_code ignored;
      tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
      drain();
    }
  }

  void drain() {
    tcp_layer().async_read_some(asio::buffer(buf_),
                                [self = this->shared_from_this()](error_code ec, std::size_t n) {
                                  self->drained_ += n;
                                  if (ec || self->drained_ > kLingerBytes) {
                                    self->close_now();
                                  } else {
                                    self->drain();
                                  }
                                });
  }

  void close_now() {
    phase_ = Phase::closing;
    error_code ignored;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp_layer().close();
  }

  ServerCore& core_;
  Stream stream_;
  bool overloaded_;
  std::array<char, kReadChunk> buf_{};
  std::optional<RequestParser> parser_;
  std::string carry_;  // bytes received after the previous request (pipelining)
  std::string out_;
  Phase phase_ = Phase::idle;
  bool stop_requested_ = false;
  bool close_after_ = false;
  bool continue_sent_ = false;
  std::size_t drained_ = 0;
  Clock::time_point request_start_ = Clock::now();
  AccessLogEntry entry_;
};

void ServerCore::do_accept() {
  acceptor->async_accept(asio::make_strand(ioc), [this](error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void ServerCore::on_accept(error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor->is_open() || stopping) {
    error_code ignored;
    socket.close(ignored);
    return;
  }
  if (ec) {  // e.g. EMFILE: log, back off briefly, keep accepting
    event("-", "accept_failed", ec.message());
    accept_retry->expires_after(std::chrono::milliseconds(50));
    accept_retry->async_wait([this](error_code tec) {
      if (!tec && !stopping) do_accept();
    });
    return;
  }
  accepted.fetch_add(1, std::memory_order_relaxed);
  bool overloaded = false;
  bool admit = true;
  {
    std::lock_guard<std::mutex> lock(conn_mutex);
    if (active < opts.max_connections) {
      ++active;
    } else if (overload_active < opts.max_connections) {
      ++overload_active;
      overloaded = true;
    } else {
      admit = false;
    }
  }
  error_code ignored;
  std::string remote = endpoint_string(socket.remote_endpoint(ignored));
  if (!admit) {
    refused.fetch_add(1, std::memory_order_relaxed);
    event(remote, "connection_refused", "twice the connection limit is in use");
    socket.close(ignored);
    do_accept();
    return;
  }
  socket.set_option(tcp::no_delay(true), ignored);
  std::shared_ptr<SessionBase> session;
  if (tls_ctx) {
    session = std::make_shared<Session<true>>(*this, std::move(socket), overloaded, remote);
  } else {
    session = std::make_shared<Session<false>>(*this, std::move(socket), overloaded, remote);
  }
  {
    std::lock_guard<std::mutex> lock(conn_mutex);
    std::erase_if(sessions, [](const std::weak_ptr<SessionBase>& w) { return w.expired(); });
    sessions.push_back(session);
  }
  session->start();
  do_accept();
}

void ServerCore::request_stop() {
  std::call_once(stopper_once, [this] { stopper = std::thread([this] { stop(); }); });
}

void ServerCore::stop() {
  if (tl_io_owner == static_cast<const ServerCore*>(this)) {  // cannot join our own thread
    request_stop();
    return;
  }
  std::lock_guard<std::mutex> stop_lock(stop_mutex);
  {
    std::lock_guard<std::mutex> lock(state_mutex);
    if (!running) return;
  }
  stopping = true;
  asio::post(acceptor->get_executor(), [this] {
    error_code ignored;
    acceptor->close(ignored);
    accept_retry->cancel();
  });
  if (signals) {
    asio::post(signals->get_executor(), [this] {
      error_code ignored;
      signals->cancel(ignored);
    });
  }
  auto all_closed = [this] { return active + overload_active == 0; };
  for (auto& s : live_sessions()) s->notify_stop();
  bool drained = false;
  {
    std::unique_lock<std::mutex> lock(conn_mutex);
    drained = conn_cv.wait_for(lock, opts.shutdown_grace, all_closed);
  }
  if (!drained) {
    event("-", "shutdown_grace_expired", "closing the remaining connections");
    for (auto& s : live_sessions()) s->force_close();
    std::unique_lock<std::mutex> lock(conn_mutex);
    conn_cv.wait_for(lock, std::chrono::seconds(1), all_closed);
  }
  work.reset();
  ioc.stop();
  for (auto& t : threads) t.join();
  threads.clear();
  {
    std::lock_guard<std::mutex> lock(state_mutex);
    running = false;
    stopped = true;
  }
  state_cv.notify_all();
}

Error setup_error(Errc code, std::string what, const error_code& ec) {
  return Error{code, std::move(what) + ": " + ec.message()};
}

}  // namespace

struct KmsServer::Impl final : ServerCore {
  using ServerCore::ServerCore;
};

KmsServer::KmsServer(ServerOptions options, KmsHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

KmsServer::~KmsServer() {
  impl_->stop();
  // A request_stop() may have started the helper thread; it finishes quickly now.
  std::call_once(impl_->stopper_once, [] {});
  if (impl_->stopper.joinable()) impl_->stopper.join();
}

Result<std::uint16_t, Error> KmsServer::start() {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> stop_lock(m.stop_mutex);
  {
    std::lock_guard<std::mutex> lock(m.state_mutex);
    if (m.started) return Error{Errc::already_started, "a KmsServer runs once"};
  }
  error_code ec;
  if (m.opts.tls) {
    const TlsServerOptions& t = *m.opts.tls;
    m.tls_ctx.emplace(ssl::context::tls_server);
    ssl::context& ctx = *m.tls_ctx;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                        ssl::context::single_dh_use,
                    ec);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    if (ctx.use_certificate_chain_file(t.cert_chain_file, ec); ec) {
      return setup_error(Errc::tls_setup_failed, "server certificate " + t.cert_chain_file, ec);
    }
    if (ctx.use_private_key_file(t.private_key_file, ssl::context::pem, ec); ec) {
      return setup_error(Errc::tls_setup_failed, "server key " + t.private_key_file, ec);
    }
    if (!t.client_ca_file.empty()) {
      if (ctx.load_verify_file(t.client_ca_file, ec); ec) {
        return setup_error(Errc::tls_setup_failed, "client CA " + t.client_ca_file, ec);
      }
      ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
      // Tell clients which CAs we accept, and give sessions an id context so resumption
      // works with client authentication.
      SSL_CTX_set_client_CA_list(ctx.native_handle(),
                                 SSL_load_client_CA_file(t.client_ca_file.c_str()));
      static constexpr std::array<unsigned char, 13> kSidCtx = {'m', 'i', 'k', 'e', 'y', 'c', 'o',
                                                                'n', 'f', '-', 'k', 'm', 's'};
      SSL_CTX_set_session_id_context(ctx.native_handle(), kSidCtx.data(), kSidCtx.size());
    }
  }
  tcp::resolver resolver(m.ioc);
  auto endpoints = resolver.resolve(m.opts.host, std::to_string(m.opts.port),
                                    tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return setup_error(Errc::bind_failed, "resolving " + m.opts.host, ec);
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  m.acceptor.emplace(asio::make_strand(m.ioc));
  m.accept_retry.emplace(m.acceptor->get_executor());
  auto fail = [&](std::string what) {
    Error e = setup_error(Errc::bind_failed, std::move(what), ec);
    error_code ignored;
    m.acceptor->close(ignored);
    return e;
  };
  if (m.acceptor->open(endpoint.protocol(), ec); ec) return fail("opening the socket");
  if (m.acceptor->set_option(asio::socket_base::reuse_address(true), ec); ec) {
    return fail("setting SO_REUSEADDR");
  }
  if (m.acceptor->bind(endpoint, ec); ec) return fail("binding " + endpoint_string(endpoint));
  if (m.acceptor->listen(asio::socket_base::max_listen_connections, ec); ec) {
    return fail("listening");
  }
  m.bound_port = m.acceptor->local_endpoint(ec).port();
  m.work.emplace(asio::make_work_guard(m.ioc));
  asio::post(m.acceptor->get_executor(), [&m] { m.do_accept(); });
  {
    std::lock_guard<std::mutex> lock(m.state_mutex);
    m.started = true;
    m.running = true;
  }
  for (std::size_t i = 0; i < m.opts.threads; ++i) {
    m.threads.emplace_back([&m] {
      tl_io_owner = static_cast<const ServerCore*>(&m);
      for (;;) {
        try {
          m.ioc.run();
          return;
        } catch (const std::exception& e) {
          m.event("-", "io_thread_exception", e.what());
        }
      }
    });
  }
  return m.bound_port.load();
}

std::uint16_t KmsServer::port() const noexcept { return impl_->bound_port.load(); }

bool KmsServer::running() const noexcept {
  std::lock_guard<std::mutex> lock(impl_->state_mutex);
  return impl_->running;
}

void KmsServer::stop() { impl_->stop(); }
void KmsServer::request_stop() { impl_->request_stop(); }

void KmsServer::wait() {
  Impl& m = *impl_;
  std::unique_lock<std::mutex> lock(m.state_mutex);
  if (!m.started) return;
  m.state_cv.wait(lock, [&m] { return m.stopped; });
}

void KmsServer::stop_on_signals() {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> stop_lock(m.stop_mutex);
  {
    std::lock_guard<std::mutex> lock(m.state_mutex);
    if (!m.running || m.signals) return;
  }
  m.signals.emplace(asio::make_strand(m.ioc), SIGINT, SIGTERM);
  m.signals->async_wait([&m](error_code ec, int signal_number) {
    if (ec) return;
    m.event("-", "signal", signal_number == SIGINT ? "SIGINT: stopping" : "SIGTERM: stopping");
    m.request_stop();
  });
}

ServerStats KmsServer::stats() const noexcept {
  ServerStats s;
  s.connections_accepted = impl_->accepted.load();
  s.connections_refused = impl_->refused.load();
  s.requests = impl_->requests.load();
  std::lock_guard<std::mutex> lock(impl_->conn_mutex);
  s.active_connections = impl_->active + impl_->overload_active;
  return s;
}

void install_stop_signals(KmsServer& server) { server.stop_on_signals(); }

}  // namespace mikey::transport
