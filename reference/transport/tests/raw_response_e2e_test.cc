// The answers a misbehaving KMS needs (ReplyHandler, HttpHandler): a response sent as is, no
// answer at all, and the request as received, over loopback.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tests/support/test_support.h"
#include "transport/client.h"
#include "transport/server.h"
#include "transport/tests/e2e_fixture.h"
#include "wire/base64.h"

namespace mikey::transport::testing {
namespace {

class RawResponseE2ETest : public ServerTest {
 protected:
  void start_http(HttpHandler handler) {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.access_log = log_->sink();
    server_ = std::make_unique<KmsServer>(std::move(o), std::move(handler));
    auto port = server_->start();
    ASSERT_TRUE(port.ok()) << port.error().detail;
    port_ = *port;
  }

  void start_replying(ReplyHandler handler) {
    start_http(annex_a_handler(AnnexAProfile{}, 1, std::move(handler)));
  }
};

TEST_F(RawResponseE2ETest, KmsAnswerIsEncodedAsUsual) {
  start_replying([](RequestType t, ByteView request, const RequestMeta&) -> ServerReply {
    return KmsAnswer{echo_answer(t, request), false, "", 0};
  });
  AnnexAClient client(client_options());
  auto r = client.post(RequestType::ticket_request, sample_mikey(11));
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->mikey, echo_answer(RequestType::ticket_request, sample_mikey(11)));
}

TEST_F(RawResponseE2ETest, RawResponseIsSentAsIs) {
  start_replying([](RequestType, ByteView, const RequestMeta&) -> ServerReply {
    HttpResponse h;
    h.status = 418;
    h.headers = {{"Content-Type", "text/x-garbage"}, {"X-Extra", "1"}};
    h.body = "not MIKEY";
    return h;
  });
  AnnexAClient client(client_options());
  auto r = client.send_raw(RawRequest().str());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->parsed.status, 418);
  EXPECT_EQ(r->parsed.header("Content-Type"), "text/x-garbage");
  EXPECT_EQ(r->parsed.header("X-Extra"), "1");
  EXPECT_EQ(r->parsed.body, "not MIKEY");
  // Keep-alive unless the response says close: a second request on the same connection.
  auto again = client.send_raw(RawRequest().str());
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(again->parsed.status, 418);
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(RawResponseE2ETest, DropClosesWithoutAnswer) {
  std::atomic<int> calls{0};
  start_replying([&calls](RequestType, ByteView, const RequestMeta&) -> ServerReply {
    ++calls;
    return DropConnection{"on purpose"};
  });
  AnnexAClient client(client_options());
  auto r = client.send_raw(RawRequest().str());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::connection_closed) << r.error().detail;
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(log_->wait_for(1));
  EXPECT_NE(log_->lines().back().find("event=no_answer"), std::string::npos);
  EXPECT_EQ(server_->stats().requests, 0u);
}

TEST_F(RawResponseE2ETest, InvalidRequestsStillGetTheServersRejection) {
  std::atomic<int> calls{0};
  start_replying([&calls](RequestType, ByteView, const RequestMeta&) -> ServerReply {
    ++calls;
    return DropConnection{};
  });
  RawRequest bad;
  bad.target = "/elsewhere?requesttype=ticketrequest";
  AnnexAClient client(client_options());
  auto r = client.send_raw(bad.str());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->parsed.status, 404);
  auto malformed = AnnexAClient(client_options()).send_raw("NOT HTTP\r\n\r\n");
  ASSERT_TRUE(malformed.ok()) << malformed.error().detail;
  EXPECT_EQ(malformed->parsed.status, 400);
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(RawResponseE2ETest, HttpHandlerSeesEveryRequestAsReceived) {
  std::mutex mu;
  std::vector<std::string> raws;
  std::vector<bool> parsed;
  start_http([&](const ReceivedRequest& r) -> HttpReply {
    {
      const std::lock_guard<std::mutex> lock(mu);
      raws.emplace_back(r.raw);
      parsed.push_back(r.view != nullptr);
    }
    if (r.view == nullptr) return DropConnection{"unparsable"};
    HttpResponse h;
    h.status = 202;
    h.body = std::string(r.view->method);
    return h;
  });
  const std::string first = RawRequest().str();
  RawRequest second;
  second.method = "PUT";
  AnnexAClient client(client_options());
  // Pipelined: each request's bytes are its own.
  auto a = client.send_raw(first + second.str());
  ASSERT_TRUE(a.ok()) << a.error().detail;
  auto b = client.read_raw();
  ASSERT_TRUE(b.ok()) << b.error().detail;
  EXPECT_EQ(a->parsed.status, 202);
  EXPECT_EQ(a->parsed.body, "POST");
  EXPECT_EQ(b->parsed.body, "PUT");
  auto broken = AnnexAClient(client_options()).send_raw("GARBAGE\r\n\r\n");
  EXPECT_FALSE(broken.ok());
  const std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(raws.size(), 3u);
  EXPECT_EQ(raws[0], first);
  EXPECT_EQ(raws[1], second.str());
  EXPECT_EQ(raws[2], "GARBAGE\r\n\r\n");
  EXPECT_TRUE(parsed[0]);
  EXPECT_TRUE(parsed[1]);
  EXPECT_FALSE(parsed[2]);
}

TEST_F(RawResponseE2ETest, ThrowingHttpHandlerIsAKmsFailure) {
  start_http([](const ReceivedRequest&) -> HttpReply { throw std::runtime_error("boom"); });
  auto r = AnnexAClient(client_options()).send_raw(RawRequest().str());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->parsed.status, 500);
}

}  // namespace
}  // namespace mikey::transport::testing
