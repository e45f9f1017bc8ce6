// Every row of docs/http-errors.md provoked over a real loopback socket, asserting exactly
// the status (and the headers the row promises), plus the tolerated variations (A.2-7,
// A.2-8, RFC 3830 §10.1) that must get 200.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

#include "transport/tests/e2e_fixture.h"
#include "wire/base64.h"

namespace mikey::transport {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // echo_answer, RawRequest, sample_mikey

// One row of docs/http-errors.md provoked by a change to the default request: the status, a
// header the row promises (when set) and a text the body names (when set).
struct Row {
  void (*change)(RawRequest&);
  std::uint16_t status;
  const char* header;
  const char* header_value;
  const char* body_has;
};

class HttpErrorsE2ETest : public testing::ServerTest {
 protected:
  void SetUp() override { start(); }

  RawResponse expect_status(const RawRequest& r, std::uint16_t status) {
    RawResponse resp = raw(r.str());
    EXPECT_EQ(resp.parsed.status, status) << resp.bytes;
    return resp;
  }

  // Provokes `row` and asserts what it promises.
  void expect_row(const Row& row) {
    RawRequest r;
    row.change(r);
    RawResponse resp = expect_status(r, row.status);
    if (row.header != nullptr) EXPECT_EQ(resp.parsed.header(row.header), row.header_value);
    if (row.body_has != nullptr) {
      EXPECT_NE(resp.parsed.body.find(row.body_has), std::string::npos) << resp.parsed.body;
    }
  }
};

TEST_F(HttpErrorsE2ETest, Http10Gets505) {
  expect_row({[](RawRequest& r) { r.version = "HTTP/1.0"; }, 505, "Connection", "close", nullptr});
}

TEST_F(HttpErrorsE2ETest, MissingHostGets400) {
  expect_row({[](RawRequest& r) {
                r.headers.erase(r.headers.begin());  // Host
              },
              400, nullptr, nullptr, nullptr});
}

TEST_F(HttpErrorsE2ETest, UnknownPathGets404) {
  expect_row({[](RawRequest& r) { r.target = "/keymanagement/x?requesttype=ticketrequest"; }, 404,
              nullptr, nullptr, nullptr});
}

TEST_F(HttpErrorsE2ETest, GetGets405WithAllowPost) {
  expect_row({[](RawRequest& r) { r.method = "GET"; }, 405, "Allow", "POST", nullptr});
}

TEST_F(HttpErrorsE2ETest, MissingRequestTypeGets400) {
  expect_row(
      {[](RawRequest& r) { r.target = "/keymanagement?other=1"; }, 400, nullptr, nullptr, nullptr});
}

TEST_F(HttpErrorsE2ETest, UnknownRequestTypeGets400) {
  expect_row({[](RawRequest& r) { r.target = "/keymanagement?requesttype=tickettransfer"; }, 400,
              nullptr, nullptr, nullptr});
}

TEST_F(HttpErrorsE2ETest, RepeatedRequestTypeGets400) {
  expect_row({[](RawRequest& r) {
                r.target = "/keymanagement?requesttype=ticketrequest&requesttype=ticketresolve";
              },
              400, nullptr, nullptr, nullptr});
}

TEST_F(HttpErrorsE2ETest, MissingContentTypeGets415) {
  expect_row({[](RawRequest& r) {
                r.headers.pop_back();  // Content-Type
              },
              415, nullptr, nullptr, nullptr});
}

TEST_F(HttpErrorsE2ETest, OtherContentTypeGets415) {
  expect_row({[](RawRequest& r) { r.headers.back().second = "application/octet-stream"; }, 415,
              nullptr, nullptr, nullptr});
}

TEST_F(HttpErrorsE2ETest, NoContentLengthGets411) {
  expect_row({[](RawRequest& r) {
                r.content_length = false;
                r.body.clear();
              },
              411, nullptr, nullptr, nullptr});
}

TEST_F(HttpErrorsE2ETest, EmptyBodyGets400) {
  expect_row({[](RawRequest& r) { r.body.clear(); }, 400, nullptr, nullptr, nullptr});
}

TEST_F(HttpErrorsE2ETest, BadBase64Gets400NamingOffset) {
  expect_row({[](RawRequest& r) { r.body = "AQsA*AAA"; }, 400, nullptr, nullptr, "offset 4"});
}

TEST_F(HttpErrorsE2ETest, ShortMikeyGets400) {
  expect_row({[](RawRequest& r) {
                r.body = "AQ==";  // one byte: HDR version only
              },
              400, nullptr, nullptr, nullptr});
}

TEST_F(HttpErrorsE2ETest, DataTypeMismatchGets400) {
  expect_row({[](RawRequest& r) {
                r.target =
                    "/keymanagement?requesttype=ticketresolve";  // body is REQUEST_INIT_PSK (11)
              },
              400, nullptr, nullptr, nullptr});
}

TEST_F(HttpErrorsE2ETest, OversizedHeaderGets431) {
  expect_row({[](RawRequest& r) {
                r.headers.emplace_back("X-Padding",
                                       std::string(10 * 1024, 'p'));  // default limit 8 KiB
              },
              431, "Connection", "close", nullptr});
}

TEST_F(HttpErrorsE2ETest, BodyOverLimitGets413) {
  ServerOptions o;
  o.profile.max_body_bytes = 1024;
  start(o);
  RawRequest r;
  r.body = std::string(4096, 'A');
  RawResponse resp = expect_status(r, 413);
  EXPECT_EQ(resp.parsed.header("Connection"), "close");
}

TEST_F(HttpErrorsE2ETest, ChunkedBodyOverLimitGets413) {
  ServerOptions o;
  o.profile.max_body_bytes = 1024;
  start(o);
  std::string chunk = "400\r\n" + std::string(1024, 'A') + "\r\n";
  std::string req =
      "POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\nHost: a\r\n"
      "Content-Type: application/mikey\r\nTransfer-Encoding: chunked\r\n\r\n" +
      chunk + chunk + "0\r\n\r\n";
  EXPECT_EQ(raw(req).parsed.status, 413);
}

TEST_F(HttpErrorsE2ETest, MalformedRequestGets400) {
  RawResponse resp = raw("POST /keymanagement HTTP/1.1 trailing-garbage\r\n\r\n");
  EXPECT_EQ(resp.parsed.status, 400);
  EXPECT_EQ(resp.parsed.header("Connection"), "close");
}

// A client that half-closes after part of a request still gets its answer.
TEST_F(HttpErrorsE2ETest, HalfClosedIncompleteRequestGets400) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port_);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);  // NOLINT
  std::string full = RawRequest().str();
  std::string part = full.substr(0, full.size() - 5);
  ASSERT_EQ(::send(fd, part.data(), part.size(), MSG_NOSIGNAL), static_cast<ssize_t>(part.size()));
  ::shutdown(fd, SHUT_WR);
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    got.append(buf, static_cast<size_t>(n));
  ::close(fd);
  EXPECT_EQ(got.substr(0, got.find("\r\n")), "HTTP/1.1 400 Bad Request") << got;
}

TEST_F(HttpErrorsE2ETest, KmsFailureGets500) {
  start({}, [](RequestType, ByteView) { return KmsAnswer{{}, true, "PSK store offline"}; });
  RawResponse resp = expect_status(RawRequest(), 500);
  EXPECT_EQ(resp.parsed.body.find("PSK store"), std::string::npos);
  expect_first_log_line_has("detail=\"PSK store offline\"");
}

TEST_F(HttpErrorsE2ETest, HandlerExceptionGets500) {
  start({}, [](RequestType, ByteView) -> KmsAnswer { throw std::runtime_error("bug"); });
  expect_status(RawRequest(), 500);
  start({}, [](RequestType, ByteView) { return KmsAnswer{}; });  // empty answer
  expect_status(RawRequest(), 500);
}

TEST_F(HttpErrorsE2ETest, ConnectionLimitGets503WithRetryAfter) {
  ServerOptions o;
  o.max_connections = 1;
  o.reclaim = false;  // the idle first connection keeps its slot
  o.retry_after_seconds = 3;
  start(o);
  AnnexAClient first(client_options());
  auto a = first.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_TRUE(a.ok()) << a.error().detail;
  ASSERT_EQ(a->status, 200);
  ASSERT_TRUE(first.connected());  // holds the one slot (keep-alive)
  AnnexAClient second(client_options());
  auto b = second.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_TRUE(b.ok()) << b.error().detail;
  EXPECT_EQ(b->status, 503);
  EXPECT_EQ(b->header("Retry-After"), "3");
  EXPECT_EQ(b->header("Connection"), "close");
  auto again = first.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200);
}

// Tolerated variations: 200 with the handler's answer.
class AnnexAAcceptE2ETest : public testing::ServerTest {
 protected:
  void SetUp() override { start(); }

  void expect_ok(const RawRequest& r, RequestType type = RequestType::ticket_request) {
    RawResponse resp = raw(r.str());
    ASSERT_EQ(resp.parsed.status, 200) << resp.bytes;
    ASSERT_TRUE(resp.parsed.mikey.has_value()) << resp.parsed.mikey_problem;
    auto decoded = wire::base64_decode(r.body, wire::Base64Mode::lenient);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*resp.parsed.mikey, echo_answer(type, *decoded));
  }
};

TEST_F(AnnexAAcceptE2ETest, ExtraUriParametersAreTolerated) {  // A.2-7
  RawRequest r;
  r.target = "/keymanagement?a=1&requesttype=ticketrequest&b&c=%20";
  expect_ok(r);
}

TEST_F(AnnexAAcceptE2ETest, ExtraHeadersAreTolerated) {  // A.2-8, with the seed's headers
  RawRequest r;
  r.headers.emplace_back("User-Agent", "KMSAgent; Release-9 3gpp-gba");
  r.headers.emplace_back("From", "alice@operator.example");
  r.headers.emplace_back("Date", "Fri, 31 Dec 1999 23:59:59 GMT");
  r.headers.emplace_back("X-Vendor", "1");
  expect_ok(r);
}

TEST_F(AnnexAAcceptE2ETest, ClientExtrasAreTolerated) {  // the client's A.2-7/A.2-8 knobs
  ClientOptions c = client_options();
  c.extra_query = {{"gba", "btid@example"}};
  c.extra_headers = {{"X-Trace", "abc"}};
  AnnexAClient client(c);
  auto r = client.post(RequestType::ticket_resolve, sample_mikey(17));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->mikey, echo_answer(RequestType::ticket_resolve, sample_mikey(17)));
}

TEST_F(AnnexAAcceptE2ETest, ContentTypeParametersAndCaseAreAccepted) {
  for (const char* ct : {"application/mikey; version=1", "APPLICATION/Mikey"}) {
    RawRequest r;
    r.headers.back().second = ct;
    expect_ok(r);
  }
}

TEST_F(AnnexAAcceptE2ETest, CrLfWrappedBase64IsAccepted) {
  RawRequest r;
  std::string b = wire::base64_encode(sample_mikey(12, 90));
  r.body = b.substr(0, 76) + "\r\n" + b.substr(76) + "\r\n";
  expect_ok(r);
}

TEST_F(AnnexAAcceptE2ETest, ChunkedBodyIsAccepted) {
  auto chunk = [](std::string_view data) {
    char size[16];
    std::snprintf(size, sizeof size, "%zx", data.size());
    return std::string(size) + "\r\n" + std::string(data) + "\r\n";
  };
  std::string b = wire::base64_encode(sample_mikey(16));
  std::string req =
      "POST /keymanagement?requesttype=ticketresolve HTTP/1.1\r\nHost: a\r\n"
      "Content-Type: application/mikey\r\nTransfer-Encoding: chunked\r\n\r\n" +
      chunk(std::string_view(b).substr(0, 8)) + chunk(std::string_view(b).substr(8)) + "0\r\n\r\n";
  RawResponse resp = raw(req);
  ASSERT_EQ(resp.parsed.status, 200) << resp.bytes;
  EXPECT_EQ(resp.parsed.mikey, echo_answer(RequestType::ticket_resolve, sample_mikey(16)));
}

TEST_F(AnnexAAcceptE2ETest, ExpectContinueGetsAnInterimResponse) {
  RawRequest r;
  r.headers.emplace_back("Expect", "100-continue");
  std::string s = r.str();
  std::size_t head = s.find("\r\n\r\n") + 4;
  AnnexAClient client(client_options());
  std::string_view writes[] = {std::string_view(s).substr(0, head),
                               std::string_view(s).substr(head)};
  auto resp = client.send_raw(writes, 100ms);
  ASSERT_TRUE(resp.ok()) << resp.error().detail;
  EXPECT_EQ(resp->bytes.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0), 0u) << resp->bytes;
  EXPECT_EQ(resp->parsed.status, 200);
}

}  // namespace
}  // namespace mikey::transport
