// Errors of the transport layer (client and server setup), one message each (Beast's
// error.hpp style). HTTP-level rejections of a request are not errors of this kind: they are
// `Reject` codes (annex_a.h), answered with a status code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "wire/enum_table.h"

namespace mikey::transport {

#define MIKEY_TRANSPORT_ERRORS(X)                                                   \
  X(resolve_failed, "the host name could not be resolved")                          \
  X(connect_failed, "the TCP connection could not be established")                  \
  X(timeout, "the operation did not complete within its timeout")                   \
  X(tls_failed, "the TLS handshake or a TLS record failed")                         \
  X(tls_setup_failed, "a certificate, key or CA file could not be loaded")          \
  X(write_failed, "the request could not be written")                               \
  X(read_failed, "the response could not be read")                                  \
  X(connection_closed, "the peer closed the connection before a complete response") \
  X(bad_response, "the response is not valid HTTP/1.1")                             \
  X(response_too_large, "the response exceeds the configured size limit")           \
  X(bind_failed, "the listening socket could not be opened or bound")               \
  X(already_started, "the server was already started")

MIKEY_DECLARE_ERRC(MIKEY_TRANSPORT_ERRORS, transport_category)
// to_string gives the enumerator name; message the row's text.
std::string_view message(Errc e) noexcept;

// A transport failure: the specific code plus a human-readable detail (the OS/OpenSSL/Beast
// message and what was being done), for logs and reports only; tests assert `code`.
struct Error {
  Errc code = Errc::ok;
  std::string detail;
};

}  // namespace mikey::transport

template <>
struct std::is_error_code_enum<mikey::transport::Errc> : std::true_type {};
