// End-to-end test support: a real KmsService (service/kms_service.h: the loader's configuration,
// roles::Kms, the KmsServer) on 127.0.0.1 port 0 with a clock the test controls, the reference
// Initiator and Responder talking to it through transport::AnnexAClient, request recording,
// temporary directories, the test PKI of configs/make-test-certs.sh, and subprocess helpers. No
// mocks.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/codepoints.h"
#include "config/kms_config.h"
#include "crypto/rng.h"
#include "roles/clock.h"
#include "roles/initiator.h"
#include "roles/responder.h"
#include "service/kms_service.h"
#include "tests/support/test_support.h"
#include "transport/client.h"
#include "wire/bytes.h"

namespace mikeyconf::e2e {

using mikey::Bytes;
using mikey::ByteView;
namespace roles = mikey::roles;
namespace transport = mikey::transport;
namespace config = mikey::config;

// 2027-01-15 08:00:00 UTC.
inline constexpr std::int64_t kStartUnix = 1'800'000'000;

inline const std::string kSourceDir = MIKEY_SOURCE_DIR;
inline const std::string kConfigs = kSourceDir + "/configs";

// A clock the test sets while server threads read it.
class TestClock final : public roles::Clock {
 public:
  explicit TestClock(std::int64_t unix_seconds = kStartUnix)
      : t_(roles::unix_to_ntp(unix_seconds)) {}
  roles::NtpTime now() const noexcept override { return t_.load(); }
  void advance_seconds(std::int64_t s) noexcept {
    t_.store(
        static_cast<roles::NtpTime>(static_cast<std::int64_t>(t_.load()) + s * roles::kNtpEra));
  }

 private:
  std::atomic<roles::NtpTime> t_;
};

// A scratch directory removed with its contents (the test support of every library).
using TempDir = mikey::transport::testing::TempDir;

// Users of configs/kms.yaml.
inline constexpr std::string_view kAlice = "sip:alice@example.org";
inline constexpr std::string_view kBob = "sip:bob@example.org";

std::string read_file(const std::string& path);
void write_file(const std::string& path, std::string_view text);
// `text` with every `from` replaced by `to` (fails the test when `from` does not occur).
std::string replace_all(std::string text, std::string_view from, std::string_view to);

// Runs `command` with /bin/sh; returns the exit status and stdout+stderr in `out`.
int run_capture(const std::string& command, std::string& out);

// configs/make-test-certs.sh DIR; "" on success, else what failed.
std::string make_test_certs(const std::string& dir);

// ---- Recording (MIKEY_RECORD_DIR) ----

// When the environment variable MIKEY_RECORD_DIR names a directory, writes every HTTP request the
// e2e clients send there, one file each, named <Suite>.<Test>-<NN>-<requesttype>:
//   .http  : the request exactly as sent (AnnexAClient::build_request)
//   .mikey : the binary MIKEY message of its body (none for raw requests)
// Unset (as in CI): does nothing. Returns the files written.
std::vector<std::string> record_request(std::string_view request_type, std::string_view http,
                                        ByteView mikey);

// ---- Clients ----

// An AnnexAClient that records what it sends (record_request) and reports failures to gtest.
class Client {
 public:
  explicit Client(transport::ClientOptions options);
  // One POST; transport errors fail the test and give nullopt.
  std::optional<transport::ClientResponse> post(transport::RequestType type, ByteView mikey);
  // One POST that must be answered 200 application/mikey with a MIKEY body; returns the body
  // (empty after a test failure).
  Bytes exchange(transport::RequestType type, ByteView mikey);
  // Raw request text on a new connection; the parsed response.
  std::optional<transport::ClientResponse> raw(const std::string& request);
  transport::AnnexAClient& client() { return client_; }

 private:
  transport::AnnexAClient client_;
};

// ---- A KMS under test ----

// Loads `config_path` with the real loader and serves it with the real KmsService on 127.0.0.1
// port 0 (whatever the file's listen says), with `clock`. The file's TLS applies.
class RunningKms {
 public:
  RunningKms(const std::string& config_path, const roles::Clock& clock,
             transport::AnnexAProfile profile = {});
  ~RunningKms();
  RunningKms(const RunningKms&) = delete;
  RunningKms& operator=(const RunningKms&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::uint16_t port() const { return port_; }
  void stop();

  roles::Identity identity() const { return identity_; }
  // The credential of the user `identity` (a URI), as the UE holds it (the same PSK / Ks_NAF).
  std::shared_ptr<const roles::Credential> credential(std::string_view identity) const;
  // A copy of the ticket key with this id (mode 3: the TPK the Initiator shares with the KMS).
  roles::TicketKey ticket_key(std::string_view id) const;

  // Client options for 127.0.0.1:port (plain HTTP unless `tls` is given).
  transport::ClientOptions client_options(
      std::optional<transport::ClientTlsOptions> tls = std::nullopt) const;
  std::vector<std::string> log_lines() const;
  // True when some access-log line contains `text`, waiting up to `wait` for it (the server
  // logs a request after its response was written).
  bool logged(std::string_view text,
              std::chrono::milliseconds wait = std::chrono::seconds(5)) const;

 private:
  struct Log {
    std::mutex mutex;
    std::vector<std::string> lines;
  };
  std::string error_;
  std::uint16_t port_ = 0;
  roles::Identity identity_;
  std::vector<std::pair<roles::Identity, std::shared_ptr<const roles::Credential>>> users_;
  std::vector<roles::TicketKey> ticket_keys_;
  mikey::crypto::OpenSslRng rng_;
  std::shared_ptr<Log> log_ = std::make_shared<Log>();
  std::unique_ptr<mikey::service::KmsService> service_;
};

// ---- Parties ----

// A UE's configuration towards `kms` for the user `identity` (kSuite128 unless `algs`).
roles::InitiatorConfig initiator_config(const RunningKms& kms, std::string_view identity,
                                        const roles::Algorithms& algs = roles::kSuite128);
roles::ResponderConfig responder_config(const RunningKms& kms, std::string_view identity,
                                        const roles::Algorithms& algs = roles::kSuite128);

// A desired ticket for `responder` (600 s, base ticket unless `format`; forking sets I and E).
roles::TicketRequest ticket_request(std::string_view responder, bool forking = false,
                                    roles::TicketFormat format = roles::kBaseTicket,
                                    const roles::Algorithms& algs = roles::kSuite128);

// The Error number of a MIKEY Error message with exactly one ERR, else nullopt.
std::optional<mikey::codec::ErrorNo> error_no_of(ByteView message);
// The HDR data type of a MIKEY message, else nullopt.
std::optional<mikey::codec::DataType> data_type_of(ByteView message);

// Both parties completed and derived identical, non-empty SRTP master keys and salts.
void expect_same_srtp_keys(const roles::Initiator& alice, const roles::Responder& bob);

// The failure name of a refusal (for messages).
std::string describe(const roles::Refusal& r);

// ---- Subprocesses ----

// A child process with its stdout on a pipe and its stderr in a file.
class Subprocess {
 public:
  // Runs argv[0] with `argv`; stderr goes to `stderr_file`.
  Subprocess(const std::vector<std::string>& argv, const std::string& stderr_file);
  ~Subprocess();  // SIGKILL + reap if still running
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  bool started() const { return pid_ > 0; }
  // One line of stdout (without the newline), or nullopt at EOF or after `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  void signal(int sig);
  // The exit status (or 128 + signal), or nullopt after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  std::optional<int> status_;
};

// The mikeyconf binary under test.
inline const std::string kMikeyconf = MIKEYCONF_BINARY;

}  // namespace mikeyconf::e2e
