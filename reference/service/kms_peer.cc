#include "service/kms_peer.h"

#include <algorithm>
#include <charconv>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "wire/fuzzing.h"

namespace mikey::service {

transport::ClientOptions peer_client_options(const config::PeerEndpoint& peer) {
  transport::ClientOptions o;
  o.host = peer.host;
  o.port = peer.port;
  o.profile.path = peer.path;
  o.connect_timeout = std::chrono::milliseconds(peer.connect_timeout_ms);
  o.total_timeout = std::chrono::milliseconds(peer.timeout_ms);
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

// One peer: idle keep-alive clients and how many requests are on the link now. A client is
// leased to one request at a time (AnnexAClient is not thread-safe).
struct HttpKmsPeer::Link {
  config::PeerEndpoint endpoint;
  std::mutex mutex;
  std::size_t in_flight = 0;
  std::vector<std::unique_ptr<transport::AnnexAClient>> idle;

  explicit Link(config::PeerEndpoint e) : endpoint(std::move(e)) {}
};

namespace {

// A client of `link` for one request, or none when max_in_flight requests already wait on it;
// given back (kept for reuse while its connection is open) when the lease ends.
template <class L>
class Lease {
 public:
  explicit Lease(L& link) : link_(&link) {
    {
      std::lock_guard<std::mutex> lock(link.mutex);
      if (link.in_flight >= link.endpoint.max_in_flight) return;
      ++link.in_flight;
      if (!link.idle.empty()) {
        client_ = std::move(link.idle.back());
        link.idle.pop_back();
      }
    }
    held_ = true;
    // Outside the lock: a new client loads its TLS files.
    if (!client_) {
      client_ = std::make_unique<transport::AnnexAClient>(peer_client_options(link.endpoint));
    }
  }
  ~Lease() {
    if (!held_) return;
    std::lock_guard<std::mutex> lock(link_->mutex);
    --link_->in_flight;
    // Kept even when its connection closed: post() reconnects, and the TLS context it built
    // from the certificate files stays (at most max_in_flight clients exist per link).
    if (client_) link_->idle.push_back(std::move(client_));
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  transport::AnnexAClient* client() const { return held_ ? client_.get() : nullptr; }

 private:
  L* link_;
  bool held_ = false;
  std::unique_ptr<transport::AnnexAClient> client_;
};

roles::PeerError unavailable(std::string detail, unsigned retry_after = kPeerRetryAfterSeconds) {
  return roles::PeerError{std::move(detail), retry_after};
}

// A.3-1: a peer's own Retry-After (delay-seconds, RFC 7231 §7.1.3), bounded; else ours.
unsigned peer_retry_after(const transport::ClientResponse& r) {
  const std::optional<std::string_view> h = r.header("Retry-After");
  unsigned s = 0;
  if (!h || std::from_chars(h->data(), h->data() + h->size(), s).ec != std::errc() || s == 0) {
    return kPeerRetryAfterSeconds;
  }
  return std::min(s, kMaxPeerRetryAfterSeconds);
}

// Transport failures that say the peer is busy, slow or away now (a retry may succeed), as
// opposed to a broken link (TLS verification, setup, a malformed or oversized answer).
bool transient(transport::Errc code) {
  switch (code) {
    case transport::Errc::resolve_failed:
    case transport::Errc::connect_failed:
    case transport::Errc::timeout:
    case transport::Errc::write_failed:
    case transport::Errc::read_failed:
    case transport::Errc::connection_closed:
      return true;
    default:
      return false;
  }
}

Result<Bytes, roles::PeerError> post(transport::AnnexAClient& client, const std::string& url,
                                     ByteView resolve_init) {
  auto r = client.post(transport::RequestType::ticket_resolve, resolve_init);
  if (!r.ok()) {
    std::string detail =
        url + ": " + std::string(transport::to_string(r.error().code)) + ": " + r.error().detail;
    if (transient(r.error().code)) return unavailable(std::move(detail));
    return roles::PeerError{std::move(detail)};
  }
  if (r->status == 503) return unavailable(url + ": HTTP 503 " + r->reason, peer_retry_after(*r));
  if (r->status != 200) {
    return roles::PeerError{url + ": HTTP " + std::to_string(r->status) + " " + r->reason};
  }
  if (!r->mikey) return roles::PeerError{url + ": " + r->mikey_problem};
  return std::move(*r->mikey);
}

}  // namespace

HttpKmsPeer::HttpKmsPeer(const std::vector<config::PeerEndpoint>& endpoints) {
  for (const config::PeerEndpoint& e : endpoints) links_.push_back(std::make_unique<Link>(e));
}

HttpKmsPeer::~HttpKmsPeer() = default;

std::size_t HttpKmsPeer::max_in_flight() const noexcept {
  std::size_t n = 0;
  for (const auto& l : links_) n += l->endpoint.max_in_flight;
  return n;
}

Result<Bytes, roles::PeerError> HttpKmsPeer::resolve(const roles::PeerKms& peer,
                                                     ByteView resolve_init) noexcept {
  try {
    Link* link = nullptr;
    for (const auto& l : links_)
      if (l->endpoint.identity == peer.identity) link = l.get();
    if (link == nullptr) return roles::PeerError{"no URL configured for this peer KMS"};
    Lease<Link> lease(*link);
    if (lease.client() == nullptr) {
      return unavailable(link->endpoint.url + ": " + std::to_string(link->endpoint.max_in_flight) +
                         " requests already wait on this peer (peers[].link.max_in_flight)");
    }
    return post(*lease.client(), link->endpoint.url, resolve_init);
  } catch (const std::exception& e) {
    return roles::PeerError{std::string("KMS-to-KMS request failed: ") + e.what()};
  } catch (...) {
    wire::trap_when_fuzzing();
    return roles::PeerError{"KMS-to-KMS request failed"};
  }
}

}  // namespace mikey::service
