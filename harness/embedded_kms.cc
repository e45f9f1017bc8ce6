#include "harness/embedded_kms.h"

#include "crypto/rng.h"
#include "harness/ephemeral_pki.h"
#include "harness/party_util.h"
#include "harness/reference_names.h"
#include "roles/clock.h"
#include "roles/credential.h"
#include "service/kms_service.h"
#include "transport/server.h"

namespace mikeyconf::harness {

mikey::Result<roles::KmsConfig, std::string> kms_config_from_profile(const SutProfile& p) {
  if (p.users.empty()) return std::string("the profile has no users");
  roles::KmsConfig c;
  c.identity = p.kms_identity;
  for (const UserProfile& u : p.users) {
    roles::KmsUser user;
    user.identity = u.identity;
    user.credential = psk_credential(u);
    c.users.push_back(std::move(user));
    if (u.mode3_tpk) {
      roles::TicketKey k = ticket_key(*u.mode3_tpk);
      k.shared_with = u.identity;
      c.ticket_keys.push_back(std::move(k));
    }
  }
  for (const TicketKeySpec& s : p.embedded.ticket_keys) c.ticket_keys.push_back(ticket_key(s));
  c.policy.clock_skew_s = p.embedded.clock_skew_s;
  c.policy.max_lifetime_s = p.embedded.max_lifetime_s;
  c.policy.default_lifetime_s = p.embedded.default_lifetime_s;
  return c;
}

struct EmbeddedKms::Impl {
  roles::SystemClock clock;
  std::unique_ptr<mikey::crypto::Rng> rng;
  std::unique_ptr<mikey::service::KmsService> service;
  std::shared_ptr<EphemeralPki> pki;  // HTTPS only; its files live as long as this object
  SutProfile profile;
};

namespace {

// HTTPS with the throwaway PKI's server certificate (SAN localhost, 127.0.0.1, ::1).
mikey::Result<std::shared_ptr<EphemeralPki>, std::string> serve_tls(transport::ServerOptions& so) {
  auto pki = EphemeralPki::make();
  if (!pki.ok()) return "the embedded KMS's throwaway PKI: " + pki.error();
  const EphemeralPki& k = *pki.value();
  so.tls = transport::TlsServerOptions{k.kms_i_cert(), k.kms_i_key(), ""};
  return pki.value();
}

// The profile as a client reaches the running server.
SutProfile served_profile(const SutProfile& p, std::uint16_t port, const EphemeralPki* pki) {
  SutProfile out = p;
  if (pki != nullptr) {
    out.scheme = "https";
    TlsProfile tls;
    tls.ca_file = pki->ca_cert();
    out.tls = tls;
  }
  return out.with_port(port);
}

}  // namespace

EmbeddedKms::EmbeddedKms() : impl_(std::make_unique<Impl>()) {}
EmbeddedKms::~EmbeddedKms() { stop(); }

mikey::Result<std::unique_ptr<EmbeddedKms>, std::string> EmbeddedKms::start(
    const SutProfile& profile, const EmbeddedKmsOptions& options) {
  auto config = kms_config_from_profile(profile);
  if (!config.ok()) return config.error();
  if (options.edit_config) options.edit_config(config.value());
  std::unique_ptr<EmbeddedKms> self(new EmbeddedKms());
  Impl& impl = *self->impl_;
  if (options.rng_seed != 0) {
    impl.rng = std::make_unique<mikey::crypto::DeterministicRng>(options.rng_seed);
  } else {
    impl.rng = std::make_unique<mikey::crypto::OpenSslRng>();
  }
  mikey::service::ServiceOptions so;
  so.wrap = options.wrap;
  so.server.host = profile.host;
  so.server.port = profile.port;
  so.server.threads = options.threads;
  so.server.profile = profile.annex_a;
  so.server.access_log = options.access_log ? options.access_log : [](std::string_view) {};
  if (options.https || profile.scheme == "https") {
    auto pki = serve_tls(so.server);
    if (!pki.ok()) return pki.error();
    impl.pki = std::move(pki).value();
  }
  if (options.edit_server) options.edit_server(so.server);
  impl.service = std::make_unique<mikey::service::KmsService>(std::move(config).value(), impl.clock,
                                                              *impl.rng, std::move(so));
  auto port = impl.service->start();
  if (!port.ok()) {
    return "the embedded KMS could not start: " +
           std::string(transport::to_string(port.error().code)) + " " + port.error().detail;
  }
  impl.profile = served_profile(profile, port.value(), impl.pki.get());
  return self;
}

std::uint16_t EmbeddedKms::port() const noexcept {
  return impl_->service ? impl_->service->server().port() : 0;
}

const SutProfile& EmbeddedKms::profile() const noexcept { return impl_->profile; }

std::uint64_t EmbeddedKms::requests() const noexcept {
  return impl_->service ? impl_->service->server().stats().requests : 0;
}

void EmbeddedKms::stop() {
  if (!impl_ || !impl_->service) return;
  impl_->service->stop();
  // Destroyed too: after KmsServer::stop() alone the port was seen still accepting TCP
  // connections (the acceptor goes with the server object).
  impl_->service.reset();
}

}  // namespace mikeyconf::harness
