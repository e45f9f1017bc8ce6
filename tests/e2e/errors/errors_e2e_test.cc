// Refusals over HTTP: each MIKEY-level error comes back as exactly the MIKEY Error number of
// docs/errors.md inside a 200 OK application/mikey (TS 33.328 A.2-10..A.2-12), and each malformed
// HTTP request gets exactly the status of docs/http-errors.md (a few representative rows: the
// transport's own e2e tests cover every row). The KMS is the real one, configured by
// configs/kms.yaml, with a clock the test moves.
#include <string>

#include "roles/error_message.h"
#include "service/kms_answer.h"
#include "tests/e2e/e2e_support.h"
#include "wire/base64.h"

namespace mikeyconf::e2e {
namespace {

using mikey::codec::ErrorNo;
using transport::RequestType;

constexpr std::string_view kCarol = "sip:carol@example.org";

class ErrorsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(kms_.ok()) << kms_.error(); }

  // POSTs `message`; the answer must be 200 application/mikey carrying an Error with `no`.
  void expect_error(RequestType type, ByteView message, ErrorNo no, Client* via = nullptr) {
    auto r = (via != nullptr ? via : &client_)->post(type, message);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->header("Content-Type").value_or(""), "application/mikey");
    ASSERT_TRUE(r->mikey.has_value()) << r->mikey_problem;
    EXPECT_EQ(data_type_of(*r->mikey), mikey::codec::DataType::error);
    auto got = error_no_of(*r->mikey);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(static_cast<int>(*got), static_cast<int>(no));
  }

  Bytes request_init(const roles::TicketRequest& r,
                     const roles::Algorithms& algs = roles::kSuite128) {
    roles::Initiator alice(initiator_config(kms_, kAlice, algs), clock_, rng_);
    auto init = alice.request_ticket(r);
    EXPECT_TRUE(init.ok()) << describe(init.error());
    return init.ok() ? init.value() : Bytes{};
  }

  // Alice obtains a ticket for Bob over HTTP and transfers it to `responder`; returns the
  // RESOLVE_INIT the Responder `responder` would send to the KMS.
  Bytes resolve_init(roles::TicketRequest r, std::string_view responder = kBob) {
    roles::Initiator alice(initiator_config(kms_, kAlice), clock_, rng_);
    auto init = alice.request_ticket(r);
    EXPECT_TRUE(init.ok());
    if (!init.ok()) return {};
    auto granted = alice.process_request_resp(client_.exchange(RequestType::ticket_request, *init));
    EXPECT_TRUE(granted.ok()) << describe(granted.error());
    roles::TransferOptions o;
    o.responder = roles::Identity::uri(responder);
    auto transfer = alice.transfer_init(o);
    EXPECT_TRUE(transfer.ok());
    if (!transfer.ok()) return {};
    roles::Responder bob(responder_config(kms_, responder), clock_, rng_);
    auto step = bob.process_transfer_init(*transfer);
    EXPECT_TRUE(step.ok()) << describe(step.error());
    if (!step.ok()) return {};
    EXPECT_EQ(step->action, roles::ResponderAction::send_resolve_init);
    return step->message;
  }

  std::string raw_request(const std::string& method, const std::string& target,
                          const std::string& content_type, const std::string& body) const {
    std::string r = method + " " + target +
                    " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(kms_.port()) + "\r\n";
    if (!content_type.empty()) r += "Content-Type: " + content_type + "\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return r;
  }

  TestClock clock_;
  mikey::crypto::DeterministicRng rng_{11};
  RunningKms kms_{kConfigs + "/kms.yaml", clock_};
  Client client_{kms_.client_options()};
};

TEST_F(ErrorsE2ETest, BadMacIsAnsweredWith0) {
  Bytes init = request_init(ticket_request(kBob));
  init.back() ^= 0x01;  // the last MAC byte
  expect_error(RequestType::ticket_request, init, ErrorNo::auth_failure);
  EXPECT_TRUE(kms_.logged("auth_failure"));
}

TEST_F(ErrorsE2ETest, ReplayedRequestInitIsAnsweredWith1) {
  Bytes init = request_init(ticket_request(kBob));
  EXPECT_EQ(data_type_of(client_.exchange(RequestType::ticket_request, init)),
            mikey::codec::DataType::request_resp);
  expect_error(RequestType::ticket_request, init, ErrorNo::invalid_ts);
  EXPECT_TRUE(kms_.logged("replayed_message"));
}

TEST_F(ErrorsE2ETest, StaleRequestInitIsAnsweredWith1) {
  Bytes init = request_init(ticket_request(kBob));
  clock_.advance_seconds(301);  // beyond clock_skew: 300
  expect_error(RequestType::ticket_request, init, ErrorNo::invalid_ts);
}

TEST_F(ErrorsE2ETest, ExpiredTicketIsAnsweredWith14) {
  roles::TicketRequest r = ticket_request(kBob);
  r.lifetime_s = 60;
  Bytes resolve = resolve_init(r);
  clock_.advance_seconds(70);  // past TRe = TRs + 60, within the clock skew of the request
  expect_error(RequestType::ticket_resolve, resolve, ErrorNo::invalid_ticket);
  EXPECT_TRUE(kms_.logged("ticket_expired"));
}

TEST_F(ErrorsE2ETest, NotYetValidTicketIsAnsweredWith14) {
  Bytes resolve = resolve_init(ticket_request(kBob));
  clock_.advance_seconds(-100);  // before TRs, within the clock skew of the request
  expect_error(RequestType::ticket_resolve, resolve, ErrorNo::invalid_ticket);
  EXPECT_TRUE(kms_.logged("ticket_not_yet_valid"));
}

TEST_F(ErrorsE2ETest, ResponderNotNamedInTheTicketIsAnsweredWith7) {
  // Alice's ticket names Bob; Carol (a GBA user of the same KMS) tries to resolve it.
  Bytes resolve = resolve_init(ticket_request(kBob), kCarol);
  expect_error(RequestType::ticket_resolve, resolve, ErrorNo::invalid_id);
  EXPECT_TRUE(kms_.logged("responder_not_authorized"));
}

TEST_F(ErrorsE2ETest, UnknownTicketTypeIsAnsweredWith14) {
  roles::TicketRequest r = ticket_request(kBob);
  r.format = roles::TicketFormat{static_cast<mikey::codec::TicketType>(7), 0, 0};
  expect_error(RequestType::ticket_request, request_init(r), ErrorNo::invalid_ticket);
  EXPECT_TRUE(kms_.logged("unsupported_ticket_type"));
}

TEST_F(ErrorsE2ETest, MalformedRequestIsAnsweredWith12) {
  Bytes init = request_init(ticket_request(kBob));
  init.resize(init.size() - 3);  // the V payload ends before its MAC does
  expect_error(RequestType::ticket_request, init, ErrorNo::unspecified);
  EXPECT_TRUE(kms_.logged("malformed_message"));
}

TEST_F(ErrorsE2ETest, AlgorithmsOutsideThePolicyAreAnsweredWith2And3) {
  // A KMS that allows only MIKEY-1 and HMAC-SHA-1-160 (the sample with a narrower policy).
  TempDir dir;
  std::string yaml = read_file(kConfigs + "/kms.yaml");
  yaml = replace_all(yaml, "prfs: [MIKEY-1, PRF-HMAC-SHA-256]", "prfs: [MIKEY-1]");
  yaml = replace_all(yaml, "mac_algs: [HMAC-SHA-1-160, HMAC-SHA-256-256]",
                     "mac_algs: [HMAC-SHA-1-160]");
  write_file(dir.file("narrow.yaml"), yaml);
  RunningKms narrow(dir.file("narrow.yaml"), clock_);
  ASSERT_TRUE(narrow.ok()) << narrow.error();
  Client client(narrow.client_options());

  roles::Initiator wide(initiator_config(narrow, kAlice, roles::kSuite256), clock_, rng_);
  auto init =
      wide.request_ticket(ticket_request(kBob, false, roles::kBaseTicket, roles::kSuite256));
  ASSERT_TRUE(init.ok());
  expect_error(RequestType::ticket_request, *init, ErrorNo::invalid_prf, &client);

  roles::Algorithms sha256_mac{mikey::codec::PrfFunc::mikey_1, mikey::codec::EncrAlg::aes_cm_128,
                               mikey::codec::MacAlg::hmac_sha256_256};
  roles::Initiator mixed(initiator_config(narrow, kAlice, sha256_mac), clock_, rng_);
  init = mixed.request_ticket(ticket_request(kBob));
  ASSERT_TRUE(init.ok());
  expect_error(RequestType::ticket_request, *init, ErrorNo::invalid_mac, &client);
}

// ---- HTTP-level rejections (docs/http-errors.md) ----

TEST_F(ErrorsE2ETest, GetGets405WithAllowPost) {
  auto r = client_.raw(raw_request("GET", "/keymanagement?requesttype=ticketrequest", "", ""));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("Allow").value_or(""), "POST");
}

TEST_F(ErrorsE2ETest, WrongContentTypeGets415) {
  std::string body = mikey::wire::base64_encode(request_init(ticket_request(kBob)));
  auto r = client_.raw(
      raw_request("POST", "/keymanagement?requesttype=ticketrequest", "text/plain", body));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 415);
}

TEST_F(ErrorsE2ETest, BadBase64Gets400) {
  auto r = client_.raw(raw_request("POST", "/keymanagement?requesttype=ticketrequest",
                                   "application/mikey", "AQsF*not-base64*"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
}

TEST_F(ErrorsE2ETest, UnknownRequestTypeGets400AndUnknownPathGets404) {
  std::string body = mikey::wire::base64_encode(request_init(ticket_request(kBob)));
  auto r = client_.raw(
      raw_request("POST", "/keymanagement?requesttype=ticketissue", "application/mikey", body));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  r = client_.raw(raw_request("POST", "/kms?requesttype=ticketrequest", "application/mikey", body));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404);
}

TEST_F(ErrorsE2ETest, ResolveInitSentAsTicketRequestGets400) {
  Bytes resolve = resolve_init(ticket_request(kBob));
  auto r = client_.post(RequestType::ticket_request, resolve);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);  // data type 16 does not match requesttype=ticketrequest
}

// docs/errors.md "The KMS over HTTP": a MIKEY Error message posted as a request is never
// answered with an Error (RFC 6043 §5.4); it gets 400, since its data type (6) matches no
// requesttype ...
TEST_F(ErrorsE2ETest, ErrorMessagePostedAsARequestGets400) {
  Bytes error = roles::build_error(roles::ErrorContext{}, ErrorNo::unspecified, clock_.now());
  ASSERT_FALSE(error.empty());
  for (RequestType type : {RequestType::ticket_request, RequestType::ticket_resolve}) {
    auto r = client_.post(type, error);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 400);
    EXPECT_FALSE(r->mikey.has_value());
  }
}

// ... and should a transport profile hand it to the KMS anyway, the KMS has nothing to send:
// 500 (a KMS-side failure, A.3-1), never a 200 with an empty body.
TEST_F(ErrorsE2ETest, ErrorMessageReachingTheKmsGets500) {
  transport::AnnexAProfile wide;
  wide.ticket_request_data_types = {6, 11, 12};
  RunningKms kms(kConfigs + "/kms.yaml", clock_, wide);
  ASSERT_TRUE(kms.ok()) << kms.error();
  Client client(kms.client_options());
  Bytes error = roles::build_error(roles::ErrorContext{}, ErrorNo::unspecified, clock_.now());
  auto r = client.post(RequestType::ticket_request, error);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
  EXPECT_TRUE(kms.logged("error_message_received"));
}

TEST(KmsAnswerTest, MapsEveryKindOfReply) {
  roles::KmsReply ok;
  ok.message = {1, 13, 0};
  transport::KmsAnswer a = mikey::service::to_kms_answer(ok);
  EXPECT_FALSE(a.kms_failed);
  EXPECT_EQ(a.mikey, ok.message);
  EXPECT_TRUE(a.log_detail.empty());

  roles::KmsReply refused;
  refused.message = {1, 6, 0};
  refused.failure = roles::Failure::auth_failure;
  refused.detail = "MAC mismatch";
  a = mikey::service::to_kms_answer(refused);
  EXPECT_FALSE(a.kms_failed);
  EXPECT_EQ(a.mikey, refused.message);
  EXPECT_EQ(a.log_detail, "auth_failure: MAC mismatch");

  roles::KmsReply silent;
  silent.failure = roles::Failure::error_message_received;
  a = mikey::service::to_kms_answer(silent);
  EXPECT_TRUE(a.kms_failed);
  EXPECT_TRUE(a.mikey.empty());
  EXPECT_EQ(a.log_detail, "no MIKEY answer (error_message_received)");

  // docs/latitude.md "auth-failure-answer": the KMS refuses with an HTTP status instead.
  roles::KmsReply unauthorized = refused;
  unauthorized.http_status = 401;
  a = mikey::service::to_kms_answer(unauthorized);
  EXPECT_FALSE(a.kms_failed);
  EXPECT_EQ(a.client_error_status, 401);
  EXPECT_TRUE(a.mikey.empty());
}

}  // namespace
}  // namespace mikeyconf::e2e
