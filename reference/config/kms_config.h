// The reference KMS's configuration file (YAML; configs/README.md documents every key): the
// KMS identity, where it listens, its TLS files, its users and their credentials (PSK or GBA),
// its ticket protection keys, lifetimes, policy and the peer KMSs it chains to (RFC 6043 §10;
// TS 33.328 §6.2.3.8, Annex B).
//
// The loader is strict: unknown keys, duplicate keys, wrong types, missing required keys, bad
// hex, unknown algorithm or format names, duplicate identities and inconsistent peers are all
// errors that name the file, line and column. yaml-cpp throws inside; load_kms_config() never
// does (an exception from the YAML library never crosses the loader's entry point).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config_error.h"
#include "roles/kms.h"
#include "roles/types.h"
#include "transport/server.h"
#include "wire/result.h"

namespace mikey::config {

// A host and port to listen on ("127.0.0.1:8080", "[::1]:8443", "localhost:0").
struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

// Parses HOST:PORT (IPv6 hosts in brackets); the error says what is wrong.
Result<ListenAddress, std::string> parse_listen_address(std::string_view text);

// The KMS's own TLS files (absolute, or relative to the working directory when the config file
// was given by a relative path). `client_ca` non-empty: every client must present a certificate
// that verifies against it (mutual TLS, TS 33.328 §6.2.3.8 KMS-to-KMS).
struct ServerTlsFiles {
  std::string cert;
  std::string key;
  std::string client_ca;
};

// How this KMS reaches one peer KMS (KMS_I) over Annex A HTTP (requesttype=ticketresolve).
struct PeerEndpoint {
  roles::Identity identity;  // equals roles::PeerKms::identity of the same index
  std::string url;           // as written in the file
  bool tls = true;           // https (always, see kms_config.cc: peers need mutual TLS)
  std::string host;
  std::uint16_t port = 0;
  std::string path = "/keymanagement";
  // Mutual TLS: the CA that verifies the peer's server certificate, and this KMS's client
  // certificate and key. `server_name`: the name the peer's certificate must carry (and the
  // SNI); empty: the URL host.
  std::string ca;
  std::string cert;
  std::string key;
  std::string server_name;
  // The link's bounds (`peers[].link`; RFC 6043 §10: a slow or absent KMS_I must not stall KMS_R):
  // at most `max_in_flight` requests wait on this peer at once, each at most `timeout_ms` from
  // connect to the answer's last byte (`connect_timeout_ms` for the TCP connect). Beyond them
  // KMS_R answers its Responder 503 with Retry-After (A.3-1).
  std::uint32_t max_in_flight = 4;
  std::uint32_t connect_timeout_ms = 1'000;
  std::uint32_t timeout_ms = 3'000;
};

// One bound of a peer link: `peers[].link.KEY` in the file, `mikeyconf kms --link-KEY` (with
// '-' for '_') on the command line; its range and the PeerEndpoint field it sets.
struct LinkLimit {
  std::string_view key;
  std::uint32_t min;
  std::uint32_t max;
  std::uint32_t PeerEndpoint::*field;
};
std::span<const LinkLimit> link_limits() noexcept;

// The `http:` section: HTTP behaviours RFC 7230/7231 leave to the server (configs/README.md;
// docs/latitude.md "unknown-method", "announced-body-too-large"). tools/kms.cc maps them onto
// transport::ServerOptions.
enum class OversizedBody : std::uint8_t { early_413, close, wait };
struct ServerLimit;

struct HttpChoices {
  std::uint16_t unknown_method_status = 405;  // 405 or 501
  OversizedBody oversized_body = OversizedBody::early_413;
  // The connection bounds the file sets (each ServerLimit of server_limits() with its value, in
  // order; a later one wins). `mikeyconf kms` appends its flags' values.
  std::vector<std::pair<const ServerLimit*, std::uint64_t>> limits;
};

// One connection bound or timeout of the `http:` section (configs/README.md "Limits"), also a
// `mikeyconf kms` flag (--KEY with '-' for '_'): its range and the ServerOptions field it sets.
struct ServerLimit {
  std::string_view key;
  std::uint64_t min;
  std::uint64_t max;
  void (*apply)(transport::ServerOptions&, std::uint64_t);
};
std::span<const ServerLimit> server_limits() noexcept;
// Sets what `http.limits` names on `options`.
void apply_server_limits(const HttpChoices& http, transport::ServerOptions& options);

struct LoadedKmsConfig {
  std::string source;  // the file it came from
  roles::KmsConfig kms;
  std::optional<ListenAddress> listen;
  std::optional<ServerTlsFiles> tls;
  HttpChoices http;
  // One per kms.peers entry, same order.
  std::vector<PeerEndpoint> peers;

  // The endpoint of `peer` (by identity), or nullptr.
  const PeerEndpoint* endpoint(const roles::Identity& peer) const noexcept;
};

// Reads and checks the file at `path`. Never throws: every failure (unreadable file, YAML
// syntax, schema, semantics, out of memory) is a ConfigError.
Result<LoadedKmsConfig, ConfigError> load_kms_config(const std::string& path) noexcept;

// The same for YAML text already in memory; `source` names it in errors, and relative paths in it
// resolve against `base_dir`. The files it names are checked for existence.
Result<LoadedKmsConfig, ConfigError> parse_kms_config(std::string_view yaml,
                                                      const std::string& source,
                                                      const std::string& base_dir) noexcept;

}  // namespace mikey::config
