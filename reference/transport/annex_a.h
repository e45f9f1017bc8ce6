// TS 33.328 Annex A: the HTTP profile that carries REQUEST_INIT / RESOLVE_INIT to a KMS and
// the answer back. Everything here is pure (no sockets, no Beast), so request validation and
// response building are unit-tested and fuzzed exactly as the server runs them.
// docs/http-errors.md lists every rejection with its status, requirement and test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wire/base64.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::transport {

enum class RequestType : std::uint8_t { ticket_request, ticket_resolve };

// "ticket_request" / "ticket_resolve" (the enumerator names, not the URI values).
std::string_view to_string(RequestType t) noexcept;

// The KMS logic's answer to one well-formed Annex A request: the binary MIKEY message for the
// 200 OK body (a REQUEST_RESP/RESOLVE_RESP or a MIKEY Error message), or a KMS-side failure
// (→ 5xx, A.3-1). `log_detail` goes to the access log only, never to the client.
struct KmsAnswer {
  Bytes mikey;
  bool kms_failed = false;
  std::string log_detail;
  // 4xx: answer this HTTP status (text/plain body) instead of the MIKEY message — a KMS that
  // refuses at the HTTP level where the MIKEY Error message is optional (A.3-1; RFC 6043 §5.4;
  // docs/latitude.md "auth-failure-answer"). 0: the 200 OK with `mikey`.
  std::uint16_t client_error_status = 0;
  // Non-zero: the KMS cannot serve this request now (its replay memory is full, its peer KMS is
  // busy or unreachable) and says so with 503 Service Unavailable and this Retry-After, in
  // seconds (A.3-1: a KMS aware it cannot serve) — never with a MIKEY Error that would blame the
  // client. Takes precedence over `mikey` and `client_error_status`.
  unsigned unavailable_retry_after_s = 0;
};
// Called once per valid request, possibly from several server threads at once.
// An exception or an empty `mikey` with kms_failed == false is treated as a KMS failure (500).
using KmsHandler = std::function<KmsAnswer(RequestType, ByteView mikey_request)>;

enum class BodyEncoding : std::uint8_t {
  base64,  // A.2-6 / A.2-12 (default)
  binary,  // RFC 3830 §10.1 registers "binary" as an encoding of application/mikey
};

// Everything TS 33.328 Annex A leaves to configuration, with the seed's defaults.
struct AnnexAProfile {
  std::string path = "/keymanagement";
  std::string type_parameter = "requesttype";
  std::string ticket_request_value = "ticketrequest";
  std::string ticket_resolve_value = "ticketresolve";
  std::string content_type = "application/mikey";  // compared case-insensitively
  BodyEncoding body_encoding = BodyEncoding::base64;
  // Lenient: CR/LF anywhere in the body are skipped (wrapped bodies; TS 33.328 Annex A
  // leaves line wrapping open).
  wire::Base64Mode base64_mode = wire::Base64Mode::lenient;
  // HDR data types accepted for each requesttype (RFC 6043 §6.1: REQUEST_INIT_PSK/PK = 11/12,
  // RESOLVE_INIT_PSK/PK = 16/17).
  std::vector<std::uint8_t> ticket_request_data_types{11, 12};
  std::vector<std::uint8_t> ticket_resolve_data_types{16, 17};
  // RFC 7230 §5.4: an HTTP/1.1 request without exactly one Host header gets 400.
  bool require_host = true;
  std::size_t max_header_bytes = 8 * 1024;  // request line + header fields → 431 beyond
  std::size_t max_body_bytes = 64 * 1024;   // HTTP body as sent (base64 text) → 413 beyond
  // docs/latitude.md "unknown-method": the answer to a method this server does not recognise
  // (none of RFC 7231 §4.1's methods nor PATCH, RFC 5789). 405: like any method but POST
  // (RFC 7231 §6.5.5), checked after the path; a method that is not even a token stays a
  // malformed request line (400). 501: Not Implemented (RFC 7231 §4.1, §6.6.2) for both, before
  // the path is looked at.
  std::uint16_t unknown_method_status = 405;

  // The URI value of requesttype for `t`.
  const std::string& type_value(RequestType t) const noexcept {
    return t == RequestType::ticket_request ? ticket_request_value : ticket_resolve_value;
  }
};

// Why a request was not handed to the KMS logic. X(name, status, requirement id, message).
#define MIKEY_TRANSPORT_REJECTS(X)                                                            \
  X(malformed_http, 400, "A.2-9", "the request is not valid HTTP/1.1 syntax")                 \
  X(header_too_large, 431, "A.2-9", "the request header section exceeds the limit")           \
  X(incomplete_request, 400, "A.2-9", "the request ends before the message does")             \
  X(http_version, 505, "A.2-2", "only HTTP/1.1 is served")                                    \
  X(missing_host, 400, "A.2-4", "an HTTP/1.1 request needs exactly one Host header")          \
  X(unknown_path, 404, "A.2-3", "the request path is not the key management resource")        \
  X(method_not_allowed, 405, "A.2-1", "only POST is allowed")                                 \
  X(method_not_implemented, 501, "A.2-1", "the method is not implemented; only POST is")      \
  X(missing_request_type, 400, "A.2-3", "the requesttype URI parameter is missing")           \
  X(unknown_request_type, 400, "A.2-3", "the requesttype URI parameter has an unknown value") \
  X(repeated_request_type, 400, "A.2-3", "the requesttype URI parameter appears twice")       \
  X(unsupported_content_type, 415, "A.2-5", "the Content-Type is not application/mikey")      \
  X(length_required, 411, "A.2-9", "the request has neither Content-Length nor chunked body") \
  X(body_too_large, 413, "A.2-9", "the request body exceeds the limit")                       \
  X(empty_body, 400, "A.2-6", "the request body is empty")                                    \
  X(bad_base64, 400, "A.2-6", "the request body is not valid base64")                         \
  X(mikey_too_short, 400, "A.2-6", "the MIKEY message is too short to carry a data type")     \
  X(data_type_mismatch, 400, "A.2-6", "the MIKEY data type does not match requesttype")       \
  X(kms_failure, 500, "A.3-1", "the KMS failed to process the request")                       \
  X(overloaded, 503, "A.3-1", "the KMS is at its connection limit")

enum class Reject : std::uint8_t {
#define X(name, status, req, msg) name,
  MIKEY_TRANSPORT_REJECTS(X)
#undef X
};

std::string_view to_string(Reject r) noexcept;
std::string_view message(Reject r) noexcept;
std::uint16_t status_of(Reject r) noexcept;
std::string_view requirement_of(Reject r) noexcept;  // requirements.csv id
// The RFC 7231/6585 reason phrase of `status` ("" for statuses this server never sends).
std::string_view reason_phrase(std::uint16_t status) noexcept;

// One header field as received (name case preserved; compare case-insensitively).
struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// One parsed HTTP request; every view points into storage the caller keeps alive.
struct HttpRequestView {
  std::string_view method;
  std::string_view target;  // origin-form (path?query) or absolute-form
  unsigned version = 11;    // 10 = HTTP/1.0, 11 = HTTP/1.1
  std::span<const HeaderField> headers;
  std::string_view body;  // after chunked decoding, if any
};

struct ValidRequest {
  RequestType type = RequestType::ticket_request;
  Bytes mikey;  // the decoded MIKEY message (only HDR byte 1 was looked at)
};

struct Rejection {
  Reject code = Reject::malformed_http;
  std::string text;                 // short, client-facing: what was wrong and where
  std::optional<RequestType> type;  // set when requesttype was already accepted
};

// A.2-9: checks one request against the profile, in this order: version, Host, (an unknown
// method when unknown_method_status is 501), path, method, requesttype, Content-Type, framing,
// body size, empty body, base64, data type. Returns the first rule broken, or the request type
// and decoded MIKEY bytes.
Result<ValidRequest, Rejection> validate_request(const AnnexAProfile& profile,
                                                 const HttpRequestView& request) noexcept;

// A response before serialisation. Server, Date, Content-Length and Connection are added by
// serialize_response.
struct HttpResponse {
  std::uint16_t status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;               // the connection must close after this response
  bool omit_body = false;           // answer to HEAD: Content-Length but no body (RFC 7231 §4.3.2)
  std::optional<RequestType> type;  // known once requesttype was accepted (access log)
  std::optional<Reject> reject;     // why it is not a 200
  std::string log_detail;           // access log only
};

// The response for a rejection: text/plain body with the short text; 405 carries
// "Allow: POST" (RFC 7231 §6.5.5), 503 "Retry-After" (seconds); rejections after which the
// request stream cannot be trusted (syntax, limits, version, overload) set `close`.
HttpResponse make_error_response(Reject code, std::string_view text,
                                 unsigned retry_after_seconds = 1);

// Validates `request`, calls `handler` for a valid one and builds the response: 200 with
// Content-Type `profile.content_type` and the answer encoded per `profile.body_encoding`
// (A.2-10, A.2-11, A.2-12), 500 for a KMS failure (A.3-1), or the rejection's 4xx/505.
// Exceptions thrown by `handler` become 500; nothing else throws except allocation failure.
HttpResponse respond(const AnnexAProfile& profile, const KmsHandler& handler,
                     const HttpRequestView& request) noexcept;

// HTTP/1.1 wire form of `response`. `server` and `date` are emitted when non-empty;
// "Connection: close" when response.close.
std::string serialize_response(const HttpResponse& response, std::string_view server,
                               std::string_view date);

// RFC 7231 §7.1.1.1 IMF-fixdate of the current time, for the Date header.
std::string http_date_now();

// Helpers shared with the client (exposed for tests).
// Case-insensitive ASCII equality.
bool iequals(std::string_view a, std::string_view b) noexcept;
// True when `content_type` names media type `expected` (case-insensitive), optionally
// followed by well-formed parameters (RFC 7231 §3.1.1.1; e.g. "; version=1", RFC 3830 §10.1).
bool media_type_matches(std::string_view content_type, std::string_view expected) noexcept;
// Whether `method` is one of RFC 7231 §4.1's methods or PATCH (RFC 5789), case-sensitively.
bool is_known_method(std::string_view method) noexcept;
// Percent-decodes `s`; malformed escapes are kept literally.
std::string percent_decode(std::string_view s);
// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view s);

}  // namespace mikey::transport
