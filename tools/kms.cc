// `mikeyconf kms` and `mikeyconf request-init` (tools/kms.h).
#include "tools/kms.h"

#include <cstdint>
#include <exception>
#include <filesystem>
#include <optional>
#include <ostream>
#include <utility>

#include "harness/kms_answer.h"
#include "roles/credential.h"
#include "roles/failure.h"
#include "roles/initiator.h"
#include "wire/base64.h"

namespace mikeyconf::tools {

namespace config = mikey::config;
namespace roles = mikey::roles;
namespace transport = mikey::transport;
using mikey::Bytes;
using mikey::ByteView;

transport::KmsAnswer SerializedKms::handle(transport::RequestType type, ByteView request,
                                           const roles::RequestContext& context) {
  roles::KmsReply reply;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    reply = type == transport::RequestType::ticket_request
                ? kms_->handle_request_init(request)
                : kms_->handle_resolve_init(request, context);
  }
  return harness::to_kms_answer(reply);
}

transport::KmsMetaHandler SerializedKms::link_handler() {
  return [this](transport::RequestType type, ByteView request, const transport::RequestMeta& meta) {
    if (!meta.client_certificate) return handle(type, request);
    // The configuration never changes once the Kms runs: no lock needed to read it.
    return handle(type, request,
                  roles::link_context(kms_->config(), request, meta.client_certificate->names()));
  };
}

transport::KmsHandler SerializedKms::handler() {
  return [this](transport::RequestType type, ByteView request) { return handle(type, request); };
}

// ---- KMS-to-KMS over Annex A HTTP ----

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

mikey::Result<Bytes, roles::PeerError> HttpKmsPeer::resolve(const roles::PeerKms& peer,
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
    return roles::PeerError{"KMS-to-KMS request failed"};
  }
}

// ---- The service ----

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
  return o;
}

KmsService::KmsService(config::LoadedKmsConfig config, const roles::Clock& clock,
                       mikey::crypto::Rng& rng, transport::ServerOptions options)
    : host_(options.host), tls_(options.tls.has_value()) {
  peer_ = std::make_unique<HttpKmsPeer>(config.peers);
  kms_ = std::make_unique<roles::Kms>(std::move(config.kms), clock, rng,
                                      config.peers.empty() ? nullptr : peer_.get());
  serialized_ = std::make_unique<SerializedKms>(*kms_);
  server_ = std::make_unique<transport::KmsServer>(std::move(options), serialized_->link_handler());
}

KmsService::~KmsService() {
  if (server_) server_->stop();  // no handler call may outlive the Kms
}

mikey::Result<std::uint16_t, transport::Error> KmsService::start() { return server_->start(); }

std::string KmsService::url() const {
  std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  return std::string(tls_ ? "https" : "http") + "://" + host + ":" +
         std::to_string(server_->port());
}

// ---- Command lines ----

const std::string_view kKmsUsage =
    "usage: mikeyconf kms --config FILE [--listen HOST:PORT]\n"
    "                     [--tls-cert FILE --tls-key FILE [--client-ca FILE]] [--threads N]\n"
    "\n"
    "Serves the reference KMS (TS 33.328 Annex A: POST /keymanagement?requesttype=...) from a\n"
    "YAML configuration (configs/README.md). Prints one line 'mikeyconf kms: listening on\n"
    "URL' when ready; logs one line per request to standard error; stops on SIGTERM or SIGINT.\n"
    "\n"
    "  --config FILE          the KMS configuration (required)\n"
    "  --listen HOST:PORT     overrides the file's listen (default 127.0.0.1:8080); port 0\n"
    "                         lets the system pick one (read it from the listening line)\n"
    "  --tls-cert FILE        serve HTTPS with this PEM certificate chain (with --tls-key);\n"
    "  --tls-key FILE         overrides the file's tls\n"
    "  --client-ca FILE       require client certificates from this CA (mutual TLS)\n"
    "  --threads N            io threads (default 2)\n"
    "\n"
    "exit status: 0 stopped by a signal, 2 usage or configuration error, 3 the server could\n"
    "not start (address in use, unusable TLS files)\n";

const std::string_view kRequestInitUsage =
    "usage: mikeyconf request-init --config FILE --user ID [--responder ID]\n"
    "                              [--ticket-type 1|2] [--forking] [--lifetime SECONDS]\n"
    "                              [--suite 128|256]\n"
    "\n"
    "Prints, in base64 on one line, a REQUEST_INIT_PSK that the user ID of the KMS configuration\n"
    "FILE sends to that KMS (built by the reference Initiator with the user's PSK, now's\n"
    "timestamp). Send it within the KMS's clock skew (300 s by default).\n"
    "\n"
    "  --responder ID     the IDRr of the desired ticket (default: the first other user)\n"
    "  --ticket-type N    1 = MIKEY base ticket (default), 2 = 3GPP ticket (PROVISIONAL layout)\n"
    "  --forking          ask for key forking (I and E flags)\n"
    "  --lifetime S       desired lifetime in seconds (default: none, the KMS's default)\n"
    "  --suite N          128 (MIKEY-1, AES-CM-128, HMAC-SHA-1-160; default) or 256\n"
    "                     (PRF-HMAC-SHA-256, AES-CM-256, HMAC-SHA-256-256)\n";

namespace {

int usage_error(Io& io, std::string_view command, const std::string& message,
                std::string_view usage) {
  io.err << "mikeyconf " << command << ": " << message << "\n\n" << usage;
  return kExitUsage;
}

// Reads `--name VALUE` or `--name=VALUE` at args[i]; advances i past the value.
bool option_value(std::span<const std::string_view> args, std::size_t& i, std::string_view name,
                  std::optional<std::string>& out, std::string& problem) {
  std::string_view arg = args[i];
  if (arg.substr(0, name.size()) != name) return false;
  if (arg.size() == name.size()) {
    if (i + 1 >= args.size()) {
      problem = std::string(name) + " needs a value";
      return true;
    }
    out = std::string(args[++i]);
  } else if (arg[name.size()] == '=') {
    out = std::string(arg.substr(name.size() + 1));
  } else {
    return false;
  }
  if (out->empty()) problem = std::string(name) + " needs a value";
  return true;
}

std::optional<std::uint32_t> small_number(const std::string& s, std::uint32_t min,
                                          std::uint32_t max) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v < min || v > max) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

struct KmsArgs {
  std::optional<std::string> config, listen, tls_cert, tls_key, client_ca, threads;
};

}  // namespace

int kms_main(std::span<const std::string_view> args, Io& io) {
  constexpr std::string_view kCmd = "kms";
  KmsArgs a;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string problem;
    if (args[i] == "-h" || args[i] == "--help") {
      io.out << kKmsUsage;
      return kExitOk;
    }
    if (option_value(args, i, "--config", a.config, problem) ||
        option_value(args, i, "--listen", a.listen, problem) ||
        option_value(args, i, "--tls-cert", a.tls_cert, problem) ||
        option_value(args, i, "--tls-key", a.tls_key, problem) ||
        option_value(args, i, "--client-ca", a.client_ca, problem) ||
        option_value(args, i, "--threads", a.threads, problem)) {
      if (!problem.empty()) return usage_error(io, kCmd, problem, kKmsUsage);
      continue;
    }
    return usage_error(io, kCmd, "unknown argument '" + std::string(args[i]) + "'", kKmsUsage);
  }
  if (!a.config) return usage_error(io, kCmd, "--config FILE is required", kKmsUsage);
  if (a.tls_cert.has_value() != a.tls_key.has_value()) {
    return usage_error(io, kCmd, "--tls-cert and --tls-key go together", kKmsUsage);
  }

  auto loaded = config::load_kms_config(*a.config);
  if (!loaded.ok()) {
    io.err << "mikeyconf kms: " << loaded.error().str() << "\n";
    return kExitUsage;
  }
  config::LoadedKmsConfig c = std::move(loaded).value();

  transport::ServerOptions options = server_options(c);
  if (!c.listen) {
    options.host = "127.0.0.1";
    options.port = 8080;
  }
  if (a.listen) {
    auto l = config::parse_listen_address(*a.listen);
    if (!l.ok()) return usage_error(io, kCmd, "--listen: " + l.error(), kKmsUsage);
    options.host = l->host;
    options.port = l->port;
  }
  if (a.tls_cert) {
    options.tls = transport::TlsServerOptions{*a.tls_cert, *a.tls_key, ""};
  }
  if (a.client_ca) {
    if (!options.tls) {
      return usage_error(io, kCmd, "--client-ca needs TLS (--tls-cert/--tls-key or the file's tls)",
                         kKmsUsage);
    }
    options.tls->client_ca_file = *a.client_ca;
  }
  for (const std::optional<std::string>* f : {&a.tls_cert, &a.tls_key, &a.client_ca}) {
    std::error_code ec;
    if (*f && !std::filesystem::is_regular_file(**f, ec)) {
      return usage_error(io, kCmd, "no such file: " + **f, kKmsUsage);
    }
  }
  if (a.threads) {
    auto n = small_number(*a.threads, 1, 64);
    if (!n) return usage_error(io, kCmd, "--threads: expected 1 to 64", kKmsUsage);
    options.threads = *n;
  }

  roles::SystemClock clock;
  mikey::crypto::OpenSslRng rng;
  KmsService service(std::move(c), clock, rng, std::move(options));
  auto port = service.start();
  if (!port.ok()) {
    io.err << "mikeyconf kms: cannot start: " << transport::to_string(port.error().code) << ": "
           << port.error().detail << "\n";
    return kExitSetup;
  }
  // Signals first, then the line: whoever waits for the line may signal at once.
  service.server().stop_on_signals();
  io.out << "mikeyconf kms: listening on " << service.url() << std::endl;
  service.server().wait();
  return kExitOk;
}

int request_init_main(std::span<const std::string_view> args, Io& io) {
  constexpr std::string_view kCmd = "request-init";
  std::optional<std::string> config_file, user, responder, type, lifetime, suite;
  bool forking = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string problem;
    if (args[i] == "-h" || args[i] == "--help") {
      io.out << kRequestInitUsage;
      return kExitOk;
    }
    if (args[i] == "--forking") {
      forking = true;
      continue;
    }
    if (option_value(args, i, "--config", config_file, problem) ||
        option_value(args, i, "--user", user, problem) ||
        option_value(args, i, "--responder", responder, problem) ||
        option_value(args, i, "--ticket-type", type, problem) ||
        option_value(args, i, "--lifetime", lifetime, problem) ||
        option_value(args, i, "--suite", suite, problem)) {
      if (!problem.empty()) return usage_error(io, kCmd, problem, kRequestInitUsage);
      continue;
    }
    return usage_error(io, kCmd, "unknown argument '" + std::string(args[i]) + "'",
                       kRequestInitUsage);
  }
  if (!config_file || !user) {
    return usage_error(io, kCmd, "--config FILE and --user ID are required", kRequestInitUsage);
  }
  roles::TicketRequest request;
  if (type) {
    if (*type == "1") {
      request.format = roles::kBaseTicket;
    } else if (*type == "2") {
      request.format = roles::kProvisionalType2;
    } else {
      return usage_error(io, kCmd, "--ticket-type: expected 1 or 2", kRequestInitUsage);
    }
  }
  roles::Algorithms algs = roles::kSuite128;
  if (suite) {
    if (*suite == "256") {
      algs = roles::kSuite256;
    } else if (*suite != "128") {
      return usage_error(io, kCmd, "--suite: expected 128 or 256", kRequestInitUsage);
    }
  }
  if (lifetime) {
    auto s = small_number(*lifetime, 1, 0xFFFFFFFF);
    if (!s) return usage_error(io, kCmd, "--lifetime: expected seconds", kRequestInitUsage);
    request.lifetime_s = *s;
  }

  auto loaded = config::load_kms_config(*config_file);
  if (!loaded.ok()) {
    io.err << "mikeyconf request-init: " << loaded.error().str() << "\n";
    return kExitUsage;
  }
  const roles::KmsConfig& kms = loaded->kms;
  auto text = [](const roles::Identity& id) { return std::string(id.data.begin(), id.data.end()); };
  const roles::KmsUser* me = nullptr;
  for (const roles::KmsUser& u : kms.users)
    if (!u.peer_kms && text(u.identity) == *user) me = &u;
  if (me == nullptr) {
    io.err << "mikeyconf request-init: " << *config_file << " has no user '" << *user << "'\n";
    return kExitUsage;
  }
  if (responder) {
    request.responders.push_back(roles::Identity::uri(*responder));
  } else {
    for (const roles::KmsUser& u : kms.users) {
      if (!u.peer_kms && &u != me) {
        request.responders.push_back(u.identity);
        break;
      }
    }
    if (request.responders.empty()) {
      return usage_error(io, kCmd, "the configuration has no other user: give --responder",
                         kRequestInitUsage);
    }
  }
  request.prf = algs.prf;
  if (forking) {
    request.flags.i = true;  // RFC 6043 §6.10: I ⇒ E
    request.flags.e = true;
  }

  roles::InitiatorConfig ic;
  ic.identity = me->identity;
  ic.kms_identity = kms.identity;
  ic.credential = me->credential;
  ic.algorithms = algs;
  roles::SystemClock clock;
  mikey::crypto::OpenSslRng rng;
  roles::Initiator initiator(std::move(ic), clock, rng);
  auto bytes = initiator.request_ticket(request);
  if (!bytes.ok()) {
    io.err << "mikeyconf request-init: cannot build the request: "
           << roles::to_string(bytes.error().failure) << " " << bytes.error().detail << "\n";
    return kExitSetup;
  }
  io.out << mikey::wire::base64_encode(bytes.value()) << "\n";
  return kExitOk;
}

}  // namespace mikeyconf::tools
