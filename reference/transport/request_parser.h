// Incremental HTTP/1.1 request parser (Boost.Beast's parser behind a pimpl, so this header
// stays Beast-free) with the profile's header and body limits, and handle_request_bytes:
// bytes of one request in, bytes of its response out, no socket. The server runs the very
// same parser and respond() on what it reads, so the fuzz target and the split-point tests
// exercise the server's request path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "transport/annex_a.h"
#include "wire/bytes.h"

namespace mikey::transport {

class RequestParser {
 public:
  enum class State : std::uint8_t { need_more, done, failed };

  // Keeps a copy of the limits; `profile` need not outlive the parser.
  explicit RequestParser(const AnnexAProfile& profile);
  ~RequestParser();
  RequestParser(RequestParser&&) noexcept;
  RequestParser& operator=(RequestParser&&) noexcept;

  // Appends `data` and parses as far as possible. Once done, further bytes (a pipelined next
  // request) are kept and returned by leftover(). Never throws except on allocation failure.
  State feed(ByteView data);
  // The peer closed the stream: a partly received request fails (incomplete_request); with
  // nothing received the state stays need_more (a clean close between requests).
  State finish() noexcept;
  State state() const noexcept;

  bool got_some() const noexcept;     // at least one byte of this request was received
  bool header_done() const noexcept;  // method/target/version/headers are available
  // HTTP/1.1 "Expect: 100-continue" (RFC 7231 §5.1.1), once header_done().
  bool expects_continue() const noexcept;
  // Whether the connection may carry another request after this one (RFC 7230 §6.3).
  bool keep_alive() const noexcept;
  std::string_view method() const noexcept;  // "" until header_done()
  std::string_view target() const noexcept;  // "" until header_done()

  // The complete request; views valid while the parser lives and is not fed. Call when done.
  HttpRequestView view() const;
  // Why the parse failed (when state() == failed): malformed_http, header_too_large,
  // body_too_large, incomplete_request or (a method that is not a token, with the profile's
  // unknown_method_status 501) method_not_implemented, with Beast's message as text.
  const std::optional<Rejection>& failure() const noexcept;
  // A request refused from its header alone for announcing a body over the limit: its
  // Content-Length (docs/latitude.md "announced-body-too-large"); nullopt for any other outcome,
  // including a chunked body that grew over the limit.
  std::optional<std::uint64_t> announced_body_length() const noexcept;
  // Bytes received after the header of such a request (the start of its body).
  std::size_t bytes_after_header() const noexcept;
  // Bytes received after the end of this request.
  ByteView leftover() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses one request from `chunks` (fed in order, as a socket would deliver them), validates
// it, calls `handler` and returns the serialised response (no Date header, Server
// "mikeyconf"). A request still incomplete after the last chunk gets 400
// (incomplete_request). Bytes after the first request are ignored.
Bytes handle_request_chunks(const AnnexAProfile& profile, const KmsHandler& handler,
                            std::span<const ByteView> chunks);
Bytes handle_request_bytes(const AnnexAProfile& profile, const KmsHandler& handler,
                           ByteView http_request_bytes);

}  // namespace mikey::transport
