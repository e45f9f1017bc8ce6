// A real client: curl (Debian package curl). Missing curl is a FAILURE, not a skip.
#include <fstream>
#include <iterator>
#include <string>

#include "transport/tests/e2e_fixture.h"
#include "wire/base64.h"

namespace mikey::transport {
namespace {

using namespace testing;  // echo_answer, run_capture, sample_mikey, TempDir

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

class CurlE2ETest : public testing::ServerTest {
 protected:
  void SetUp() override {
    std::string where;
    ASSERT_EQ(run_capture("command -v curl", where), 0)
        << "curl is not installed: this test needs a real HTTP client "
           "(install the Debian package curl, e.g. via scripts/bootstrap)";
    ASSERT_FALSE(dir_.path().empty());
    body_file_ = dir_.file("body.b64");
    std::ofstream(body_file_, std::ios::binary) << wire::base64_encode(sample_mikey(11, 40));
  }

  // Runs curl with `args`; returns "<status> <content type> <time>" as curl's -w prints it.
  std::string curl(const std::string& args) {
    std::string out;
    std::string cmd = "curl -sS --http1.1 --max-time 10 -o '" + dir_.file("out") +
                      "' -w '%{http_code} %{content_type} %{time_total}' " + args + " 2>&1";
    int rc = run_capture(cmd, out);
    EXPECT_EQ(rc, 0) << cmd << "\n" << out;
    return out;
  }

  std::string url(const std::string& scheme = "http") const {
    return "'" + scheme + "://127.0.0.1:" + std::to_string(port_) +
           "/keymanagement?requesttype=ticketrequest'";
  }

  std::string expected_body() const {
    return wire::base64_encode(echo_answer(RequestType::ticket_request, sample_mikey(11, 40)));
  }

  TempDir dir_;
  std::string body_file_;
};

TEST_F(CurlE2ETest, CurlPostGets200WithBase64Answer) {
  start();
  std::string out =
      curl("-H 'Content-Type: application/mikey' --data-binary @'" + body_file_ + "' " + url());
  EXPECT_EQ(out.substr(0, out.rfind(' ')), "200 application/mikey");
  EXPECT_EQ(read_file(dir_.file("out")), expected_body());
}

TEST_F(CurlE2ETest, CurlGetGets405) {
  start();
  std::string out = curl(url());
  EXPECT_EQ(out.substr(0, 4), "405 ");
}

TEST_F(CurlE2ETest, CurlExpectContinueIsAnsweredPromptly) {
  start();
  // curl waits up to 1 s for "100 Continue" before sending the body anyway.
  std::string out = curl(
      "-H 'Expect: 100-continue' -H 'Content-Type: application/mikey' "
      "--data-binary @'" +
      body_file_ + "' " + url());
  ASSERT_EQ(out.substr(0, 4), "200 ") << out;
  EXPECT_LT(std::stod(out.substr(out.rfind(' ') + 1)), 0.9) << out;
  EXPECT_EQ(read_file(dir_.file("out")), expected_body());
}

TEST_F(CurlE2ETest, CurlOverMutualTls) {
  TempDir pki_dir;
  testing::Pki pki;
  std::string error = testing::make_pki(pki_dir, pki);
  ASSERT_TRUE(error.empty()) << error;
  ServerOptions o;
  o.tls = TlsServerOptions{pki.server_cert, pki.server_key, pki.ca_cert};
  start(o);
  std::string common = "--cacert '" + pki.ca_cert + "' -H 'Content-Type: application/mikey' " +
                       "--data-binary @'" + body_file_ + "' ";
  std::string out = curl(common + "--cert '" + pki.client_cert + "' --key '" + pki.client_key +
                         "' " + url("https"));
  EXPECT_EQ(out.substr(0, out.rfind(' ')), "200 application/mikey");
  EXPECT_EQ(read_file(dir_.file("out")), expected_body());
  // Without a client certificate the handshake fails: curl exits non-zero, status 000.
  std::string refused;
  int rc = run_capture("curl -sS --http1.1 --max-time 10 -o /dev/null -w '%{http_code}' " + common +
                           url("https") + " 2>/dev/null",
                       refused);
  EXPECT_NE(rc, 0);
  EXPECT_EQ(refused, "000");
}

}  // namespace
}  // namespace mikey::transport
