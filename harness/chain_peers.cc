// The reference KMSs the harness runs for the chaining roles (chain_peers.h).
#include "harness/chain_peers.h"

#include <algorithm>
#include <chrono>

#include "codec/message.h"
#include "harness/embedded_kms.h"
#include "harness/kms_answer.h"
#include "roles/credential.h"
#include "roles/error_message.h"
#include "roles/message_util.h"

namespace mikeyconf::harness::chain_detail {

namespace roles = mikey::roles;
namespace transport = mikey::transport;
namespace codec = mikey::codec;
using mikey::Bytes;
using mikey::ByteView;

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

SerialKms::SerialKms(roles::KmsConfig config, roles::KmsPeer* peer)
    : kms_(std::move(config), clock_, rng_, peer) {}

roles::KmsReply SerialKms::handle(transport::RequestType t, ByteView request,
                                  const roles::RequestContext& context) {
  const std::lock_guard<std::mutex> lock(mu_);
  return t == transport::RequestType::ticket_request ? kms_.handle_request_init(request)
                                                     : kms_.handle_resolve_init(request, context);
}

transport::KmsHandler SerialKms::handler() {
  return
      [this](transport::RequestType t, ByteView request) { return to_answer(handle(t, request)); };
}

transport::KmsMetaHandler SerialKms::link_handler() {
  return [this](transport::RequestType t, ByteView request, const transport::RequestMeta& meta) {
    const std::vector<std::string> names =
        meta.client_certificate ? meta.client_certificate->names() : std::vector<std::string>{};
    // The configuration is fixed once the Kms runs: reading it needs no lock.
    return to_answer(handle(t, request, roles::link_context(kms_.config(), request, names)));
  };
}

transport::KmsAnswer to_answer(const roles::KmsReply& reply) { return to_kms_answer(reply); }

mikey::Result<std::unique_ptr<transport::KmsServer>, std::string> serve(
    const SutProfile& p, const std::string& host, std::uint16_t port,
    const std::optional<LinkTls>& tls, transport::KmsMetaHandler handler, std::size_t threads) {
  transport::ServerOptions so;
  so.host = host;
  so.port = port;
  so.threads = threads;
  so.profile = p.annex_a;
  so.access_log = [](std::string_view) {};
  // A `silent` KMS_I holds a request until shortly after the SUT gave up: do not wait for it.
  so.shutdown_grace = std::chrono::milliseconds(500);
  if (tls) so.tls = transport::TlsServerOptions{tls->cert, tls->key, tls->ca};
  auto server = std::make_unique<transport::KmsServer>(std::move(so), std::move(handler));
  auto started = server->start();
  if (!started.ok()) {
    return "cannot listen on " + host + ":" + std::to_string(port) + ": " +
           std::string(transport::to_string(started.error().code)) + " " + started.error().detail;
  }
  return server;
}

// ---- HarnessKmsI ----

HarnessKmsI::HarnessKmsI(roles::KmsConfig config, const ChainingSpec& c, roles::Identity kms_r)
    : link_(c), kms_r_(std::move(kms_r)), kms_(std::move(config), nullptr) {}

HarnessKmsI::~HarnessKmsI() { stop(); }

mikey::Result<std::shared_ptr<HarnessKmsI>, std::string> HarnessKmsI::start(
    const SutProfile& p, const std::optional<LinkTls>& tls) {
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
  std::shared_ptr<HarnessKmsI> self(new HarnessKmsI(std::move(config).value(), c, p.kms_identity));
  HarnessKmsI* raw = self.get();
  // Four threads: a `silent` answer holds one for the SUT's whole timeout.
  auto link = serve(
      p, c.host, c.port, tls,
      [raw](transport::RequestType t, ByteView r, const transport::RequestMeta& meta) {
        return raw->on_link(t, r, meta);
      },
      4);
  if (!link.ok()) return "the harness KMS_I: " + link.error();
  self->link_server_ = std::move(link).value();
  auto users =
      serve(p, "127.0.0.1", 0, std::nullopt, transport::without_meta(self->kms_.handler()));
  if (!users.ok()) return "the harness KMS_I: " + users.error();
  self->users_server_ = std::move(users).value();
  return self;
}

std::uint16_t HarnessKmsI::link_port() const noexcept {
  return link_server_ ? link_server_->port() : 0;
}
std::uint16_t HarnessKmsI::users_port() const noexcept {
  return users_server_ ? users_server_->port() : 0;
}

void HarnessKmsI::stop() {
  {
    const std::lock_guard<std::mutex> lock(tap_mu_);
    stopping_ = true;
  }
  stopping_cv_.notify_all();
  if (link_server_) link_server_->stop();
  if (users_server_) users_server_->stop();
  link_server_.reset();
  users_server_.reset();
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

transport::KmsAnswer HarnessKmsI::on_link(transport::RequestType t, ByteView request,
                                          const transport::RequestMeta& meta) {
  Bytes ticket = ticket_of(request);
  std::uint64_t id = 0;
  KmsIAnswer how = KmsIAnswer::normal;
  {
    // Recorded on arrival: a case reads the tap once the SUT answered the Responder, which for
    // a `silent` KMS_I happens before this handler returns.
    const std::lock_guard<std::mutex> lock(tap_mu_);
    how = armed(ticket);
    id = ++next_id_;
    Record r;
    r.id = id;
    r.ticket = ticket;
    r.f.request.assign(request.begin(), request.end());
    r.f.mutual_tls = meta.client_certificate.has_value();  // the handshake verified it (B.0-1)
    records_.push_back(std::move(r));
    if (records_.size() > kMaxRecords) records_.pop_front();
  }
  // docs/latitude.md "link-idrpsk": the link has one peer, the SUT; over a mutually
  // authenticated link a forward naming no IDRpsk (or any, when the profile declares none) is
  // keyed with the chaining PSK.
  roles::RequestContext context;
  if (meta.client_certificate && (!link_.psk_id || !roles::names_idrpsk(request))) {
    context.authenticated_peer = kms_r_;
  }
  const roles::KmsReply reply = kms_.handle(t, request, context);
  transport::KmsAnswer answer = misbehave(how, reply, request);
  const std::lock_guard<std::mutex> lock(tap_mu_);
  for (Record& r : records_) {
    if (r.id != id) continue;
    r.f.accepted = !reply.failure && is_resolve_resp(reply.message);
    r.f.detail = failure_text(reply);
    r.f.answer = answer.kms_failed ? Bytes{} : answer.mikey;
  }
  return answer;
}

transport::KmsAnswer HarnessKmsI::misbehave(KmsIAnswer how, const roles::KmsReply& reply,
                                            ByteView request) {
  transport::KmsAnswer a = to_answer(reply);
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

EmbeddedChainKms::EmbeddedChainKms(roles::KmsConfig config, std::unique_ptr<roles::KmsPeer> peer)
    : peer_(std::move(peer)), kms_(std::move(config), peer_.get()) {}

EmbeddedChainKms::~EmbeddedChainKms() {
  for (auto& s : servers_) s->stop();
}

transport::KmsHandler EmbeddedChainKms::handler() { return kms_.handler(); }

transport::KmsMetaHandler EmbeddedChainKms::link_handler() { return kms_.link_handler(); }

void EmbeddedChainKms::keep(std::unique_ptr<transport::KmsServer> server) {
  servers_.push_back(std::move(server));
}

}  // namespace mikeyconf::harness::chain_detail
