// libFuzzer target: one HTTP request in, one response out, through the parse → validate →
// respond path the KMS server runs (RequestParser, validate_request, respond). The handler is
// trivial (echo with the response data type) so the fuzzer explores the HTTP and Annex A
// layers only. Checks: no crash, no sanitizer report, and the output is always an HTTP/1.1
// response with a status the server can send.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transport/annex_a.h"
#include "transport/request_parser.h"

namespace {

mikey::transport::KmsAnswer echo(mikey::transport::RequestType type, mikey::ByteView request) {
  mikey::transport::KmsAnswer answer;
  answer.mikey.assign(request.begin(), request.end());
  if (answer.mikey.size() >= 2) {
    answer.mikey[1] = type == mikey::transport::RequestType::ticket_request ? 13 : 18;
  }
  // Exercise the 5xx path for some inputs: a next-payload byte (HDR byte 2) of 0xff.
  answer.kms_failed = answer.mikey.size() >= 3 && answer.mikey[2] == 0xff;
  return answer;
}

const mikey::transport::AnnexAProfile& profile() {
  static const mikey::transport::AnnexAProfile p = [] {
    mikey::transport::AnnexAProfile x;
    x.max_header_bytes = 4096;  // small limits so the fuzzer reaches 413 and 431 cheaply
    x.max_body_bytes = 4096;
    return x;
  }();
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const mikey::transport::KmsHandler handler = echo;
  mikey::Bytes out =
      mikey::transport::handle_request_bytes(profile(), handler, mikey::ByteView(data, size));
  std::string_view text(reinterpret_cast<const char*>(out.data()), out.size());  // NOLINT
  if (text.substr(0, 9) != "HTTP/1.1 " || text.size() < 16) __builtin_trap();
  unsigned status = 0;
  for (char c : text.substr(9, 3)) {
    if (c < '0' || c > '9') __builtin_trap();
    status = status * 10 + static_cast<unsigned>(c - '0');
  }
  if (mikey::transport::reason_phrase(static_cast<std::uint16_t>(status)).empty()) {
    __builtin_trap();
  }
  if (text.find("\r\n\r\n") == std::string_view::npos) __builtin_trap();
  return 0;
}
