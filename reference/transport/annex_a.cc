#include "transport/annex_a.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <exception>
#include <string>
#include <string_view>

#include "wire/base64.h"
#include "wire/errc.h"
#include "wire/fuzzing.h"
#include "wire/reader.h"

namespace mikey::transport {

std::string_view to_string(RequestType t) noexcept {
  return t == RequestType::ticket_request ? "ticket_request" : "ticket_resolve";
}

std::string_view to_string(Reject r) noexcept {
  switch (r) {
#define X(name, status, req, msg) \
  case Reject::name:              \
    return #name;
    MIKEY_TRANSPORT_REJECTS(X)
#undef X
  }
  return "unknown";
}

std::string_view message(Reject r) noexcept {
  switch (r) {
#define X(name, status, req, msg) \
  case Reject::name:              \
    return msg;
    MIKEY_TRANSPORT_REJECTS(X)
#undef X
  }
  return "unknown rejection";
}

std::uint16_t status_of(Reject r) noexcept {
  switch (r) {
#define X(name, status, req, msg) \
  case Reject::name:              \
    return status;
    MIKEY_TRANSPORT_REJECTS(X)
#undef X
  }
  return 500;
}

std::string_view requirement_of(Reject r) noexcept {
  switch (r) {
#define X(name, status, req, msg) \
  case Reject::name:              \
    return req;
    MIKEY_TRANSPORT_REJECTS(X)
#undef X
  }
  return "";
}

std::string_view reason_phrase(std::uint16_t status) noexcept {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "";
  }
}

namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// RFC 7230 §3.2.6 tchar.
bool is_tchar(char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

// RFC 7230 §3.2.6 quoted-string (qdtext / quoted-pair), whole of `s`.
bool is_quoted_string(std::string_view s) noexcept {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      if (++i + 1 >= s.size()) return false;  // the escape would swallow the closing quote
      continue;
    }
    if (c == '"' || (c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

// A short, printable rendering of client-supplied text for error bodies and logs.
std::string printable(std::string_view s, std::size_t max = 64) {
  std::string out;
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : '?');
  }
  if (s.size() > max) out += "...";
  return out;
}

std::size_t count_headers(std::span<const HeaderField> headers, std::string_view name,
                          std::string_view* first = nullptr) noexcept {
  std::size_t n = 0;
  for (const HeaderField& h : headers) {
    if (!iequals(h.name, name)) continue;
    if (n == 0 && first != nullptr) *first = h.value;
    ++n;
  }
  return n;
}

// Splits a request-target into path and query. Absolute-form (RFC 7230 §5.3.2, which a
// server MUST accept) loses its scheme and authority; an empty path is "/".
void split_target(std::string_view target, std::string_view& path, std::string_view& query) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() && iequals(target.substr(0, scheme.size()), scheme)) {
      target.remove_prefix(scheme.size());
      std::size_t end = target.find_first_of("/?");
      target.remove_prefix(end == std::string_view::npos ? target.size() : end);
      break;
    }
  }
  std::size_t q = target.find('?');
  path = target.substr(0, q);
  query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
  if (path.empty()) path = "/";
}

std::string data_type_name(std::uint8_t t) {
  switch (t) {
    case 11:
      return "11 (REQUEST_INIT_PSK)";
    case 12:
      return "12 (REQUEST_INIT_PK)";
    case 13:
      return "13 (REQUEST_RESP)";
    case 14:
      return "14 (TRANSFER_INIT)";
    case 15:
      return "15 (TRANSFER_RESP)";
    case 16:
      return "16 (RESOLVE_INIT_PSK)";
    case 17:
      return "17 (RESOLVE_INIT_PK)";
    case 18:
      return "18 (RESOLVE_RESP)";
    default:
      return std::to_string(t);
  }
}

std::string join_numbers(const std::vector<std::uint8_t>& v) {
  std::string out;
  for (std::uint8_t x : v) {
    if (!out.empty()) out += ", ";
    out += std::to_string(x);
  }
  return out;
}

Rejection reject(Reject code, std::string text, std::optional<RequestType> type = {}) {
  return Rejection{code, std::move(text), type};
}

bool closes_connection(Reject code) noexcept {
  switch (code) {
    case Reject::malformed_http:
    case Reject::header_too_large:
    case Reject::incomplete_request:
    case Reject::http_version:
    case Reject::body_too_large:
    case Reject::overloaded:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool media_type_matches(std::string_view content_type, std::string_view expected) noexcept {
  std::string_view ct = trim(content_type);
  std::size_t semi = ct.find(';');
  if (!iequals(trim(ct.substr(0, semi)), expected)) return false;
  if (semi == std::string_view::npos) return true;
  // Parameters: ";" separated, each name=value with value a token or quoted-string. Empty
  // segments (a trailing ";") are tolerated.
  std::string_view rest = ct.substr(semi + 1);
  while (!rest.empty()) {
    std::size_t end = 0;
    bool quoted = false;
    for (; end < rest.size(); ++end) {
      char c = rest[end];
      if (quoted && c == '\\') {
        ++end;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == ';') {
        break;
      }
    }
    std::string_view param = trim(rest.substr(0, std::min(end, rest.size())));
    rest.remove_prefix(std::min(end + 1, rest.size()));
    if (param.empty()) continue;
    std::size_t eq = param.find('=');
    if (eq == std::string_view::npos) return false;
    std::string_view name = param.substr(0, eq);
    std::string_view value = param.substr(eq + 1);
    if (!is_token(name) || !(is_token(value) || is_quoted_string(value))) return false;
  }
  return true;
}

bool is_known_method(std::string_view method) noexcept {
  static constexpr std::array<std::string_view, 9> kMethods{
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  return std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end();
}

std::string percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string percent_encode(std::string_view s) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    bool unreserved = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  return out;
}

Result<ValidRequest, Rejection> validate_request(const AnnexAProfile& profile,
                                                 const HttpRequestView& request) noexcept {
  // A.2-2: HTTP/1.1 only.
  if (request.version != 11) {
    return reject(Reject::http_version, "HTTP/" + std::to_string(request.version / 10) + "." +
                                            std::to_string(request.version % 10) +
                                            " is not supported; use HTTP/1.1");
  }
  // RFC 7230 §5.4 (A.2-4 names what the Host header holds).
  if (profile.require_host) {
    std::size_t hosts = count_headers(request.headers, "host");
    if (hosts != 1) {
      return reject(Reject::missing_host,
                    hosts == 0 ? "the Host header is missing" : "the Host header is repeated");
    }
  }
  // docs/latitude.md "unknown-method": RFC 7231 §4.1, an unrecognised method SHOULD get 501,
  // whatever the resource.
  if (profile.unknown_method_status == 501 && !is_known_method(request.method)) {
    return reject(Reject::method_not_implemented,
                  "method " + printable(request.method, 16) + " is not implemented; use POST");
  }
  // A.2-3: the Request-URI is /keymanagement?requesttype=...
  std::string_view path;
  std::string_view query;
  split_target(request.target, path, query);
  if (path != profile.path) {
    return reject(Reject::unknown_path,
                  "no resource at " + printable(path) + "; the KMS serves " + profile.path);
  }
  // A.2-1: the request travels in an HTTP POST.
  if (request.method != "POST") {
    return reject(Reject::method_not_allowed,
                  "method " + printable(request.method, 16) + " is not allowed; use POST");
  }
  // A.2-3 with A.2-7: other URI parameters are tolerated; requesttype appears exactly once.
  std::size_t seen = 0;
  std::string value;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    std::size_t eq = param.find('=');
    if (percent_decode(param.substr(0, eq)) != profile.type_parameter) continue;
    ++seen;
    value = eq == std::string_view::npos ? std::string() : percent_decode(param.substr(eq + 1));
  }
  if (seen == 0) {
    return reject(Reject::missing_request_type,
                  "the URI parameter " + profile.type_parameter + " is missing");
  }
  if (seen > 1) {
    return reject(Reject::repeated_request_type, "the URI parameter " + profile.type_parameter +
                                                     " appears " + std::to_string(seen) + " times");
  }
  RequestType type;
  if (value == profile.ticket_request_value) {
    type = RequestType::ticket_request;
  } else if (value == profile.ticket_resolve_value) {
    type = RequestType::ticket_resolve;
  } else {
    return reject(Reject::unknown_request_type, profile.type_parameter + "=" + printable(value) +
                                                    " is neither " + profile.ticket_request_value +
                                                    " nor " + profile.ticket_resolve_value);
  }
  // A.2-5: Content-Type application/mikey; RFC 3830 §10.1 parameters (version) allowed.
  std::string_view content_type;
  std::size_t content_types = count_headers(request.headers, "content-type", &content_type);
  if (content_types == 0) {
    return reject(Reject::unsupported_content_type,
                  "the Content-Type header is missing; expected " + profile.content_type, type);
  }
  if (content_types > 1) {
    return reject(Reject::unsupported_content_type, "the Content-Type header is repeated", type);
  }
  if (!media_type_matches(content_type, profile.content_type)) {
    return reject(Reject::unsupported_content_type,
                  "Content-Type " + printable(content_type) + " is not " + profile.content_type,
                  type);
  }
  // RFC 7230 §3.3.3: a request without either header has no body; say so precisely.
  if (count_headers(request.headers, "content-length") == 0 &&
      count_headers(request.headers, "transfer-encoding") == 0) {
    return reject(Reject::length_required,
                  "the request has neither Content-Length nor Transfer-Encoding", type);
  }
  if (request.body.size() > profile.max_body_bytes) {
    return reject(Reject::body_too_large,
                  "the body of " + std::to_string(request.body.size()) +
                      " bytes exceeds the limit of " + std::to_string(profile.max_body_bytes),
                  type);
  }
  if (request.body.empty()) return reject(Reject::empty_body, "the request body is empty", type);
  // A.2-6: the body is the base64-encoded MIKEY message.
  Bytes mikey;
  if (profile.body_encoding == BodyEncoding::base64) {
    auto decoded = wire::base64_decode(request.body, profile.base64_mode, profile.max_body_bytes);
    if (!decoded.ok()) {
      return reject(Reject::bad_base64,
                    "the body is not valid base64 at offset " +
                        std::to_string(decoded.error().offset) + ": " +
                        std::string(wire::to_string(decoded.error().code)),
                    type);
    }
    mikey = std::move(decoded).value();
  } else {
    ByteView raw = as_bytes(request.body);
    mikey.assign(raw.begin(), raw.end());
  }
  // A.2-6: REQUEST_INIT for ticketrequest, RESOLVE_INIT for ticketresolve. Only HDR byte 1
  // (data type, RFC 3830 §6.1) is read here; the KMS logic parses the rest.
  wire::Reader reader(mikey);
  std::uint8_t data_type = 0;
  if (!reader.skip(1) || !reader.u8(data_type)) {
    return reject(Reject::mikey_too_short,
                  "the MIKEY message of " + std::to_string(mikey.size()) +
                      " byte(s) ends before its data type (HDR byte 1)",
                  type);
  }
  const std::vector<std::uint8_t>& allowed = type == RequestType::ticket_request
                                                 ? profile.ticket_request_data_types
                                                 : profile.ticket_resolve_data_types;
  if (std::find(allowed.begin(), allowed.end(), data_type) == allowed.end()) {
    return reject(Reject::data_type_mismatch,
                  "MIKEY data type " + data_type_name(data_type) + " does not match " +
                      profile.type_parameter + "=" + value + " (expects " + join_numbers(allowed) +
                      ")",
                  type);
  }
  return ValidRequest{type, std::move(mikey)};
}

HttpResponse make_error_response(Reject code, std::string_view text, unsigned retry_after_seconds) {
  HttpResponse r;
  r.status = status_of(code);
  r.reject = code;
  r.close = closes_connection(code);
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  if (code == Reject::method_not_allowed) r.headers.emplace_back("Allow", "POST");
  if (code == Reject::overloaded) {
    r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  }
  r.body = std::string(text.empty() ? message(code) : text);
  r.body += '\n';
  r.log_detail = std::string(text.empty() ? message(code) : text);
  return r;
}

HttpResponse respond(const AnnexAProfile& profile, const KmsHandler& handler,
                     const HttpRequestView& request) noexcept {
  auto valid = validate_request(profile, request);
  if (!valid.ok()) {
    HttpResponse r = make_error_response(valid.error().code, valid.error().text);
    r.type = valid.error().type;
    r.omit_body = request.method == "HEAD";
    return r;
  }
  RequestType type = valid->type;
  KmsAnswer answer;
  std::string failure;
  try {
    if (!handler) {
      failure = "no KMS handler is installed";
    } else {
      answer = handler(type, valid->mikey);
    }
  } catch (const std::exception& e) {
    failure = std::string("the KMS handler threw: ") + e.what();
  } catch (...) {  // the server survives a buggy handler; a fuzzer must see it
    wire::trap_when_fuzzing();
    failure = "the KMS handler threw a non-standard exception";
  }
  if (failure.empty() && answer.unavailable_retry_after_s != 0) {
    HttpResponse r = make_error_response(Reject::overloaded,
                                         "the KMS cannot serve this request now; retry later",
                                         answer.unavailable_retry_after_s);
    r.type = type;
    r.log_detail = std::move(answer.log_detail);
    return r;
  }
  if (failure.empty() && !answer.kms_failed && answer.mikey.empty() &&
      answer.client_error_status == 0) {
    failure = "the KMS handler returned an empty MIKEY message";
  }
  if (!failure.empty() || answer.kms_failed) {
    // A.3-1: the KMS knows it erred → 5xx. The detail stays in the log.
    HttpResponse r = make_error_response(Reject::kms_failure, message(Reject::kms_failure));
    r.type = type;
    r.log_detail = failure.empty() ? answer.log_detail : failure;
    return r;
  }
  if (answer.client_error_status >= 400 && answer.client_error_status <= 499) {
    // A.3-1: the KMS chose to refuse at the HTTP level (e.g. 401 after an authentication
    // failure, whose MIKEY Error message is OPTIONAL: RFC 6043 §5.4; docs/latitude.md
    // "auth-failure-answer").
    HttpResponse r;
    r.status = answer.client_error_status;
    r.type = type;
    r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    r.body = "the KMS refused the MIKEY message\n";
    r.log_detail = std::move(answer.log_detail);
    return r;
  }
  // A.2-10..A.2-12: 200 OK, application/mikey, base64 MIKEY message.
  HttpResponse r;
  r.status = 200;
  r.type = type;
  r.headers.emplace_back("Content-Type", profile.content_type);
  if (profile.body_encoding == BodyEncoding::base64) {
    r.body = wire::base64_encode(answer.mikey);
  } else {
    r.body.assign(answer.mikey.begin(), answer.mikey.end());
  }
  r.log_detail = std::move(answer.log_detail);
  return r;
}

std::string serialize_response(const HttpResponse& response, std::string_view server,
                               std::string_view date) {
  std::string out;
  out.reserve(160 + response.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += reason_phrase(response.status);
  out += "\r\n";
  auto field = [&out](std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  };
  if (!server.empty()) field("Server", server);
  if (!date.empty()) field("Date", date);
  for (const auto& [name, value] : response.headers) field(name, value);
  field("Content-Length", std::to_string(response.body.size()));
  if (response.close) field("Connection", "close");
  out += "\r\n";
  if (!response.omit_body) out += response.body;
  return out;
}

namespace {

std::string format_http_date(std::time_t now) {
  static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays.at(static_cast<std::size_t>(tm.tm_wday) % 7), tm.tm_mday,
                kMonths.at(static_cast<std::size_t>(tm.tm_mon) % 12), tm.tm_year + 1900, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf.data();
}

}  // namespace

std::string http_date_now() {
  // The Date field has a resolution of one second (RFC 7231 §7.1.1.1), and every response
  // carries one: each thread formats it once per second, not once per response.
  thread_local std::time_t formatted_at = -1;
  thread_local std::string formatted;
  const std::time_t now = std::time(nullptr);
  if (now != formatted_at) {
    formatted = format_http_date(now);
    formatted_at = now;
  }
  return formatted;
}

}  // namespace mikey::transport
