// KmsServer: Beast streams (tcp_stream for timeouts, ssl_stream for TLS) on one io_context.
// Requests are parsed by RequestParser and answered by respond() (annex_a.h), the same code
// handle_request_bytes runs, so unit tests and the fuzz target cover the server's logic. This
// file accepts, admits and stops; server_session.cc serves one connection.
#include "transport/server.h"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <csignal>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "transport/server_core.h"
#include "wire/enum_table.h"

namespace mikey::transport {

namespace server_detail {

namespace {

// Set in io threads: lets stop() detect that it is called from its own pool.
thread_local const void* tl_io_owner = nullptr;

std::string endpoint_string(const tcp::endpoint& ep) {
  const auto addr = ep.address();
  std::string host = addr.to_string();
  if (addr.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

}  // namespace

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
  error_code ignored;
  const tcp::endpoint peer = socket.remote_endpoint(ignored);
  std::string remote = endpoint_string(peer);
  std::optional<Admission> place = admit(peer.address());
  if (!place) {
    refused.fetch_add(1, std::memory_order_relaxed);
    burst_event(remote, "connection_refused", "every slot and every 503 answer are in use");
    socket.close(ignored);
    do_accept();
    return;
  }
  if (place->reclaimed) {
    reclaimed.fetch_add(1, std::memory_order_relaxed);
    burst_event(remote, "connection_reclaimed",
                "at max_connections: closed the connection waiting longest for a request");
    place->reclaimed->reclaim();
    place->reclaimed.reset();
  }
  if (place->slot == Slot::limited) {
    limited.fetch_add(1, std::memory_order_relaxed);
    burst_event(remote, "connection_limited", place->reason + ": answered 503");
  }
  if (place->at_accept) {
    answer_at_accept(socket);
    do_accept();
    return;
  }
  socket.set_option(tcp::no_delay(true), ignored);
  std::shared_ptr<SessionBase> session =
      make_session(*this, std::move(socket), place->slot, std::move(remote));
  session->address = peer.address();
  {
    std::lock_guard<std::mutex> lock(conn_mutex);
    std::erase_if(sessions, [](const std::weak_ptr<SessionBase>& w) { return w.expired(); });
    sessions.push_back(session);
  }
  session->start();
  do_accept();
}

std::optional<ServerCore::Admission> ServerCore::admit(const asio::ip::address& a) {
  const std::size_t cap = opts.max_connections_per_address;
  const auto capped = [this, &a, cap] {  // conn_mutex held
    const auto it = per_address.find(a);
    return cap != 0 && it != per_address.end() && it->second >= cap;
  };
  // The live sessions, gathered before the lock is taken (the last reference to a session may go
  // with `live`, and its destructor takes conn_mutex), and only when a victim may be needed: a
  // refused flood should cost an accept, a send and a close.
  std::vector<std::shared_ptr<SessionBase>> live;
  bool may_reclaim = false;
  {
    std::lock_guard<std::mutex> lock(conn_mutex);
    may_reclaim = opts.reclaim && active >= opts.max_connections && !capped();
  }
  if (may_reclaim) live = live_sessions();
  std::lock_guard<std::mutex> lock(conn_mutex);
  auto limit = [this](std::string reason) -> std::optional<Admission> {
    if (overload_active >= opts.max_connections) return std::nullopt;
    ++overload_active;
    return Admission{Slot::limited, std::move(reason), nullptr};
  };
  if (capped()) {
    if (!tls_ctx) return Admission{Slot::limited, "max_connections_per_address reached", {}, true};
    return limit("max_connections_per_address reached");
  }
  std::shared_ptr<SessionBase> victim;
  if (active < opts.max_connections) {
    ++active;
  } else {
    if (opts.reclaim) victim = reclaimable(live);
    if (!victim) return limit("max_connections reached");
    victim->slot = Slot::reclaimed;  // counted in overload_active until it is gone
    ++overload_active;
  }
  ++per_address[a];
  return Admission{Slot::served, {}, std::move(victim)};
}

// Over the per-address cap on plain TCP the 503 is written at accept, without a session, so a
// flood from one address costs an accept, a send and a close per connection. What the client
// already sent is read and dropped first, so that the close does not reset the connection
// before the answer is read (RFC 7230 §6.6).
void ServerCore::answer_at_accept(tcp::socket& socket) {
  error_code ignored;
  socket.non_blocking(true, ignored);
  std::array<char, 4096> sent{};
  socket.read_some(asio::buffer(sent), ignored);  // would_block when nothing came yet
  HttpResponse r = limit_response();
  r.close = true;
  const std::string bytes = serialize_response(r, opts.server_header, http_date_now());
  socket.write_some(asio::buffer(bytes), ignored);
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

std::shared_ptr<SessionBase> ServerCore::reclaimable(
    const std::vector<std::shared_ptr<SessionBase>>& live) {
  const std::int64_t now = SteadyClock::now().time_since_epoch().count();
  const std::int64_t min_wait =
      std::chrono::duration_cast<SteadyClock::duration>(opts.reclaim_after).count();
  std::shared_ptr<SessionBase> oldest;
  std::int64_t oldest_since = 0;
  for (const auto& s : live) {
    const std::int64_t since = s->waiting_since.load(std::memory_order_relaxed);
    if (s->slot != Slot::served || since == 0 || now - since < min_wait) continue;
    if (!oldest || since < oldest_since) {
      oldest = s;
      oldest_since = since;
    }
  }
  return oldest;
}

void ServerCore::session_ended(const SessionBase& s) {
  {
    std::lock_guard<std::mutex> lock(conn_mutex);
    (s.slot == Slot::served ? active : overload_active) -= 1;
    if (s.slot != Slot::limited) {
      auto it = per_address.find(s.address);
      if (it != per_address.end() && --it->second == 0) per_address.erase(it);
    }
  }
  conn_cv.notify_all();
}

std::optional<std::string> RateLimitedEvents::admit(std::string_view name,
                                                    std::string_view detail) {
  const SteadyClock::time_point now = SteadyClock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = windows_.find(name);
  if (it == windows_.end()) it = windows_.emplace(std::string(name), Window{}).first;
  Window& w = it->second;
  if (w.last != SteadyClock::time_point{} && now - w.last < std::chrono::seconds(1)) {
    ++w.held_back;
    return std::nullopt;
  }
  std::string line(detail);
  if (w.held_back != 0)
    line += " (and " + std::to_string(w.held_back) + " more since the last line)";
  w.held_back = 0;
  w.last = now;
  return line;
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
  stderr_log.flush();  // every line of the run is out when stop() returns
  {
    std::lock_guard<std::mutex> lock(state_mutex);
    running = false;
    stopped = true;
  }
  state_cv.notify_all();
}

}  // namespace server_detail

namespace {

using server_detail::endpoint_string;
using server_detail::error_code;
using server_detail::ServerCore;
using server_detail::tcp;
using server_detail::tl_io_owner;
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

Error setup_error(Errc code, std::string what, const error_code& ec) {
  return Error{code, std::move(what) + ": " + ec.message()};
}

}  // namespace

struct KmsServer::Impl final : server_detail::ServerCore {
  using ServerCore::ServerCore;
};

KmsServer::KmsServer(ServerOptions options, KmsHandler handler)
    : KmsServer(std::move(options), without_meta(std::move(handler))) {}

KmsServer::KmsServer(ServerOptions options, KmsMetaHandler handler)
    : KmsServer(options, annex_a_handler(options.profile, options.retry_after_seconds,
                                         [h = std::move(handler)](RequestType t, ByteView request,
                                                                  const RequestMeta& meta) {
                                           return ServerReply(h(t, request, meta));
                                         })) {}

KmsServer::KmsServer(ServerOptions options, HttpHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

HttpHandler annex_a_handler(AnnexAProfile profile, unsigned retry_after_seconds,
                            ReplyHandler handler) {
  return [profile = std::move(profile), retry_after_seconds,
          handler = std::move(handler)](const ReceivedRequest& r) -> HttpReply {
    if (r.view == nullptr) {
      return make_error_response(r.rejection->code, r.rejection->text, retry_after_seconds);
    }
    std::optional<HttpReply> replaced;
    const KmsHandler kms = [&](RequestType t, ByteView request) -> KmsAnswer {
      ServerReply reply = handler(t, request, r.meta != nullptr ? *r.meta : RequestMeta{});
      if (auto* answer = std::get_if<KmsAnswer>(&reply)) return std::move(*answer);
      if (auto* response = std::get_if<HttpResponse>(&reply)) {
        if (!response->type) response->type = t;
        replaced = std::move(*response);
      } else {
        replaced = std::get<DropConnection>(std::move(reply));
      }
      return KmsAnswer{};
    };
    HttpResponse response = respond(profile, kms, *r.view);
    if (replaced) return std::move(*replaced);
    return response;
  };
}

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
  s.connections_limited = impl_->limited.load();
  s.connections_reclaimed = impl_->reclaimed.load();
  s.requests = impl_->requests.load();
  std::lock_guard<std::mutex> lock(impl_->conn_mutex);
  s.active_connections = impl_->active + impl_->overload_active;
  return s;
}

void install_stop_signals(KmsServer& server) { server.stop_on_signals(); }

MIKEY_DEFINE_ENUM_TEXT(to_string, OversizedBody, "early-413", "early-413", "close", "wait")

std::optional<OversizedBody> parse_oversized_body(std::string_view s) noexcept {
  return mikey::wire::enum_from_text<OversizedBody, 3>(
      s, [](OversizedBody o) { return to_string(o); });
}

}  // namespace mikey::transport
