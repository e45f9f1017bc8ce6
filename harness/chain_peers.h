// Internal to the chaining setup (chain_setup.cc, chain_peers.cc, chain_driver.cc): the reference
// KMSs the harness runs for the chaining roles — the harness KMS_I with its tap and answer
// switches (SUT kms_r), the embedded reference SUT of either role, the KMS-to-KMS client — and
// the drivers. harness/README.md "Chaining" describes the whole arrangement.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "crypto/rng.h"
#include "harness/chain.h"
#include "harness/driver.h"
#include "harness/profile.h"
#include "roles/clock.h"
#include "roles/kms.h"
#include "service/kms_service.h"
#include "transport/annex_a.h"
#include "transport/client.h"
#include "transport/peer_identity.h"
#include "transport/server.h"
#include "wire/result.h"

namespace mikeyconf::harness::chain_detail {

// TLS files of one end of the KMS-to-KMS link: the own certificate and key, and the CA that
// verifies the other end (server: the client certificates it demands; client: the server's).
struct LinkTls {
  std::string cert, key, ca, sni;
  bool verify = true;
};

// The roles::KmsConfig of the users of `p` registered at the SUT (`sut`) or at the KMS the
// harness plays (!sut), with `identity`; mode-3 TPKs, embedded ticket keys and policy as
// kms_config_from_profile.
mikey::Result<mikey::roles::KmsConfig, std::string> config_for(const SutProfile& p, bool sut,
                                                               const mikey::roles::Identity& id);
// The KMS-to-KMS user entry (RFC 6043 §10: KMS_I knows KMS_R like a user, B.0-6; `mac`: the
// Identity_r readings it accepts) and the peer entry (what KMS_R knows of KMS_I, the default route
// for tickets naming no issuer; `mac`: the one it uses) for the link of `c`.
mikey::roles::KmsUser link_user(const ChainingSpec& c, const mikey::roles::Identity& kms_r,
                                mikey::roles::LinkMacIdentity mac);
mikey::roles::PeerKms link_peer(const ChainingSpec& c, const mikey::roles::Identity& kms_i,
                                mikey::roles::LinkMacIdentity mac);
// The profile's declared `latitude.link-mac-identity` (docs/latitude.md "link-mac-identity") as
// what a receiving KMS_I accepts (`any` when undeclared) and what a sending KMS_R uses (the
// forwarded IDRr unless `kms_r` is declared).
mikey::roles::LinkMacIdentity accepted_mac_identity(const SutProfile& p);
mikey::roles::LinkMacIdentity sent_mac_identity(const SutProfile& p);

// Client options for `host:port` with `tls` (https) and the profile's Annex A settings.
mikey::transport::ClientOptions link_client_options(const SutProfile& p, const std::string& host,
                                                    std::uint16_t port,
                                                    const std::optional<LinkTls>& tls,
                                                    std::chrono::milliseconds timeout);

// roles::KmsPeer over Annex A HTTP(S) (A.1-1: the Ticket Resolve procedure between KMSs): the
// embedded reference KMS_R's way to its KMS_I. Failures are PeerErrors (B.1-6).
class HttpLinkPeer final : public mikey::roles::KmsPeer {
 public:
  explicit HttpLinkPeer(mikey::transport::ClientOptions options);
  mikey::Result<mikey::Bytes, mikey::roles::PeerError> resolve(
      const mikey::roles::PeerKms& peer, mikey::ByteView resolve_init) noexcept override;

 private:
  std::mutex mu_;
  mikey::transport::AnnexAClient client_;
};

// The server options of one listener of a chaining KMS on host:port (0: the OS picks), TLS when
// `tls` is set (with `tls->ca`: clients must present a certificate from it).
mikey::transport::ServerOptions listener_options(const SutProfile& p, const std::string& host,
                                                 std::uint16_t port,
                                                 const std::optional<LinkTls>& tls,
                                                 std::size_t threads = 2);
// "cannot listen on HOST:PORT: ..." for a listener that did not start.
std::string listen_error(const mikey::transport::ServerOptions& o,
                         const mikey::transport::Error& e);

// SUT kms_r: the harness KMS_I. One reference KMS behind two listeners: the link (where the SUT
// forwards, with the tap and the answer switches) and a plain-HTTP one on 127.0.0.1 for the
// harness's own Initiators (its users ask it for tickets there).
class HarnessKmsI final : public KmsITap {
 public:
  static mikey::Result<std::shared_ptr<HarnessKmsI>, std::string> start(
      const SutProfile& p, const std::optional<LinkTls>& tls);
  ~HarnessKmsI() override;

  std::uint16_t link_port() const noexcept;
  std::uint16_t users_port() const noexcept;
  void arm(mikey::ByteView ticket, KmsIAnswer answer) override;
  std::vector<ForwardedRequest> take_forwarded(mikey::ByteView ticket) override;
  void stop();

 private:
  HarnessKmsI(const ChainingSpec& c, mikey::roles::Identity kms_r);
  // The link listener's answer hook: records the forward and applies the armed switch.
  mikey::transport::ServerReply on_link(mikey::service::Answered& a);
  mikey::roles::RequestContext link_context(mikey::ByteView request,
                                            const mikey::transport::RequestMeta& meta) const;
  mikey::transport::KmsAnswer misbehave(KmsIAnswer how, mikey::transport::KmsAnswer a,
                                        mikey::ByteView request);
  KmsIAnswer armed(const mikey::Bytes& ticket);

  ChainingSpec link_;
  mikey::roles::Identity kms_r_;  // the SUT, a peer_kms user of this KMS_I
  mikey::roles::SystemClock clock_;
  mikey::crypto::OpenSslRng rng_;
  std::mutex tap_mu_;
  std::condition_variable stopping_cv_;
  bool stopping_ = false;
  struct Record {
    std::uint64_t id = 0;
    mikey::Bytes ticket;
    ForwardedRequest f;
  };
  std::uint64_t next_id_ = 0;
  std::deque<Record> records_;  // capped: unclaimed records of other tickets age out
  std::vector<std::pair<mikey::Bytes, KmsIAnswer>> switches_;
  std::unique_ptr<mikey::service::KmsService> service_;
  std::uint16_t link_port_ = 0;
  std::uint16_t users_port_ = 0;
};

// The embedded default SUT of a chaining role: a reference KMS (KMS_R calling the harness KMS_I
// over `peer`, or KMS_I knowing the harness KMS_R as a peer user) on base_url, and for kms_i on a
// separate link listener when chaining.url differs from base_url.
class EmbeddedChainKms {
 public:
  // `peer` (may be null) is its KMS-to-KMS transport; `wrap` (may be empty) wraps its Annex A
  // handler on every listener; `users` is where its users reach it.
  EmbeddedChainKms(mikey::roles::KmsConfig config, std::unique_ptr<mikey::roles::KmsPeer> peer,
                   mikey::transport::ServerOptions users,
                   std::function<mikey::transport::KmsHandler(mikey::transport::KmsHandler)> wrap);
  ~EmbeddedChainKms();
  // Starts the users' listener; its port.
  mikey::Result<std::uint16_t, std::string> start();
  // Another listener (the KMS-to-KMS link) on the same KMS; its port.
  mikey::Result<std::uint16_t, std::string> listen(mikey::transport::ServerOptions link);

 private:
  mikey::roles::SystemClock clock_;
  mikey::crypto::OpenSslRng rng_;
  std::unique_ptr<mikey::service::KmsService> service_;
};

// The drivers: see chain_driver.cc.
std::unique_ptr<SutDriver> make_kms_r_driver(const SutProfile& target,
                                             const SutProfile& harness_kms_i,
                                             std::shared_ptr<HarnessKmsI> tap);
std::unique_ptr<SutDriver> make_kms_i_driver(const SutProfile& target);

}  // namespace mikeyconf::harness::chain_detail
