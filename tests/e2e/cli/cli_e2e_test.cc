// `mikeyconf kms` and `mikeyconf request-init` as subprocesses, as README "Running the reference
// KMS" uses them: the KMS prints its URL, answers a request, and exits 0 on SIGTERM; a bad
// configuration exits 2 naming file:line:col; a port in use exits 3.
#include <signal.h>

#include <chrono>
#include <string>

#include "tests/e2e/e2e_support.h"
#include "wire/base64.h"

namespace mikeyconf::e2e {
namespace {

using std::chrono::seconds;
using transport::RequestType;

constexpr std::string_view kPrefix = "mikeyconf kms: listening on http://127.0.0.1:";

// Starts `mikeyconf kms ARGS...`; on success returns the port from its listening line.
std::optional<std::uint16_t> start_kms(Subprocess& kms, std::string& line) {
  auto l = kms.read_line(std::chrono::seconds(20));
  if (!l) return std::nullopt;
  line = *l;
  if (line.rfind(kPrefix, 0) != 0) return std::nullopt;
  return static_cast<std::uint16_t>(std::stoi(line.substr(kPrefix.size())));
}

TEST(CliE2ETest, KmsServesTheSampleConfigAndStopsCleanlyOnSigterm) {
  TempDir dir;
  Subprocess kms({kMikeyconf, "kms", "--config", kConfigs + "/kms.yaml", "--listen", "127.0.0.1:0",
                  "--threads", "1"},
                 dir.file("stderr"));
  ASSERT_TRUE(kms.started());
  std::string line;
  auto port = start_kms(kms, line);
  ASSERT_TRUE(port.has_value()) << "stdout: " << line
                                << "\nstderr: " << read_file(dir.file("stderr"));

  // The README's request: `mikeyconf request-init` prints a base64 REQUEST_INIT for Alice.
  std::string b64;
  ASSERT_EQ(run_capture("'" + kMikeyconf + "' request-init --config '" + kConfigs +
                            "/kms.yaml' --user sip:alice@example.org",
                        b64),
            0)
      << b64;
  auto init = mikey::wire::base64_decode(b64, mikey::wire::Base64Mode::lenient);
  ASSERT_TRUE(init.ok()) << b64;
  transport::ClientOptions o;
  o.host = "127.0.0.1";
  o.port = *port;
  Client client(o);
  Bytes resp = client.exchange(RequestType::ticket_request, *init);
  EXPECT_EQ(data_type_of(resp), mikey::codec::DataType::request_resp)
      << "error " << static_cast<int>(error_no_of(resp).value_or(mikey::codec::ErrorNo{255}));

  // And a request the test's own Initiator builds (system clock, the PSK from the same file) is
  // accepted, and its answer verifies.
  auto loaded = config::load_kms_config(kConfigs + "/kms.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().str();
  roles::InitiatorConfig ic;
  ic.identity = roles::Identity::uri("sip:alice@example.org");
  ic.kms_identity = loaded->kms.identity;
  ic.credential = loaded->kms.users[0].credential;
  roles::SystemClock clock;
  mikey::crypto::OpenSslRng rng;
  roles::Initiator alice(std::move(ic), clock, rng);
  auto mine = alice.request_ticket(ticket_request("sip:bob@example.org"));
  ASSERT_TRUE(mine.ok());
  auto granted = alice.process_request_resp(client.exchange(RequestType::ticket_request, *mine));
  EXPECT_TRUE(granted.ok()) << describe(granted.error());
  client.client().close();

  kms.signal(SIGTERM);
  auto status = kms.wait(seconds(20));
  ASSERT_TRUE(status.has_value()) << "did not stop on SIGTERM";
  EXPECT_EQ(*status, 0) << read_file(dir.file("stderr"));
  std::string err = read_file(dir.file("stderr"));
  EXPECT_NE(err.find("requesttype=ticketrequest"), std::string::npos) << err;  // access log
  EXPECT_NE(err.find("SIGTERM"), std::string::npos) << err;
}

TEST(CliE2ETest, BadConfigExits2WithFileLineColumn) {
  TempDir dir;
  const std::string config = dir.file("bad.yaml");
  write_file(config, "kms:\n  identity: sip:kms.example.org\n  colour: blue\n");
  Subprocess kms({kMikeyconf, "kms", "--config", config, "--listen", "127.0.0.1:0"},
                 dir.file("stderr"));
  ASSERT_TRUE(kms.started());
  auto status = kms.wait(seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 2);
  std::string err = read_file(dir.file("stderr"));
  EXPECT_NE(err.find(config + ":3:3: kms: unknown key 'colour'"), std::string::npos) << err;
  EXPECT_FALSE(kms.read_line(std::chrono::milliseconds(100)).has_value());  // no listening line
}

TEST(CliE2ETest, MissingConfigAndBadArgumentsExit2) {
  TempDir dir;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{kMikeyconf, "kms"},
        std::vector<std::string>{kMikeyconf, "kms", "--config", dir.file("absent.yaml")},
        std::vector<std::string>{kMikeyconf, "kms", "--config", kConfigs + "/kms.yaml", "--listen",
                                 "127.0.0.1"},
        std::vector<std::string>{kMikeyconf, "request-init", "--config", kConfigs + "/kms.yaml",
                                 "--user", "sip:nobody@example.org"}}) {
    Subprocess p(args, dir.file("stderr"));
    ASSERT_TRUE(p.started());
    auto status = p.wait(seconds(20));
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, 2) << args.back() << ": " << read_file(dir.file("stderr"));
  }
}

TEST(CliE2ETest, PortInUseExits3) {
  TempDir dir;
  Subprocess first(
      {kMikeyconf, "kms", "--config", kConfigs + "/kms.yaml", "--listen", "127.0.0.1:0"},
      dir.file("first.stderr"));
  std::string line;
  auto port = start_kms(first, line);
  ASSERT_TRUE(port.has_value()) << line << read_file(dir.file("first.stderr"));
  Subprocess second({kMikeyconf, "kms", "--config", kConfigs + "/kms.yaml", "--listen",
                     "127.0.0.1:" + std::to_string(*port)},
                    dir.file("second.stderr"));
  auto status = second.wait(seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 3) << read_file(dir.file("second.stderr"));
  EXPECT_NE(read_file(dir.file("second.stderr")).find("bind_failed"), std::string::npos);
  first.signal(SIGINT);
  auto first_status = first.wait(seconds(20));
  ASSERT_TRUE(first_status.has_value());
  EXPECT_EQ(*first_status, 0);
}

}  // namespace
}  // namespace mikeyconf::e2e
