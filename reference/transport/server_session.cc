// KmsServer's per-connection state machine: handshake (TLS), read and parse a request,
// answer it (respond(), annex_a.h), keep-alive or a lingering close.
#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "transport/request_parser.h"
#include "transport/server_core.h"
#include "wire/fuzzing.h"

namespace mikey::transport::server_detail {

namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
// Lingering close (RFC 7230 §6.6): after the last response, read and discard what the client
// still sends for a while so our close does not reset the connection before it read the
// response (e.g. a 413 sent before the body arrived).
constexpr std::chrono::milliseconds kLinger{1000};
constexpr std::size_t kLingerBytes = 1 << 20;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

template <bool kTls>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<kTls>> {
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

 public:
  Session(ServerCore& core, tcp::socket socket, Slot slot, std::string remote)
      : core_(core),
        stream_(make_stream(core, std::move(socket))),
        limited_(slot == Slot::limited) {
    this->slot = slot;
    entry_.remote = std::move(remote);
  }
  ~Session() override { core_.session_ended(*this); }
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

  void reclaim() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stop_requested_ = true;  // a request that arrived meanwhile is still answered
      if (self->waiting_since.load() != 0) self->close_now();
    });
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

  // A full server may give the slot of a waiting connection to a new one (server.h).
  void mark_waiting() { waiting_since = Clock::now().time_since_epoch().count(); }
  void mark_working() { waiting_since = 0; }

  void on_start() {
    if constexpr (kTls) {
      phase_ = Phase::handshake;
      mark_waiting();
      tcp_layer().expires_after(opts().handshake_timeout);
      stream_.async_handshake(
          ssl::stream_base::server,
          beast::bind_front_handler(&Session::on_handshake, this->shared_from_this()));
    } else {
      first_request();
    }
  }

  // A limited connection is answered 503 at once, its request unread (RFC 7230 §6.6's
  // lingering close lets the client read the answer).
  void first_request() {
    if (!limited_) {
      next_request();
      return;
    }
    parser_.emplace(opts().profile);
    phase_ = Phase::handling;
    close_after_ = true;
    write(core_.limit_response());
  }

  void on_handshake(error_code ec) {
    if (ec) {
      core_.burst_event(entry_.remote, "tls_handshake_failed", ec.message());  // a stalled flood
      close_now();
      return;
    }
    if constexpr (kTls)
      meta_.client_certificate = verified_peer_certificate(stream_.native_handle());
    first_request();
  }

  void next_request() {
    if (stop_requested_ || core_.stopping) {
      graceful_close();
      return;
    }
    parser_.emplace(opts().profile);
    continue_sent_ = false;
    close_after_ = false;
    raw_.clear();
    body_deadline_set_ = false;
    phase_ = Phase::idle;
    mark_waiting();
    if (!carry_.empty()) {  // a pipelined request already received
      std::string bytes = std::move(carry_);
      carry_.clear();
      on_bytes(as_bytes(bytes));
      return;
    }
    // A new connection that stays silent is treated like one stuck in its header.
    tcp_layer().expires_after(answered_ == 0 ? std::min(opts().idle_timeout, opts().header_timeout)
                                             : opts().idle_timeout);
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
      tcp_layer().expires_at(request_start_ +
                             std::min<Clock::duration>(opts().header_timeout, opts().read_timeout));
    }
    raw_.append(reinterpret_cast<const char*>(data.data()), data.size());  // NOLINT
    switch (parser_->feed(data)) {
      case RequestParser::State::done: {
        ByteView rest = parser_->leftover();
        carry_.assign(rest.begin(), rest.end());
        raw_.resize(raw_.size() - std::min(raw_.size(), carry_.size()));
        handle();
        return;
      }
      case RequestParser::State::failed:
        on_parse_failure();
        return;
      case RequestParser::State::need_more:
        if (parser_->header_done() && !body_deadline_set_) start_body_deadline();
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

  // From the end of the header: body_timeout, within the request's read_timeout.
  void start_body_deadline() {
    body_deadline_set_ = true;
    tcp_layer().expires_at(std::min<Clock::time_point>(Clock::now() + opts().body_timeout,
                                                       request_start_ + opts().read_timeout));
  }

  void handle() {
    phase_ = Phase::handling;
    mark_working();
    const HttpRequestView view = parser_->view();
    answer(ReceivedRequest{raw_, &view, nullptr, &meta_});
  }

  // The handler's reply to a request (parsed or not): written, or the connection dropped.
  void answer(const ReceivedRequest& request) {
    HttpReply reply = call_handler(request);
    if (auto* drop = std::get_if<DropConnection>(&reply)) {
      core_.event(entry_.remote, "no_answer", drop->log_detail);
      close_now();
      return;
    }
    HttpResponse& response = std::get<HttpResponse>(reply);
    close_after_ = close_after_ || response.close || !parser_->keep_alive() || stop_requested_ ||
                   core_.stopping;
    write(std::move(response));
  }

  static HttpReply kms_failure() {
    return make_error_response(Reject::kms_failure, message(Reject::kms_failure));
  }

  // As respond() treats a throwing KmsHandler: a KMS failure (A.3-1).
  HttpReply call_handler(const ReceivedRequest& request) {
    try {
      return core_.handler(request);
    } catch (const std::exception&) {
      return kms_failure();
    } catch (...) {
      wire::trap_when_fuzzing();
      return kms_failure();
    }
  }

  // docs/latitude.md "announced-body-too-large": a Content-Length over the limit is answered
  // 413 at once, closed without an answer, or waited for (read and dropped) before the 413.
  void on_parse_failure() {
    const std::optional<std::uint64_t> announced = parser_->announced_body_length();
    if (announced && opts().oversized_body == OversizedBody::close) {
      core_.event(entry_.remote, "body_too_large_closed",
                  "Content-Length " + std::to_string(*announced) + ": closed without an answer");
      close_now();
      return;
    }
    if (announced && opts().oversized_body == OversizedBody::wait) {
      const std::uint64_t got = parser_->bytes_after_header();
      discard_left_ = *announced > got ? *announced - got : 0;
      start_body_deadline();
      discard();
      return;
    }
    reject(*parser_->failure());
  }

  // Reads and drops the rest of an announced body within the body deadline, then
  // answers 413. A client that half-closes early still gets the answer; a timeout closes.
  void discard() {
    if (discard_left_ == 0) {
      reject(*parser_->failure());
      return;
    }
    stream_.async_read_some(
        asio::buffer(buf_), [self = this->shared_from_this()](error_code ec, std::size_t n) {
          const bool eof = ec == asio::error::eof || ec == ssl::error::stream_truncated;
          if (ec && !eof) {
            self->close_now();
            return;
          }
          self->discard_left_ -= std::min<std::uint64_t>(self->discard_left_, n);
          if (eof) self->discard_left_ = 0;
          self->discard();
        });
  }

  void reject(const Rejection& r) {
    phase_ = Phase::handling;
    close_after_ = true;
    answer(ReceivedRequest{raw_, nullptr, &r, &meta_});
  }

  void write(HttpResponse response) {
    mark_working();
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
    ++answered_;
    if (!limited_) core_.log(entry_);  // limited ones: ServerCore::burst_event
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
  const bool limited_;
  std::array<char, kReadChunk> buf_{};
  std::optional<RequestParser> parser_;
  std::string carry_;  // bytes received after the previous request (pipelining)
  std::string raw_;    // this request's bytes as received (ReceivedRequest::raw)
  std::string out_;
  Phase phase_ = Phase::idle;
  bool stop_requested_ = false;
  bool close_after_ = false;
  bool continue_sent_ = false;
  bool body_deadline_set_ = false;
  std::uint64_t answered_ = 0;
  std::size_t drained_ = 0;
  std::uint64_t discard_left_ = 0;  // announced body bytes still to drop (OversizedBody::wait)
  Clock::time_point request_start_ = Clock::now();
  AccessLogEntry entry_;
  RequestMeta meta_;  // the verified client certificate, from the handshake on
};

}  // namespace

std::shared_ptr<SessionBase> make_session(ServerCore& core, tcp::socket socket, Slot slot,
                                          std::string remote) {
  if (core.tls_ctx) {
    return std::make_shared<Session<true>>(core, std::move(socket), slot, std::move(remote));
  }
  return std::make_shared<Session<false>>(core, std::move(socket), slot, std::move(remote));
}

}  // namespace mikey::transport::server_detail
