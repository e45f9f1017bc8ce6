// The HTTP latitude of the reference server that the pure request path decides
// (docs/latitude.md "unknown-method", "announced-body-too-large"; docs/http-errors.md): an
// unrecognised method gets 405 or 501 as configured, and the parser tells an announced
// oversized body (decided from the header alone) from one that grew while de-chunking.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_support.h"
#include "transport/request_parser.h"
#include "transport/server.h"

namespace mikey::transport {
namespace {

using namespace testing;  // echo_handler, RawRequest

std::string status_line(const std::string& request, const AnnexAProfile& profile) {
  Bytes out = handle_request_bytes(profile, echo_handler(), as_bytes(request));
  const std::string text(out.begin(), out.end());
  return text.substr(0, text.find("\r\n"));
}

AnnexAProfile answering_501() {
  AnnexAProfile p;
  p.unknown_method_status = 501;
  return p;
}

TEST(HttpLatitudeTest, UnknownTokenMethodGets405ByDefault) {
  RawRequest r;
  r.method = "FETCH";
  EXPECT_EQ(status_line(r.str(), {}), "HTTP/1.1 405 Method Not Allowed");
}

TEST(HttpLatitudeTest, UnknownTokenMethodGets501BeforeThePathWhenConfigured) {
  RawRequest r;
  r.method = "FETCH";
  r.target = "/elsewhere";  // RFC 7231 §4.1: the method decides before the resource
  EXPECT_EQ(status_line(r.str(), answering_501()), "HTTP/1.1 501 Not Implemented");
}

TEST(HttpLatitudeTest, KnownMethodsKeep405With501Configured) {
  for (const char* method : {"GET", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    RawRequest r;
    r.method = method;
    EXPECT_EQ(status_line(r.str(), answering_501()), "HTTP/1.1 405 Method Not Allowed") << method;
    EXPECT_TRUE(is_known_method(method));
  }
  EXPECT_FALSE(is_known_method("post"));  // methods are case-sensitive (RFC 7231 §4.1)
  RawRequest ok;
  EXPECT_EQ(status_line(ok.str(), answering_501()), "HTTP/1.1 200 OK");
}

TEST(HttpLatitudeTest, NonTokenMethodGets400ByDefaultAnd501WhenConfigured) {
  RawRequest r;
  r.method = "P@ST";  // '@' is no tchar (RFC 7230 §3.2.6)
  EXPECT_EQ(status_line(r.str(), {}), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(status_line(r.str(), answering_501()), "HTTP/1.1 501 Not Implemented");
  RequestParser parser(answering_501());
  EXPECT_EQ(parser.feed(as_bytes(r.str())), RequestParser::State::failed);
  EXPECT_EQ(parser.failure()->code, Reject::method_not_implemented);
}

TEST(HttpLatitudeTest, AnnouncedOversizedBodyIsReportedWithTheBytesAfterTheHeader) {
  AnnexAProfile p;
  p.max_body_bytes = 1024;
  const std::string head =
      "POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHost: a\r\n"
      "Content-Type: application/mikey\r\nContent-Length: 100000\r\n\r\n";
  RequestParser parser(p);
  EXPECT_EQ(parser.feed(as_bytes(head + "AAAAAAA")), RequestParser::State::failed);
  EXPECT_EQ(parser.failure()->code, Reject::body_too_large);
  ASSERT_TRUE(parser.announced_body_length().has_value());
  EXPECT_EQ(*parser.announced_body_length(), 100000u);
  EXPECT_EQ(parser.bytes_after_header(), 7u);
}

TEST(HttpLatitudeTest, ChunkedBodyOverTheLimitIsNotAnnounced) {
  AnnexAProfile p;
  p.max_body_bytes = 1024;
  const std::string chunk = "400\r\n" + std::string(1024, 'A') + "\r\n";
  const std::string req =
      "POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHost: a\r\n"
      "Content-Type: application/mikey\r\nTransfer-Encoding: chunked\r\n\r\n" +
      chunk + chunk + "0\r\n\r\n";
  RequestParser parser(p);
  EXPECT_EQ(parser.feed(as_bytes(req)), RequestParser::State::failed);
  EXPECT_EQ(parser.failure()->code, Reject::body_too_large);
  EXPECT_FALSE(parser.announced_body_length().has_value());
  EXPECT_EQ(parser.bytes_after_header(), 0u);
}

TEST(HttpLatitudeTest, OversizedBodyChoicesRoundTrip) {
  for (OversizedBody o : {OversizedBody::early_413, OversizedBody::close, OversizedBody::wait}) {
    EXPECT_EQ(parse_oversized_body(to_string(o)), o);
  }
  EXPECT_EQ(to_string(OversizedBody::early_413), "early-413");
  EXPECT_FALSE(parse_oversized_body("later").has_value());
}

}  // namespace
}  // namespace mikey::transport
