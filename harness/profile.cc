#include "harness/profile.h"

#include <algorithm>

#include "harness/capabilities.h"
#include "harness/names.h"
#include "harness/profile_kms.h"
#include "harness/ue_loader.h"
#include "harness/yaml_util.h"
#include "transport/endpoint.h"

namespace mikeyconf::harness {

using detail::Ctx;
using detail::LoadFailure;
using detail::MapReader;
using detail::pos_of;
using mikey::roles::Identity;

const UserProfile* SutProfile::user(std::string_view n) const noexcept {
  for (const UserProfile& u : users)
    if (u.name == n) return &u;
  return nullptr;
}

bool SutProfile::has_capability(std::string_view c) const noexcept {
  return std::find(capabilities.begin(), capabilities.end(), c) != capabilities.end();
}

SutProfile SutProfile::with_port(std::uint16_t p) const {
  SutProfile copy = *this;
  copy.port = p;
  const bool v6 = host.find(':') != std::string::npos;
  copy.base_url = scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(p);
  return copy;
}

std::optional<Identity> parse_identity(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon + 1 >= text.size()) return std::nullopt;
  const std::string_view type = text.substr(0, colon);
  const std::string_view data = text.substr(colon + 1);
  if (type == "uri") return Identity::uri(data);
  if (type == "nai") return Identity::nai(data);
  if (type == "bytes") return Identity::byte_string(data);
  return std::nullopt;
}

std::string identity_text(const Identity& id) {
  std::string prefix = id.type == mikey::codec::IdType::uri   ? "uri:"
                       : id.type == mikey::codec::IdType::nai ? "nai:"
                                                              : "bytes:";
  return prefix + std::string(id.data.begin(), id.data.end());
}

namespace {

template <class E>
E read_code_point(const Ctx& ctx, const YAML::Node& n, std::string_view registry,
                  std::string_view what, std::int64_t max) {
  if (detail::plain_integer(n)) return static_cast<E>(ctx.integer(n, what, 0, max));
  const std::string s = ctx.string(n, what);
  auto v = code_point_value(registry, s);
  if (!v) ctx.fail(n, "'" + s + "' is not a " + std::string(registry) + " name");
  return static_cast<E>(*v);
}

mikey::roles::TicketFormat read_format(const Ctx& ctx, const YAML::Node& n) {
  // "1/1/1" or [1, 1, 1]: Ticket Type / Subtype / Version.
  std::vector<std::int64_t> parts;
  if (n.IsSequence()) {
    for (const YAML::Node& p : n) parts.push_back(ctx.integer(p, "ticket format part", 0, 65535));
  } else {
    const std::string s = ctx.string(n, "ticket format");
    std::size_t start = 0;
    while (start <= s.size()) {
      const std::size_t slash = std::min(s.find('/', start), s.size());
      YAML::Node part(s.substr(start, slash - start));
      auto v = detail::plain_integer(part);
      if (!v || *v < 0 || *v > 65535) ctx.fail(n, "ticket format must read type/subtype/version");
      parts.push_back(*v);
      start = slash + 1;
    }
  }
  if (parts.size() != 3 || parts[1] > 255 || parts[2] > 255) {
    ctx.fail(n, "ticket format must be type/subtype/version (e.g. 1/1/1)");
  }
  return mikey::roles::TicketFormat{static_cast<mikey::codec::TicketType>(parts[0]),
                                    static_cast<std::uint8_t>(parts[1]),
                                    static_cast<std::uint8_t>(parts[2])};
}

TicketKeySpec read_ticket_key(const Ctx& ctx, const YAML::Node& n) {
  MapReader map(ctx, n, "a ticket key");
  TicketKeySpec k;
  if (auto id = map.get("id")) {
    const std::string s = ctx.string(*id, "id");
    k.id.assign(s.begin(), s.end());
  }
  if (auto f = map.get("format")) k.format = read_format(ctx, *f);
  const YAML::Node key = map.require("key");
  k.key = ctx.hex(key, "key");
  if (k.key.size() < 16)
    ctx.fail(key, "a ticket protection key has at least 128 bits (RFC 6043 §12.1)");
  if (auto e = map.get("encr")) {
    k.encr = read_code_point<mikey::codec::EncrAlg>(ctx, *e, "EncrAlg", "encr", 255);
  }
  if (auto m = map.get("mac")) {
    k.mac = read_code_point<mikey::codec::MacAlg>(ctx, *m, "MacAlg", "mac", 255);
  }
  map.finish();
  return k;
}

void parse_base_url(const Ctx& ctx, const YAML::Node& n, SutProfile& p,
                    const std::string& what = "base_url") {
  const std::string url = ctx.string(n, what);
  if (url.find("://") == std::string::npos) {
    ctx.fail(n, what + " must read http://host[:port] or https://...");
  }
  auto e = mikey::transport::parse_endpoint(url);
  if (!e.ok()) {
    if (e.error().code == mikey::transport::EndpointErrc::bad_scheme) {
      ctx.fail(n, what + " scheme must be http or https");
    }
    ctx.fail(n, what + ": " + e.error().message);
  }
  if (!e->path.empty() && e->path != "/") {
    ctx.fail(n, what + " has no path: set annex_a.path instead");
  }
  p.scheme = e->scheme;
  p.host = e->host;
  p.port = e->port;
  p.base_url = url;
}

std::string resolve(const std::filesystem::path& base, const std::string& file) {
  if (file.empty()) return file;
  std::filesystem::path f(file);
  if (f.is_absolute() || base.empty()) return file;
  return (base / f).lexically_normal().string();
}

// A `tls:` map (the SUT's, or the chaining link's): files relative to the profile. `key` names
// it in messages, `what` in the map's own.
TlsProfile read_tls(const Ctx& ctx, const YAML::Node& n, const std::filesystem::path& base,
                    const std::string& key, std::string_view what) {
  MapReader tm(ctx, n, what);
  TlsProfile tls;
  if (auto v = tm.get("ca")) tls.ca_file = resolve(base, ctx.string(*v, "ca"));
  if (auto v = tm.get("cert")) tls.cert_file = resolve(base, ctx.string(*v, "cert"));
  if (auto v = tm.get("key")) tls.key_file = resolve(base, ctx.string(*v, "key"));
  if (auto v = tm.get("sni")) tls.sni = ctx.string(*v, "sni");
  if (auto v = tm.get("verify")) tls.verify = ctx.boolean(*v, "verify");
  if (tls.cert_file.empty() != tls.key_file.empty())
    ctx.fail(n, key + ": cert and key go together");
  tm.finish();
  return tls;
}

mikey::roles::Algorithms read_suite(const Ctx& ctx, const YAML::Node& n) {
  const std::string s = ctx.string(n, "algorithms");
  if (s != "suite128" && s != "suite256") ctx.fail(n, "algorithms must be suite128 or suite256");
  return s == "suite256" ? mikey::roles::kSuite256 : mikey::roles::kSuite128;
}

// `chaining:` (roles kms_r, kms_i; harness/README.md "Chaining").
ChainingSpec read_chaining(const Ctx& ctx, const YAML::Node& n, const std::filesystem::path& base,
                           const SutProfile& p) {
  MapReader map(ctx, n, "chaining");
  ChainingSpec c;
  c.peer_identity = detail::read_config_identity(ctx, map.require("peer_identity"), "peer_identity",
                                                 mikey::codec::IdType::uri);
  if (auto u = map.get("url")) {
    SutProfile link;
    parse_base_url(ctx, *u, link, "chaining.url");
    c.url = link.base_url;
    c.scheme = link.scheme;
    c.host = link.host;
    c.port = link.port;
  } else if (p.role == SutRole::kms_i) {
    c.url = p.base_url;  // the SUT takes KMS-to-KMS requests where it takes the UEs'
    c.scheme = p.scheme;
    c.host = p.host;
    c.port = p.port;
  } else {
    ctx.fail(n, "chaining: needs url (where the harness KMS_I listens for the SUT)");
  }
  const YAML::Node psk = map.require("psk");
  c.psk = ctx.hex(psk, "psk");
  if (c.psk.size() < 16) ctx.fail(psk, "a PSK has at least 128 bits (RFC 6043 §12.1)");
  if (auto id = map.get("psk_id")) {
    c.psk_id = detail::read_config_identity(ctx, *id, "psk_id", mikey::codec::IdType::byte_string);
  }
  if (auto a = map.get("algorithms")) {
    c.algorithms = read_suite(ctx, *a);
  }
  if (auto t = map.get("tls")) {
    if (c.scheme != "https") ctx.fail(*t, "chaining.tls: needs an https chaining url");
    if (t->IsScalar() && ctx.string(*t, "tls") == "ephemeral") {
      c.ephemeral_pki = true;
      c.tls = TlsProfile{};
    } else {
      c.tls = read_tls(ctx, *t, base, "chaining.tls", "chaining.tls (a map, or ephemeral)");
    }
  } else if (c.scheme == "https") {
    ctx.fail(n, "chaining: an https url needs tls: (a map, or ephemeral)");
  }
  if (auto keys = map.get("ticket_keys")) {
    if (p.role != SutRole::kms_r) ctx.fail(*keys, "chaining.ticket_keys: only for role kms_r");
    if (!keys->IsSequence()) ctx.fail(*keys, "ticket_keys must be a list");
    for (const YAML::Node& k : *keys) c.ticket_keys.push_back(read_ticket_key(ctx, k));
  }
  if (auto v = map.get("peer_timeout_ms")) {
    c.peer_timeout_ms = static_cast<std::uint32_t>(ctx.integer(*v, "peer_timeout_ms", 1, 600'000));
  }
  map.finish();
  return c;
}

// `capabilities:` — every name from the vocabulary (capabilities.h): a typo would otherwise skip
// every case needing the name and leave a green run that tested little.
std::vector<std::string> read_capabilities(const Ctx& ctx, const YAML::Node& n) {
  std::vector<std::string> caps = ctx.strings(n, "capabilities");
  for (std::size_t i = 0; i < caps.size(); ++i) {
    if (auto problem = capability_problem(caps[i])) ctx.fail(n[i], *problem);
  }
  return caps;
}

// `levels:` — the levels run without --strict.
std::vector<Level> read_levels(const Ctx& ctx, const YAML::Node& n) {
  if (!n.IsSequence()) ctx.fail(n, "levels must be a list");
  std::vector<Level> levels;
  for (const YAML::Node& l : n) {
    const std::string name = ctx.string(l, "levels item");
    if (auto problem = level_problem(name)) ctx.fail(l, *problem);
    levels.push_back(*parse_level(name));
  }
  return levels;
}

// `latitude:` — the readings the SUT declares (latitude.h); each point left out is `any`.
LatitudeDeclaration read_latitude(const Ctx& ctx, const YAML::Node& n) {
  MapReader m(ctx, n, "latitude");
  m.allow_all();
  LatitudeDeclaration d;
  for (const auto& e : m.entries()) {
    const std::string reading = ctx.string(e.value, "latitude." + e.key);
    if (auto problem = latitude_problem(e.key, reading)) ctx.fail(e.key_node, *problem);
    d.declared[e.key] = reading;
  }
  return d;
}

void read_ticket(const Ctx& ctx, const YAML::Node& n, SutProfile& p) {
  MapReader tm(ctx, n, "ticket");
  if (auto f = tm.get("format")) p.ticket_format = read_format(ctx, *f);
  if (auto l = tm.get("lifetime_s")) {
    p.ticket_lifetime_s = static_cast<std::uint32_t>(ctx.integer(*l, "lifetime_s", 1, 0x7fffffff));
  }
  tm.finish();
}

// `annex_a:` — the TS 33.328 Annex A request line and body.
void read_annex_a(const Ctx& ctx, const YAML::Node& n, mikey::transport::AnnexAProfile& ap) {
  MapReader am(ctx, n, "annex_a");
  if (auto v = am.get("path")) ap.path = ctx.string(*v, "path");
  if (auto v = am.get("type_parameter")) ap.type_parameter = ctx.string(*v, "type_parameter");
  if (auto v = am.get("ticket_request_value")) {
    ap.ticket_request_value = ctx.string(*v, "ticket_request_value");
  }
  if (auto v = am.get("ticket_resolve_value")) {
    ap.ticket_resolve_value = ctx.string(*v, "ticket_resolve_value");
  }
  if (auto v = am.get("content_type")) ap.content_type = ctx.string(*v, "content_type");
  if (auto v = am.get("body_encoding")) {
    const std::string e = ctx.string(*v, "body_encoding");
    if (e == "base64") {
      ap.body_encoding = mikey::transport::BodyEncoding::base64;
    } else if (e == "binary") {
      ap.body_encoding = mikey::transport::BodyEncoding::binary;
    } else {
      ctx.fail(*v, "body_encoding must be base64 or binary");
    }
  }
  am.finish();
}

void read_timeouts(const Ctx& ctx, const YAML::Node& n, Timeouts& t) {
  MapReader tm(ctx, n, "timeouts");
  auto ms = [&](std::string_view key, std::uint32_t& out) {
    if (auto v = tm.get(key)) out = static_cast<std::uint32_t>(ctx.integer(*v, key, 1, 3'600'000));
  };
  ms("connect_ms", t.connect_ms);
  ms("request_ms", t.request_ms);
  ms("case_ms", t.case_ms);
  tm.finish();
}

// `sut:` — product, version, vendor; each an optional string.
SutInfo read_sut_info(const Ctx& ctx, const YAML::Node& n) {
  MapReader m(ctx, n, "sut");
  SutInfo info;
  if (auto v = m.get("product")) info.product = ctx.string(*v, "product");
  if (auto v = m.get("version")) info.version = ctx.string(*v, "version");
  if (auto v = m.get("vendor")) info.vendor = ctx.string(*v, "vendor");
  m.finish();
  return info;
}

// `parties:` — the default Initiator and Responder, each a name under `users:`.
void read_parties(const Ctx& ctx, const YAML::Node& parties, SutProfile& p) {
  MapReader pm(ctx, parties, "parties");
  auto party_user = [&](std::string_view key) {
    const YAML::Node n = pm.require(key);
    std::string name = ctx.string(n, key);
    if (p.user(name) == nullptr) ctx.fail(n, "no user '" + name + "' in users");
    return name;
  };
  p.initiator = party_user("initiator");
  p.responder = party_user("responder");
  pm.finish();
}

// The role-specific sections: hook (the UE roles), chaining (kms_r, kms_i).
void read_role_sections(const Ctx& ctx, MapReader& map, const YAML::Node& role,
                        const std::filesystem::path& base, SutProfile& p) {
  const bool ue_role = p.role == SutRole::initiator || p.role == SutRole::responder;
  if (auto h = map.get("hook")) {
    if (!ue_role) ctx.fail(*h, "hook: is for role initiator or responder (the UE under test)");
    p.hook = detail::read_ue_hook(ctx, *h);
  } else if (ue_role) {
    ctx.fail(role, "role " + std::string(to_string(p.role)) +
                       " needs hook: (exec: [argv...] or http: URL) to reach the UE");
  }
  const bool chain_role = p.role == SutRole::kms_r || p.role == SutRole::kms_i;
  if (auto c = map.get("chaining")) {
    if (!chain_role) ctx.fail(*c, "chaining: is for role kms_r or kms_i");
    p.chaining = read_chaining(ctx, *c, base, p);
  } else if (chain_role) {
    ctx.fail(role, "role " + std::string(to_string(p.role)) +
                       " needs chaining: (the KMS-to-KMS link, harness/README.md)");
  }
  const YAML::Node users = map.node()["users"];
  for (std::size_t i = 0; i < p.users.size() && !chain_role; ++i) {
    if (p.users[i].home != UserHome::sut)
      ctx.fail(users[p.users[i].name], "home: is for role kms_r or kms_i");
  }
}

SutProfile read_profile(const Ctx& ctx, const YAML::Node& root, const std::filesystem::path& base) {
  MapReader map(ctx, root, "a SUT profile");
  detail::reject_moved_keys(ctx, map);
  SutProfile p;
  p.file = ctx.file();
  p.name = ctx.string(map.require("name"), "name");
  if (auto s = map.get("sut")) p.info = read_sut_info(ctx, *s);
  const YAML::Node role = map.require("role");
  auto r = parse_sut_role(ctx.string(role, "role"));
  if (!r) ctx.fail(role, "role must be kms, kms_r, kms_i, initiator or responder");
  p.role = *r;
  parse_base_url(ctx, map.require("base_url"), p);
  if (auto h = map.get("host_header")) p.host_header = ctx.string(*h, "host_header");
  detail::read_kms_side(ctx, map, base, p);
  read_parties(ctx, map.require("parties"), p);
  if (auto caps = map.get("capabilities")) p.capabilities = read_capabilities(ctx, *caps);
  if (auto levels = map.get("levels")) p.levels = read_levels(ctx, *levels);
  if (auto l = map.get("latitude")) p.latitude = read_latitude(ctx, *l);
  if (auto a = map.get("algorithms")) p.algorithms = read_suite(ctx, *a);
  if (auto t = map.get("ticket")) read_ticket(ctx, *t, p);
  if (auto a = map.get("annex_a")) read_annex_a(ctx, *a, p.annex_a);
  if (auto t = map.get("timeouts")) read_timeouts(ctx, *t, p.timeouts);
  if (auto t = map.get("tls")) {
    if (p.scheme != "https") ctx.fail(*t, "tls: needs an https base_url");
    p.tls = read_tls(ctx, *t, base, "tls", "tls");
  } else if (p.scheme == "https") {
    p.tls = TlsProfile{};
  }
  read_role_sections(ctx, map, role, base, p);
  map.finish();
  return p;
}

// `since:` — a calendar date, YYYY-MM-DD (what `mikeyconf run --write-baseline` writes).
std::string read_date(const Ctx& ctx, const YAML::Node& n) {
  const std::string s = ctx.string(n, "since");
  bool ok = s.size() == 10 && s[4] == '-' && s[7] == '-';
  for (std::size_t i = 0; ok && i < s.size(); ++i) {
    ok = i == 4 || i == 7 || (s[i] >= '0' && s[i] <= '9');
  }
  if (!ok) ctx.fail(n, "since must read YYYY-MM-DD");
  return s;
}

std::vector<BaselineEntry> read_entries(const Ctx& ctx, const YAML::Node& n,
                                        std::string_view what) {
  if (!n.IsSequence()) ctx.fail(n, std::string(what) + " must be a list of {id, reason}");
  std::vector<BaselineEntry> out;
  for (const YAML::Node& item : n) {
    MapReader m(ctx, item, std::string(what) + " entry");
    BaselineEntry e;
    const YAML::Node id = m.require("id");
    e.id = ctx.string(id, "id");
    e.pos = pos_of(id);
    const YAML::Node reason = m.require("reason");
    e.reason = ctx.string(reason, "reason");
    if (e.reason.empty()) ctx.fail(reason, "reason must say why");
    if (auto since = m.get("since")) e.since = read_date(ctx, *since);
    m.finish();
    for (const BaselineEntry& prior : out) {
      if (prior.id == e.id) ctx.fail(id, "'" + e.id + "' is listed twice");
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

LoadResult<SutProfile> parse_profile_text(std::string_view text, std::string_view name,
                                          const std::filesystem::path& base_dir) {
  return detail::guarded_load<SutProfile>(name, "profile", [&](const Ctx& ctx) {
    return read_profile(ctx, detail::parse_document(ctx, text), base_dir);
  });
}

LoadResult<SutProfile> load_profile(const std::filesystem::path& path) {
  return detail::load_file<SutProfile>(path.string(), [&](std::string_view t, std::string_view n) {
    return parse_profile_text(t, n, path.parent_path());
  });
}

const BaselineEntry* Baseline::expected_failure(std::string_view id) const noexcept {
  for (const BaselineEntry& e : expected_failures)
    if (e.id == id) return &e;
  return nullptr;
}

const BaselineEntry* Baseline::disabled_entry(std::string_view id) const noexcept {
  for (const BaselineEntry& e : disabled)
    if (e.id == id) return &e;
  return nullptr;
}

LoadResult<Baseline> parse_baseline_text(std::string_view text, std::string_view name) {
  return detail::guarded_load<Baseline>(name, "baseline", [&](const Ctx& ctx) {
    const YAML::Node root = detail::parse_document(ctx, text);
    MapReader map(ctx, root, "a baseline");
    Baseline b;
    b.file = std::string(name);
    b.sut = ctx.string(map.require("sut"), "sut");
    if (auto x = map.get("expected_failures")) {
      b.expected_failures = read_entries(ctx, *x, "expected_failures");
    }
    if (auto d = map.get("disabled")) b.disabled = read_entries(ctx, *d, "disabled");
    map.finish();
    for (const BaselineEntry& e : b.disabled) {
      if (b.expected_failure(e.id) != nullptr) {
        ctx.fail(e.pos, "'" + e.id + "' is both disabled and an expected failure");
      }
    }
    return b;
  });
}

LoadResult<Baseline> load_baseline(const std::filesystem::path& path) {
  return detail::load_file<Baseline>(path.string(), parse_baseline_text);
}

}  // namespace mikeyconf::harness
