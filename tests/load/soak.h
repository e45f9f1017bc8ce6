// kms_soak: a soak of a running KMS over TS 33.328 Annex A. Many keep-alive clients (one
// transport::AnnexAClient each) send fresh traffic the reference roles make in-process at a fixed
// rate (open loop), and every answer is judged against what it must be on the wire for the KMS's
// configuration (configs/README.md): a Ticket Request gets a REQUEST_RESP the Initiator accepts, a
// resolve a RESOLVE_RESP the Responder accepts, a refusal the MIKEY Error (or the HTTP status)
// the configuration names. Meanwhile the KMS process's RSS and open descriptors are sampled.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/codepoints.h"
#include "config/kms_config.h"
#include "crypto/rng.h"
#include "roles/clock.h"
#include "roles/credential.h"
#include "roles/initiator.h"
#include "roles/types.h"
#include "transport/client.h"

namespace mikeyconf::soak {

namespace roles = mikey::roles;
namespace transport = mikey::transport;

// What one scheduled request is.
enum class Kind : std::uint8_t {
  request,           // REQUEST_INIT_PSK from a configured user → 200 REQUEST_RESP, accepted
  resolve,           // RESOLVE_INIT_PSK for a fresh ticket → 200 RESOLVE_RESP, accepted
  replay,            // an authentic REQUEST_INIT sent again → the replay refusal (RFC 3830 §5.4)
  bad_mac,           // a REQUEST_INIT whose MAC does not verify → the auth-failure answer
  unknown_identity,  // a REQUEST_INIT from an identity the KMS has no key for → its refusal
  bad_request,       // a REQUEST_INIT posted as requesttype=ticketresolve → 400 (TS 33.328 A.2-6)
};
inline constexpr std::size_t kKinds = 6;
std::string_view kind_name(Kind k) noexcept;
std::optional<Kind> kind_from_name(std::string_view name) noexcept;

// Relative weights of the kinds in the traffic.
using Mix = std::array<unsigned, kKinds>;
Mix default_mix() noexcept;
// "request=40,resolve=30,..." (kinds not named keep weight 0); the error says what is wrong.
std::optional<Mix> parse_mix(std::string_view text, std::string& error);
// The kind of the k-th request of a run: a fixed pseudo-random draw weighted by `mix`.
Kind pick_kind(const Mix& mix, std::uint64_t k) noexcept;

// The judged result of one request.
struct Outcome {
  Kind kind = Kind::request;
  bool expected = false;
  bool unavailable = false;  // 503 with Retry-After: the KMS at a declared bound (A.3-1)
  std::string problem;       // what was wrong, when not expected
};

// What a configured KMS must answer, derived from its configuration file only.
struct World {
  roles::Identity kms_identity;
  struct User {
    roles::Identity identity;
    std::shared_ptr<const roles::Credential> credential;
  };
  std::vector<User> users;  // users with a key that are no peer KMS
  // Mode 3 (RFC 6043 §4.1.1): the user sharing a TPK with the KMS, and that key.
  std::optional<std::size_t> mode3_user;
  std::shared_ptr<const roles::TicketKey> mode3_key;
  std::vector<roles::TicketFormat> formats;
  // An identity the KMS does not know, with a key of its own.
  World::User stranger;
  // The answers to refusals: 0 = a 200 with the MIKEY Error of that number, else the status
  // (policy.answers, docs/latitude.md "auth-failure-answer", "discard-answer").
  std::uint16_t auth_failure_status = 0;
  std::uint16_t discarded_status = 0;
  mikey::codec::ErrorNo bad_mac_error{};
  mikey::codec::ErrorNo unknown_identity_error{};
  mikey::codec::ErrorNo replay_error{};
};

// Reads the KMS configuration with the configuration loader; nullopt and `error` on failure.
std::optional<World> load_world(const std::string& config_path, std::string& error);

// One client: one keep-alive connection, its own roles and RNG. Not thread-safe.
class Worker {
 public:
  Worker(const World& world, transport::ClientOptions options, std::size_t index);
  Outcome run(Kind kind);
  void close() noexcept { client_.close(); }

 private:
  struct Granted {
    std::unique_ptr<roles::Initiator> initiator;
    std::size_t responder;
  };
  Outcome request(Outcome o);
  Outcome resolve(Outcome o);
  Outcome replay(Outcome o);
  Outcome bad_mac(Outcome o);
  Outcome unknown_identity(Outcome o);
  Outcome bad_request(Outcome o);
  std::optional<Granted> ticket_for_resolve(std::string& problem);
  std::unique_ptr<roles::Initiator> new_initiator(const World::User& user);
  // A fresh REQUEST_INIT from `user` for the next responder; `initiator` keeps its state.
  mikey::Bytes fresh_request(const World::User& user, std::size_t responder,
                             std::unique_ptr<roles::Initiator>& initiator);
  mikey::Bytes fresh_request_of_next_user();
  // POSTs `body` and judges the answer: HTTP `status`, or (status 0) a 200 with MIKEY Error
  // `error`.
  Outcome refused(Outcome o, transport::RequestType type, mikey::ByteView body,
                  std::uint16_t status, mikey::codec::ErrorNo error);
  // POSTs; nullopt (with o.problem set) on a transport failure or a 503.
  std::optional<transport::ClientResponse> post(transport::RequestType type, mikey::ByteView body,
                                                Outcome& o);
  std::size_t next_user() noexcept { return turn_++ % world_.users.size(); }

  const World& world_;
  transport::AnnexAClient client_;
  mikey::crypto::OpenSslRng rng_;
  roles::SystemClock clock_;
  std::size_t turn_;
  std::deque<Granted> granted_;           // tickets waiting for their resolve
  std::optional<mikey::Bytes> answered_;  // the last REQUEST_INIT granted (replayed next)
};

// ---- The run ----

struct Options {
  std::string config;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool tls = false;
  std::string ca_file;  // verifies the KMS certificate with --tls
  pid_t pid = 0;
  double rate = 0;  // requests/s; 0 with rate_half: half the probed capacity
  bool rate_half = false;
  double duration_s = 60;
  std::size_t clients = 16;
  double sample_s = 10;
  double probe_s = 5;
  double fd_settle_s = 5;
  double max_rss_growth = 0.10;
  std::string json_out;
  Mix mix = default_mix();
};

// One sample of the KMS process.
struct Sample {
  double t_s = 0;
  long rss_kb = -1;
  long fds = -1;
};
long rss_kb(pid_t pid) noexcept;  // VmRSS of /proc/PID/status, -1 when unreadable
long fd_count(pid_t pid) noexcept;

// Counts per kind, unexpected samples and latencies (from each request's scheduled time).
class Stats {
 public:
  void add(const Outcome& o, double latency_ms);
  struct PerKind {
    std::uint64_t sent = 0, expected = 0, unexpected = 0, unavailable = 0;
    std::vector<std::string> samples;
  };
  std::array<PerKind, kKinds> kinds() const;
  std::uint64_t sent() const;
  std::uint64_t unexpected() const;         // 503s included
  std::uint64_t unavailable() const;        // 503s
  double latency_quantile(double q) const;  // ms; 0 with no request

 private:
  mutable std::mutex mutex_;
  std::array<PerKind, kKinds> kinds_{};
  std::vector<float> latencies_ms_;
};

// The capacity probe: closed loop, every client sending back to back; requests/s answered.
double probe_capacity(const World& world, const Options& options, Stats& stats);
// The open-loop run at `rate`, sampling the KMS; returns the samples.
std::vector<Sample> run_fixed_rate(const World& world, const Options& options, double rate,
                                   Stats& stats);

}  // namespace mikeyconf::soak
