// How the reference KMS reaches its peer KMSs by default: Annex A HTTP (requesttype=
// ticketresolve, A.1-1) over mutual TLS (RFC 6043 §10; TS 33.328 §6.2.3.8, B.0-1).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "config/kms_config.h"
#include "roles/kms.h"
#include "transport/client.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::service {

// The AnnexAClient options for one peer: https to its host:port and path, mutual TLS with the
// peer's CA and this KMS's client certificate; `server_name` (when set) as SNI and verified name;
// the endpoint's connect and total timeouts.
transport::ClientOptions peer_client_options(const config::PeerEndpoint& peer);

// Retry-After (seconds) of KMS_R's 503 when the peer is busy, slow or away and did not say
// itself when to come back (A.3-1).
inline constexpr unsigned kPeerRetryAfterSeconds = 1;
// The longest Retry-After of a peer's 503 passed on to KMS_R's client; longer ones are cut.
inline constexpr unsigned kMaxPeerRetryAfterSeconds = 60;

// roles::KmsPeer over Annex A HTTP with mutual TLS, for concurrent callers: per peer a pool of
// keep-alive AnnexAClients, at most PeerEndpoint::max_in_flight requests on it at once, each with
// the endpoint's deadlines. A request beyond the bound, a deadline passed, a connection refused
// or lost and a peer answering 503 are "unavailable" PeerErrors (KMS_R answers 503 with
// Retry-After: KMS_I may serve a moment later). TLS failures, another status than 200 or 503 and
// a body that is not a MIKEY message are PeerErrors the Kms answers with Error 12 (B.1-6).
class HttpKmsPeer final : public roles::KmsPeer {
 public:
  explicit HttpKmsPeer(const std::vector<config::PeerEndpoint>& endpoints);
  ~HttpKmsPeer() override;
  Result<Bytes, roles::PeerError> resolve(const roles::PeerKms& peer,
                                          ByteView resolve_init) noexcept override;
  // The sum of the endpoints' max_in_flight.
  std::size_t max_in_flight() const noexcept override;

 private:
  struct Link;
  std::vector<std::unique_ptr<Link>> links_;
};

}  // namespace mikey::service
