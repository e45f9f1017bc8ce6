#include "service/kms_service.h"

#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "service/kms_answer.h"
#include "service/kms_peer.h"

namespace mikey::service {

roles::KmsReply SharedKms::reply(transport::RequestType type, ByteView request,
                                 const roles::RequestContext& context) {
  return type == transport::RequestType::ticket_request
             ? kms_->handle_request_init(request)
             : kms_->handle_resolve_init(request, context);
}

transport::ServerOptions server_options(const config::LoadedKmsConfig& c) {
  transport::ServerOptions o;
  if (c.listen) {
    o.host = c.listen->host;
    o.port = c.listen->port;
  }
  if (c.tls) o.tls = transport::TlsServerOptions{c.tls->cert, c.tls->key, c.tls->client_ca};
  o.profile.unknown_method_status = c.http.unknown_method_status;
  static_assert(static_cast<int>(config::OversizedBody::wait) ==
                static_cast<int>(transport::OversizedBody::wait));  // same choices, same order
  o.oversized_body = static_cast<transport::OversizedBody>(c.http.oversized_body);
  config::apply_server_limits(c.http, o);
  return o;
}

PeerFactory https_peers() {
  return [](const std::vector<config::PeerEndpoint>& endpoints) -> std::unique_ptr<roles::KmsPeer> {
    if (endpoints.empty()) return nullptr;
    return std::make_unique<HttpKmsPeer>(endpoints);
  };
}

namespace {

// crypto::Rng is not thread-safe in general (DeterministicRng keeps its state unguarded); the Kms
// calls its Rng from every io thread.
class LockedRng final : public crypto::Rng {
 public:
  explicit LockedRng(crypto::Rng& inner) : inner_(&inner) {}
  void fill(std::span<std::uint8_t> out) noexcept override {
    std::lock_guard<std::mutex> lock(mutex_);
    inner_->fill(out);
  }

 private:
  std::mutex mutex_;
  crypto::Rng* inner_;
};

// The request being handled on this io thread (a request is handled synchronously on one
// thread): a wrap (ServiceOptions::wrap) takes a two-argument KmsHandler, so the request's TLS
// meta reaches the Kms, and the Kms's reply the hook, on the side.
struct Call {
  const transport::RequestMeta* meta = nullptr;
  std::optional<roles::KmsReply> reply;
};
thread_local Call* tl_call = nullptr;

}  // namespace

KmsService::KmsService(config::LoadedKmsConfig config, const roles::Clock& clock, crypto::Rng& rng,
                       ServiceOptions options)
    : KmsService(std::move(config.kms), config.peers, clock, rng, std::move(options)) {}

KmsService::KmsService(roles::KmsConfig config, const roles::Clock& clock, crypto::Rng& rng,
                       ServiceOptions options)
    : KmsService(std::move(config), {}, clock, rng, std::move(options)) {}

KmsService::KmsService(roles::KmsConfig config, const std::vector<config::PeerEndpoint>& endpoints,
                       const roles::Clock& clock, crypto::Rng& rng, ServiceOptions options)
    : options_(std::move(options)) {
  // OpenSslRng draws from OpenSSL 3's DRBGs, which are safe for concurrent use.
  if (dynamic_cast<crypto::OpenSslRng*>(&rng) == nullptr) {
    locked_rng_ = std::make_unique<LockedRng>(rng);
  }
  peer_ = (options_.peers ? options_.peers : https_peers())(endpoints);
  kms_ = std::make_unique<roles::Kms>(std::move(config), clock, locked_rng_ ? *locked_rng_ : rng,
                                      peer_.get());
  shared_ = std::make_unique<SharedKms>(*kms_);
  add_server(options_.server, options_.answer_hook);
}

KmsService::~KmsService() { stop(); }

void KmsService::stop() {
  for (auto& s : servers_) s->stop();
  servers_.clear();
}

transport::ReplyHandler KmsService::reply_handler(AnswerHook hook) {
  transport::KmsHandler kms = [this](transport::RequestType t, ByteView request) {
    const transport::RequestMeta none;
    const transport::RequestMeta& meta =
        tl_call != nullptr && tl_call->meta != nullptr ? *tl_call->meta : none;
    roles::RequestContext context;
    if (options_.context) {
      context = options_.context(request, meta);
    } else if (meta.client_certificate) {
      context = roles::link_context(shared_->config(), request, meta.client_certificate->names());
    }
    roles::KmsReply reply = shared_->reply(t, request, context);
    transport::KmsAnswer answer = to_kms_answer(reply);
    if (tl_call != nullptr) tl_call->reply = std::move(reply);
    return answer;
  };
  if (options_.wrap) kms = options_.wrap(std::move(kms));
  return [kms = std::move(kms), hook = std::move(hook)](
             transport::RequestType t, ByteView request,
             const transport::RequestMeta& meta) -> transport::ServerReply {
    Call call;
    call.meta = &meta;
    struct Scope {
      explicit Scope(Call* c) { tl_call = c; }
      ~Scope() { tl_call = nullptr; }
      Scope(const Scope&) = delete;
      Scope& operator=(const Scope&) = delete;
    } scope(&call);
    transport::KmsAnswer answer = kms(t, request);
    if (!hook) return answer;
    const roles::KmsReply none;
    Answered a{t, request, meta, call.reply ? *call.reply : none, std::move(answer)};
    return hook(a);
  };
}

transport::KmsServer& KmsService::add_server(transport::ServerOptions options, AnswerHook hook) {
  // A request waiting on a peer KMS holds its io thread: keep the configured threads for
  // everyone else (RFC 6043 §10: a slow KMS_I must not stall KMS_R's own users).
  if (peer_) options.threads += peer_->max_in_flight();
  const transport::AnnexAProfile profile = options.profile;
  const unsigned retry_after = options.retry_after_seconds;
  transport::HttpHandler handler =
      transport::annex_a_handler(profile, retry_after, reply_handler(std::move(hook)));
  if (options_.http_hook) {
    handler = [first = options_.http_hook, service = std::move(handler)](
                  const transport::ReceivedRequest& r) { return first(r, service); };
  }
  servers_.push_back(
      std::make_unique<transport::KmsServer>(std::move(options), std::move(handler)));
  return *servers_.back();
}

Result<std::uint16_t, transport::Error> KmsService::start() { return servers_.front()->start(); }

Result<std::uint16_t, transport::Error> KmsService::listen(transport::ServerOptions options,
                                                           AnswerHook hook) {
  return add_server(std::move(options), std::move(hook)).start();
}

std::string KmsService::url() const {
  const std::string& h = options_.server.host;
  const std::string host = h.find(':') != std::string::npos ? "[" + h + "]" : h;
  const std::uint16_t port = servers_.empty() ? 0 : servers_.front()->port();
  return std::string(options_.server.tls ? "https" : "http") + "://" + host + ":" +
         std::to_string(port);
}

}  // namespace mikey::service
