// validate_request / respond: every rejection rule of docs/http-errors.md with its specific
// Reject code and status, the tolerated variations (A.2-7, A.2-8, RFC 3830 §10.1), and the
// response shapes (A.2-10..A.2-12, A.3-1).
#include "transport/annex_a.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/test_support.h"
#include "wire/base64.h"

namespace mikey::transport {
namespace {

using namespace testing;  // echo_answer, echo_handler, sample_mikey

// A request whose parts the tests edit, viewed as HttpRequestView.
struct Req {
  std::string method = "POST";
  std::string target = "/keymanagement?requesttype=ticketrequest";
  unsigned version = 11;
  std::vector<std::pair<std::string, std::string>> headers = {{"Host", "kms.operator.example:1234"},
                                                              {"Content-Type", "application/mikey"},
                                                              {"Content-Length", "32"}};
  std::string body = wire::base64_encode(sample_mikey(11));
  std::vector<HeaderField> fields;

  HttpRequestView view() {
    fields.clear();
    for (const auto& [n, v] : headers) fields.push_back({n, v});
    return HttpRequestView{method, target, version, fields, body};
  }
  void drop(std::string_view name) {
    std::erase_if(headers, [&](const auto& h) { return iequals(h.first, name); });
  }
  void set(std::string_view name, std::string value) {
    drop(name);
    headers.emplace_back(std::string(name), std::move(value));
  }
};

Rejection rejection(Req& r, const AnnexAProfile& profile = {}) {
  auto v = validate_request(profile, r.view());
  EXPECT_FALSE(v.ok()) << "request was accepted";
  return v.ok() ? Rejection{} : v.error();
}

void expect_reject(Req& r, Reject code, std::uint16_t status) {
  Rejection j = rejection(r);
  EXPECT_EQ(to_string(j.code), to_string(code)) << j.text;
  EXPECT_EQ(status_of(j.code), status);
}

TEST(AnnexAValidateTest, AcceptsTheSeedExample) {
  Req r;
  auto v = validate_request({}, r.view());
  ASSERT_TRUE(v.ok()) << v.error().text;
  EXPECT_EQ(v->type, RequestType::ticket_request);
  EXPECT_EQ(v->mikey, sample_mikey(11));
}

TEST(AnnexAValidateTest, AcceptsEveryDataTypeOfItsRequestType) {
  for (auto [type, value, dt] : {std::tuple{RequestType::ticket_request, "ticketrequest", 11},
                                 std::tuple{RequestType::ticket_request, "ticketrequest", 12},
                                 std::tuple{RequestType::ticket_resolve, "ticketresolve", 16},
                                 std::tuple{RequestType::ticket_resolve, "ticketresolve", 17}}) {
    Req r;
    r.target = std::string("/keymanagement?requesttype=") + value;
    r.body = wire::base64_encode(sample_mikey(static_cast<std::uint8_t>(dt)));
    auto v = validate_request({}, r.view());
    ASSERT_TRUE(v.ok()) << value << " " << dt << ": " << v.error().text;
    EXPECT_EQ(v->type, type);
  }
}

TEST(AnnexAValidateTest, Http10Gets505) {
  Req r;
  r.version = 10;
  expect_reject(r, Reject::http_version, 505);
  r.version = 20;
  expect_reject(r, Reject::http_version, 505);
}

TEST(AnnexAValidateTest, MissingHostGets400) {
  Req r;
  r.drop("host");
  expect_reject(r, Reject::missing_host, 400);
}

TEST(AnnexAValidateTest, RepeatedHostGets400) {
  Req r;
  r.headers.emplace_back("HOST", "other.example");
  expect_reject(r, Reject::missing_host, 400);
}

TEST(AnnexAValidateTest, HostCheckCanBeDisabled) {
  Req r;
  r.drop("host");
  AnnexAProfile p;
  p.require_host = false;
  EXPECT_TRUE(validate_request(p, r.view()).ok());
}

TEST(AnnexAValidateTest, UnknownPathGets404) {
  for (const char* target :
       {"/keymanagement/?requesttype=ticketrequest", "/KeyManagement?requesttype=ticketrequest",
        "/", "*", "/keymanagementx?requesttype=ticketrequest"}) {
    Req r;
    r.target = target;
    expect_reject(r, Reject::unknown_path, 404);
  }
}

TEST(AnnexAValidateTest, GetGets405WithAllowPost) {
  for (const char* method : {"GET", "PUT", "HEAD", "post", "OPTIONS"}) {
    Req r;
    r.method = method;
    expect_reject(r, Reject::method_not_allowed, 405);
  }
  HttpResponse resp = make_error_response(Reject::method_not_allowed, "x");
  bool allow = false;
  for (const auto& [n, v] : resp.headers) allow |= n == "Allow" && v == "POST";
  EXPECT_TRUE(allow);
}

TEST(AnnexAValidateTest, MissingRequestTypeGets400) {
  for (const char* target : {"/keymanagement", "/keymanagement?", "/keymanagement?foo=bar",
                             "/keymanagement?requesttypes=ticketrequest"}) {
    Req r;
    r.target = target;
    expect_reject(r, Reject::missing_request_type, 400);
  }
}

TEST(AnnexAValidateTest, UnknownRequestTypeGets400) {
  for (const char* target : {"/keymanagement?requesttype=ticketRequest",
                             "/keymanagement?requesttype=", "/keymanagement?requesttype",
                             "/keymanagement?requesttype=tickettransfer"}) {
    Req r;
    r.target = target;
    expect_reject(r, Reject::unknown_request_type, 400);
  }
}

TEST(AnnexAValidateTest, RepeatedRequestTypeGets400) {
  Req r;
  r.target = "/keymanagement?requesttype=ticketrequest&requesttype=ticketrequest";
  expect_reject(r, Reject::repeated_request_type, 400);
}

TEST(AnnexAValidateTest, ToleratesExtraUriParameters) {  // A.2-7
  Req r;
  r.target = "/keymanagement?x=1&requesttype=ticketrequest&gba=%2Fbtid&flag";
  EXPECT_TRUE(validate_request({}, r.view()).ok());
}

TEST(AnnexAValidateTest, PercentEncodedRequestTypeIsDecoded) {
  Req r;
  r.target = "/keymanagement?request%74ype=ticket%72equest";
  EXPECT_TRUE(validate_request({}, r.view()).ok());
}

TEST(AnnexAValidateTest, ToleratesExtraHeaders) {  // A.2-8
  Req r;
  r.headers.emplace_back("User-Agent", "KMSAgent; Release-9 3gpp-gba");
  r.headers.emplace_back("From", "alice@operator.example");
  r.headers.emplace_back("Date", "Fri, 31 Dec 1999 23:59:59 GMT");
  r.headers.emplace_back("X-Anything", "");
  EXPECT_TRUE(validate_request({}, r.view()).ok());
}

TEST(AnnexAValidateTest, AcceptsAbsoluteFormTarget) {  // RFC 7230 §5.3.2
  Req r;
  r.target = "http://kms.operator.example:1234/keymanagement?requesttype=ticketrequest";
  EXPECT_TRUE(validate_request({}, r.view()).ok());
}

TEST(AnnexAValidateTest, MissingContentTypeGets415) {
  Req r;
  r.drop("content-type");
  expect_reject(r, Reject::unsupported_content_type, 415);
}

TEST(AnnexAValidateTest, OtherContentTypeGets415) {
  for (const char* ct : {"application/octet-stream", "text/plain", "application/mikeyx",
                         "application/mikey version=1", "application/mikey; version",
                         "application/mikey; =1", "", "application/mikey; v=\"unterminated"}) {
    Req r;
    r.set("Content-Type", ct);
    expect_reject(r, Reject::unsupported_content_type, 415);
  }
  Req r;
  r.headers.emplace_back("content-type", "application/mikey");
  expect_reject(r, Reject::unsupported_content_type, 415);
}

TEST(AnnexAValidateTest, AcceptsContentTypeParametersAndCase) {  // RFC 3830 §10.1
  for (const char* ct : {"application/mikey; version=1", "Application/MIKEY",
                         "application/mikey;version=\"1\"", " application/mikey ",
                         "application/mikey; version=2; charset=binary", "application/mikey;"}) {
    Req r;
    r.set("Content-Type", ct);
    auto v = validate_request({}, r.view());
    EXPECT_TRUE(v.ok()) << ct << ": " << (v.ok() ? "" : v.error().text);
  }
}

TEST(AnnexAValidateTest, NoContentLengthGets411) {
  Req r;
  r.drop("content-length");
  r.body.clear();
  expect_reject(r, Reject::length_required, 411);
}

TEST(AnnexAValidateTest, ChunkedBodyNeedsNoContentLength) {
  Req r;
  r.drop("content-length");
  r.headers.emplace_back("Transfer-Encoding", "chunked");
  EXPECT_TRUE(validate_request({}, r.view()).ok());
}

TEST(AnnexAValidateTest, BodyOverLimitGets413) {
  Req r;
  AnnexAProfile p;
  p.max_body_bytes = 16;
  Rejection j = rejection(r, p);
  EXPECT_EQ(j.code, Reject::body_too_large);
  EXPECT_EQ(status_of(j.code), 413);
  EXPECT_TRUE(make_error_response(j.code, j.text).close);
}

TEST(AnnexAValidateTest, EmptyBodyGets400) {
  Req r;
  r.body.clear();
  r.set("Content-Length", "0");
  expect_reject(r, Reject::empty_body, 400);
}

TEST(AnnexAValidateTest, BadBase64Gets400NamingOffset) {
  Req r;
  r.body = "AQsA*AAA";
  Rejection j = rejection(r);
  EXPECT_EQ(j.code, Reject::bad_base64);
  EXPECT_EQ(status_of(j.code), 400);
  EXPECT_NE(j.text.find("offset 4"), std::string::npos) << j.text;
  EXPECT_NE(j.text.find("not in the base64 alphabet"), std::string::npos) << j.text;
  r.body = "AQsAAA";  // length not a multiple of four
  j = rejection(r);
  EXPECT_EQ(j.code, Reject::bad_base64);
  EXPECT_NE(j.text.find("offset 6"), std::string::npos) << j.text;
}

TEST(AnnexAValidateTest, AcceptsCrLfWrappedBase64) {  // lenient mode, TS 33.328 Annex A
  Req r;
  std::string b = wire::base64_encode(sample_mikey(11, 60));
  r.body = b.substr(0, 40) + "\r\n" + b.substr(40) + "\r\n";
  auto v = validate_request({}, r.view());
  ASSERT_TRUE(v.ok()) << v.error().text;
  EXPECT_EQ(v->mikey, sample_mikey(11, 60));
  AnnexAProfile strict;
  strict.base64_mode = wire::Base64Mode::strict;
  EXPECT_EQ(rejection(r, strict).code, Reject::bad_base64);
}

TEST(AnnexAValidateTest, ShortMikeyGets400) {
  for (const Bytes& m : {Bytes{0x01}, Bytes{}}) {
    Req r;
    r.body = m.empty() ? "\r\n" : wire::base64_encode(m);
    expect_reject(r, Reject::mikey_too_short, 400);
  }
}

TEST(AnnexAValidateTest, DataTypeMismatchGets400) {
  struct Case {
    const char* value;
    std::uint8_t data_type;
  };
  for (Case c : {Case{"ticketrequest", 16}, Case{"ticketrequest", 17}, Case{"ticketresolve", 11},
                 Case{"ticketresolve", 12}, Case{"ticketrequest", 13}, Case{"ticketrequest", 0},
                 Case{"ticketresolve", 255}}) {
    Req r;
    r.target = std::string("/keymanagement?requesttype=") + c.value;
    r.body = wire::base64_encode(sample_mikey(c.data_type));
    Rejection j = rejection(r);
    EXPECT_EQ(j.code, Reject::data_type_mismatch) << c.value << " " << int{c.data_type};
    EXPECT_EQ(status_of(j.code), 400);
  }
}

TEST(AnnexAValidateTest, RulesApplyInDocumentedOrder) {
  Req r;  // wrong everything: version wins
  r.version = 10;
  r.method = "GET";
  r.target = "/nowhere";
  r.drop("content-type");
  EXPECT_EQ(rejection(r).code, Reject::http_version);
  r.version = 11;
  EXPECT_EQ(rejection(r).code, Reject::unknown_path);
  r.target = "/keymanagement";
  EXPECT_EQ(rejection(r).code, Reject::method_not_allowed);
  r.method = "POST";
  EXPECT_EQ(rejection(r).code, Reject::missing_request_type);
  r.target = "/keymanagement?requesttype=ticketrequest";
  EXPECT_EQ(rejection(r).code, Reject::unsupported_content_type);
}

TEST(AnnexAValidateTest, ProfileIsConfigurable) {
  AnnexAProfile p;
  p.path = "/kms";
  p.type_parameter = "type";
  p.ticket_request_value = "req";
  p.content_type = "application/x-mikey";
  p.body_encoding = BodyEncoding::binary;
  Req r;
  r.target = "/kms?type=req";
  r.set("Content-Type", "application/x-mikey");
  Bytes m = sample_mikey(12);
  r.body.assign(m.begin(), m.end());
  auto v = validate_request(p, r.view());
  ASSERT_TRUE(v.ok()) << v.error().text;
  EXPECT_EQ(v->mikey, m);
  r.target = "/keymanagement?requesttype=ticketrequest";
  EXPECT_EQ(rejection(r, p).code, Reject::unknown_path);
}

TEST(AnnexAValidateTest, EveryRejectHasA4xxOr5xxStatusAndRequirement) {
  for (int i = 0; i <= static_cast<int>(Reject::overloaded); ++i) {
    auto r = static_cast<Reject>(i);
    EXPECT_GE(status_of(r), 400) << to_string(r);
    EXPECT_FALSE(reason_phrase(status_of(r)).empty()) << to_string(r);
    EXPECT_FALSE(requirement_of(r).empty()) << to_string(r);
    EXPECT_FALSE(message(r).empty()) << to_string(r);
  }
}

// respond(): the handler's answer becomes the 200 body; failures become 500 (A.3-1).
TEST(AnnexARespondTest, OkIsApplicationMikeyWithBase64Body) {  // A.2-10..A.2-12
  Req r;
  HttpResponse resp = respond({}, echo_handler(), r.view());
  EXPECT_EQ(resp.status, 200);
  ASSERT_EQ(resp.headers.size(), 1u);
  EXPECT_EQ(resp.headers[0].first, "Content-Type");
  EXPECT_EQ(resp.headers[0].second, "application/mikey");
  EXPECT_EQ(resp.body,
            wire::base64_encode(echo_answer(RequestType::ticket_request, sample_mikey(11))));
  EXPECT_EQ(resp.type, RequestType::ticket_request);
  EXPECT_FALSE(resp.close);
}

TEST(AnnexARespondTest, BinaryProfileSendsRawBody) {
  AnnexAProfile p;
  p.body_encoding = BodyEncoding::binary;
  Req r;
  Bytes m = sample_mikey(16);
  r.target = "/keymanagement?requesttype=ticketresolve";
  r.body.assign(m.begin(), m.end());
  HttpResponse resp = respond(p, echo_handler(), r.view());
  ASSERT_EQ(resp.status, 200);
  Bytes expected = echo_answer(RequestType::ticket_resolve, m);
  EXPECT_EQ(resp.body, std::string(expected.begin(), expected.end()));
}

TEST(AnnexARespondTest, KmsFailureGets500) {
  Req r;
  KmsHandler h = [](RequestType, ByteView) { return KmsAnswer{{}, true, "key store unavailable"}; };
  HttpResponse resp = respond({}, h, r.view());
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(resp.reject, Reject::kms_failure);
  EXPECT_EQ(resp.log_detail, "key store unavailable");
  EXPECT_EQ(resp.body.find("key store"), std::string::npos) << "detail leaked to the client";
}

TEST(AnnexARespondTest, HandlerExceptionGets500) {
  Req r;
  KmsHandler h = [](RequestType, ByteView) -> KmsAnswer { throw std::runtime_error("boom"); };
  HttpResponse resp = respond({}, h, r.view());
  EXPECT_EQ(resp.status, 500);
  EXPECT_NE(resp.log_detail.find("boom"), std::string::npos);
  EXPECT_EQ(respond({}, KmsHandler{}, r.view()).status, 500);
}

// Something that is not a std::exception: still a KMS failure for the server, but a trap in a
// fuzzing build, so that a fuzzer reports the bug instead of a 500 hiding it.
TEST(AnnexARespondTest, NonStandardHandlerExceptionGets500OrTrapsWhenFuzzing) {
  Req r;
  KmsHandler h = [](RequestType, ByteView) -> KmsAnswer { throw 42; };
#if defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
  EXPECT_DEATH(respond({}, h, r.view()), "");
#else
  HttpResponse resp = respond({}, h, r.view());
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(resp.log_detail, "the KMS handler threw a non-standard exception");
#endif
}

// A KMS that cannot serve now (full replay memory, busy peer) says so: 503 with its Retry-After,
// the detail in the log only, never a MIKEY Error blaming the client (A.3-1).
TEST(AnnexARespondTest, UnavailableAnswerGets503WithRetryAfter) {
  Req r;
  KmsHandler h = [](RequestType, ByteView) {
    KmsAnswer a{{1, 2}, false, "replay memory full"};
    a.unavailable_retry_after_s = 3;
    return a;
  };
  HttpResponse resp = respond({}, h, r.view());
  EXPECT_EQ(resp.status, 503);
  EXPECT_EQ(resp.reject, Reject::overloaded);
  EXPECT_TRUE(resp.close);
  EXPECT_EQ(resp.log_detail, "replay memory full");
  EXPECT_EQ(resp.body.find("replay"), std::string::npos) << "detail leaked to the client";
  const std::string wire = serialize_response(resp, "", "");
  EXPECT_NE(wire.find("Retry-After: 3\r\n"), std::string::npos) << wire;
}

TEST(AnnexARespondTest, EmptyAnswerGets500) {
  Req r;
  KmsHandler h = [](RequestType, ByteView) { return KmsAnswer{}; };
  EXPECT_EQ(respond({}, h, r.view()).status, 500);
}

TEST(AnnexARespondTest, HandlerIsNotCalledForInvalidRequests) {  // A.2-9
  Req r;
  r.method = "GET";
  int calls = 0;
  KmsHandler h = [&](RequestType, ByteView) {
    ++calls;
    return KmsAnswer{{1, 2}, false, ""};
  };
  EXPECT_EQ(respond({}, h, r.view()).status, 405);
  EXPECT_EQ(calls, 0);
}

TEST(AnnexARespondTest, OverloadedResponseHasRetryAfterAndCloses) {
  HttpResponse resp = make_error_response(Reject::overloaded, "busy", 7);
  EXPECT_EQ(resp.status, 503);
  EXPECT_TRUE(resp.close);
  bool retry = false;
  for (const auto& [n, v] : resp.headers) retry |= n == "Retry-After" && v == "7";
  EXPECT_TRUE(retry);
}

TEST(AnnexASerializeTest, WritesStatusHeadersLengthAndClose) {
  HttpResponse resp = make_error_response(Reject::method_not_allowed, "only POST");
  resp.close = true;
  EXPECT_EQ(serialize_response(resp, "kms/1", "Thu, 01 Jan 1970 00:00:00 GMT"),
            "HTTP/1.1 405 Method Not Allowed\r\nServer: kms/1\r\n"
            "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nAllow: POST\r\n"
            "Content-Length: 10\r\nConnection: close\r\n\r\nonly POST\n");
}

TEST(AnnexASerializeTest, HttpDateIsImfFixdate) {
  std::string d = http_date_now();
  ASSERT_EQ(d.size(), 29u) << d;
  EXPECT_EQ(d.substr(25), " GMT");
  EXPECT_EQ(d[3], ',');
}

TEST(AnnexAHelpersTest, PercentCodingRoundTrips) {
  EXPECT_EQ(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
  EXPECT_EQ(percent_encode("a/b c~"), "a%2Fb%20c~");
  EXPECT_EQ(percent_decode(percent_encode("\x01 ?&=%")), "\x01 ?&=%");
}

}  // namespace
}  // namespace mikey::transport
