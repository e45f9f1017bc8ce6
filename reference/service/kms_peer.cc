#include "service/kms_peer.h"

#include <exception>
#include <mutex>
#include <string>
#include <utility>

#include "wire/fuzzing.h"

namespace mikey::service {

transport::ClientOptions peer_client_options(const config::PeerEndpoint& peer,
                                             std::chrono::milliseconds timeout) {
  transport::ClientOptions o;
  o.host = peer.host;
  o.port = peer.port;
  o.profile.path = peer.path;
  o.connect_timeout = timeout;
  o.total_timeout = timeout;
  o.user_agent = "mikeyconf-kms/0.1";
  transport::ClientTlsOptions tls;
  tls.ca_file = peer.ca;
  tls.cert_file = peer.cert;
  tls.key_file = peer.key;
  tls.sni = peer.server_name;
  tls.verify_name = peer.server_name;
  o.tls = std::move(tls);
  return o;
}

struct HttpKmsPeer::Link {
  roles::Identity identity;
  std::string url;
  std::mutex mutex;  // AnnexAClient is not thread-safe
  transport::AnnexAClient client;

  Link(const config::PeerEndpoint& e, std::chrono::milliseconds timeout)
      : identity(e.identity), url(e.url), client(peer_client_options(e, timeout)) {}
};

HttpKmsPeer::HttpKmsPeer(const std::vector<config::PeerEndpoint>& endpoints,
                         std::chrono::milliseconds timeout) {
  for (const config::PeerEndpoint& e : endpoints) {
    links_.push_back(std::make_unique<Link>(e, timeout));
  }
}

HttpKmsPeer::~HttpKmsPeer() = default;

Result<Bytes, roles::PeerError> HttpKmsPeer::resolve(const roles::PeerKms& peer,
                                                     ByteView resolve_init) noexcept {
  try {
    Link* link = nullptr;
    for (const auto& l : links_)
      if (l->identity == peer.identity) link = l.get();
    if (link == nullptr) return roles::PeerError{"no URL configured for this peer KMS"};
    std::lock_guard<std::mutex> lock(link->mutex);
    auto r = link->client.post(transport::RequestType::ticket_resolve, resolve_init);
    if (!r.ok()) {
      return roles::PeerError{link->url + ": " + std::string(transport::to_string(r.error().code)) +
                              ": " + r.error().detail};
    }
    if (r->status != 200) {
      return roles::PeerError{link->url + ": HTTP " + std::to_string(r->status) + " " + r->reason};
    }
    if (!r->mikey) return roles::PeerError{link->url + ": " + r->mikey_problem};
    return std::move(*r->mikey);
  } catch (const std::exception& e) {
    return roles::PeerError{std::string("KMS-to-KMS request failed: ") + e.what()};
  } catch (...) {
    wire::trap_when_fuzzing();
    return roles::PeerError{"KMS-to-KMS request failed"};
  }
}

}  // namespace mikey::service
