// The reference KMS as a service: a roles::Kms behind transport::KmsServer (TS 33.328 Annex A),
// built from a configuration file (config::LoadedKmsConfig) or an already built roles::KmsConfig,
// reaching its peer KMSs through a peer factory (Annex A over mutual TLS by default, RFC 6043 §10),
// with server options and an answer hook that may replace the KMS's answer before it is sent (a
// misbehaving KMS). `mikeyconf kms` and every KMS the harness runs are this class.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/kms_config.h"
#include "crypto/rng.h"
#include "roles/clock.h"
#include "roles/kms.h"
#include "transport/annex_a.h"
#include "transport/errc.h"
#include "transport/peer_identity.h"
#include "transport/server.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::service {

// The Kms the io threads share: roles::Kms is thread-safe, so requests are served concurrently
// and a chained resolve waiting on its peer KMS holds only its own thread. `kms` must outlive
// this object.
class SharedKms {
 public:
  explicit SharedKms(roles::Kms& kms) : kms_(&kms) {}
  SharedKms(const SharedKms&) = delete;
  SharedKms& operator=(const SharedKms&) = delete;

  // handle_request_init / handle_resolve_init. `context`: what the link established (a peer KMS
  // named by its verified client certificate, roles::link_context; docs/latitude.md
  // "link-idrpsk").
  roles::KmsReply reply(transport::RequestType type, ByteView request,
                        const roles::RequestContext& context = {});
  const roles::KmsConfig& config() const { return kms_->config(); }

 private:
  roles::Kms* kms_;
};

// ServerOptions for a loaded configuration: listen address and TLS files from the file (port 0
// and plain HTTP when absent), its HTTP latitude knobs; threads, log and limits at their
// defaults.
transport::ServerOptions server_options(const config::LoadedKmsConfig& config);

// How the service reaches its peer KMSs, given the configured endpoints (none for a KmsConfig
// built in code). A null peer: the KMS does not chain.
using PeerFactory = std::function<std::unique_ptr<roles::KmsPeer>(
    const std::vector<config::PeerEndpoint>& endpoints)>;
// The default: an HttpKmsPeer (kms_peer.h) when there are endpoints, else none.
PeerFactory https_peers();

// One request the Kms answered, for an AnswerHook.
struct Answered {
  transport::RequestType type;
  ByteView request;
  const transport::RequestMeta& meta;
  const roles::KmsReply& reply;  // the Kms's own reply
  transport::KmsAnswer answer;   // what goes out unless the hook says otherwise
};
// Replaces the answer before it is sent: the same or another KmsAnswer, a response sent as is
// (another status, headers, body) or no answer at all (transport::ServerReply).
using AnswerHook = std::function<transport::ServerReply(Answered&)>;

struct ServiceOptions {
  transport::ServerOptions server;
  PeerFactory peers;       // empty: https_peers()
  AnswerHook answer_hook;  // empty: the KMS's answer as is
  // How a request's link authenticates a peer KMS. Empty: roles::link_context with the names of
  // the verified client certificate.
  std::function<roles::RequestContext(ByteView request, const transport::RequestMeta& meta)>
      context;
  // Wraps the KMS's handler on every listener (faulty KMS variants in tests); the hook sees the
  // wrapped answer.
  std::function<transport::KmsHandler(transport::KmsHandler)> wrap;
  // Sees every request a listener reads, parsed or not, before the service does, and answers it
  // itself (a harness KMS misbehaving at the HTTP level) or passes it on to `service`, the
  // service's own answer. Empty: the service's own answer.
  std::function<transport::HttpReply(const transport::ReceivedRequest& request,
                                     const transport::HttpHandler& service)>
      http_hook;
};

class KmsService {
 public:
  // The Kms of a configuration file with its peers (`clock`, `rng` must outlive the service).
  // Requests run concurrently: `clock` must be safe to read from several threads; an `rng` other
  // than crypto::OpenSslRng is called under a lock. Every listener runs its configured io
  // threads plus the peers' in-flight bound (roles::KmsPeer::max_in_flight), so requests
  // waiting on a slow peer KMS never hold every thread.
  KmsService(config::LoadedKmsConfig config, const roles::Clock& clock, crypto::Rng& rng,
             ServiceOptions options);
  // The Kms of a configuration built in code (the peer factory gets no endpoints).
  KmsService(roles::KmsConfig config, const roles::Clock& clock, crypto::Rng& rng,
             ServiceOptions options);
  ~KmsService();  // stop()
  KmsService(const KmsService&) = delete;
  KmsService& operator=(const KmsService&) = delete;

  // Binds and starts serving; the bound port, or the server's error (bind_failed,
  // tls_setup_failed).
  Result<std::uint16_t, transport::Error> start();
  // Another listener on the same Kms (e.g. a KMS-to-KMS link apart from the users' address),
  // with its own answer hook; started at once.
  Result<std::uint16_t, transport::Error> listen(transport::ServerOptions options,
                                                 AnswerHook hook = {});
  // "http://HOST:PORT" or "https://HOST:PORT" (IPv6 hosts in brackets) once started.
  std::string url() const;
  // The first listener; only while the service listens (until stop()).
  transport::KmsServer& server() { return *servers_.front(); }
  const ServiceOptions& options() const { return options_; }
  // The Kms in-process (not through a listener, never hooked).
  SharedKms& kms() { return *shared_; }
  // Stops and releases every listener: no handler call outlives the Kms, and the ports are
  // closed when this returns (the acceptor goes with its server). kms() stays usable.
  // Idempotent.
  void stop();

 private:
  KmsService(roles::KmsConfig config, const std::vector<config::PeerEndpoint>& endpoints,
             const roles::Clock& clock, crypto::Rng& rng, ServiceOptions options);
  transport::ReplyHandler reply_handler(AnswerHook hook);
  transport::KmsServer& add_server(transport::ServerOptions options, AnswerHook hook);

  ServiceOptions options_;
  std::unique_ptr<crypto::Rng> locked_rng_;  // the Rng behind a lock, unless it is thread-safe
  std::unique_ptr<roles::KmsPeer> peer_;
  std::unique_ptr<roles::Kms> kms_;
  std::unique_ptr<SharedKms> shared_;
  std::vector<std::unique_ptr<transport::KmsServer>> servers_;
};

}  // namespace mikey::service
