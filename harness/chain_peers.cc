// The reference KMSs the harness runs for the chaining roles (chain_peers.h).
#include "harness/chain_peers.h"

#include <algorithm>
#include <chrono>

#include "codec/message.h"
#include "harness/embedded_kms.h"
#include "harness/reference_names.h"
#include "roles/credential.h"
#include "roles/error_message.h"
#include "roles/message_util.h"
#include "service/kms_answer.h"

namespace mikeyconf::harness::chain_detail {

namespace {

// Unclaimed records (forwards of tickets no case armed, e.g. a SUT that altered the TICKET) are
// kept this long in count, so a long run cannot grow the tap without bound.
constexpr std::size_t kMaxRecords = 1024;

std::shared_ptr<const roles::PskCredential> link_credential(const ChainingSpec& c) {
  return std::make_shared<const roles::PskCredential>(mikey::crypto::SecureBytes(c.psk), c.psk_id);
}

bool is_resolve_resp(const Bytes& m) {
  return m.size() >= 2 && m[1] == static_cast<std::uint8_t>(codec::DataType::resolve_resp);
}

// The Error a KMS_I that refuses the forwarded IDRr sends (Invalid ID, the reference's number for
// responder_not_authorized), with V keyed like the forwarded request (RFC 6043 §5.4).
Bytes refusal_for(ByteView request, ByteView link_psk) {
  const roles::Received in = roles::receive(request);
  const roles::ErrorContext ctx = roles::error_context(in.parsed);
  const roles::NtpTime t = roles::SystemClock().now();
  const auto* v = in.parsed.ok() ? roles::last_v(in.message()) : nullptr;
  const auto* rand =
      in.parsed.ok() ? roles::find_randr(in.message().payloads, codec::RandRole::randrr) : nullptr;
  if (v == nullptr || rand == nullptr)
    return roles::build_error(ctx, codec::ErrorNo::invalid_id, t);
  roles::MessageProtection p;
  p.inkey = link_psk;
  p.prf = in.message().hdr.prf_func;
  p.csb_id = in.message().hdr.csb_id;
  p.direction = mikey::crypto::MessageDirection::initial;
  p.randrr = rand->rand;
  return roles::build_error(ctx, codec::ErrorNo::invalid_id, t, &p, v->auth_alg);
}

}  // namespace

mikey::Result<roles::KmsConfig, std::string> config_for(const SutProfile& p, bool sut,
                                                        const roles::Identity& id) {
  SutProfile subset = p;
  subset.users.clear();
  for (const UserProfile& u : p.users) {
    const bool at_sut = u.home != UserHome::peer;
    const bool at_peer = u.home != UserHome::sut;
    if (sut ? at_sut : at_peer) subset.users.push_back(u);
  }
  if (!sut) {
    subset.embedded.ticket_keys =
        p.chaining ? p.chaining->ticket_keys : std::vector<TicketKeySpec>{};
  }
  auto config = kms_config_from_profile(subset);
  if (!config.ok()) {
    return (sut ? std::string("the SUT") : std::string("the harness KMS")) + ": " + config.error();
  }
  config->identity = id;
  return config;
}

roles::KmsUser link_user(const ChainingSpec& c, const roles::Identity& kms_r,
                         roles::LinkMacIdentity mac) {
  roles::KmsUser u;
  u.identity = kms_r;
  u.credential = link_credential(c);
  u.peer_kms = true;
  u.mac_identity = mac;
  return u;
}

roles::PeerKms link_peer(const ChainingSpec& c, const roles::Identity& kms_i,
                         roles::LinkMacIdentity mac) {
  roles::PeerKms peer;
  peer.identity = kms_i;
  peer.issuers = {kms_i};
  peer.credential = link_credential(c);
  peer.algorithms = c.algorithms;
  // docs/latitude.md "tp-idrkms": the link has one peer, so a ticket whose TP Data names no
  // issuer goes to it; the profile's chaining.peer_identity / kms_identity name the issuer.
  peer.default_route = true;
  peer.mac_identity = mac;
  return peer;
}

roles::LinkMacIdentity accepted_mac_identity(const SutProfile& p) {
  const std::string_view r = p.latitude.reading("link-mac-identity");
  if (r == "idrr") return roles::LinkMacIdentity::forwarded_idrr;
  if (r == "kms_r") return roles::LinkMacIdentity::kms_r;
  return roles::LinkMacIdentity::any;
}

roles::LinkMacIdentity sent_mac_identity(const SutProfile& p) {
  return p.latitude.reading("link-mac-identity") == "kms_r"
             ? roles::LinkMacIdentity::kms_r
             : roles::LinkMacIdentity::forwarded_idrr;
}

transport::ClientOptions link_client_options(const SutProfile& p, const std::string& host,
                                             std::uint16_t port, const std::optional<LinkTls>& tls,
                                             std::chrono::milliseconds timeout) {
  transport::ClientOptions o;
  o.host = host;
  o.port = port;
  o.profile = p.annex_a;
  o.user_agent = "mikeyconf/0.1";
  o.connect_timeout = std::chrono::milliseconds(p.timeouts.connect_ms);
  o.total_timeout = timeout;
  o.keep_alive = true;
  if (tls) {
    transport::ClientTlsOptions t;
    t.ca_file = tls->ca;
    t.cert_file = tls->cert;
    t.key_file = tls->key;
    t.sni = tls->sni;
    t.verify_peer = tls->verify;
    o.tls = t;
  }
  return o;
}

HttpLinkPeer::HttpLinkPeer(transport::ClientOptions options) : client_(std::move(options)) {}

mikey::Result<Bytes, roles::PeerError> HttpLinkPeer::resolve(const roles::PeerKms& /*peer*/,
                                                             ByteView resolve_init) noexcept {
  try {
    const std::lock_guard<std::mutex> lock(mu_);
    auto r = client_.post(transport::RequestType::ticket_resolve, resolve_init);
    if (!r.ok()) {
      client_.close();
      return roles::PeerError{std::string(transport::to_string(r.error().code)) + " " +
                              r.error().detail};
    }
    if (r->status != 200 || !r->mikey) {
      return roles::PeerError{"HTTP " + std::to_string(r->status) +
                              (r->mikey_problem.empty() ? "" : ": " + r->mikey_problem)};
    }
    return std::move(*r->mikey);
  } catch (const std::exception& e) {
    return roles::PeerError{e.what()};
  }
}

transport::ServerOptions listener_options(const SutProfile& p, const std::string& host,
                                          std::uint16_t port, const std::optional<LinkTls>& tls,
                                          std::size_t threads) {
  transport::ServerOptions so;
  so.host = host;
  so.port = port;
  so.threads = threads;
  so.profile = p.annex_a;
  so.access_log = [](std::string_view) {};
  // A `silent` KMS_I holds a request until shortly after the SUT gave up: do not wait for it.
  so.shutdown_grace = std::chrono::milliseconds(500);
  if (tls) so.tls = transport::TlsServerOptions{tls->cert, tls->key, tls->ca};
  return so;
}

std::string listen_error(const transport::ServerOptions& o, const transport::Error& e) {
  return "cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " +
         std::string(transport::to_string(e.code)) + " " + e.detail;
}

// ---- HarnessKmsI ----

HarnessKmsI::HarnessKmsI(const ChainingSpec& c, roles::Identity kms_r)
    : link_(c), kms_r_(std::move(kms_r)) {}

HarnessKmsI::~HarnessKmsI() { stop(); }

namespace {

// The harness KMS_I's configuration: the profile's users at the peer, KMS-only ticket keys, the
// SUT as a peer_kms user.
mikey::Result<roles::KmsConfig, std::string> harness_kms_i_config(const SutProfile& p) {
  const ChainingSpec& c = *p.chaining;
  auto config = config_for(p, false, c.peer_identity);
  if (!config.ok()) return config.error();
  if (config->ticket_keys.empty() ||
      std::none_of(config->ticket_keys.begin(), config->ticket_keys.end(),
                   [](const roles::TicketKey& k) { return !k.shared_with; })) {
    // No KMS-only ticket key configured: random ones for the formats it issues (D = 1 tickets).
    mikey::crypto::OpenSslRng rng;
    for (const roles::TicketFormat f : {roles::kBaseTicket, roles::kProvisionalType2}) {
      roles::TicketKey k;
      k.id = mikey::to_bytes(f == roles::kBaseTicket ? "harness-kms-i-1" : "harness-kms-i-2");
      k.format = f;
      k.tpk = mikey::crypto::SecureBytes(rng.bytes(16));
      config->ticket_keys.push_back(std::move(k));
    }
  }
  config->users.push_back(link_user(c, p.kms_identity, accepted_mac_identity(p)));
  // docs/latitude.md "idrkms-id-type": the harness accepts a forward naming it with another ID
  // Type (same ID Data).
  config->policy.latitude.accept_idrkms_other_type = true;
  return config;
}

}  // namespace

mikey::Result<std::shared_ptr<HarnessKmsI>, std::string> HarnessKmsI::start(
    const SutProfile& p, const std::optional<LinkTls>& tls) {
  const ChainingSpec& c = *p.chaining;
  auto config = harness_kms_i_config(p);
  if (!config.ok()) return config.error();
  std::shared_ptr<HarnessKmsI> self(new HarnessKmsI(c, p.kms_identity));
  HarnessKmsI* raw = self.get();
  service::ServiceOptions so;
  // Four threads: a `silent` answer holds one for the SUT's whole timeout.
  so.server = listener_options(p, c.host, c.port, tls, 4);
  so.context = [raw](ByteView request, const transport::RequestMeta& meta) {
    return raw->link_context(request, meta);
  };
  so.answer_hook = [raw](service::Answered& a) { return raw->on_link(a); };
  const transport::ServerOptions link = so.server;
  self->service_ = std::make_unique<service::KmsService>(std::move(config).value(), self->clock_,
                                                         self->rng_, std::move(so));
  auto link_port = self->service_->start();
  if (!link_port.ok()) return "the harness KMS_I: " + listen_error(link, link_port.error());
  self->link_port_ = link_port.value();
  const transport::ServerOptions users = listener_options(p, "127.0.0.1", 0, std::nullopt);
  auto users_port = self->service_->listen(users);
  if (!users_port.ok()) return "the harness KMS_I: " + listen_error(users, users_port.error());
  self->users_port_ = users_port.value();
  return self;
}

std::uint16_t HarnessKmsI::link_port() const noexcept { return service_ ? link_port_ : 0; }
std::uint16_t HarnessKmsI::users_port() const noexcept { return service_ ? users_port_ : 0; }

void HarnessKmsI::stop() {
  {
    const std::lock_guard<std::mutex> lock(tap_mu_);
    stopping_ = true;
  }
  stopping_cv_.notify_all();
  if (service_) service_->stop();
  service_.reset();
}

void HarnessKmsI::arm(ByteView ticket, KmsIAnswer answer) {
  const std::lock_guard<std::mutex> lock(tap_mu_);
  Bytes key(ticket.begin(), ticket.end());
  for (auto& [t, a] : switches_) {
    if (t == key) {
      a = answer;
      return;
    }
  }
  switches_.emplace_back(std::move(key), answer);
}

KmsIAnswer HarnessKmsI::armed(const Bytes& ticket) {
  for (const auto& [t, a] : switches_)
    if (t == ticket) return a;
  return KmsIAnswer::normal;
}

std::vector<ForwardedRequest> HarnessKmsI::take_forwarded(ByteView ticket) {
  const std::lock_guard<std::mutex> lock(tap_mu_);
  const Bytes key(ticket.begin(), ticket.end());
  std::vector<ForwardedRequest> out;
  for (auto it = records_.begin(); it != records_.end();) {
    if (it->ticket == key) {
      out.push_back(std::move(it->f));
      it = records_.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(switches_, [&](const auto& s) { return s.first == key; });
  return out;
}

// docs/latitude.md "link-idrpsk": the link has one peer, the SUT; over a mutually authenticated
// link a forward naming no IDRpsk (or any, when the profile declares none) is keyed with the
// chaining PSK.
roles::RequestContext HarnessKmsI::link_context(ByteView request,
                                                const transport::RequestMeta& meta) const {
  roles::RequestContext context;
  if (meta.client_certificate && (!link_.psk_id || !roles::names_idrpsk(request))) {
    context.authenticated_peer = kms_r_;
  }
  return context;
}

transport::ServerReply HarnessKmsI::on_link(service::Answered& a) {
  Bytes ticket = ticket_of(a.request);
  std::uint64_t id = 0;
  KmsIAnswer how = KmsIAnswer::normal;
  {
    // Recorded before any switch holds the answer: a case reads the tap once the SUT answered
    // the Responder, which for a `silent` KMS_I happens before this hook returns.
    const std::lock_guard<std::mutex> lock(tap_mu_);
    how = armed(ticket);
    id = ++next_id_;
    Record r;
    r.id = id;
    r.ticket = ticket;
    r.f.request.assign(a.request.begin(), a.request.end());
    r.f.mutual_tls = a.meta.client_certificate.has_value();  // the handshake verified it (B.0-1)
    records_.push_back(std::move(r));
    if (records_.size() > kMaxRecords) records_.pop_front();
  }
  transport::KmsAnswer answer = misbehave(how, std::move(a.answer), a.request);
  const std::lock_guard<std::mutex> lock(tap_mu_);
  for (Record& r : records_) {
    if (r.id != id) continue;
    r.f.accepted = !a.reply.failure && is_resolve_resp(a.reply.message);
    r.f.detail = service::failure_text(a.reply);
    r.f.answer = answer.kms_failed ? Bytes{} : answer.mikey;
  }
  return answer;
}

transport::KmsAnswer HarnessKmsI::misbehave(KmsIAnswer how, transport::KmsAnswer a,
                                            ByteView request) {
  switch (how) {
    case KmsIAnswer::normal:
      return a;
    case KmsIAnswer::error:
      return transport::KmsAnswer{refusal_for(request, link_.psk), false, "switch: error"};
    case KmsIAnswer::http_500:
      return transport::KmsAnswer{{}, true, "switch: http_500"};
    case KmsIAnswer::not_mikey:
      return transport::KmsAnswer{mikey::to_bytes("this is not a MIKEY message"), false,
                                  "switch: not_mikey"};
    case KmsIAnswer::bad_mac:
      if (!a.mikey.empty()) a.mikey.back() ^= 0x01;  // V is last, its MAC ends the message
      a.log_detail = "switch: bad_mac";
      return a;
    case KmsIAnswer::silent: {
      // Longer than the SUT waits (chaining.peer_timeout_ms); cut short when the run ends.
      std::unique_lock<std::mutex> lock(tap_mu_);
      stopping_cv_.wait_for(lock, std::chrono::milliseconds(link_.peer_timeout_ms + 1'000),
                            [this] { return stopping_; });
      return transport::KmsAnswer{{}, true, "switch: silent"};
    }
  }
  return a;
}

// ---- EmbeddedChainKms ----

EmbeddedChainKms::EmbeddedChainKms(
    roles::KmsConfig config, std::unique_ptr<roles::KmsPeer> peer, transport::ServerOptions users,
    std::function<transport::KmsHandler(transport::KmsHandler)> wrap) {
  service::ServiceOptions so;
  so.server = std::move(users);
  so.wrap = std::move(wrap);
  auto held = std::make_shared<std::unique_ptr<roles::KmsPeer>>(std::move(peer));
  so.peers = [held](const std::vector<mikey::config::PeerEndpoint>&) { return std::move(*held); };
  service_ = std::make_unique<service::KmsService>(std::move(config), clock_, rng_, std::move(so));
}

EmbeddedChainKms::~EmbeddedChainKms() { service_->stop(); }

mikey::Result<std::uint16_t, std::string> EmbeddedChainKms::start() {
  auto port = service_->start();
  if (!port.ok()) return listen_error(service_->options().server, port.error());
  return port.value();
}

mikey::Result<std::uint16_t, std::string> EmbeddedChainKms::listen(transport::ServerOptions link) {
  const transport::ServerOptions o = link;
  auto port = service_->listen(std::move(link));
  if (!port.ok()) return listen_error(o, port.error());
  return port.value();
}

}  // namespace mikeyconf::harness::chain_detail
