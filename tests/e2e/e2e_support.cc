#include "e2e_support.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <thread>

#include "codec/message.h"
#include "roles/error_message.h"
#include "wire/hex.h"

extern char** environ;  // NOLINT: POSIX

namespace mikeyconf::e2e {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, std::string_view text) {
  std::ofstream f(path, std::ios::binary);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  EXPECT_TRUE(f.good()) << "cannot write " << path;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' does not occur";
  while (at != std::string::npos) {
    text.replace(at, from.size(), to);
    at = text.find(from, at + to.size());
  }
  return text;
}

int run_capture(const std::string& command, std::string& out) {
  out.clear();
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string make_test_certs(const std::string& dir) {
  std::string out;
  std::string cmd = "bash '" + kConfigs + "/make-test-certs.sh' '" + dir + "'";
  if (run_capture(cmd, out) != 0) return "`" + cmd + "` failed:\n" + out;
  return "";
}

// ---- Recording ----

std::vector<std::string> record_request(std::string_view request_type, std::string_view http,
                                        ByteView mikey) {
  const char* dir = std::getenv("MIKEY_RECORD_DIR");
  if (dir == nullptr || *dir == '\0') return {};
  static std::mutex mutex;
  static std::map<std::string, int> counters;
  std::lock_guard<std::mutex> lock(mutex);
  std::string name = "unknown";
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    name = std::string(info->test_suite_name()) + "." + info->name();
  }
  for (char& c : name)
    if (c == '/') c = '_';
  char seq[8];
  std::snprintf(seq, sizeof seq, "%02d", ++counters[name]);
  std::string base = std::string(dir) + "/" + name + "-" + seq + "-" + std::string(request_type);
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::vector<std::string> written{base + ".http"};
  write_file(written.back(), http);
  if (!mikey.empty()) {
    written.push_back(base + ".mikey");
    write_file(written.back(),
               std::string_view(reinterpret_cast<const char*>(mikey.data()), mikey.size()));
  }
  return written;
}

// ---- Clients ----

Client::Client(transport::ClientOptions options) : client_(std::move(options)) {}

std::optional<transport::ClientResponse> Client::post(transport::RequestType type, ByteView mikey) {
  record_request(transport::to_string(type), client_.build_request(type, mikey), mikey);
  auto r = client_.post(type, mikey);
  if (!r.ok()) {
    ADD_FAILURE() << "POST failed: " << transport::to_string(r.error().code) << ": "
                  << r.error().detail;
    return std::nullopt;
  }
  return std::move(r).value();
}

Bytes Client::exchange(transport::RequestType type, ByteView mikey) {
  auto r = post(type, mikey);
  if (!r) return {};
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("Content-Type").value_or(""), "application/mikey");
  EXPECT_TRUE(r->mikey.has_value()) << r->mikey_problem;
  return r->mikey.value_or(Bytes{});
}

std::optional<transport::ClientResponse> Client::raw(const std::string& request) {
  record_request("raw", request, {});
  client_.close();
  auto r = client_.send_raw(request);
  if (!r.ok()) {
    ADD_FAILURE() << "raw request failed: " << transport::to_string(r.error().code) << ": "
                  << r.error().detail;
    return std::nullopt;
  }
  client_.close();
  return std::move(r->parsed);
}

// ---- RunningKms ----

RunningKms::RunningKms(const std::string& config_path, const roles::Clock& clock,
                       transport::AnnexAProfile profile) {
  auto loaded = config::load_kms_config(config_path);
  if (!loaded.ok()) {
    error_ = loaded.error().str();
    return;
  }
  config::LoadedKmsConfig c = std::move(loaded).value();
  identity_ = c.kms.identity;
  for (const roles::KmsUser& u : c.kms.users) users_.emplace_back(u.identity, u.credential);
  for (const roles::TicketKey& k : c.kms.ticket_keys) ticket_keys_.push_back(k.clone());
  mikey::service::ServiceOptions so;
  transport::ServerOptions& o = so.server;
  o = mikey::service::server_options(c);
  o.host = "127.0.0.1";
  o.port = 0;
  o.profile = std::move(profile);
  std::shared_ptr<Log> log = log_;
  o.access_log = [log](std::string_view line) {
    std::lock_guard<std::mutex> lock(log->mutex);
    log->lines.emplace_back(line);
  };
  service_ = std::make_unique<mikey::service::KmsService>(std::move(c), clock, rng_, std::move(so));
  auto port = service_->start();
  if (!port.ok()) {
    error_ = std::string(transport::to_string(port.error().code)) + ": " + port.error().detail;
    return;
  }
  port_ = *port;
}

RunningKms::~RunningKms() { stop(); }

void RunningKms::stop() {
  if (service_) service_->server().stop();
}

std::shared_ptr<const roles::Credential> RunningKms::credential(std::string_view identity) const {
  for (const auto& [id, cred] : users_)
    if (id == roles::Identity::uri(identity)) return cred;
  ADD_FAILURE() << "no user " << identity;
  return nullptr;
}

roles::TicketKey RunningKms::ticket_key(std::string_view id) const {
  for (const roles::TicketKey& k : ticket_keys_)
    if (k.id == mikey::to_bytes(id)) return k.clone();
  ADD_FAILURE() << "no ticket key " << id;
  return {};
}

transport::ClientOptions RunningKms::client_options(
    std::optional<transport::ClientTlsOptions> tls) const {
  transport::ClientOptions o;
  o.host = "127.0.0.1";
  o.port = port_;
  o.connect_timeout = std::chrono::seconds(5);
  o.total_timeout = std::chrono::seconds(10);
  o.tls = std::move(tls);
  return o;
}

std::vector<std::string> RunningKms::log_lines() const {
  std::lock_guard<std::mutex> lock(log_->mutex);
  return log_->lines;
}

bool RunningKms::logged(std::string_view text, std::chrono::milliseconds wait) const {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    for (const std::string& line : log_lines())
      if (line.find(text) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// ---- Parties ----

roles::InitiatorConfig initiator_config(const RunningKms& kms, std::string_view identity,
                                        const roles::Algorithms& algs) {
  roles::InitiatorConfig c;
  c.identity = roles::Identity::uri(identity);
  c.kms_identity = kms.identity();
  c.credential = kms.credential(identity);
  c.algorithms = algs;
  return c;
}

roles::ResponderConfig responder_config(const RunningKms& kms, std::string_view identity,
                                        const roles::Algorithms& algs) {
  roles::ResponderConfig c;
  c.identity = roles::Identity::uri(identity);
  c.kms_identity = kms.identity();
  c.credential = kms.credential(identity);
  c.algorithms = algs;
  return c;
}

roles::TicketRequest ticket_request(std::string_view responder, bool forking,
                                    roles::TicketFormat format, const roles::Algorithms& algs) {
  roles::TicketRequest r;
  r.format = format;
  r.prf = algs.prf;
  r.responders = {roles::Identity::uri(responder)};
  r.lifetime_s = 600;
  if (forking) {
    r.flags.i = true;  // RFC 6043 §6.10: I ⇒ E
    r.flags.e = true;
  }
  return r;
}

std::optional<mikey::codec::ErrorNo> error_no_of(ByteView message) {
  auto parsed = mikey::codec::parse_message(message);
  if (!parsed.ok() || parsed.message.hdr.data_type != mikey::codec::DataType::error) {
    return std::nullopt;
  }
  auto numbers = roles::error_numbers(parsed.message);
  if (numbers.size() != 1) return std::nullopt;
  return numbers.front();
}

std::optional<mikey::codec::DataType> data_type_of(ByteView message) {
  auto parsed = mikey::codec::parse_message(message);
  if (!parsed.ok()) return std::nullopt;
  return parsed.message.hdr.data_type;
}

void expect_same_srtp_keys(const roles::Initiator& alice, const roles::Responder& bob) {
  ASSERT_TRUE(alice.transfer_complete());
  ASSERT_TRUE(bob.transfer_complete());
  auto a = alice.srtp_keys();
  auto b = bob.srtp_keys();
  ASSERT_TRUE(a.ok()) << roles::to_string(a.error().failure);
  ASSERT_TRUE(b.ok()) << roles::to_string(b.error().failure);
  ASSERT_FALSE(a->empty());
  ASSERT_EQ(a->size(), b->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    const roles::SrtpKeys& x = (*a)[i];
    const roles::SrtpKeys& y = (*b)[i];
    EXPECT_EQ(x.cs_id, y.cs_id);
    EXPECT_FALSE(x.master_key.empty());
    EXPECT_FALSE(x.master_salt.empty());
    EXPECT_EQ(mikey::wire::to_hex(x.master_key.view()), mikey::wire::to_hex(y.master_key.view()));
    EXPECT_EQ(mikey::wire::to_hex(x.master_salt.view()), mikey::wire::to_hex(y.master_salt.view()));
  }
}

std::string describe(const roles::Refusal& r) {
  return std::string(roles::to_string(r.failure)) + (r.detail.empty() ? "" : ": " + r.detail);
}

// ---- Subprocess ----

Subprocess::Subprocess(const std::vector<std::string>& argv, const std::string& stderr_file) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char*> args;
  std::vector<std::string> copy = argv;
  for (std::string& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, copy[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return;
  }
  pid_ = pid;
  out_fd_ = fds[0];
}

Subprocess::~Subprocess() {
  if (pid_ > 0 && !status_) {
    kill(pid_, SIGKILL);
    int st = 0;
    waitpid(pid_, &st, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

std::optional<std::string> Subprocess::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (out_fd_ < 0 || left.count() <= 0) return std::nullopt;
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[512];
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

void Subprocess::signal(int sig) {
  if (pid_ > 0 && !status_) kill(pid_, sig);
}

std::optional<int> Subprocess::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace mikeyconf::e2e
