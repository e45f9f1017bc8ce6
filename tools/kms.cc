// `mikeyconf kms` and `mikeyconf request-init` (tools/kms.h).
#include "tools/kms.h"

#include <cstdint>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <utility>

#include "roles/credential.h"
#include "roles/failure.h"
#include "roles/initiator.h"
#include "service/kms_service.h"
#include "wire/base64.h"

namespace mikeyconf::tools {

namespace config = mikey::config;
namespace roles = mikey::roles;
namespace transport = mikey::transport;

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

// One `--name VALUE` option of a command line and where its value goes.
struct OptionSlot {
  std::string_view name;
  std::optional<std::string>* value;
};

// Reads `args` into `options` (and the value-less switch `flag`, when given); an exit status when
// the command is done (help, usage error).
std::optional<int> parse_options(std::span<const std::string_view> args, Io& io,
                                 std::string_view command, std::string_view usage,
                                 std::initializer_list<OptionSlot> options,
                                 std::string_view flag = {}, bool* flag_value = nullptr) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string problem;
    if (args[i] == "-h" || args[i] == "--help") {
      io.out << usage;
      return kExitOk;
    }
    if (flag_value != nullptr && args[i] == flag) {
      *flag_value = true;
      continue;
    }
    bool matched = false;
    for (const OptionSlot& o : options) {
      if (option_value(args, i, o.name, *o.value, problem)) {
        matched = true;
        break;
      }
    }
    if (matched) {
      if (!problem.empty()) return usage_error(io, command, problem, usage);
      continue;
    }
    return usage_error(io, command, "unknown argument '" + std::string(args[i]) + "'", usage);
  }
  return std::nullopt;
}

struct KmsArgs {
  std::optional<std::string> config, listen, tls_cert, tls_key, client_ca, threads;
};

constexpr std::string_view kKmsCmd = "kms";

// The command line into `a`; an exit status when it is done (help, usage error).
std::optional<int> parse_kms_args(std::span<const std::string_view> args, Io& io, KmsArgs& a) {
  if (auto done = parse_options(args, io, kKmsCmd, kKmsUsage,
                                {{"--config", &a.config},
                                 {"--listen", &a.listen},
                                 {"--tls-cert", &a.tls_cert},
                                 {"--tls-key", &a.tls_key},
                                 {"--client-ca", &a.client_ca},
                                 {"--threads", &a.threads}})) {
    return done;
  }
  if (!a.config) return usage_error(io, kKmsCmd, "--config FILE is required", kKmsUsage);
  if (a.tls_cert.has_value() != a.tls_key.has_value()) {
    return usage_error(io, kKmsCmd, "--tls-cert and --tls-key go together", kKmsUsage);
  }
  return std::nullopt;
}

// The file's server options with the command line's overrides; a usage problem otherwise.
mikey::Result<transport::ServerOptions, std::string> kms_server_options(
    const config::LoadedKmsConfig& c, const KmsArgs& a) {
  transport::ServerOptions options = mikey::service::server_options(c);
  if (!c.listen) {
    options.host = "127.0.0.1";
    options.port = 8080;
  }
  if (a.listen) {
    auto l = config::parse_listen_address(*a.listen);
    if (!l.ok()) return "--listen: " + l.error();
    options.host = l->host;
    options.port = l->port;
  }
  if (a.tls_cert) options.tls = transport::TlsServerOptions{*a.tls_cert, *a.tls_key, ""};
  if (a.client_ca) {
    if (!options.tls) {
      return std::string("--client-ca needs TLS (--tls-cert/--tls-key or the file's tls)");
    }
    options.tls->client_ca_file = *a.client_ca;
  }
  for (const std::optional<std::string>* f : {&a.tls_cert, &a.tls_key, &a.client_ca}) {
    std::error_code ec;
    if (*f && !std::filesystem::is_regular_file(**f, ec)) return "no such file: " + **f;
  }
  if (a.threads) {
    auto n = small_number(*a.threads, 1, 64);
    if (!n) return std::string("--threads: expected 1 to 64");
    options.threads = *n;
  }
  return options;
}

}  // namespace

int kms_main(std::span<const std::string_view> args, Io& io) {
  KmsArgs a;
  if (std::optional<int> done = parse_kms_args(args, io, a)) return *done;
  auto loaded = config::load_kms_config(*a.config);
  if (!loaded.ok()) {
    io.err << "mikeyconf kms: " << loaded.error().str() << "\n";
    return kExitUsage;
  }
  config::LoadedKmsConfig c = std::move(loaded).value();
  auto options = kms_server_options(c, a);
  if (!options.ok()) return usage_error(io, kKmsCmd, options.error(), kKmsUsage);

  roles::SystemClock clock;
  mikey::crypto::OpenSslRng rng;
  mikey::service::ServiceOptions so;
  so.server = std::move(options).value();
  mikey::service::KmsService service(std::move(c), clock, rng, std::move(so));
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

namespace {

constexpr std::string_view kRequestInitCmd = "request-init";

struct RequestInitArgs {
  std::optional<std::string> config_file, user, responder, type, lifetime, suite;
  bool forking = false;
};

// The command line into `a`; an exit status when it is done (help, usage error).
std::optional<int> parse_request_init_args(std::span<const std::string_view> args, Io& io,
                                           RequestInitArgs& a) {
  if (auto done = parse_options(args, io, kRequestInitCmd, kRequestInitUsage,
                                {{"--config", &a.config_file},
                                 {"--user", &a.user},
                                 {"--responder", &a.responder},
                                 {"--ticket-type", &a.type},
                                 {"--lifetime", &a.lifetime},
                                 {"--suite", &a.suite}},
                                "--forking", &a.forking)) {
    return done;
  }
  if (!a.config_file || !a.user) {
    return usage_error(io, kRequestInitCmd, "--config FILE and --user ID are required",
                       kRequestInitUsage);
  }
  return std::nullopt;
}

// --ticket-type, --suite and --lifetime into the request and the algorithms; a usage problem.
std::optional<std::string> request_choices(const RequestInitArgs& a, roles::TicketRequest& request,
                                           roles::Algorithms& algs) {
  if (a.type) {
    if (*a.type == "1") {
      request.format = roles::kBaseTicket;
    } else if (*a.type == "2") {
      request.format = roles::kProvisionalType2;
    } else {
      return "--ticket-type: expected 1 or 2";
    }
  }
  if (a.suite) {
    if (*a.suite == "256") {
      algs = roles::kSuite256;
    } else if (*a.suite != "128") {
      return "--suite: expected 128 or 256";
    }
  }
  if (a.lifetime) {
    auto s = small_number(*a.lifetime, 1, 0xFFFFFFFF);
    if (!s) return "--lifetime: expected seconds";
    request.lifetime_s = *s;
  }
  return std::nullopt;
}

}  // namespace

int request_init_main(std::span<const std::string_view> args, Io& io) {
  RequestInitArgs a;
  if (std::optional<int> done = parse_request_init_args(args, io, a)) return *done;
  roles::TicketRequest request;
  roles::Algorithms algs = roles::kSuite128;
  if (auto problem = request_choices(a, request, algs)) {
    return usage_error(io, kRequestInitCmd, *problem, kRequestInitUsage);
  }
  auto loaded = config::load_kms_config(*a.config_file);
  if (!loaded.ok()) {
    io.err << "mikeyconf request-init: " << loaded.error().str() << "\n";
    return kExitUsage;
  }
  const roles::KmsConfig& kms = loaded->kms;
  auto text = [](const roles::Identity& id) { return std::string(id.data.begin(), id.data.end()); };
  const roles::KmsUser* me = nullptr;
  for (const roles::KmsUser& u : kms.users)
    if (!u.peer_kms && text(u.identity) == *a.user) me = &u;
  if (me == nullptr) {
    io.err << "mikeyconf request-init: " << *a.config_file << " has no user '" << *a.user << "'\n";
    return kExitUsage;
  }
  if (a.responder) {
    request.responders.push_back(roles::Identity::uri(*a.responder));
  } else {
    for (const roles::KmsUser& u : kms.users) {
      if (!u.peer_kms && &u != me) {
        request.responders.push_back(u.identity);
        break;
      }
    }
    if (request.responders.empty()) {
      return usage_error(io, kRequestInitCmd,
                         "the configuration has no other user: give --responder",
                         kRequestInitUsage);
    }
  }
  request.prf = algs.prf;
  if (a.forking) {
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
