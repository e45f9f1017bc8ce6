#include "harness/profile_kms.h"

#include <algorithm>
#include <vector>

#include "config/kms_config_loader.h"
#include "roles/credential.h"

namespace mikeyconf::harness::detail {

using mikey::roles::Identity;

namespace {

constexpr const char* kSeeReadme = " (see configs/README.md)";

// The key node of `key` in `m` (errors about a key that should not be there point at it).
YAML::Node key_node(const MapReader& m, std::string_view key) {
  for (const auto& e : m.entries())
    if (e.key == key) return e.key_node;
  return m.node();
}

}  // namespace

Identity read_config_identity(const Ctx& ctx, const YAML::Node& n, std::string_view what,
                              mikey::codec::IdType fallback) {
  if (n.IsMap()) {
    MapReader m(ctx, n, what);
    const YAML::Node t = m.require("type");
    const std::string type = ctx.string(t, "type");
    const std::string value = ctx.string(m.require("value"), "value");
    m.finish();
    if (value.empty()) ctx.fail(n, std::string(what) + ".value must not be empty");
    if (type == "uri") return Identity::uri(value);
    if (type == "nai") return Identity::nai(value);
    if (type == "byte_string") return Identity::byte_string(value);
    ctx.fail(t, "unknown ID type '" + type + "' (allowed: uri, nai, byte_string)");
  }
  const std::string s = ctx.string(n, what);
  if (s.empty()) ctx.fail(n, std::string(what) + " must not be empty");
  for (std::string_view old : {"uri:", "nai:", "bytes:"}) {
    if (s.rfind(old, 0) != 0) continue;
    const std::string rest = s.substr(old.size());
    const std::string now = old == "uri:"   ? rest
                            : old == "nai:" ? "{type: nai, value: " + rest + "}"
                                            : "{type: byte_string, value: " + rest + "}";
    ctx.fail(n, std::string(what) + ": identities are spelled as in the KMS configuration: write " +
                    now + kSeeReadme);
  }
  return fallback == mikey::codec::IdType::uri   ? Identity::uri(s)
         : fallback == mikey::codec::IdType::nai ? Identity::nai(s)
                                                 : Identity::byte_string(s);
}

void reject_moved_keys(const Ctx& ctx, MapReader& root) {
  if (root.get("kms_identity")) {
    ctx.fail(key_node(root, "kms_identity"),
             "'kms_identity' moved to the KMS configuration: write it as kms.identity of the "
             "kms_config" +
                 std::string(kSeeReadme));
  }
  if (root.get("embedded")) {
    ctx.fail(key_node(root, "embedded"),
             "'embedded' moved to the KMS configuration: write its ticket_keys under "
             "ticket_keys[], clock_skew_s as policy.clock_skew and the lifetimes under lifetimes "
             "of the kms_config" +
                 std::string(kSeeReadme));
  }
}

namespace {

struct NamedUser {
  std::string name;
  YAML::Node node;
  Identity identity;
  UserHome home = UserHome::sut;
};

UserHome read_home(const Ctx& ctx, const YAML::Node& h) {
  const std::string home = ctx.string(h, "home");
  if (home == "sut") return UserHome::sut;
  if (home == "peer") return UserHome::peer;
  if (home == "both") return UserHome::both;
  ctx.fail(h, "home must be sut, peer or both");
}

// `NAME: IDENTITY` or `NAME: {identity: IDENTITY, home: sut|peer|both}`.
NamedUser read_named_user(const Ctx& ctx, const std::string& name, const YAML::Node& n) {
  NamedUser u{name, n, {}, UserHome::sut};
  if (!n.IsMap()) {
    u.identity = read_config_identity(ctx, n, "user '" + name + "'", mikey::codec::IdType::uri);
    return u;
  }
  MapReader map(ctx, n, "user '" + name + "'");
  for (const char* moved : {"psk", "psk_id"}) {
    if (map.get(moved)) {
      ctx.fail(key_node(map, moved),
               "'" + std::string(moved) +
                   "' in a profile user moved to the KMS configuration: write it under users[] "
                   "of the kms_config" +
                   kSeeReadme);
    }
  }
  if (map.get("mode3_tpk")) {
    ctx.fail(key_node(map, "mode3_tpk"),
             "'mode3_tpk' in a profile user moved to the KMS configuration: write it under "
             "ticket_keys[] of the kms_config with shared_with: the user's identity" +
                 std::string(kSeeReadme));
  }
  u.identity =
      read_config_identity(ctx, map.require("identity"), "identity", mikey::codec::IdType::uri);
  if (auto h = map.get("home")) u.home = read_home(ctx, *h);
  map.finish();
  return u;
}

TicketKeySpec key_spec(const mikey::roles::TicketKey& k) {
  TicketKeySpec s;
  s.id = k.id;
  s.format = k.format;
  s.key.assign(k.tpk.view().begin(), k.tpk.view().end());
  s.encr = k.encr;
  s.mac = k.mac;
  return s;
}

mikey::config::LoadedKmsConfig load_config(const Ctx& ctx, const YAML::Node& n,
                                           const std::filesystem::path& base) {
  if (n.IsMap()) {
    auto inline_config = mikey::config::parse_kms_config_node(n, ctx.file(), base.string());
    if (!inline_config.ok()) throw LoadFailure(inline_config.error());
    return std::move(inline_config).value();
  }
  std::filesystem::path file(ctx.string(n, "kms_config"));
  if (file.is_relative() && !base.empty()) file = (base / file).lexically_normal();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    ctx.fail(n, "kms_config: no such file: " + file.string() +
                    " (a path relative to the profile, or the KMS configuration inline)");
  }
  auto loaded = mikey::config::load_kms_config(file.string());
  if (!loaded.ok()) throw LoadFailure(loaded.error());
  return std::move(loaded).value();
}

// The profile user's credential and mode-3 key from the KMS configuration's user of the same
// identity.
UserProfile user_from_config(const Ctx& ctx, const NamedUser& named,
                             const mikey::config::LoadedKmsConfig& k) {
  UserProfile u;
  u.name = named.name;
  u.identity = named.identity;
  u.home = named.home;
  const mikey::roles::KmsUser* found = nullptr;
  for (const mikey::roles::KmsUser& ku : k.kms.users)
    if (!ku.peer_kms && ku.identity == named.identity) found = &ku;
  if (found == nullptr) {
    ctx.fail(named.node, "user '" + named.name + "': '" +
                             std::string(named.identity.data.begin(), named.identity.data.end()) +
                             "' is not a user of the kms_config (add it under users[] there)");
  }
  const auto* psk = mikey::roles::as_psk(found->credential.get());
  if (psk == nullptr) ctx.fail(named.node, "user '" + named.name + "' has no PSK credential");
  u.psk.assign(psk->psk().begin(), psk->psk().end());
  u.psk_id = psk->psk_id();
  for (const mikey::roles::TicketKey& t : k.kms.ticket_keys) {
    if (!u.mode3_tpk && t.shared_with == named.identity) u.mode3_tpk = key_spec(t);
  }
  return u;
}

}  // namespace

void read_kms_side(const Ctx& ctx, MapReader& root, const std::filesystem::path& base,
                   SutProfile& p) {
  const YAML::Node config_node = root.require("kms_config");
  const YAML::Node users = root.require("users");
  MapReader um(ctx, users, "users");
  um.allow_all();
  if (um.entries().empty()) ctx.fail(users, "users needs at least one user");
  std::vector<NamedUser> named;
  for (const auto& e : um.entries()) named.push_back(read_named_user(ctx, e.key, e.value));
  const mikey::config::LoadedKmsConfig k = load_config(ctx, config_node, base);
  p.kms_identity = k.kms.identity;
  for (const NamedUser& n : named) p.users.push_back(user_from_config(ctx, n, k));
  p.embedded.present = config_node.IsMap();  // inline: the embedded reference KMS
  for (const mikey::roles::TicketKey& t : k.kms.ticket_keys)
    if (!t.shared_with) p.embedded.ticket_keys.push_back(key_spec(t));
  p.embedded.clock_skew_s = k.kms.policy.clock_skew_s;
  p.embedded.max_lifetime_s = k.kms.policy.max_lifetime_s;
  p.embedded.default_lifetime_s = k.kms.policy.default_lifetime_s;
}

}  // namespace mikeyconf::harness::detail
