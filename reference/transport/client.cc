// AnnexAClient: asynchronous Beast operations driven to completion on a private io_context, so
// every step gets a real timeout (tcp_stream expiry) while the API stays synchronous.
#include "transport/client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <string>
#include <utility>

#include "transport/client_detail.h"
#include "wire/base64.h"

namespace mikey::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::uint32_t kResponseHeaderLimit = 64 * 1024;

std::string_view sv(beast::string_view s) noexcept { return {s.data(), s.size()}; }

bool is_ip_literal(const std::string& s) {
  error_code ec;
  asio::ip::make_address(s, ec);
  return !ec;
}

bool is_tls_error(const error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() || ec == ssl::error::stream_truncated;
}

Error classify(const error_code& ec, Errc fallback, const std::string& what) {
  if (ec == beast::error::timeout) return Error{Errc::timeout, what + ": timed out"};
  if (is_tls_error(ec)) return Error{Errc::tls_failed, what + ": " + ec.message()};
  return Error{fallback, what + ": " + ec.message()};
}

}  // namespace

std::optional<std::string_view> ClientResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

struct AnnexAClient::Impl {
  explicit Impl(ClientOptions o) : opts(std::move(o)) {
    if (opts.tls) setup_tls();
  }
  ~Impl() { close(); }  // no read may still be in flight when the streams go
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  ClientOptions opts;
  std::optional<Error> setup_error;
  std::optional<ssl::context> ctx;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  std::string rx;  // received, not yet parsed
  // At most one read is in flight, shared by write_all (which reads alongside the write) and
  // read_response; its bytes go to rx, and the error that ended the stream stays in read_end
  // until close().
  std::array<char, kReadChunk> rbuf{};
  bool reading = false;
  std::optional<error_code> read_end;
  std::size_t opened = 0;
  // The request in flight was a HEAD: its response has no body whatever its Content-Length says
  // (RFC 7230 §3.3.3 rule 1), so the parser must not wait for one.
  bool head_request = false;

  void setup_tls() {
    const ClientTlsOptions& t = *opts.tls;
    ctx.emplace(ssl::context::tls_client);
    error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                     ec);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    auto fail = [&](const std::string& what) {
      setup_error = Error{Errc::tls_setup_failed, what + ": " + ec.message()};
    };
    if (t.verify_peer) {
      if (t.ca_file.empty()) {
        ctx->set_default_verify_paths(ec);
      } else {
        ctx->load_verify_file(t.ca_file, ec);
      }
      if (ec) return fail("CA file " + t.ca_file);
      ctx->set_verify_mode(ssl::verify_peer, ec);
    } else {
      ctx->set_verify_mode(ssl::verify_none, ec);
    }
    if (!t.cert_file.empty()) {
      if (ctx->use_certificate_chain_file(t.cert_file, ec); ec) {
        return fail("client certificate " + t.cert_file);
      }
      const std::string& key = t.key_file.empty() ? t.cert_file : t.key_file;
      if (ctx->use_private_key_file(key, ssl::context::pem, ec); ec) {
        return fail("client key " + key);
      }
    }
  }

  beast::tcp_stream* lowest() {
    if (secure) return &beast::get_lowest_layer(*secure);
    if (plain) return &*plain;
    return nullptr;
  }

  bool is_open() {
    beast::tcp_stream* s = lowest();
    return s != nullptr && s->socket().is_open();
  }

  template <class F>
  void with_stream(F&& f) {
    if (secure) {
      f(*secure);
    } else {
      f(*plain);
    }
  }

  void drive() {
    ioc.restart();
    ioc.run();
  }

  // Runs handlers until `done()` holds or nothing is left to run.
  template <class Done>
  void drive_until(Done done) {
    ioc.restart();
    while (!done()) {
      if (ioc.run_one() == 0) break;
    }
  }

  void start_read() {
    if (reading || read_end) return;
    reading = true;
    with_stream([&](auto& s) {
      s.async_read_some(asio::buffer(rbuf), [this](error_code ec, std::size_t n) {
        reading = false;
        rx.append(rbuf.data(), n);
        if (ec) read_end = ec;
      });
    });
  }

  void close() noexcept {
    if (beast::tcp_stream* s = lowest()) {
      error_code ignored;
      s->socket().shutdown(tcp::socket::shutdown_both, ignored);
      s->close();
      drive();  // a read still in flight completes (aborted) before its stream goes
    }
    secure.reset();
    plain.reset();
    rx.clear();
    reading = false;
    read_end.reset();
  }

  std::string authority() const {
    std::string h = opts.host.find(':') != std::string::npos ? "[" + opts.host + "]" : opts.host;
    return h + ":" + std::to_string(opts.port);
  }

  std::optional<Error> connect(Clock::time_point deadline) {
    close();
    Clock::time_point connect_deadline = std::min(deadline, Clock::now() + opts.connect_timeout);
    tcp::resolver resolver(ioc);
    asio::steady_timer timer(ioc);
    tcp::resolver::results_type endpoints;
    error_code resolve_ec;
    bool resolve_timed_out = false;
    timer.expires_at(connect_deadline);
    resolver.async_resolve(opts.host, std::to_string(opts.port), tcp::resolver::numeric_service,
                           [&](error_code ec, tcp::resolver::results_type r) {
                             resolve_ec = ec;
                             endpoints = std::move(r);
                             timer.cancel();
                           });
    timer.async_wait([&](error_code ec) {
      if (!ec) {
        resolve_timed_out = true;
        resolver.cancel();
      }
    });
    drive();
    if (resolve_timed_out) return Error{Errc::timeout, "resolving " + opts.host + ": timed out"};
    if (resolve_ec) return Error{Errc::resolve_failed, opts.host + ": " + resolve_ec.message()};

    if (ctx) {
      secure.emplace(ioc, *ctx);
    } else {
      plain.emplace(ioc);
    }
    error_code connect_ec;
    lowest()->expires_at(connect_deadline);
    lowest()->async_connect(endpoints,
                            [&](error_code ec, const tcp::endpoint&) { connect_ec = ec; });
    drive();
    if (connect_ec) {
      close();
      return classify(connect_ec, Errc::connect_failed, "connecting to " + authority());
    }
    ++opened;
    error_code ignored;
    lowest()->socket().set_option(tcp::no_delay(true), ignored);
    if (!secure) return std::nullopt;

    const ClientTlsOptions& t = *opts.tls;
    SSL* ssl_handle = secure->native_handle();
    std::string sni = !t.sni.empty() ? t.sni : (is_ip_literal(opts.host) ? "" : opts.host);
    if (!sni.empty()) SSL_set_tlsext_host_name(ssl_handle, sni.c_str());
    if (t.verify_peer) {
      std::string name = !t.verify_name.empty() ? t.verify_name : (!sni.empty() ? sni : opts.host);
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
      if (is_ip_literal(name)) {
        X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
      } else {
        SSL_set1_host(ssl_handle, name.c_str());
      }
    }
    error_code handshake_ec;
    lowest()->expires_at(deadline);
    secure->async_handshake(ssl::stream_base::client, [&](error_code ec) { handshake_ec = ec; });
    drive();
    if (handshake_ec) {
      std::string what = "TLS handshake with " + authority();
      long verify = SSL_get_verify_result(ssl_handle);
      if (verify != X509_V_OK) {
        what += std::string(" (certificate: ") + X509_verify_cert_error_string(verify) + ")";
      }
      close();
      Error e = classify(handshake_ec, Errc::tls_failed, what);
      if (e.code != Errc::timeout) e.code = Errc::tls_failed;
      return e;
    }
    return std::nullopt;
  }

  // Writes `data` while reading what the server sends meanwhile: a server may answer (e.g. 413)
  // before it has read the whole request and then stop reading or close (RFC 7230 §6.6), and
  // that answer must not be lost behind a blocked or failed write. When a complete response
  // arrives first, the rest of the write is abandoned (`abandoned`; the connection must close
  // after that response). Returns the write's error.
  std::optional<Error> write_all(std::string_view data, Clock::time_point deadline,
                                 bool& abandoned) {
    abandoned = false;
    bool write_done = false;
    error_code write_ec;
    lowest()->expires_at(deadline);
    with_stream([&](auto& s) {
      asio::async_write(s, asio::buffer(data.data(), data.size()), [&](error_code ec, std::size_t) {
        write_ec = ec;
        write_done = true;
      });
    });
    start_read();
    for (;;) {
      drive_until([&] { return write_done || !reading; });
      if (write_done) break;
      if (client_detail::holds_final_response(rx, head_request)) {
        abandoned = true;
        // Shut the socket down rather than cancel(): a cancelled write blocked on a full send
        // buffer was seen to complete only once the peer closed.
        error_code ignored;
        lowest()->socket().shutdown(tcp::socket::shutdown_both, ignored);
        drive_until([&] { return write_done; });
        return std::nullopt;
      }
      if (read_end) {
        drive_until([&] { return write_done; });
        break;
      }
      start_read();
    }
    if (write_ec) return classify(write_ec, Errc::write_failed, "writing the request");
    return std::nullopt;
  }

  // Waits up to `gap` between two writes, reading; true as soon as the server answered (rx
  // holds a final response) or closed, so the rest need not be written.
  bool answered_during(std::chrono::milliseconds gap) {
    auto answered = [this] {
      return client_detail::holds_final_response(rx, head_request) || read_end;
    };
    asio::steady_timer timer(ioc);
    bool waiting = true;
    timer.expires_after(gap);
    timer.async_wait([&waiting](error_code) { waiting = false; });
    start_read();
    for (;;) {
      drive_until([&] { return !waiting || !reading; });
      if (!reading && answered()) break;
      if (!waiting) return false;
      start_read();
    }
    timer.cancel();
    drive_until([&] { return !waiting; });
    return true;
  }

  // A write failed: the response the server sent before (e.g. a 413 ahead of a close) may
  // already be here. Returns it, marked with the write error, or nullopt.
  std::optional<RawResponse> answer_before_failed_write(const Error& write_error,
                                                        Clock::time_point deadline) {
    RawResponse raw;
    if (read_response(deadline, raw)) return std::nullopt;
    raw.parsed.keep_alive = false;
    raw.parsed.write_error = std::string(to_string(write_error.code)) + ": " + write_error.detail;
    return raw;
  }

  void fill(const http::response<http::string_body>& res, ClientResponse& out) const {
    out.status = static_cast<std::uint16_t>(res.result_int());
    out.reason = std::string(sv(res.reason()));
    out.headers.clear();
    for (const auto& f : res) out.headers.emplace_back(sv(f.name_string()), sv(f.value()));
    out.body = res.body();
    out.keep_alive = res.keep_alive();
    out.mikey.reset();
    out.mikey_problem.clear();
    client_detail::decode_mikey_body(opts, out);
  }

  // Reads one final response (skipping 1xx interim ones) from rx and the stream.
  std::optional<Error> read_response(Clock::time_point deadline, RawResponse& out) {
    std::optional<http::response_parser<http::string_body>> parser;
    auto fresh_parser = [&] {
      parser.emplace();
      parser->body_limit(static_cast<std::uint64_t>(opts.max_response_bytes));
      parser->header_limit(kResponseHeaderLimit);
      parser->skip(head_request);
      // Not eager until the header is done: Boost 1.74's response parser loses the
      // body_limit error of an oversized Content-Length when it goes on eagerly into the
      // body (and reserves that many bytes).
      parser->eager(false);
    };
    fresh_parser();
    out.bytes.clear();
    for (;;) {
      while (!rx.empty()) {
        error_code ec;
        std::size_t n = parser->put(asio::const_buffer(rx.data(), rx.size()), ec);
        out.bytes.append(rx, 0, n);
        rx.erase(0, n);
        if (ec == http::error::need_more) break;
        if (ec == http::error::body_limit) {
          return Error{Errc::response_too_large,
                       "the response body exceeds " + std::to_string(opts.max_response_bytes)};
        }
        if (ec) return Error{Errc::bad_response, "parsing the response: " + ec.message()};
        if (parser->is_header_done() && !parser->eager()) {
          auto length = parser->content_length();
          if (length && *length > opts.max_response_bytes) {
            return Error{Errc::response_too_large, "Content-Length " + std::to_string(*length) +
                                                       " exceeds " +
                                                       std::to_string(opts.max_response_bytes)};
          }
          parser->eager(true);
        }
        if (parser->is_done()) {
          unsigned status = parser->get().result_int();
          if (status / 100 == 1 && status != 101) {  // interim response: read on
            fresh_parser();
            continue;
          }
          fill(parser->get(), out.parsed);
          return std::nullopt;
        }
        if (n == 0) break;
      }
      const std::size_t before = rx.size();
      if (!reading && !read_end) lowest()->expires_at(deadline);
      start_read();
      drive_until([&] { return !reading; });
      if (!read_end || rx.size() > before) continue;
      const error_code read_ec = *read_end;
      bool eof = read_ec == asio::error::eof || read_ec == ssl::error::stream_truncated;
      if (eof && parser->got_some() && rx.empty()) {
        error_code ec;
        parser->put_eof(ec);  // a body delimited by the connection close
        if (!ec && parser->is_done()) {
          fill(parser->get(), out.parsed);
          out.parsed.keep_alive = false;
          return std::nullopt;
        }
      }
      if (eof || read_ec == asio::error::connection_reset) {
        return Error{Errc::connection_closed,
                     out.bytes.empty() ? "the connection closed before a response"
                                       : "the connection closed in the middle of a response"};
      }
      return classify(read_ec, Errc::read_failed, "reading the response");
    }
  }

  Result<RawResponse, Error> exchange_raw(std::span<const std::string_view> writes,
                                          std::chrono::milliseconds gap) {
    if (setup_error) return *setup_error;
    Clock::time_point deadline = Clock::now() + opts.total_timeout;
    if (!is_open()) {
      if (auto e = connect(deadline)) return *e;
    }
    head_request = !writes.empty() && writes.front().substr(0, 5) == "HEAD ";
    bool abandoned = false;
    for (std::size_t i = 0; i < writes.size() && !abandoned; ++i) {
      if (auto e = write_all(writes[i], deadline, abandoned)) {
        std::optional<RawResponse> early = answer_before_failed_write(*e, deadline);
        close();
        if (early) return std::move(*early);
        return *e;
      }
      if (i + 1 < writes.size() && answered_during(gap)) {
        abandoned = !rx.empty();
        break;
      }
    }
    return read_one(deadline, abandoned);
  }

  // `abandoned`: the request was cut short by an early answer; the connection closes after it.
  Result<RawResponse, Error> read_one(Clock::time_point deadline, bool abandoned = false) {
    RawResponse raw;
    if (auto e = read_response(deadline, raw)) {
      close();
      return *e;
    }
    finish(raw.parsed, abandoned);
    return raw;
  }

  // After a response: close unless the connection can carry another request.
  void finish(ClientResponse& response, bool abandoned) {
    if (abandoned) {
      response.keep_alive = false;
      response.write_error = "the server answered before the whole request was written";
    }
    if (!response.keep_alive) close();
  }
};

AnnexAClient::AnnexAClient(ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
AnnexAClient::~AnnexAClient() = default;
AnnexAClient::AnnexAClient(AnnexAClient&&) noexcept = default;
AnnexAClient& AnnexAClient::operator=(AnnexAClient&&) noexcept = default;

std::string AnnexAClient::build_request(RequestType type, ByteView mikey) const {
  const ClientOptions& o = impl_->opts;
  std::string body = o.profile.body_encoding == BodyEncoding::base64
                         ? wire::base64_encode(mikey)
                         : std::string(mikey.begin(), mikey.end());
  std::string target = o.profile.path + "?" + percent_encode(o.profile.type_parameter) + "=" +
                       percent_encode(o.profile.type_value(type));
  for (const auto& [name, value] : o.extra_query) {
    target += "&" + percent_encode(name) + "=" + percent_encode(value);
  }
  std::string req = "POST " + target + " HTTP/1.1\r\n";
  req += "Host: " + (o.host_header.empty() ? impl_->authority() : o.host_header) + "\r\n";
  req += "Content-Type: " + o.profile.content_type + "\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (!o.user_agent.empty()) req += "User-Agent: " + o.user_agent + "\r\n";
  for (const auto& [name, value] : o.extra_headers) req += name + ": " + value + "\r\n";
  if (!o.keep_alive) req += "Connection: close\r\n";
  req += "\r\n";
  req += body;
  return req;
}

Result<ClientResponse, Error> AnnexAClient::post(RequestType type, ByteView mikey) {
  Impl& m = *impl_;
  if (m.setup_error) return *m.setup_error;
  std::string request = build_request(type, mikey);
  m.head_request = false;
  Clock::time_point deadline = Clock::now() + m.opts.total_timeout;
  if (!m.rx.empty()) m.close();  // unexpected bytes after the last response: start clean
  for (int attempt = 0;; ++attempt) {
    bool reused = m.is_open();
    if (!reused) {
      if (auto e = m.connect(deadline)) return *e;
    }
    // A server may close an idle keep-alive connection just as we reuse it (RFC 7230
    // §6.3.1): retry once on a fresh connection when nothing of a response arrived.
    auto retriable = [&](const Error& e, bool got_bytes) {
      return reused && attempt == 0 && !got_bytes && e.code != Errc::timeout;
    };
    bool abandoned = false;
    if (auto e = m.write_all(request, deadline, abandoned)) {
      std::optional<RawResponse> early = m.answer_before_failed_write(*e, deadline);
      m.close();
      if (early) return std::move(early->parsed);
      if (retriable(*e, false)) continue;
      return *e;
    }
    RawResponse raw;
    if (auto e = m.read_response(deadline, raw)) {
      m.close();
      if (retriable(*e, !raw.bytes.empty()) &&
          (e->code == Errc::connection_closed || e->code == Errc::read_failed)) {
        continue;
      }
      return *e;
    }
    m.finish(raw.parsed, abandoned);
    if (!m.opts.keep_alive) m.close();
    return std::move(raw.parsed);
  }
}

Result<RawResponse, Error> AnnexAClient::send_raw(std::span<const std::string_view> writes,
                                                  std::chrono::milliseconds gap) {
  return impl_->exchange_raw(writes, gap);
}

Result<RawResponse, Error> AnnexAClient::send_raw(std::string_view request_bytes) {
  std::string_view writes[] = {request_bytes};
  return impl_->exchange_raw(writes, {});
}

Result<RawResponse, Error> AnnexAClient::read_raw() {
  Impl& m = *impl_;
  if (!m.is_open()) return Error{Errc::connection_closed, "no open connection"};
  return m.read_one(Clock::now() + m.opts.total_timeout);
}

void AnnexAClient::close() noexcept { impl_->close(); }
bool AnnexAClient::connected() const noexcept { return impl_->is_open(); }
std::size_t AnnexAClient::connections_opened() const noexcept { return impl_->opened; }

}  // namespace mikey::transport
