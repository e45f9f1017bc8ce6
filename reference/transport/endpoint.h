// Where a peer listens, as a user or a configuration writes it: "host:port", "[v6addr]:port" or
// a URL "http://host[:port][/path]" / "https://...". One parser for every command-line option
// and file field that names a host and a port.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "wire/result.h"

namespace mikey::transport {

struct Endpoint {
  std::string scheme;  // "http" or "https" for a URL, "" for host:port
  std::string host;    // a name or an address; an IPv6 address without its brackets
  std::uint16_t port = 0;
  bool explicit_port = false;  // false: a URL without a port, `port` is the scheme's default
  std::string path;            // a URL's path from its first '/' on (query included); else ""
};

enum class EndpointErrc : std::uint8_t {
  empty,             // nothing given
  bad_scheme,        // a URL whose scheme is not http or https
  missing_host,      // ":8080", "http://:8080/"
  bad_host,          // a character no host name or address holds (space, '@', ...)
  unclosed_bracket,  // "[::1:8080"
  unbracketed_ipv6,  // "::1:8080": RFC 3986 §3.2.2 puts an IPv6 literal in brackets
  missing_port,      // "host" or "[::1]" where host:port is expected
  bad_port,          // not a decimal number from 0 to 65535
};

std::string_view to_string(EndpointErrc e) noexcept;

struct EndpointError {
  EndpointErrc code = EndpointErrc::empty;
  std::string message;  // names the text at fault, e.g. "the port '99999' is not 0..65535"
};

// "host:port" or "[v6]:port" (the port is required), or an http/https URL (RFC 3986 §3: without a
// port, 80 or 443). Bad input is an EndpointError, never an exception.
Result<Endpoint, EndpointError> parse_endpoint(std::string_view text);

}  // namespace mikey::transport
