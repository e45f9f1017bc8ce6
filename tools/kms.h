// `mikeyconf kms`: serves the reference KMS (roles::Kms) over TS 33.328 Annex A HTTP
// (transport::KmsServer) from a YAML configuration (config/kms_config.h), with KMS-to-KMS
// chaining to peer KMSs over mutual TLS (RFC 6043 §10; TS 33.328 §6.2.3.8, Annex B).
// `mikeyconf request-init`: a REQUEST_INIT_PSK for one user of such a configuration, in base64,
// ready for curl (README "Running the reference KMS").
//
// The pieces are public so the end-to-end tests (tests/e2e) run exactly what the subcommand runs,
// with a clock they control.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/kms_config.h"
#include "crypto/rng.h"
#include "roles/clock.h"
#include "roles/kms.h"
#include "tools/cli.h"
#include "transport/annex_a.h"
#include "transport/client.h"
#include "transport/server.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikeyconf::tools {

// A roles::Kms behind a mutex, as the KmsHandler the server calls from its io threads (Kms is not
// thread-safe). Requests are served one at a time, including a chained resolve's round trip to
// the peer KMS. `kms` must outlive this object, and this object the server.
class SerializedKms {
 public:
  explicit SerializedKms(mikey::roles::Kms& kms) : kms_(&kms) {}
  SerializedKms(const SerializedKms&) = delete;
  SerializedKms& operator=(const SerializedKms&) = delete;

  // handle_request_init / handle_resolve_init under the lock, then harness::to_kms_answer().
  // `context`: what the link established (a peer KMS named by its verified client certificate,
  // roles::link_context; docs/latitude.md "link-idrpsk").
  mikey::transport::KmsAnswer handle(mikey::transport::RequestType type, mikey::ByteView request,
                                     const mikey::roles::RequestContext& context = {});
  mikey::transport::KmsHandler handler();
  // handle() with the context of the request's verified client certificate (the server's meta).
  mikey::transport::KmsMetaHandler link_handler();

 private:
  std::mutex mutex_;
  mikey::roles::Kms* kms_;
};

// The AnnexAClient options for one peer: https to its host:port and path, mutual TLS with the
// peer's CA and this KMS's client certificate; `server_name` (when set) as SNI and verified name.
mikey::transport::ClientOptions peer_client_options(const mikey::config::PeerEndpoint& peer,
                                                    std::chrono::milliseconds timeout);

// roles::KmsPeer over Annex A HTTP (requesttype=ticketresolve, A.1-1) with mutual TLS: one
// keep-alive AnnexAClient per peer. Transport failures, a status other than 200 and a body that
// is not a MIKEY message are PeerErrors (the Kms answers the Responder with Error 12, B.1-6).
class HttpKmsPeer final : public mikey::roles::KmsPeer {
 public:
  explicit HttpKmsPeer(const std::vector<mikey::config::PeerEndpoint>& endpoints,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~HttpKmsPeer() override;
  mikey::Result<mikey::Bytes, mikey::roles::PeerError> resolve(
      const mikey::roles::PeerKms& peer, mikey::ByteView resolve_init) noexcept override;

 private:
  struct Link;
  std::vector<std::unique_ptr<Link>> links_;
};

// ServerOptions for a loaded configuration: listen address and TLS files from the file (port 0 and
// plain HTTP when absent); threads, log and limits at their defaults.
mikey::transport::ServerOptions server_options(const mikey::config::LoadedKmsConfig& config);

// The whole KMS of `mikeyconf kms`: the Kms built from `config` with `clock` and `rng`, its
// HttpKmsPeer, the lock and the KmsServer with `options`. `clock` and `rng` must outlive it.
class KmsService {
 public:
  KmsService(mikey::config::LoadedKmsConfig config, const mikey::roles::Clock& clock,
             mikey::crypto::Rng& rng, mikey::transport::ServerOptions options);
  ~KmsService();
  KmsService(const KmsService&) = delete;
  KmsService& operator=(const KmsService&) = delete;

  // Binds and starts serving; the bound port, or the server's error (bind_failed,
  // tls_setup_failed).
  mikey::Result<std::uint16_t, mikey::transport::Error> start();
  // "http://HOST:PORT" or "https://HOST:PORT" (IPv6 hosts in brackets) once started.
  std::string url() const;
  mikey::transport::KmsServer& server() { return *server_; }

 private:
  std::string host_;
  bool tls_ = false;
  std::unique_ptr<HttpKmsPeer> peer_;
  std::unique_ptr<mikey::roles::Kms> kms_;
  std::unique_ptr<SerializedKms> serialized_;
  std::unique_ptr<mikey::transport::KmsServer> server_;
};

extern const std::string_view kKmsUsage;
extern const std::string_view kRequestInitUsage;

// `mikeyconf kms --config FILE [--listen HOST:PORT] [--tls-cert F --tls-key F [--client-ca F]]
// [--threads N]`. Exit 0 after SIGTERM/SIGINT, 2 usage or configuration error (file:line:col),
// 3 when the server cannot start (port in use, TLS files unusable).
int kms_main(std::span<const std::string_view> args, Io& io);

// `mikeyconf request-init --config FILE --user ID [--responder ID] [--ticket-type 1|2]
// [--forking] [--lifetime S] [--suite 128|256]`: prints a base64 REQUEST_INIT_PSK (one line).
int request_init_main(std::span<const std::string_view> args, Io& io);

}  // namespace mikeyconf::tools
