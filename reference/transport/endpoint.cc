#include "transport/endpoint.h"

#include <algorithm>
#include <optional>

#include "wire/enum_table.h"

namespace mikey::transport {

MIKEY_DEFINE_ENUM_TEXT(to_string, EndpointErrc, "unknown", "empty", "bad_scheme", "missing_host",
                       "bad_host", "unclosed_bracket", "unbracketed_ipv6", "missing_port",
                       "bad_port")

namespace {

EndpointError fail(EndpointErrc code, std::string message) { return {code, std::move(message)}; }

// RFC 3986 §3.2.2: a reg-name or IPv4 address (unreserved characters and percent-encoding), or
// inside brackets an IPv6 address (hex digits, ':', '.', and a '%' zone).
bool host_chars(std::string_view host, bool bracketed) {
  return std::all_of(host.begin(), host.end(), [bracketed](char c) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    const std::string_view extra = bracketed ? ":.%-_" : ".-_~%";
    return alnum || extra.find(c) != std::string_view::npos;
  });
}

// RFC 3986 §3.2.3: decimal digits; 0..65535 for TCP.
std::optional<std::uint16_t> port_number(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// host and port of an authority; `port_required` false leaves `out.port` as it is when absent.
std::optional<EndpointError> parse_authority(std::string_view authority, bool port_required,
                                             Endpoint& out) {
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  const bool bracketed = !authority.empty() && authority.front() == '[';
  if (bracketed) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return fail(EndpointErrc::unclosed_bracket, "missing ']' after an IPv6 address");
    }
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      return fail(EndpointErrc::bad_port, "expected ':' and a port after ']'");
    }
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
  } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    has_port = true;
    if (host.find(':') != std::string_view::npos) {
      return fail(EndpointErrc::unbracketed_ipv6, "an IPv6 address needs brackets: [ADDR]:PORT");
    }
  }
  if (host.empty()) return fail(EndpointErrc::missing_host, "the host is empty");
  if (!host_chars(host, bracketed)) {
    return fail(EndpointErrc::bad_host, "the host '" + std::string(host) + "' is not a host");
  }
  out.host = std::string(host);
  if (!has_port) {
    if (port_required) {
      return fail(EndpointErrc::missing_port,
                  "expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)");
    }
    return std::nullopt;
  }
  const auto number = port_number(port);
  if (!number) {
    return fail(EndpointErrc::bad_port,
                "the port '" + std::string(port) + "' is not a number from 0 to 65535");
  }
  out.port = *number;
  out.explicit_port = true;
  return std::nullopt;
}

}  // namespace

Result<Endpoint, EndpointError> parse_endpoint(std::string_view text) {
  if (text.empty()) return fail(EndpointErrc::empty, "no host and port given");
  Endpoint out;
  std::string_view authority = text;
  if (const std::size_t sep = text.find("://"); sep != std::string_view::npos) {
    out.scheme = std::string(text.substr(0, sep));
    if (out.scheme != "http" && out.scheme != "https") {
      return fail(EndpointErrc::bad_scheme, "the scheme '" + out.scheme + "' is not http or https");
    }
    out.port = out.scheme == "https" ? 443 : 80;  // RFC 9110 §4.2.1, §4.2.2
    const std::string_view rest = text.substr(sep + 3);
    const std::size_t slash = rest.find('/');
    authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) out.path = std::string(rest.substr(slash));
  }
  if (auto e = parse_authority(authority, out.scheme.empty(), out)) return *e;
  return out;
}

}  // namespace mikey::transport
