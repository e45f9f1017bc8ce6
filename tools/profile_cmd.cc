#include "tools/profile_cmd.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>
#include <vector>

#include "harness/profile.h"

namespace mikeyconf::tools {

const std::string_view kProfileUsage =
    "usage: mikeyconf profile --from-kms-config FILE --url URL [--out FILE]\n"
    "\n"
    "Writes the SUT profile of the KMS that the KMS configuration FILE configures\n"
    "(configs/README.md), served at URL: its users by name, the first two as Initiator and\n"
    "Responder, and the capabilities its policy and keys give. The profile names FILE\n"
    "(kms_config:), so credentials, GBA data and keys stay there. Then:\n"
    "  mikeyconf run --sut PROFILE\n"
    "\n"
    "  --from-kms-config FILE  the KMS configuration\n"
    "  --url URL               where the KMS serves Annex A (http[s]://host[:port])\n"
    "  --out FILE              write the profile to FILE (default: standard output)\n"
    "\n"
    "exit status: 0 written; 2 usage error, or FILE or the profile does not load\n"
    "(FILE:LINE:COL); 3 --out cannot be written\n";

namespace {

namespace fs = std::filesystem;
using mikey::roles::Identity;

// A YAML scalar: plain when it cannot be misread, double-quoted otherwise.
std::string scalar(const std::string& s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view(":@._+-/=").find(c) != std::string_view::npos;
  });
  if (plain && s.front() != '-' && s.front() != ':') return s;
  std::string q = "\"";
  for (char c : s) q += (c == '"' || c == '\\') ? std::string{'\\', c} : std::string{c};
  return q + "\"";
}

// An identity as the KMS configuration spells it.
std::string identity_yaml(const Identity& id) {
  const std::string data(id.data.begin(), id.data.end());
  if (id.type == mikey::codec::IdType::uri) return scalar(data);
  const char* type = id.type == mikey::codec::IdType::nai ? "nai" : "byte_string";
  return std::string("{type: ") + type + ", value: " + scalar(data) + "}";
}

// "sip:alice@example.org" → "alice": the name cases use for the user (`as: alice`).
std::string user_name(const Identity& id, const std::vector<std::string>& taken) {
  std::string data(id.data.begin(), id.data.end());
  if (const auto colon = data.find(':'); colon != std::string::npos) data.erase(0, colon + 1);
  data.resize(std::min(data.find('@'), data.size()));
  std::string name;
  for (char c : data) {
    const auto u = static_cast<unsigned char>(c);
    name += std::isalnum(u) != 0 || c == '_' ? static_cast<char>(std::tolower(u)) : '-';
  }
  if (name.empty()) name = "user";
  std::string unique = name;
  for (int n = 2; std::find(taken.begin(), taken.end(), unique) != taken.end(); ++n) {
    unique = name + "-" + std::to_string(n);
  }
  return unique;
}

template <class V, class T>
bool has(const V& values, const T& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

bool suite(const mikey::roles::KmsPolicy& p, const mikey::roles::Algorithms& a) {
  return has(p.prfs, a.prf) && has(p.encr_algs, a.encr) && has(p.mac_algs, a.mac);
}

// What `needs:` of the cases is matched against (harness/capabilities.h), from the policy.
std::vector<std::string> capabilities(const mikey::roles::KmsConfig& k) {
  const mikey::roles::KmsPolicy& p = k.policy;
  std::vector<std::string> caps{"psk"};
  if (has(p.ticket_formats, mikey::roles::kBaseTicket)) caps.emplace_back("ticket-type:1/1/1");
  if (has(p.ticket_formats, mikey::roles::kProvisionalType2)) {
    caps.emplace_back("ticket-type:2/0/0");
  }
  if (suite(p, mikey::roles::kSuite128)) caps.emplace_back("suite:128");
  if (suite(p, mikey::roles::kSuite256)) caps.emplace_back("suite:256");
  if (p.issue_tickets) caps.emplace_back("mode:1");
  const bool shared = std::any_of(k.ticket_keys.begin(), k.ticket_keys.end(),
                                  [](const auto& t) { return t.shared_with.has_value(); });
  if (p.resolve_initiator_tickets && shared) caps.emplace_back("mode:3");
  if (p.allow_forking) caps.emplace_back("key-forking");
  caps.emplace_back("short-ticket-lifetime");
  caps.push_back("max-ticket-lifetime:" + std::to_string(p.max_lifetime_s));
  return caps;
}

}  // namespace

std::string profile_from_kms_config(const mikey::config::LoadedKmsConfig& config,
                                    const std::string& name, const std::string& url,
                                    const std::string& config_ref) {
  std::ostringstream o;
  o << "# The SUT profile of the KMS that " << config_ref << " configures, as\n"
    << "# `mikeyconf profile --from-kms-config` writes it (harness/README.md \"SUT profile\"):\n"
    << "# credentials, GBA data and keys stay in the KMS configuration.\n"
    << "name: " << scalar(name) << "\nrole: kms\nbase_url: " << scalar(url)
    << "\nkms_config: " << scalar(config_ref) << "\nusers:\n";
  std::vector<std::string> names;
  for (const mikey::roles::KmsUser& u : config.kms.users) {
    if (u.peer_kms) continue;
    names.push_back(user_name(u.identity, names));
    o << "  " << names.back() << ": " << identity_yaml(u.identity) << "\n";
  }
  o << "parties:\n  initiator: " << (names.empty() ? "" : names[0])
    << "\n  responder: " << (names.size() < 2 ? "" : names[1]) << "\ncapabilities:\n";
  for (const std::string& c : capabilities(config.kms)) o << "  - " << c << "\n";
  o << "levels: [SHALL, SHALL NOT, SHOULD, SHOULD NOT, MAY]\n"
    << "timeouts:\n  connect_ms: 2000\n  request_ms: 5000\n  case_ms: 30000\n";
  return o.str();
}

namespace {

// The kms_config value: FILE relative to the profile's directory (the working directory when
// the profile goes to standard output).
std::string config_reference(const std::string& config, const std::optional<std::string>& out) {
  if (!out) return config;
  std::error_code ec;
  const fs::path dir = fs::absolute(fs::path(*out), ec).parent_path();
  const fs::path rel = fs::absolute(config, ec).lexically_normal().lexically_relative(dir);
  return rel.empty() ? fs::absolute(config, ec).string() : rel.generic_string();
}

}  // namespace

namespace {

void define_profile(CLI::App& app) {
  for (const char* name : {"--from-kms-config", "--url", "--out"}) value_option(app, name);
}

// Writes `text` to --out or standard output: exit 0, or 3 when --out cannot be written.
int emit(const std::string& text, const std::optional<std::string>& out, Io& io) {
  if (!out) {
    io.out << text;
    return kExitOk;
  }
  std::ofstream f(*out, std::ios::binary | std::ios::trunc);
  if (!(f << text) || !f.flush()) {
    io.err << "mikeyconf profile: cannot write " << *out << "\n";
    return kExitSetup;
  }
  return kExitOk;
}

int run_profile(const ParsedArgs& a, Io& io) {
  const std::string* config_file = a.value("--from-kms-config");
  const std::string* url = a.value("--url");
  if (config_file == nullptr) {
    return command_usage_error(io, "profile", "--from-kms-config FILE is required", kProfileUsage);
  }
  if (url == nullptr) {
    return command_usage_error(io, "profile", "--url URL is required", kProfileUsage);
  }
  std::optional<std::string> out;
  if (const std::string* o = a.value("--out")) out = *o;
  auto config = mikey::config::load_kms_config(*config_file);
  if (!config.ok()) {
    io.err << config.error().str() << "\n";
    return kExitUsage;
  }
  if (std::count_if(config->kms.users.begin(), config->kms.users.end(),
                    [](const auto& u) { return !u.peer_kms; }) < 2) {
    io.err << *config_file << ": the harness plays two users (Initiator and Responder): give the "
           << "KMS configuration at least two users\n";
    return kExitUsage;
  }
  const std::string text =
      profile_from_kms_config(config.value(), fs::path(*config_file).stem().string(), *url,
                              config_reference(*config_file, out));
  // The profile must load as written (a bad URL is reported here, not at `run`).
  const std::string shown = out.value_or("<stdout>");
  const fs::path base = out ? fs::path(*out).parent_path() : fs::path();
  if (auto loaded = harness::parse_profile_text(text, shown, base); !loaded.ok()) {
    io.err << loaded.error().to_string() << "\n";
    return kExitUsage;
  }
  return emit(text, out, io);
}

}  // namespace

int profile_main(std::span<const std::string_view> args, Io& io) {
  return run_command({"profile", kProfileUsage, &define_profile, &run_profile}, args, io);
}

}  // namespace mikeyconf::tools
