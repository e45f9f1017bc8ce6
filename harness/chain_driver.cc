// The drivers of the chaining roles (chain.h): they route each request by HttpRequestSpec::route
// and give the engine the harness KMS opposite the SUT.
//
//   kms_r  sut → the SUT (Responders' resolves); harness_kms → the harness KMS_I's users
//          listener (the Initiator's ticket requests); kms_i_tap() → its tap and switches.
//   kms_i  sut → the SUT's base_url (its own users); kms_link → the SUT's KMS-to-KMS endpoint
//          with the harness KMS_R's TLS client certificate; harness_kms → the harness KMS_R in
//          process; kms_r_relay() → that KMS_R, whose forwards the engine sends on kms_link.
#include <chrono>

#include "crypto/rng.h"
#include "harness/chain_peers.h"
#include "harness/reference_names.h"
#include "roles/clock.h"

namespace mikeyconf::harness::chain_detail {

namespace {

HttpExchange no_route(const std::string& why) {
  HttpExchange x;
  x.transport_error = "harness_exception";
  x.transport_detail = why;
  return x;
}

// An in-process answer of a harness KMS, shaped like the HTTP exchange it stands for.
HttpExchange in_process(const SutProfile& p, const roles::KmsReply& reply, std::string label) {
  HttpExchange x;
  x.request = std::move(label);
  x.responded = true;
  if (reply.message.empty()) {
    x.status = 500;
    x.reason = "Internal Server Error";
    return x;
  }
  x.status = 200;
  x.reason = "OK";
  x.headers.emplace_back("Content-Type", p.annex_a.content_type);
  x.mikey = reply.message;
  return x;
}

// The SUT's KMS-to-KMS endpoint as a profile for a KmsDriver: chaining.url and chaining.tls
// (the harness KMS_R's client certificate), optionally without that certificate.
SutProfile link_profile(const SutProfile& target, bool with_certificate) {
  SutProfile p = target;
  const ChainingSpec& c = *target.chaining;
  p.scheme = c.scheme;
  p.host = c.host;
  p.port = c.port;
  p.base_url = c.url;
  if (c.url != target.base_url) p.host_header.clear();
  p.tls = c.tls;
  if (p.tls && !with_certificate) {
    p.tls->cert_file.clear();
    p.tls->key_file.clear();
  }
  return p;
}

class KmsRDriver final : public SutDriver {
 public:
  KmsRDriver(const SutProfile& target, const SutProfile& kms_i_users,
             std::shared_ptr<HarnessKmsI> tap)
      : target_(target), sut_(target), kms_i_(kms_i_users), tap_(std::move(tap)) {}

  HttpExchange exchange(const HttpRequestSpec& request) noexcept override {
    switch (request.route) {
      case Route::sut:
        return sut_.exchange(request);
      case Route::harness_kms:
        return kms_i_.exchange(request);
      case Route::kms_link:
        break;
    }
    return no_route("sut_role kms_r has no KMS-to-KMS link of its own to send on");
  }

  std::string describe() const override {
    return "KMS_R at " + target_.base_url + " (" + target_.name +
           "), calling the harness KMS_I at " + target_.chaining->url;
  }

  KmsITap* kms_i_tap() noexcept override { return tap_.get(); }

 private:
  SutProfile target_;
  KmsDriver sut_;
  KmsDriver kms_i_;
  std::shared_ptr<HarnessKmsI> tap_;
};

// The harness KMS_R's KMS-to-KMS transport during one relay: the engine's `forward`.
class RelayPeer final : public roles::KmsPeer {
 public:
  const KmsRRelay::Forward* forward = nullptr;
  mikey::Result<Bytes, roles::PeerError> resolve(const roles::PeerKms& /*peer*/,
                                                 ByteView resolve_init) noexcept override {
    if (forward == nullptr) return roles::PeerError{"no forward in progress"};
    try {
      return (*forward)(resolve_init);
    } catch (const std::exception& e) {
      return roles::PeerError{e.what()};
    }
  }
};

class KmsIDriver final : public SutDriver, public KmsRRelay {
 public:
  KmsIDriver(const SutProfile& target, roles::KmsConfig kms_r)
      : target_(target),
        sut_(target),
        link_(link_profile(target, true)),
        kms_r_(std::move(kms_r), clock_, rng_, &peer_) {}

  HttpExchange exchange(const HttpRequestSpec& request) noexcept override {
    try {
      switch (request.route) {
        case Route::sut:
          return sut_.exchange(request);
        case Route::kms_link:
          return on_link(request);
        case Route::harness_kms:
          return in_process(target_,
                            request.type == transport::RequestType::ticket_request
                                ? kms_r_.handle_request_init(request.mikey)
                                : kms_r_.handle_resolve_init(request.mikey),
                            "(in process: the harness KMS_R)");
      }
    } catch (const std::exception& e) {
      return no_route(e.what());
    }
    return no_route("unknown route");
  }

  std::string describe() const override {
    return "KMS_I at " + target_.base_url + " (" + target_.name + "), KMS-to-KMS link at " +
           target_.chaining->url;
  }

  KmsRRelay* kms_r_relay() noexcept override { return this; }

  roles::KmsReply relay(ByteView responder_resolve_init, const Forward& forward) override {
    peer_.forward = &forward;
    roles::KmsReply reply = kms_r_.handle_resolve_init(responder_resolve_init);
    peer_.forward = nullptr;
    return reply;
  }

 private:
  HttpExchange on_link(const HttpRequestSpec& request) {
    if (!request.without_client_certificate) return link_.exchange(request);
    if (!link_no_cert_) link_no_cert_ = std::make_unique<KmsDriver>(link_profile(target_, false));
    HttpExchange x = link_no_cert_->exchange(request);
    // B.0-1 negative case: a KMS_I refusing the handshake of a KMS_R without a certificate is
    // the behaviour under test, not an unreachable SUT.
    if (x.transport_error == "tls_failed") x.unreachable = false;
    return x;
  }

  SutProfile target_;
  KmsDriver sut_;
  KmsDriver link_;
  std::unique_ptr<KmsDriver> link_no_cert_;
  roles::SystemClock clock_;
  mikey::crypto::OpenSslRng rng_;
  RelayPeer peer_;
  roles::Kms kms_r_;
};

}  // namespace

std::unique_ptr<SutDriver> make_kms_r_driver(const SutProfile& target,
                                             const SutProfile& harness_kms_i,
                                             std::shared_ptr<HarnessKmsI> tap) {
  return std::make_unique<KmsRDriver>(target, harness_kms_i, std::move(tap));
}

std::unique_ptr<SutDriver> make_kms_i_driver(const SutProfile& target) {
  auto config = config_for(target, false, target.chaining->peer_identity);
  if (!config.ok()) return nullptr;
  // docs/latitude.md "link-mac-identity": the Identity_r the SUT declares it checks.
  config->peers.push_back(
      link_peer(*target.chaining, target.kms_identity, sent_mac_identity(target)));
  return std::make_unique<KmsIDriver>(target, std::move(config).value());
}

}  // namespace mikeyconf::harness::chain_detail
