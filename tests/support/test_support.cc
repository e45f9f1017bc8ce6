#include "tests/support/test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "wire/base64.h"

namespace mikey::transport::testing {

Bytes sample_mikey(std::uint8_t data_type, std::size_t size) {
  Bytes m(size, 0);
  for (std::size_t i = 0; i < size; ++i) m[i] = static_cast<std::uint8_t>(0x30 + i % 64);
  if (size > 0) m[0] = 1;  // HDR version
  if (size > 1) m[1] = data_type;
  return m;
}

Bytes echo_answer(RequestType type, ByteView request) {
  Bytes out(request.begin(), request.end());
  if (out.size() > 1) out[1] = type == RequestType::ticket_request ? 13 : 18;
  return out;
}

KmsHandler echo_handler() {
  return [](RequestType type, ByteView request) {
    KmsAnswer a;
    a.mikey = echo_answer(type, request);
    a.log_detail = "echo";
    return a;
  };
}

LogSink LogCapture::sink() {
  return [this](std::string_view line) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      lines_.emplace_back(line);
    }
    cv_.notify_all();
  };
}

std::vector<std::string> LogCapture::lines() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lines_;
}

std::size_t LogCapture::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lines_.size();
}

bool LogCapture::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return lines_.size() >= n; });
}

RawRequest::RawRequest() : body(wire::base64_encode(sample_mikey(11))) {}

std::string RawRequest::str() const {
  std::string s = method + " " + target + " " + version + "\r\n";
  for (const auto& [n, v] : headers) s += n + ": " + v + "\r\n";
  if (content_length) s += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  s += "\r\n" + body;
  return s;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "mikey-transport-XXXXXX").string();
  if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

int run_capture(const std::string& command, std::string& out) {
  out.clear();
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {
constexpr const char* kOpensslConfig = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:kms-r.test
[self_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyCertSign
subjectAltName = DNS:localhost,IP:127.0.0.1
)";
}  // namespace

std::string make_pki(const TempDir& dir, Pki& out) {
  if (dir.path().empty()) return "no temporary directory";
  std::string cnf = dir.file("openssl.cnf");
  {
    std::ofstream f(cnf);
    f << kOpensslConfig;
  }
  std::string log = dir.file("openssl.log");
  std::string key_args = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  auto run = [&](const std::string& args) -> std::string {
    std::string cmd = "openssl " + args + " >>'" + log + "' 2>&1";
    if (std::system(cmd.c_str()) == 0) return "";
    std::ifstream f(log);
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    return "`" + cmd + "` failed:\n" + text;
  };
  auto ca = [&](const std::string& name, const std::string& cn) {
    return run("req -x509 -config '" + cnf + "' -extensions ca_ext" + key_args +
               " -days 2 -subj /CN=" + cn + " -keyout '" + dir.file(name + ".key") + "' -out '" +
               dir.file(name + ".crt") + "'");
  };
  auto leaf = [&](const std::string& name, const std::string& cn, const std::string& issuer,
                  const std::string& ext) {
    std::string e =
        run("req -new -config '" + cnf + "'" + key_args + " -subj /CN=" + cn + " -keyout '" +
            dir.file(name + ".key") + "' -out '" + dir.file(name + ".csr") + "'");
    if (!e.empty()) return e;
    return run("x509 -req -in '" + dir.file(name + ".csr") + "' -CA '" + dir.file(issuer + ".crt") +
               "' -CAkey '" + dir.file(issuer + ".key") + "' -set_serial " +
               std::to_string(1000 + name.size()) + " -days 2 -extfile '" + cnf + "' -extensions " +
               ext + " -out '" + dir.file(name + ".crt") + "'");
  };
  for (std::string e : {ca("ca", "mikeyconf-test-ca"), ca("other-ca", "other-test-ca"),
                        leaf("server", "localhost", "ca", "server_ext"),
                        leaf("client", "kms-r.test", "ca", "client_ext"),
                        leaf("other-client", "intruder.test", "other-ca", "client_ext"),
                        run("req -x509 -config '" + cnf + "' -extensions self_ext" + key_args +
                            " -days 2 -subj /CN=localhost -keyout '" + dir.file("self.key") +
                            "' -out '" + dir.file("self.crt") + "'")}) {
    if (!e.empty()) return e;
  }
  out.ca_cert = dir.file("ca.crt");
  out.server_cert = dir.file("server.crt");
  out.server_key = dir.file("server.key");
  out.client_cert = dir.file("client.crt");
  out.client_key = dir.file("client.key");
  out.other_ca_cert = dir.file("other-ca.crt");
  out.other_client_cert = dir.file("other-client.crt");
  out.other_client_key = dir.file("other-client.key");
  out.self_signed_cert = dir.file("self.crt");
  out.self_signed_key = dir.file("self.key");
  return "";
}

int listen_loopback(std::uint16_t& port, int backlog) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||  // NOLINT
      ::listen(fd, backlog) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {  // NOLINT
    ::close(fd);
    return -1;
  }
  port = ntohs(addr.sin_port);
  return fd;
}

ScriptedPeer::ScriptedPeer(std::string reply, std::chrono::milliseconds hold) {
  listen_fd_ = listen_loopback(port_);
  if (listen_fd_ < 0) return;
  thread_ = std::thread([fd = listen_fd_, reply = std::move(reply), hold] {
    int c = ::accept(fd, nullptr, nullptr);
    if (c < 0) return;
    // Read the whole request (head + Content-Length body) so closing with unread data does
    // not reset the connection and discard the reply at the client.
    std::string in;
    char buf[4096];
    auto complete = [&in] {
      std::size_t end = in.find("\r\n\r\n");
      if (end == std::string::npos) return false;
      std::size_t cl = in.find("Content-Length: ");
      std::size_t body =
          cl == std::string::npos || cl > end ? 0 : std::strtoul(in.c_str() + cl + 16, nullptr, 10);
      return in.size() >= end + 4 + body;
    };
    while (!complete()) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
    }
    if (!reply.empty()) (void)!::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    std::this_thread::sleep_for(hold);
    ::shutdown(c, SHUT_WR);
    while (::recv(c, buf, sizeof buf, 0) > 0) {
    }
    ::close(c);
  });
}

ScriptedPeer::~ScriptedPeer() {
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::uint16_t unused_port() {
  std::uint16_t port = 0;
  int fd = listen_loopback(port);
  if (fd >= 0) ::close(fd);
  return port;
}

}  // namespace mikey::transport::testing
