// AnnexAClient: the synchronous TS 33.328 Annex A client the roles and the harness use
// (Beast and OpenSSL behind a pimpl). One connection, reused across requests (keep-alive);
// timeouts per request; optional TLS with server verification, client certificate (mutual
// TLS) and SNI. A raw mode sends arbitrary bytes for conformance and robustness tests.
// Not thread-safe: use one client per thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "transport/annex_a.h"
#include "transport/errc.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::transport {

struct ClientTlsOptions {
  std::string ca_file;      // PEM trust anchors for the server certificate; empty: system store
  std::string cert_file;    // PEM client certificate (mutual TLS); empty: none
  std::string key_file;     // PEM key of cert_file
  std::string sni;          // server name sent in the handshake; empty: `host` unless an IP
  std::string verify_name;  // name (or IP) the certificate must match; empty: sni or host
  bool verify_peer = true;
};

struct ClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  AnnexAProfile profile;  // path, parameter name/values, content type, body encoding
  // A.2-4: the Host header holds the full KMS authority; empty: "host:port".
  std::string host_header;
  std::vector<std::pair<std::string, std::string>> extra_query;    // A.2-7 (percent-encoded)
  std::vector<std::pair<std::string, std::string>> extra_headers;  // A.2-8
  std::string user_agent = "mikeyconf/0.1";
  std::chrono::milliseconds connect_timeout{5'000};  // TCP connect (+ name resolution)
  std::chrono::milliseconds total_timeout{10'000};   // one request: connect to last byte
  std::size_t max_response_bytes = 1 << 20;
  bool keep_alive = true;  // false: "Connection: close" and a new connection per request
  std::optional<ClientTlsOptions> tls;
};

struct ClientResponse {
  std::uint16_t status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;                                          // raw body (after de-chunking)
  // The decoded MIKEY message when status is 200, the Content-Type is the profile's media
  // type (parameters allowed) and the body decodes per the profile (A.2-11, A.2-12, A.2-14).
  std::optional<Bytes> mikey;
  std::string mikey_problem;  // why `mikey` is empty for a 200, e.g. "bad base64 at offset 7"
  bool keep_alive = false;    // the server will keep the connection open
  // Non-empty: the request was not completely written — the server answered first (e.g. a 413
  // before reading an oversized body) and closed or stopped reading; why the write ended.
  std::string write_error;

  // The first header named `name` (case-insensitive).
  std::optional<std::string_view> header(std::string_view name) const;
};

struct RawResponse {
  std::string bytes;  // the response exactly as received (1xx interim responses included)
  ClientResponse parsed;
};

class AnnexAClient {
 public:
  explicit AnnexAClient(ClientOptions options);
  ~AnnexAClient();
  AnnexAClient(AnnexAClient&&) noexcept;
  AnnexAClient& operator=(AnnexAClient&&) noexcept;

  // Sends one Annex A request and reads the response. Any HTTP status is a response (the
  // caller judges it); errors are transport failures: resolve_failed, connect_failed,
  // timeout, tls_failed, tls_setup_failed, write_failed, read_failed, connection_closed,
  // bad_response, response_too_large. The response is read while the request is written, so an
  // answer that comes before the server read everything is returned (with
  // ClientResponse::write_error) even when the write then fails. A reused keep-alive connection
  // the server had closed is reopened once, transparently, when nothing of the response was
  // received.
  Result<ClientResponse, Error> post(RequestType type, ByteView mikey);

  // The exact request bytes post() would send.
  std::string build_request(RequestType type, ByteView mikey) const;

  // Raw mode: writes `writes` one after the other (TCP_NODELAY, `gap` between them) on the
  // current or a new connection and reads one response. No retry. When the first write starts
  // with "HEAD " the response is read without a body (RFC 7230 §3.3.3).
  Result<RawResponse, Error> send_raw(std::span<const std::string_view> writes,
                                      std::chrono::milliseconds gap = {});
  Result<RawResponse, Error> send_raw(std::string_view request_bytes);
  // Reads one more response on the open connection without sending (pipelining tests).
  Result<RawResponse, Error> read_raw();

  void close() noexcept;
  bool connected() const noexcept;
  std::size_t connections_opened() const noexcept;  // TCP connections made so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mikey::transport
