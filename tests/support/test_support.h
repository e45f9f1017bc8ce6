// What the tests of every library share: sample MIKEY bytes, an echo KMS handler, a
// thread-safe log capture, raw request text, temporary directories, a test PKI made with the
// openssl command line, and a tiny scripted TCP peer for client tests.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "transport/access_log.h"
#include "transport/annex_a.h"
#include "wire/bytes.h"

namespace mikey::transport::testing {

// A MIKEY-looking message: HDR version 1, data type `data_type`, then filler to `size` bytes.
// Transport only reads HDR byte 1, so nothing else needs to be valid.
Bytes sample_mikey(std::uint8_t data_type, std::size_t size = 24);
// What echo_handler answers: the request with its data type replaced by REQUEST_RESP (13) or
// RESOLVE_RESP (18).
Bytes echo_answer(RequestType type, ByteView request);
KmsHandler echo_handler();

class LogCapture {
 public:
  LogSink sink();
  std::vector<std::string> lines() const;
  std::size_t size() const;
  // Waits until at least n lines arrived; false on timeout.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
};

// A request as text, fields editable; str() renders it (Content-Length computed unless
// content_length is false).
struct RawRequest {
  std::string method = "POST";
  std::string target = "/keymanagement?requesttype=ticketrequest";
  std::string version = "HTTP/1.1";
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Host", "kms.operator.example:1234"}, {"Content-Type", "application/mikey"}};
  std::string body;  // default: base64 of sample_mikey(11)
  bool content_length = true;

  RawRequest();
  std::string str() const;
};

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Test PKI (EC P-256, 2 days): a CA with a server cert (CN/SAN localhost, 127.0.0.1) and a
// client cert; another CA with its own client cert; a self-signed server cert.
struct Pki {
  std::string ca_cert, server_cert, server_key, client_cert, client_key;
  std::string other_ca_cert, other_client_cert, other_client_key;
  std::string self_signed_cert, self_signed_key;
};
// Runs `openssl`; returns "" on success or what failed (with its output).
std::string make_pki(const TempDir& dir, Pki& out);

// Runs a shell command; returns its exit status and captures stdout into `out`.
int run_capture(const std::string& command, std::string& out);

// A one-connection TCP peer on 127.0.0.1: accepts, reads the request head, writes `reply`
// (if any), then closes after `hold` (keeping the connection silent that long).
class ScriptedPeer {
 public:
  ScriptedPeer(std::string reply, std::chrono::milliseconds hold = {});
  ~ScriptedPeer();
  ScriptedPeer(const ScriptedPeer&) = delete;
  ScriptedPeer& operator=(const ScriptedPeer&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// A socket listening on 127.0.0.1 at a port the system picks (written to `port`), or -1.
int listen_loopback(std::uint16_t& port, int backlog = 4);

// A port on 127.0.0.1 with nothing listening (bound, then closed).
std::uint16_t unused_port();

}  // namespace mikey::transport::testing
