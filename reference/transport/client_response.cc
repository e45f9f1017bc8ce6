// client_detail.h: the parts of reading a response that need no socket.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <string>
#include <utility>

#include "transport/client_detail.h"
#include "wire/base64.h"
#include "wire/errc.h"

namespace mikey::transport::client_detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using error_code = boost::system::error_code;

bool holds_final_response(std::string_view bytes, bool head_request) {
  while (!bytes.empty()) {
    http::response_parser<http::empty_body> parser;
    parser.skip(head_request);
    parser.eager(true);
    error_code ec;
    std::size_t used = 0;
    while (!ec && !parser.is_done() && used < bytes.size()) {
      const std::size_t n =
          parser.put(asio::const_buffer(bytes.data() + used, bytes.size() - used), ec);
      used += n;
      if (n == 0 && !ec) return false;
    }
    if (ec == http::error::need_more || (!ec && !parser.is_done())) return false;
    if (ec) return true;
    const unsigned status = parser.get().result_int();
    if (status / 100 != 1 || status == 101) return true;
    bytes.remove_prefix(used);
  }
  return false;
}

void decode_mikey_body(const ClientOptions& opts, ClientResponse& out) {
  out.mikey.reset();
  out.mikey_problem.clear();
  if (out.status != 200) return;
  // A.2-14: the UE checks that the response is valid before using the MIKEY message.
  auto content_type = out.header("Content-Type");
  if (!content_type) {
    out.mikey_problem = "the 200 response has no Content-Type";
  } else if (!media_type_matches(*content_type, opts.profile.content_type)) {
    out.mikey_problem =
        "Content-Type " + std::string(*content_type) + " is not " + opts.profile.content_type;
  } else if (out.body.empty()) {
    out.mikey_problem = "the 200 response body is empty";
  } else if (opts.profile.body_encoding == BodyEncoding::base64) {
    auto decoded = wire::base64_decode(out.body, opts.profile.base64_mode, opts.max_response_bytes);
    if (decoded.ok()) {
      out.mikey = std::move(decoded).value();
    } else {
      out.mikey_problem = "the body is not valid base64 at offset " +
                          std::to_string(decoded.error().offset) + ": " +
                          std::string(wire::to_string(decoded.error().code));
    }
  } else {
    ByteView raw = as_bytes(out.body);
    out.mikey = Bytes(raw.begin(), raw.end());
  }
}

}  // namespace mikey::transport::client_detail
