// `mikeyconf kms` and `mikeyconf request-init` (tools/kms.h).
#include "tools/kms.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

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
    "                     [--link-max-in-flight N] [--link-connect-timeout-ms MS]\n"
    "                     [--link-timeout-ms MS]\n"
    "                     [--max-connections N] [--max-connections-per-address N]\n"
    "                     [--reclaim 0|1] [--reclaim-after-ms MS] [--handshake-timeout-ms MS]\n"
    "                     [--header-timeout-ms MS] [--body-timeout-ms MS] [--read-timeout-ms MS]\n"
    "                     [--idle-timeout-ms MS] [--write-timeout-ms MS] [--retry-after-s S]\n"
    "\n"
    "Serves the reference KMS (TS 33.328 Annex A: POST /keymanagement?requesttype=...) from a\n"
    "YAML configuration (configs/README.md). Prints one line 'mikeyconf kms: listening on\n"
    "URL' when ready; logs one line per request to standard error (written in batches: a line\n"
    "appears within 100 ms, at once when 64 KiB wait, all of them on stop); stops on SIGTERM or\n"
    "SIGINT.\n"
    "\n"
    "  --config FILE          the KMS configuration (required)\n"
    "  --listen HOST:PORT     overrides the file's listen (default 127.0.0.1:8080); port 0\n"
    "                         lets the system pick one (read it from the listening line)\n"
    "  --tls-cert FILE        serve HTTPS with this PEM certificate chain (with --tls-key);\n"
    "  --tls-key FILE         overrides the file's tls\n"
    "  --client-ca FILE       require client certificates from this CA (mutual TLS)\n"
    "  --threads N            io threads (default 2); the peers' in-flight bounds are\n"
    "                         added, so requests waiting on a peer KMS never hold them all\n"
    "\n"
    "The link to peer KMSs (KMS_R -> KMS_I); each overrides every peer's peers[].link:\n"
    "  --link-max-in-flight N       requests waiting on one peer at once (default 4, 1 to\n"
    "                               256); more are answered 503 with Retry-After at once\n"
    "  --link-connect-timeout-ms MS TCP connect to the peer (default 1000)\n"
    "  --link-timeout-ms MS         one request to the peer, connect to last byte (default\n"
    "                               3000); past it the client gets 503 with Retry-After\n"
    "\n"
    "Connection bounds (override the file's http: keys of the same name; configs/README.md\n"
    "\"Limits\" says what happens when each is reached):\n"
    "  --max-connections N    connections served at once (default 256); when all are used, a new\n"
    "                         one takes the slot of the one waiting longest for (the rest of) a\n"
    "                         request (--reclaim 1, the default; for at least\n"
    "                         --reclaim-after-ms, default 0), else gets 503 with Retry-After\n"
    "                         at once\n"
    "  --max-connections-per-address N\n"
    "                         connections served at once from one client address (default 64;\n"
    "                         0: no cap); beyond it 503 with Retry-After at once\n"
    "  --handshake-timeout-ms MS  TLS handshake (default 5000)\n"
    "  --header-timeout-ms MS first byte to end of header, and a new connection's silence\n"
    "                         (default 5000)\n"
    "  --body-timeout-ms MS   end of header to end of body (default 10000)\n"
    "  --read-timeout-ms MS   a whole request, first byte to last (default 10000)\n"
    "  --idle-timeout-ms MS   keep-alive wait for the next request (default 30000)\n"
    "  --write-timeout-ms MS  writing a response (default 10000)\n"
    "  --retry-after-s S      the Retry-After of a 503 (default 1)\n"
    "A timeout reached closes the connection without an answer. The replay memory is the\n"
    "file's policy.replay_cache_size (default 3000000 messages, about 9,966 requests/s over\n"
    "the 300 s skew): when full, 503 with Retry-After.\n"
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

constexpr std::string_view kKmsCmd = "kms";
constexpr std::string_view kRequestInitCmd = "request-init";

int kms_usage_error(Io& io, std::string_view message) {
  return command_usage_error(io, kKmsCmd, message, kKmsUsage);
}

int request_init_usage_error(Io& io, std::string_view message) {
  return command_usage_error(io, kRequestInitCmd, message, kRequestInitUsage);
}

// The option of a configuration key: "--" + prefix + key with '-' for '_' (a connection bound's
// http: key, a peer link's bound with the prefix "link-").
std::string key_flag(std::string_view prefix, std::string_view key) {
  std::string flag = "--" + std::string(prefix) + std::string(key);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}
std::string limit_flag(const config::ServerLimit& l) { return key_flag("", l.key); }
std::string link_flag(const config::LinkLimit& l) { return key_flag("link-", l.key); }

// An option given again replaces the earlier value.
void define_kms(CLI::App& app) {
  for (const char* name :
       {"--config", "--listen", "--tls-cert", "--tls-key", "--client-ca", "--threads"})
    value_option(app, name, true);
  for (const config::LinkLimit& l : config::link_limits()) value_option(app, link_flag(l), true);
  for (const config::ServerLimit& l : config::server_limits()) {
    value_option(app, limit_flag(l), true);
  }
}

void define_request_init(CLI::App& app) {
  for (const char* name :
       {"--config", "--user", "--responder", "--ticket-type", "--lifetime", "--suite"})
    value_option(app, name, true);
  flag_option(app, "--forking", true);
}

// A decimal number in [min, max], nothing else (no sign, no spaces).
std::optional<std::uint32_t> whole_number(const std::string& s, std::uint32_t min,
                                          std::uint32_t max) {
  std::uint64_t v = 0;
  const char* end = s.data() + s.size();
  auto [ptr, err] = std::from_chars(s.data(), end, v);
  if (s.empty() || err != std::errc() || ptr != end || v < min || v > max) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

// The file's server options with the command line's overrides; a usage problem otherwise.
// The connection bounds given as flags, after the file's (a later value wins).
std::optional<std::string> limit_flags(config::LoadedKmsConfig& c, const ParsedArgs& a) {
  for (const config::ServerLimit& l : config::server_limits()) {
    const std::string flag = limit_flag(l);
    const std::string* value = a.value(flag);
    if (value == nullptr) continue;
    const std::uint32_t max =
        static_cast<std::uint32_t>(std::min<std::uint64_t>(l.max, 0xFFFFFFFF));
    auto n = whole_number(*value, static_cast<std::uint32_t>(l.min), max);
    if (!n) return flag + ": expected " + std::to_string(l.min) + " to " + std::to_string(max);
    c.http.limits.emplace_back(&l, *n);
  }
  return std::nullopt;
}

mikey::Result<transport::ServerOptions, std::string> kms_server_options(config::LoadedKmsConfig& c,
                                                                        const ParsedArgs& a) {
  if (auto problem = limit_flags(c, a)) return *problem;
  transport::ServerOptions options = mikey::service::server_options(c);
  if (!c.listen) {
    options.host = "127.0.0.1";
    options.port = 8080;
  }
  if (const std::string* listen = a.value("--listen")) {
    auto l = config::parse_listen_address(*listen);
    if (!l.ok()) return "--listen: " + l.error();
    options.host = l->host;
    options.port = l->port;
  }
  if (const std::string* cert = a.value("--tls-cert")) {
    options.tls = transport::TlsServerOptions{*cert, *a.value("--tls-key"), ""};
  }
  if (const std::string* client_ca = a.value("--client-ca")) {
    if (!options.tls) {
      return std::string("--client-ca needs TLS (--tls-cert/--tls-key or the file's tls)");
    }
    options.tls->client_ca_file = *client_ca;
  }
  for (const char* name : {"--tls-cert", "--tls-key", "--client-ca"}) {
    const std::string* f = a.value(name);
    std::error_code ec;
    if (f != nullptr && !std::filesystem::is_regular_file(*f, ec)) return "no such file: " + *f;
  }
  if (const std::string* threads = a.value("--threads")) {
    auto n = whole_number(*threads, 1, 64);
    if (!n) return std::string("--threads: expected 1 to 64");
    options.threads = *n;
  }
  return options;
}

// --link-* onto every peer's link bounds (config::PeerEndpoint); a usage problem otherwise.
std::optional<std::string> apply_link_options(const ParsedArgs& a,
                                              std::vector<config::PeerEndpoint>& peers) {
  for (const config::LinkLimit& k : config::link_limits()) {
    const std::string name = link_flag(k);
    const std::string* text = a.value(name);
    if (text == nullptr) continue;
    auto n = whole_number(*text, k.min, k.max);
    if (!n) {
      return name + ": expected " + std::to_string(k.min) + " to " + std::to_string(k.max);
    }
    for (config::PeerEndpoint& p : peers) p.*k.field = *n;
  }
  return std::nullopt;
}

int kms_parsed(const ParsedArgs& a, Io& io) {
  const std::string* config_file = a.value("--config");
  if (config_file == nullptr) return kms_usage_error(io, "--config FILE is required");
  if ((a.value("--tls-cert") == nullptr) != (a.value("--tls-key") == nullptr)) {
    return kms_usage_error(io, "--tls-cert and --tls-key go together");
  }
  auto loaded = config::load_kms_config(*config_file);
  if (!loaded.ok()) {
    io.err << "mikeyconf kms: " << loaded.error().str() << "\n";
    return kExitUsage;
  }
  config::LoadedKmsConfig c = std::move(loaded).value();
  auto options = kms_server_options(c, a);
  if (!options.ok()) return kms_usage_error(io, options.error());
  if (auto problem = apply_link_options(a, c.peers)) return kms_usage_error(io, *problem);

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

// --ticket-type, --suite and --lifetime into the request and the algorithms; a usage problem.
std::optional<std::string> request_choices(const ParsedArgs& a, roles::TicketRequest& request,
                                           roles::Algorithms& algs) {
  if (const std::string* type = a.value("--ticket-type")) {
    if (*type == "1") {
      request.format = roles::kBaseTicket;
    } else if (*type == "2") {
      request.format = roles::kProvisionalType2;
    } else {
      return "--ticket-type: expected 1 or 2";
    }
  }
  if (const std::string* suite = a.value("--suite")) {
    if (*suite == "256") {
      algs = roles::kSuite256;
    } else if (*suite != "128") {
      return "--suite: expected 128 or 256";
    }
  }
  if (const std::string* lifetime = a.value("--lifetime")) {
    auto s = whole_number(*lifetime, 1, 0xFFFFFFFF);
    if (!s) return "--lifetime: expected seconds";
    request.lifetime_s = *s;
  }
  return std::nullopt;
}

// The configuration's user (not a peer KMS) whose identity is `user`, or nullptr.
const roles::KmsUser* find_user(const roles::KmsConfig& kms, std::string_view user) {
  for (const roles::KmsUser& u : kms.users) {
    if (!u.peer_kms &&
        std::string_view(reinterpret_cast<const char*>(u.identity.data.data()),  // NOLINT
                         u.identity.data.size()) == user) {
      return &u;
    }
  }
  return nullptr;
}

// The configuration's first other user, or nullopt.
std::optional<roles::Identity> other_user(const roles::KmsConfig& kms, const roles::KmsUser& me) {
  for (const roles::KmsUser& u : kms.users) {
    if (!u.peer_kms && &u != &me) return u.identity;
  }
  return std::nullopt;
}

int request_init_parsed(const ParsedArgs& a, Io& io) {
  const std::string* config_file = a.value("--config");
  const std::string* user = a.value("--user");
  if (config_file == nullptr || user == nullptr) {
    return request_init_usage_error(io, "--config FILE and --user ID are required");
  }
  RequestInitChoices choices;
  if (auto problem = request_choices(a, choices.request, choices.algorithms)) {
    return request_init_usage_error(io, *problem);
  }
  if (const std::string* responder = a.value("--responder")) {
    choices.responder = roles::Identity::uri(*responder);
  }
  choices.forking = a.flag("--forking");
  auto loaded = config::load_kms_config(*config_file);
  if (!loaded.ok()) {
    io.err << "mikeyconf request-init: " << loaded.error().str() << "\n";
    return kExitUsage;
  }
  const roles::KmsConfig& kms = loaded->kms;
  if (find_user(kms, *user) == nullptr) {
    io.err << "mikeyconf request-init: " << *config_file << " has no user '" << *user << "'\n";
    return kExitUsage;
  }
  auto bytes = make_request_init(kms, *user, std::move(choices));
  if (!bytes.ok()) {
    if (bytes.error().empty()) {
      return request_init_usage_error(io, "the configuration has no other user: give --responder");
    }
    io.err << "mikeyconf request-init: cannot build the request: " << bytes.error() << "\n";
    return kExitSetup;
  }
  io.out << mikey::wire::base64_encode(bytes.value()) << "\n";
  return kExitOk;
}

}  // namespace

mikey::Result<mikey::Bytes, std::string> make_request_init(const roles::KmsConfig& kms,
                                                           std::string_view user,
                                                           RequestInitChoices choices) {
  const roles::KmsUser* me = find_user(kms, user);
  if (me == nullptr) return "no user '" + std::string(user) + "'";
  std::optional<roles::Identity> responder = choices.responder;
  if (!responder) responder = other_user(kms, *me);
  if (!responder) return std::string();
  roles::TicketRequest request = std::move(choices.request);
  request.responders.push_back(std::move(*responder));
  request.prf = choices.algorithms.prf;
  if (choices.forking) {
    request.flags.i = true;  // RFC 6043 §6.10: I ⇒ E
    request.flags.e = true;
  }
  roles::InitiatorConfig ic;
  ic.identity = me->identity;
  ic.kms_identity = kms.identity;
  ic.credential = me->credential;
  ic.algorithms = choices.algorithms;
  roles::SystemClock clock;
  mikey::crypto::OpenSslRng rng;
  roles::Initiator initiator(std::move(ic), clock, rng);
  auto bytes = initiator.request_ticket(request);
  if (!bytes.ok()) {
    return std::string(roles::to_string(bytes.error().failure)) + " " + bytes.error().detail;
  }
  return std::move(bytes).value();
}

int kms_main(std::span<const std::string_view> args, Io& io) {
  return run_command({kKmsCmd, kKmsUsage, &define_kms, &kms_parsed}, args, io);
}

int request_init_main(std::span<const std::string_view> args, Io& io) {
  return run_command(
      {kRequestInitCmd, kRequestInitUsage, &define_request_init, &request_init_parsed}, args, io);
}

}  // namespace mikeyconf::tools
