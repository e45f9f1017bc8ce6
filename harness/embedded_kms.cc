#include "harness/embedded_kms.h"

#include <mutex>

#include "crypto/rng.h"
#include "harness/party_util.h"
#include "roles/clock.h"
#include "roles/credential.h"
#include "transport/server.h"

namespace mikeyconf::harness {

namespace roles = mikey::roles;
namespace transport = mikey::transport;

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
  std::unique_ptr<roles::Kms> kms;
  std::mutex mu;
  std::unique_ptr<transport::KmsServer> server;
  SutProfile profile;
};

EmbeddedKms::EmbeddedKms() : impl_(std::make_unique<Impl>()) {}
EmbeddedKms::~EmbeddedKms() { stop(); }

mikey::Result<std::unique_ptr<EmbeddedKms>, std::string> EmbeddedKms::start(
    const SutProfile& profile, const EmbeddedKmsOptions& options) {
  if (profile.scheme != "http") {
    return std::string("the embedded KMS serves plain HTTP: use an http:// base_url");
  }
  auto config = kms_config_from_profile(profile);
  if (!config.ok()) return config.error();
  std::unique_ptr<EmbeddedKms> self(new EmbeddedKms());
  Impl& impl = *self->impl_;
  if (options.rng_seed != 0) {
    impl.rng = std::make_unique<mikey::crypto::DeterministicRng>(options.rng_seed);
  } else {
    impl.rng = std::make_unique<mikey::crypto::OpenSslRng>();
  }
  impl.kms = std::make_unique<roles::Kms>(std::move(config).value(), impl.clock, *impl.rng);
  Impl* state = &impl;
  transport::KmsHandler handler = [state](transport::RequestType type,
                                          mikey::ByteView request) -> transport::KmsAnswer {
    std::lock_guard<std::mutex> lock(state->mu);
    roles::KmsReply reply = type == transport::RequestType::ticket_request
                                ? state->kms->handle_request_init(request)
                                : state->kms->handle_resolve_init(request);
    transport::KmsAnswer a;
    a.log_detail = reply.failure ? std::string(roles::to_string(*reply.failure)) +
                                       (reply.detail.empty() ? "" : ": " + reply.detail)
                                 : "";
    if (reply.message.empty()) {
      a.kms_failed = true;  // nothing to answer (internal failure): 500, A.3-1
      return a;
    }
    a.mikey = std::move(reply.message);
    return a;
  };
  if (options.wrap) handler = options.wrap(std::move(handler));
  transport::ServerOptions so;
  so.host = profile.host;
  so.port = profile.port;
  so.threads = options.threads;
  so.profile = profile.annex_a;
  so.access_log = options.access_log ? options.access_log : [](std::string_view) {};
  impl.server = std::make_unique<transport::KmsServer>(std::move(so), std::move(handler));
  auto port = impl.server->start();
  if (!port.ok()) {
    return "the embedded KMS could not start: " +
           std::string(transport::to_string(port.error().code)) + " " + port.error().detail;
  }
  impl.profile = profile.with_port(port.value());
  return self;
}

std::uint16_t EmbeddedKms::port() const noexcept {
  return impl_->server ? impl_->server->port() : 0;
}

const SutProfile& EmbeddedKms::profile() const noexcept { return impl_->profile; }

std::uint64_t EmbeddedKms::requests() const noexcept {
  return impl_->server ? impl_->server->stats().requests : 0;
}

void EmbeddedKms::stop() {
  if (!impl_ || !impl_->server) return;
  impl_->server->stop();
  // Destroyed too: after KmsServer::stop() alone the port was seen still accepting TCP
  // connections (the acceptor goes with the server object).
  impl_->server.reset();
}

}  // namespace mikeyconf::harness
