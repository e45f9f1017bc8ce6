// How the reference KMS reaches its peer KMSs by default: Annex A HTTP (requesttype=
// ticketresolve, A.1-1) over mutual TLS (RFC 6043 §10; TS 33.328 §6.2.3.8, B.0-1).
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "config/kms_config.h"
#include "roles/kms.h"
#include "transport/client.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::service {

// The AnnexAClient options for one peer: https to its host:port and path, mutual TLS with the
// peer's CA and this KMS's client certificate; `server_name` (when set) as SNI and verified name.
transport::ClientOptions peer_client_options(const config::PeerEndpoint& peer,
                                             std::chrono::milliseconds timeout);

// roles::KmsPeer over Annex A HTTP with mutual TLS: one keep-alive AnnexAClient per peer.
// Transport failures, a status other than 200 and a body that is not a MIKEY message are
// PeerErrors (the Kms answers the Responder with Error 12, B.1-6).
class HttpKmsPeer final : public roles::KmsPeer {
 public:
  explicit HttpKmsPeer(const std::vector<config::PeerEndpoint>& endpoints,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~HttpKmsPeer() override;
  Result<Bytes, roles::PeerError> resolve(const roles::PeerKms& peer,
                                          ByteView resolve_init) noexcept override;

 private:
  struct Link;
  std::vector<std::unique_ptr<Link>> links_;
};

}  // namespace mikey::service
