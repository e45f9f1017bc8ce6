// RequestParser and handle_request_bytes: the HTTP-syntax rows of docs/http-errors.md, and
// the rule that every split point of the request stream gives the same response.
#include "transport/request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/test_support.h"
#include "wire/base64.h"

namespace mikey::transport {
namespace {

using namespace testing;  // echo_answer, echo_handler, RawRequest, sample_mikey

std::string handle(const std::string& request, const AnnexAProfile& profile = {}) {
  Bytes out = handle_request_bytes(profile, echo_handler(), as_bytes(request));
  return std::string(out.begin(), out.end());
}

std::string status_line(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

TEST(RequestParserTest, AnswersAValidRequestWith200) {
  std::string resp = handle(RawRequest().str());
  EXPECT_EQ(status_line(resp), "HTTP/1.1 200 OK");
  std::string body =
      wire::base64_encode(echo_answer(RequestType::ticket_request, sample_mikey(11)));
  EXPECT_NE(resp.find("\r\nContent-Type: application/mikey\r\n"), std::string::npos) << resp;
  EXPECT_EQ(resp.substr(resp.size() - body.size()), body);
  EXPECT_EQ(resp.find("Connection: close"), std::string::npos);
}

TEST(RequestParserTest, MalformedRequestLineGets400) {
  for (const char* bad : {"POST /keymanagement HTTP/1.1 extra\r\n\r\n", "\x01\x02\x03\r\n\r\n",
                          "POST /keymanagement HTTP/x.y\r\nHost: a\r\n\r\n",
                          "POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\n"
                          "Host: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nAAAA",
                          "POST /keymanagement HTTP/1.1\r\nBad Header: x\r\n\r\n"}) {
    std::string resp = handle(bad);
    EXPECT_EQ(status_line(resp), "HTTP/1.1 400 Bad Request") << bad;
    EXPECT_NE(resp.find("Connection: close"), std::string::npos);
  }
  RequestParser p(AnnexAProfile{});
  EXPECT_EQ(p.feed(as_bytes("GET / HTTP/1.1 x\r\n\r\n")), RequestParser::State::failed);
  EXPECT_EQ(p.failure()->code, Reject::malformed_http);
}

TEST(RequestParserTest, OversizedHeaderGets431) {
  AnnexAProfile p;
  p.max_header_bytes = 512;
  RawRequest r;
  r.headers.emplace_back("X-Padding", std::string(600, 'a'));
  std::string resp = handle(r.str(), p);
  EXPECT_EQ(status_line(resp), "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_NE(resp.find("Connection: close"), std::string::npos);
}

TEST(RequestParserTest, ContentLengthOverLimitGets413) {
  AnnexAProfile p;
  p.max_body_bytes = 64;
  RawRequest r;
  r.body = std::string(100, 'A');
  RequestParser parser(p);
  // Rejected as soon as the header announces too much, before the body arrives.
  std::string s = r.str();
  EXPECT_EQ(parser.feed(as_bytes(s.substr(0, s.find("\r\n\r\n") + 4))),
            RequestParser::State::failed);
  EXPECT_EQ(parser.failure()->code, Reject::body_too_large);
  EXPECT_EQ(status_line(handle(s, p)), "HTTP/1.1 413 Payload Too Large");
}

TEST(RequestParserTest, ChunkedBodyOverLimitGets413) {
  AnnexAProfile p;
  p.max_body_bytes = 64;
  std::string req =
      "POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHost: a\r\n"
      "Content-Type: application/mikey\r\nTransfer-Encoding: chunked\r\n\r\n"
      "28\r\n" +
      std::string(40, 'A') + "\r\n28\r\n" + std::string(40, 'A') + "\r\n0\r\n\r\n";
  EXPECT_EQ(status_line(handle(req, p)), "HTTP/1.1 413 Payload Too Large");
}

TEST(RequestParserTest, ChunkedBodyIsDecoded) {
  std::string b64 = wire::base64_encode(sample_mikey(11));
  std::string req =
      "POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHost: a\r\n"
      "Content-Type: application/mikey\r\nTransfer-Encoding: chunked\r\n\r\n"
      "10\r\n" +
      b64.substr(0, 16) + "\r\n10\r\n" + b64.substr(16) + "\r\n0\r\n\r\n";
  EXPECT_EQ(status_line(handle(req)), "HTTP/1.1 200 OK");
}

TEST(RequestParserTest, IncompleteRequestGets400) {
  std::string full = RawRequest().str();
  for (std::size_t cut : {std::size_t{1}, std::size_t{20}, full.size() - 1}) {
    std::string resp = handle(full.substr(0, cut));
    EXPECT_EQ(status_line(resp), "HTTP/1.1 400 Bad Request") << cut;
    EXPECT_NE(resp.find("before the message does"), std::string::npos) << resp;
  }
  EXPECT_EQ(status_line(handle("")), "HTTP/1.1 400 Bad Request");
}

TEST(RequestParserTest, Http10GetsVersionNotSupportedAndClose) {
  RawRequest r;
  r.version = "HTTP/1.0";
  std::string resp = handle(r.str());
  EXPECT_EQ(status_line(resp), "HTTP/1.1 505 HTTP Version Not Supported");
  EXPECT_NE(resp.find("Connection: close"), std::string::npos);
}

// Every split point of the stream gives the same result.
TEST(RequestParserTest, EverySplitPointGivesTheSameResponse) {
  for (const std::string& req : {RawRequest().str(), [] {
                                   RawRequest r;
                                   r.method = "GET";
                                   return r.str();
                                 }()}) {
    Bytes whole = handle_request_bytes({}, echo_handler(), as_bytes(req));
    for (std::size_t i = 1; i < req.size(); ++i) {
      ByteView chunks[] = {as_bytes(req).first(i), as_bytes(req).subspan(i)};
      ASSERT_EQ(handle_request_chunks({}, echo_handler(), chunks), whole) << "split at " << i;
    }
    std::vector<ByteView> bytewise;
    for (std::size_t i = 0; i < req.size(); ++i) bytewise.push_back(as_bytes(req).subspan(i, 1));
    EXPECT_EQ(handle_request_chunks({}, echo_handler(), bytewise), whole);
  }
}

TEST(RequestParserTest, KeepsPipelinedBytesAsLeftover) {
  std::string one = RawRequest().str();
  std::string two = one + one;
  RequestParser p(AnnexAProfile{});
  ASSERT_EQ(p.feed(as_bytes(two)), RequestParser::State::done);
  EXPECT_EQ(std::string(p.leftover().begin(), p.leftover().end()), one);
  EXPECT_TRUE(p.keep_alive());
}

TEST(RequestParserTest, ReportsExpectContinueAfterTheHeader) {
  RawRequest r;
  r.headers.emplace_back("Expect", "100-continue");
  std::string s = r.str();
  RequestParser p(AnnexAProfile{});
  EXPECT_EQ(p.feed(as_bytes(s.substr(0, s.find("\r\n\r\n") + 4))), RequestParser::State::need_more);
  EXPECT_TRUE(p.header_done());
  EXPECT_TRUE(p.expects_continue());
  EXPECT_EQ(p.method(), "POST");
  EXPECT_EQ(p.feed(as_bytes(s.substr(s.find("\r\n\r\n") + 4))), RequestParser::State::done);
}

TEST(RequestParserTest, ConnectionCloseIsHonoured) {
  RawRequest r;
  r.headers.emplace_back("Connection", "close");
  EXPECT_NE(handle(r.str()).find("Connection: close"), std::string::npos);
}

TEST(RequestParserTest, HeadGets405WithoutABody) {  // RFC 7231 §4.3.2
  RawRequest r;
  r.method = "HEAD";
  r.body.clear();
  std::string resp = handle(r.str());
  EXPECT_EQ(status_line(resp), "HTTP/1.1 405 Method Not Allowed");
  EXPECT_EQ(resp.substr(resp.size() - 4), "\r\n\r\n") << resp;
  EXPECT_EQ(resp.find("Content-Length: 0\r\n"), std::string::npos) << resp;
}

TEST(RequestParserTest, FinishWithoutBytesIsACleanClose) {
  RequestParser p(AnnexAProfile{});
  EXPECT_EQ(p.finish(), RequestParser::State::need_more);
  EXPECT_FALSE(p.failure().has_value());
}

}  // namespace
}  // namespace mikey::transport
