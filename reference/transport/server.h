// KmsServer: TS 33.328 Annex A over HTTP/1.1 (Boost.Beast streams, behind a pimpl) on TCP or
// TLS, with keep-alive, a thread pool on one io_context, limits, an access log and a clean
// shutdown. The KMS logic plugs in as a KmsHandler (annex_a.h); this layer never looks past
// HDR byte 1 of a MIKEY message. A ReplyHandler or HttpHandler may instead answer with a
// response sent as is, or with none at all (a KMS that misbehaves on purpose).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "transport/access_log.h"
#include "transport/annex_a.h"
#include "transport/errc.h"
#include "transport/peer_identity.h"
#include "wire/result.h"

namespace mikey::transport {

struct TlsServerOptions {
  std::string cert_chain_file;   // PEM: server certificate (+ intermediates)
  std::string private_key_file;  // PEM
  // Non-empty: clients must present a certificate that verifies against these PEM CA
  // certificates (mutual TLS, TS 33.328 §6.2.3.8 KMS-to-KMS); the handshake fails otherwise.
  std::string client_ca_file;
  // Minimum protocol version is TLS 1.2 in every case.
};

// docs/latitude.md "announced-body-too-large": what the server does with a request whose
// Content-Length announces more than profile.max_body_bytes. A chunked body that grows over the
// limit always gets 413.
enum class OversizedBody : std::uint8_t {
  early_413,  // 413 (and close) as soon as the header is read, before the body
  close,      // close the connection without an answer
  wait,       // read and drop the announced body (within body_timeout and read_timeout), then 413
};

std::string_view to_string(OversizedBody o) noexcept;  // "early-413", "close", "wait"
std::optional<OversizedBody> parse_oversized_body(std::string_view s) noexcept;

struct ServerOptions {
  std::string host = "127.0.0.1";  // address to bind (numeric, or a name that resolves)
  std::uint16_t port = 0;          // 0: the OS picks; read it back with port()
  std::size_t threads = 2;         // io threads sharing one io_context
  AnnexAProfile profile;           // path, parameter, content type, header/body limits
  // Deadlines (each exceeded → the connection closes without a response). `read_timeout` bounds
  // a whole request, first byte to last; `header_timeout` its header (first byte to the blank
  // line) and also how long a new connection may stay silent before its first byte;
  // `body_timeout` its body (end of the header to the last byte; a trickled body is cut by it);
  // `handshake_timeout` a TLS handshake. RFC 7230 §6.5 leaves such timeouts to the server.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds header_timeout{5'000};
  std::chrono::milliseconds body_timeout{10'000};
  std::chrono::milliseconds handshake_timeout{5'000};
  OversizedBody oversized_body = OversizedBody::early_413;
  // Waiting for the first byte of the next request on a keep-alive connection → close.
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds write_timeout{10'000};
  // stop(): how long in-flight requests may take before their connections are cut.
  std::chrono::milliseconds shutdown_grace{5'000};
  // Connections served at once. When all are in use and `reclaim` is set, a new connection
  // takes the slot of the one that has waited longest (at least `reclaim_after`) in a TLS
  // handshake, for a request or for the rest of one (header or body), which is closed: a
  // flood of idle or trickling connections cannot keep out a client that sends its request at
  // once. With none to take, it is answered 503 with Retry-After at once, without reading its
  // request (A.3-1: the KMS is aware it cannot serve), and up to max_connections such answers
  // are in flight; beyond that, it is closed at accept.
  std::size_t max_connections = 256;
  bool reclaim = true;
  std::chrono::milliseconds reclaim_after{0};
  // Connections served at once from one client address (0: no cap). Beyond it, a connection is
  // answered 503 with Retry-After at once (after the handshake on TLS) and closed.
  std::size_t max_connections_per_address = 64;
  unsigned retry_after_seconds = 1;
  std::string server_header = "mikeyconf-kms/0.1";
  std::optional<TlsServerOptions> tls;  // unset: plain TCP
  // Empty: stderr, batched (BufferedLogWriter); else called one line at a time from any io thread.
  LogSink access_log;
};

struct ServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_refused = 0;    // closed at accept (no 503 could be sent)
  std::uint64_t connections_limited = 0;    // answered 503 at once (connection caps)
  std::uint64_t connections_reclaimed = 0;  // closed to give their slot to a new connection
  std::uint64_t requests = 0;               // responses written
  std::size_t active_connections = 0;       // including those being answered 503
};

// No answer: the connection closes without a response (A.3-1 leaves a KMS that does not answer
// to the client's timeout). `log_detail` goes to the log only.
struct DropConnection {
  std::string log_detail;
};

// What a valid request is answered with: the usual KmsAnswer (encoded as respond() does), a
// response sent as is (status, headers, body; Server, Date, Content-Length and Connection are
// added by serialize_response), or nothing.
using ServerReply = std::variant<KmsAnswer, HttpResponse, DropConnection>;
using ReplyHandler =
    std::function<ServerReply(RequestType, ByteView mikey_request, const RequestMeta& meta)>;

// One request as read off a connection: its bytes as received, and the parsed request or why
// it did not parse (exactly one of `view` and `rejection` is set; both point into storage that
// lives for the call only).
struct ReceivedRequest {
  std::string_view raw;
  const HttpRequestView* view = nullptr;
  const Rejection* rejection = nullptr;
  const RequestMeta* meta = nullptr;
};
// Answers every request read off a connection, valid or not (the 503 of an overloaded
// connection aside): a response sent as is, or nothing.
using HttpReply = std::variant<HttpResponse, DropConnection>;
using HttpHandler = std::function<HttpReply(const ReceivedRequest&)>;

// The server's own answer with `handler` for valid requests: the rejection's response
// (make_error_response) for a request that did not parse, respond() for a parsed one, and the
// handler's HttpResponse or DropConnection in place of the encoded KmsAnswer when it gives one.
HttpHandler annex_a_handler(AnnexAProfile profile, unsigned retry_after_seconds,
                            ReplyHandler handler);

class KmsServer {
 public:
  // `handler` is called from the io threads, possibly concurrently.
  KmsServer(ServerOptions options, KmsHandler handler);
  // The same with a handler that also gets each request's RequestMeta (the client certificate
  // the TLS handshake verified: mutual TLS between KMSs, peer_identity.h).
  KmsServer(ServerOptions options, KmsMetaHandler handler);
  // Every request read goes to `handler` (annex_a_handler gives the server's own answers).
  KmsServer(ServerOptions options, HttpHandler handler);
  ~KmsServer();  // stop()
  KmsServer(const KmsServer&) = delete;
  KmsServer& operator=(const KmsServer&) = delete;

  // Loads TLS material, binds, listens and starts the threads. Returns the bound port, or
  // tls_setup_failed / bind_failed / already_started (the server is then not running).
  Result<std::uint16_t, Error> start();
  std::uint16_t port() const noexcept;  // 0 before start()
  bool running() const noexcept;

  // Closes the acceptor, closes idle keep-alive connections, lets in-flight requests finish
  // (their responses carry "Connection: close"), cuts what remains after shutdown_grace and
  // joins the threads. Idempotent; blocks. Called from an io thread (e.g. inside the
  // handler) it cannot join itself and behaves like request_stop().
  void stop();
  // Starts stop() on a helper thread and returns at once. Safe from any thread.
  void request_stop();
  // Blocks until the server was started and has fully stopped; returns at once if it never
  // started.
  void wait();
  // SIGINT and SIGTERM → request_stop() (for `mikeyconf kms`: start(); stop_on_signals();
  // wait();). Handling ends when the server stops.
  void stop_on_signals();

  ServerStats stats() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Installs SIGTERM/SIGINT handling that stops `server` (see KmsServer::stop_on_signals).
void install_stop_signals(KmsServer& server);

}  // namespace mikey::transport
