// AnnexAClient against scripted peers: typed transport errors, and response validation
// (A.2-13 extra headers accepted, A.2-14 the response is checked before its MIKEY is used).
#include <string>

#include "transport/tests/e2e_fixture.h"

namespace mikey::transport {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // sample_mikey, ScriptedPeer

ClientOptions options_for(std::uint16_t port) {
  ClientOptions c;
  c.port = port;
  c.connect_timeout = 2s;
  c.total_timeout = 5s;
  return c;
}

Result<ClientResponse, Error> post_to(std::uint16_t port,
                                      std::chrono::milliseconds total = 5000ms) {
  ClientOptions c = options_for(port);
  c.total_timeout = total;
  AnnexAClient client(c);
  return client.post(RequestType::ticket_request, sample_mikey(11));
}

// What the client makes of a peer that answers `reply`.
Result<ClientResponse, Error> post_to_peer_answering(const std::string& reply) {
  ScriptedPeer peer(reply);
  return post_to(peer.port());
}

TEST(ClientE2ETest, RefusedConnectionIsConnectFailed) {
  auto r = post_to(testing::unused_port());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::connect_failed) << r.error().detail;
}

TEST(ClientE2ETest, SilentServerIsTimeout) {
  ScriptedPeer peer("", 1s);
  auto begin = std::chrono::steady_clock::now();
  auto r = post_to(peer.port(), 300ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::timeout) << r.error().detail;
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
}

TEST(ClientE2ETest, CloseWithoutResponseIsConnectionClosed) {
  auto r = post_to_peer_answering("");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::connection_closed) << r.error().detail;
}

TEST(ClientE2ETest, GarbageIsBadResponse) {
  auto r = post_to_peer_answering("SIP/2.0 200 OK\r\n\r\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::bad_response) << r.error().detail;
}

TEST(ClientE2ETest, OversizedResponseIsResponseTooLarge) {
  auto r = post_to_peer_answering(
      "HTTP/1.1 200 OK\r\nContent-Type: application/mikey\r\n"
      "Content-Length: 999999999\r\n\r\nAAAA");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::response_too_large)
      << to_string(r.error().code) << ": " << r.error().detail;
}

TEST(ClientE2ETest, AcceptsExtraResponseHeaders) {  // A.2-13
  ScriptedPeer peer(
      "HTTP/1.1 200 OK\r\nX-Vendor: 1\r\nContent-Type: application/mikey; version=1"
      "\r\nDate: Fri, 31 Dec 1999 23:59:59 GMT\r\nContent-Length: 4\r\n\r\nAQ0C");
  auto r = post_to(peer.port());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, 200);
  ASSERT_TRUE(r->mikey.has_value()) << r->mikey_problem;
  EXPECT_EQ(*r->mikey, (Bytes{0x01, 0x0d, 0x02}));
  EXPECT_EQ(r->header("x-vendor"), "1");
}

TEST(ClientE2ETest, ReportsWhyA200CarriesNoMikey) {  // A.2-14
  struct Case {
    const char* reply;
    const char* problem;
  };
  for (Case c :
       {Case{"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nAQ0C",
             "is not application/mikey"},
        Case{"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nAQ0C", "no Content-Type"},
        Case{"HTTP/1.1 200 OK\r\nContent-Type: application/mikey\r\n"
             "Content-Length: 4\r\n\r\nA*0C",
             "offset 1"},
        Case{"HTTP/1.1 200 OK\r\nContent-Type: application/mikey\r\n"
             "Content-Length: 0\r\n\r\n",
             "empty"}}) {
    auto r = post_to_peer_answering(c.reply);
    ASSERT_TRUE(r.ok()) << r.error().detail;
    EXPECT_EQ(r->status, 200);
    EXPECT_FALSE(r->mikey.has_value());
    EXPECT_NE(r->mikey_problem.find(c.problem), std::string::npos) << r->mikey_problem;
  }
}

TEST(ClientE2ETest, ErrorStatusesAreResponsesNotErrors) {
  auto r = post_to_peer_answering(
      "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n"
      "Connection: close\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->header("Retry-After"), "5");
  EXPECT_FALSE(r->keep_alive);
}

TEST(ClientE2ETest, BodyDelimitedByCloseIsRead) {
  auto r = post_to_peer_answering(
      "HTTP/1.1 200 OK\r\nContent-Type: application/mikey\r\n"
      "Connection: close\r\n\r\nAQ0C");
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->mikey, (Bytes{0x01, 0x0d, 0x02}));
}

TEST(ClientE2ETest, BuildsTheSeedShapedRequest) {  // A.2-1..A.2-6
  ClientOptions c = options_for(1234);
  c.host = "kms.operator.example";
  c.user_agent = "KMSAgent; Release-9 3gpp-gba";
  AnnexAClient client(c);
  EXPECT_EQ(client.build_request(RequestType::ticket_resolve, Bytes{0x01, 0x10, 0x00}),
            "POST /keymanagement?requesttype=ticketresolve HTTP/1.1\r\n"
            "Host: kms.operator.example:1234\r\n"
            "Content-Type: application/mikey\r\n"
            "Content-Length: 4\r\n"
            "User-Agent: KMSAgent; Release-9 3gpp-gba\r\n\r\nARAA");
}

}  // namespace
}  // namespace mikey::transport
