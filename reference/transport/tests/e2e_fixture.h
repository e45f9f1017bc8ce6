// A KmsServer on 127.0.0.1 port 0 (read back) with a captured access log, plus client helpers.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "tests/support/test_support.h"
#include "transport/client.h"
#include "transport/server.h"

namespace mikey::transport::testing {

class ServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) server_->stop();
  }

  // Starts (or restarts) the server with `options` (host 127.0.0.1, port 0, log captured).
  void start(ServerOptions options = {}, KmsHandler handler = echo_handler()) {
    if (server_) server_->stop();
    log_ = std::make_unique<LogCapture>();
    options.host = "127.0.0.1";
    options.port = 0;
    options.access_log = log_->sink();
    server_ = std::make_unique<KmsServer>(std::move(options), std::move(handler));
    auto port = server_->start();
    ASSERT_TRUE(port.ok()) << to_string(port.error().code) << ": " << port.error().detail;
    ASSERT_NE(*port, 0);
    ASSERT_EQ(*port, server_->port());
    port_ = *port;
  }

  ClientOptions client_options() const {
    ClientOptions c;
    c.host = "127.0.0.1";
    c.port = port_;
    c.connect_timeout = std::chrono::seconds(5);
    c.total_timeout = std::chrono::seconds(10);
    return c;
  }

  // One raw request on a fresh connection; fails the test on a transport error.
  RawResponse raw(const std::string& request) {
    AnnexAClient client(client_options());
    auto r = client.send_raw(request);
    EXPECT_TRUE(r.ok()) << (r.ok()
                                ? ""
                                : std::string(to_string(r.error().code)) + ": " + r.error().detail);
    return r.ok() ? std::move(r).value() : RawResponse{};
  }

  // The first access-log line contains `text`.
  void expect_first_log_line_has(const std::string& text) {
    ASSERT_TRUE(log_->wait_for(1));
    EXPECT_NE(log_->lines()[0].find(text), std::string::npos) << log_->lines()[0];
  }

  std::unique_ptr<LogCapture> log_ = std::make_unique<LogCapture>();
  std::unique_ptr<KmsServer> server_;
  std::uint16_t port_ = 0;
};

// `Base` (a gtest fixture) with a throwaway PKI made once per test suite (make_pki): a CA, server
// and client certificates, another CA, a self-signed pair.
template <class Base>
class WithPki : public Base {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    pki_ = new Pki();
    pki_error_ = make_pki(*dir_, *pki_);
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete dir_;
    pki_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(pki_error_.empty()) << pki_error_; }

  static inline TempDir* dir_ = nullptr;
  static inline Pki* pki_ = nullptr;
  static inline std::string pki_error_;
};

using PkiServerTest = WithPki<ServerTest>;

}  // namespace mikey::transport::testing
