// parse_endpoint: host:port, bracketed IPv6, URLs, and every kind of bad input as a typed error.
#include "transport/endpoint.h"

#include <gtest/gtest.h>

#include <string>

namespace mikey::transport {
namespace {

EndpointErrc error_of(std::string_view text) {
  auto r = parse_endpoint(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? EndpointErrc::empty : r.error().code;
}

TEST(Endpoint, HostAndPort) {
  auto r = parse_endpoint("127.0.0.1:8080");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->host, "127.0.0.1");
  EXPECT_EQ(r->port, 8080);
  EXPECT_TRUE(r->explicit_port);
  EXPECT_EQ(r->scheme, "");
  EXPECT_EQ(r->path, "");
  auto name = parse_endpoint("kms.example.org:0");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->host, "kms.example.org");
  EXPECT_EQ(name->port, 0);
}

TEST(Endpoint, BracketedIpv6) {
  auto r = parse_endpoint("[::1]:8443");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->host, "::1");
  EXPECT_EQ(r->port, 8443);
  auto url = parse_endpoint("https://[fe80::1%25eth0]:9000/kms");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->host, "fe80::1%25eth0");
  EXPECT_EQ(url->path, "/kms");
  EXPECT_EQ(error_of("::1:8080"), EndpointErrc::unbracketed_ipv6);
  EXPECT_EQ(error_of("[::1:8080"), EndpointErrc::unclosed_bracket);
  EXPECT_EQ(error_of("[::1]8080"), EndpointErrc::bad_port);
  EXPECT_EQ(error_of("[::1]"), EndpointErrc::missing_port);
  EXPECT_EQ(error_of("[]:80"), EndpointErrc::missing_host);
}

TEST(Endpoint, PortRange) {
  EXPECT_EQ(parse_endpoint("h:65535")->port, 65535);
  EXPECT_EQ(parse_endpoint("h:00080")->port, 80);
  EXPECT_EQ(error_of("h:65536"), EndpointErrc::bad_port);
  EXPECT_EQ(error_of("h:99999"), EndpointErrc::bad_port);
  EXPECT_EQ(error_of("h:123456"), EndpointErrc::bad_port);
  EXPECT_EQ(error_of("h:-1"), EndpointErrc::bad_port);
  EXPECT_EQ(error_of("h:+80"), EndpointErrc::bad_port);
  EXPECT_EQ(error_of("h: 80"), EndpointErrc::bad_port);
  EXPECT_EQ(error_of("h:"), EndpointErrc::bad_port);
  EXPECT_NE(parse_endpoint("h:65536").error().message.find("'65536'"), std::string::npos);
}

TEST(Endpoint, MissingPort) {
  EXPECT_EQ(error_of("localhost"), EndpointErrc::missing_port);
  // A URL's port is optional: the scheme's default (RFC 9110 §4.2).
  auto http = parse_endpoint("http://kms.example.org/annex-a");
  ASSERT_TRUE(http.ok()) << http.error().message;
  EXPECT_EQ(http->port, 80);
  EXPECT_FALSE(http->explicit_port);
  EXPECT_EQ(http->path, "/annex-a");
  EXPECT_EQ(parse_endpoint("https://kms.example.org")->port, 443);
}

TEST(Endpoint, UrlWithPortAndPath) {
  auto r = parse_endpoint("http://127.0.0.1:4000/mikey?x=1");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->scheme, "http");
  EXPECT_EQ(r->host, "127.0.0.1");
  EXPECT_EQ(r->port, 4000);
  EXPECT_TRUE(r->explicit_port);
  EXPECT_EQ(r->path, "/mikey?x=1");
}

TEST(Endpoint, GarbageIsATypedError) {
  EXPECT_EQ(error_of(""), EndpointErrc::empty);
  EXPECT_EQ(error_of(":8080"), EndpointErrc::missing_host);
  EXPECT_EQ(error_of("http://:8080/"), EndpointErrc::missing_host);
  EXPECT_EQ(error_of("ftp://h:21"), EndpointErrc::bad_scheme);
  EXPECT_EQ(error_of("user@h:80"), EndpointErrc::bad_host);
  EXPECT_EQ(error_of("a b:80"), EndpointErrc::bad_host);
  EXPECT_EQ(error_of("h:80:90"), EndpointErrc::unbracketed_ipv6);
  EXPECT_EQ(error_of("http://h:8o/"), EndpointErrc::bad_port);
  EXPECT_EQ(error_of(std::string_view("h\0:80", 5)), EndpointErrc::bad_host);
  EXPECT_EQ(to_string(EndpointErrc::bad_port), "bad_port");
}

}  // namespace
}  // namespace mikey::transport
