// The one place requests are parsed: Beast's request_parser fed from a byte buffer.
#include "transport/request_parser.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace mikey::transport {

namespace http = boost::beast::http;

namespace {
std::string_view sv(boost::beast::string_view s) noexcept { return {s.data(), s.size()}; }

std::uint32_t clamp_u32(std::size_t v) noexcept {
  return v > std::numeric_limits<std::uint32_t>::max() ? std::numeric_limits<std::uint32_t>::max()
                                                       : static_cast<std::uint32_t>(v);
}
}  // namespace

struct RequestParser::Impl {
  http::request_parser<http::string_body> parser;
  std::string pending;  // received but not consumed; after done, the next request's bytes
  State state = State::need_more;
  std::optional<Rejection> failure;
  std::vector<HeaderField> fields;
  std::size_t header_limit = 0;
  std::size_t body_limit = 0;
  std::size_t received = 0;
  bool unknown_method_501 = false;
  std::optional<std::uint64_t> announced;

  // Beast stops at the header when Content-Length exceeds the body limit: the header fields
  // are parsed (is_header_done() stays false) and what follows is body.
  std::optional<std::uint64_t> announced_length() const {
    if (parser.is_header_done()) return std::nullopt;  // a chunked body grew over the limit
    const auto& req = parser.get();
    auto it = req.find(http::field::content_length);
    if (it == req.end()) return std::nullopt;
    std::uint64_t n = 0;
    const std::string_view v = sv(it->value());
    auto [end, err] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (err != std::errc() || end != v.data() + v.size()) return std::nullopt;
    return n;
  }

  void fail(const boost::system::error_code& ec) {
    state = State::failed;
    if (ec == http::error::bad_method && unknown_method_501) {
      // docs/latitude.md "unknown-method": RFC 7231 §4.1, §6.6.2.
      failure = Rejection{Reject::method_not_implemented,
                          "the request method is not a known method token; use POST",
                          {}};
    } else if (ec == http::error::header_limit) {
      failure =
          Rejection{Reject::header_too_large,
                    "the request header section exceeds " + std::to_string(header_limit) + " bytes",
                    {}};
    } else if (ec == http::error::body_limit) {
      announced = announced_length();
      failure = Rejection{
          Reject::body_too_large,
          "the request body exceeds the limit of " + std::to_string(body_limit) + " bytes",
          {}};
    } else {
      failure = Rejection{Reject::malformed_http, "malformed HTTP request: " + ec.message(), {}};
    }
  }

  void complete() {
    state = State::done;
    fields.clear();
    for (const auto& f : parser.get()) fields.push_back({sv(f.name_string()), sv(f.value())});
  }
};

RequestParser::RequestParser(const AnnexAProfile& profile) : impl_(std::make_unique<Impl>()) {
  impl_->header_limit = profile.max_header_bytes;
  impl_->body_limit = profile.max_body_bytes;
  impl_->unknown_method_501 = profile.unknown_method_status == 501;
  impl_->parser.header_limit(clamp_u32(profile.max_header_bytes));
  impl_->parser.body_limit(static_cast<std::uint64_t>(profile.max_body_bytes));
  impl_->parser.eager(true);
}

RequestParser::~RequestParser() = default;
RequestParser::RequestParser(RequestParser&&) noexcept = default;
RequestParser& RequestParser::operator=(RequestParser&&) noexcept = default;

RequestParser::State RequestParser::feed(ByteView data) {
  Impl& m = *impl_;
  if (m.state == State::failed) return m.state;
  m.received += data.size();
  m.pending.append(data.begin(), data.end());
  if (m.state == State::done) return m.state;
  for (;;) {
    boost::system::error_code ec;
    std::size_t n = m.parser.put(boost::asio::const_buffer(m.pending.data(), m.pending.size()), ec);
    m.pending.erase(0, n);
    if (ec == http::error::need_more) break;
    if (ec) {
      m.fail(ec);
      break;
    }
    if (m.parser.is_done()) {
      m.complete();
      break;
    }
    if (n == 0) break;
  }
  return m.state;
}

RequestParser::State RequestParser::finish() noexcept {
  Impl& m = *impl_;
  if (m.state == State::need_more && m.received > 0) {
    m.state = State::failed;
    m.failure = Rejection{
        Reject::incomplete_request,
        "the request ends after " + std::to_string(m.received) + " bytes, before the message does",
        {}};
  }
  return m.state;
}

RequestParser::State RequestParser::state() const noexcept { return impl_->state; }
bool RequestParser::got_some() const noexcept { return impl_->received > 0; }
bool RequestParser::header_done() const noexcept { return impl_->parser.is_header_done(); }

bool RequestParser::expects_continue() const noexcept {
  if (!header_done()) return false;
  const auto& req = impl_->parser.get();
  auto it = req.find(http::field::expect);
  return req.version() == 11 && it != req.end() && iequals(sv(it->value()), "100-continue");
}

bool RequestParser::keep_alive() const noexcept {
  return header_done() && impl_->parser.get().keep_alive();
}

std::string_view RequestParser::method() const noexcept {
  return header_done() ? sv(impl_->parser.get().method_string()) : std::string_view{};
}

std::string_view RequestParser::target() const noexcept {
  return header_done() ? sv(impl_->parser.get().target()) : std::string_view{};
}

HttpRequestView RequestParser::view() const {
  const auto& req = impl_->parser.get();
  return HttpRequestView{sv(req.method_string()), sv(req.target()), req.version(), impl_->fields,
                         req.body()};
}

const std::optional<Rejection>& RequestParser::failure() const noexcept { return impl_->failure; }

std::optional<std::uint64_t> RequestParser::announced_body_length() const noexcept {
  return impl_->state == State::failed ? impl_->announced : std::nullopt;
}

std::size_t RequestParser::bytes_after_header() const noexcept {
  return impl_->announced ? impl_->pending.size() : 0;
}

ByteView RequestParser::leftover() const noexcept {
  return impl_->state == State::done ? as_bytes(impl_->pending) : ByteView{};
}

Bytes handle_request_chunks(const AnnexAProfile& profile, const KmsHandler& handler,
                            std::span<const ByteView> chunks) {
  RequestParser parser(profile);
  for (ByteView chunk : chunks) {
    if (parser.feed(chunk) != RequestParser::State::need_more) break;
  }
  HttpResponse response;
  if (parser.finish() == RequestParser::State::done) {
    response = respond(profile, handler, parser.view());
    if (!parser.keep_alive()) response.close = true;
  } else if (parser.failure()) {
    response = make_error_response(parser.failure()->code, parser.failure()->text);
  } else {
    response = make_error_response(Reject::incomplete_request, "the request is empty");
  }
  return to_bytes(serialize_response(response, "mikeyconf", ""));
}

Bytes handle_request_bytes(const AnnexAProfile& profile, const KmsHandler& handler,
                           ByteView http_request_bytes) {
  ByteView chunks[] = {http_request_bytes};
  return handle_request_chunks(profile, handler, chunks);
}

}  // namespace mikey::transport
