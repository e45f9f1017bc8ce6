// The KMS configuration loader: a strict walk over the yaml-cpp node tree. Every check throws a
// LoadError (internal) carrying file:line:col; load_kms_config() catches it and everything else.
#include "config/kms_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <utility>

#include "codec/codepoints.h"
#include "roles/credential.h"
#include "wire/hex.h"

namespace mikey::config {

std::string ConfigError::str() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

const PeerEndpoint* LoadedKmsConfig::endpoint(const roles::Identity& peer) const noexcept {
  for (const PeerEndpoint& p : peers)
    if (p.identity == peer) return &p;
  return nullptr;
}

namespace {

// A decimal number without sign or spaces; nullopt when `s` is not one or exceeds 2^64 - 1.
std::optional<std::uint64_t> parse_uint(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

}  // namespace

Result<ListenAddress, std::string> parse_listen_address(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos) return std::string("missing ']' after an IPv6 address");
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return std::string("expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)");
    }
    port = text.substr(close + 2);
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return std::string("expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return std::string("an IPv6 address needs brackets: [ADDR]:PORT");
    }
  }
  if (host.empty()) return std::string("the host is empty");
  std::optional<std::uint64_t> value = parse_uint(port);
  if (!value || *value > 65535) {
    return "the port '" + std::string(port) + "' is not a number from 0 to 65535";
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(*value)};
}

namespace {

using roles::Identity;

// Thrown inside the loader only.
struct LoadError : std::exception {
  ConfigError error;
  explicit LoadError(ConfigError e) : error(std::move(e)) {}
  const char* what() const noexcept override { return error.message.c_str(); }
};

// A value in the tree and where to point at it. `key_mark` is the mark of the key naming it
// (for a list element, the element itself): errors about what is missing inside it point there.
struct Field {
  YAML::Node node;
  YAML::Mark mark;
  YAML::Mark key_mark;
  std::string path;
};

std::string join(std::initializer_list<std::string_view> names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string identity_text(const Identity& id) {
  return std::string(id.data.begin(), id.data.end());
}

class Loader {
 public:
  Loader(std::string source, std::string base_dir)
      : source_(std::move(source)), base_dir_(std::move(base_dir)) {}

  LoadedKmsConfig load(const YAML::Node& root);

  [[noreturn]] void fail(const YAML::Mark& m, const std::string& message) const {
    ConfigError e;
    e.file = source_;
    e.line = m.line >= 0 ? m.line + 1 : 1;
    e.column = m.column >= 0 ? m.column + 1 : 1;
    e.message = message;
    throw LoadError(std::move(e));
  }

  // A mapping whose keys must all be among `allowed`, each at most once.
  class Map {
   public:
    Map(const Loader& l, const Field& f, std::initializer_list<std::string_view> allowed)
        : loader_(&l), field_(f) {
      if (!f.node.IsMap()) {
        l.fail(f.mark, f.path + ": expected a mapping with keys " + join(allowed) + ", got " +
                           type_name(f.node));
      }
      for (auto it = f.node.begin(); it != f.node.end(); ++it) {
        // Copies: `it->first` lives in a proxy that dies with the full expression.
        const YAML::Node key(it->first);
        const YAML::Node node(it->second);
        if (!key.IsScalar()) l.fail(key.Mark(), f.path + ": a key must be a plain name");
        std::string name = key.Scalar();
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
          l.fail(key.Mark(),
                 f.path + ": unknown key '" + name + "' (allowed: " + join(allowed) + ")");
        }
        for (const auto& [seen, field] : entries_) {
          if (seen == name) {
            l.fail(key.Mark(), f.path + ": duplicate key '" + name + "' (first at line " +
                                   std::to_string(field.key_mark.line + 1) + ")");
          }
        }
        // A null value has no position of its own (yaml-cpp points past it): use the key's.
        const YAML::Mark mark = node.IsNull() || node.Mark().line < 0 ? key.Mark() : node.Mark();
        Field value{node, mark, key.Mark(), (f.path.empty() ? "" : f.path + ".") + name};
        entries_.emplace_back(std::move(name), std::move(value));
      }
    }

    const Field* get(std::string_view key) const {
      for (const auto& [name, field] : entries_)
        if (name == key) return &field;
      return nullptr;
    }
    const Field& require(std::string_view key) const {
      const Field* f = get(key);
      if (f == nullptr) {
        loader_->fail(field_.key_mark,
                      (field_.path.empty() ? std::string("configuration") : field_.path) +
                          ": missing required key '" + std::string(key) + "'");
      }
      return *f;
    }
    const Field& field() const { return field_; }

   private:
    const Loader* loader_;
    Field field_;
    std::vector<std::pair<std::string, Field>> entries_;
  };

  std::string string(const Field& f) const {
    if (!f.node.IsScalar()) fail(f.mark, f.path + ": expected a string, got " + type_name(f.node));
    return f.node.Scalar();
  }

  std::string nonempty_string(const Field& f) const {
    std::string s = string(f);
    if (s.empty()) fail(f.mark, f.path + ": must not be empty");
    return s;
  }

  bool boolean(const Field& f) const {
    if (f.node.IsScalar()) {
      if (f.node.Scalar() == "true") return true;
      if (f.node.Scalar() == "false") return false;
    }
    fail(f.mark, f.path + ": expected true or false");
  }

  std::uint64_t integer(const Field& f, std::uint64_t min, std::uint64_t max) const {
    std::string s = f.node.IsScalar() ? f.node.Scalar() : std::string();
    std::optional<std::uint64_t> parsed = parse_uint(s);
    if (!parsed) {
      fail(f.mark, f.path + ": expected a whole number from " + std::to_string(min) + " to " +
                       std::to_string(max));
    }
    const std::uint64_t v = *parsed;
    if (v < min || v > max) {
      fail(f.mark, f.path + ": " + s + " is out of range (" + std::to_string(min) + " to " +
                       std::to_string(max) + ")");
    }
    return v;
  }

  Bytes hex(const Field& f, std::size_t min_len, std::size_t max_len) const {
    std::string s = string(f);
    auto b = wire::from_hex(s);
    if (!b.ok()) {
      YAML::Mark m = f.mark;
      // Point at the offending digit when the scalar sits on one line.
      if (b.error().code == wire::Errc::bad_hex_digit && s.find('\n') == std::string::npos) {
        m.column += static_cast<int>(b.error().offset) + (f.node.Tag() == "!" ? 1 : 0);
      }
      fail(m, f.path + ": not valid hex (" + wire::make_error_code(b.error().code).message() + ")");
    }
    const std::size_t n = b->size();
    if (n < min_len || n > max_len) {
      std::string want = min_len == max_len ? std::to_string(min_len) + " bytes"
                                            : "at least " + std::to_string(min_len) + " bytes";
      fail(f.mark, f.path + ": " + std::to_string(n) + " bytes, expected " + want);
    }
    return std::move(b).value();
  }

  std::vector<Field> list(const Field& f) const {
    if (!f.node.IsSequence()) fail(f.mark, f.path + ": expected a list, got " + type_name(f.node));
    std::vector<Field> out;
    std::size_t i = 0;
    for (auto it = f.node.begin(); it != f.node.end(); ++it, ++i) {
      const YAML::Node node(*it);
      const YAML::Mark mark = node.IsNull() || node.Mark().line < 0 ? f.mark : node.Mark();
      out.push_back(Field{node, mark, mark, f.path + "[" + std::to_string(i) + "]"});
    }
    if (out.empty()) fail(f.mark, f.path + ": the list must not be empty");
    return out;
  }

  // An identity: a string (ID Type `type`), or {type: uri|nai|byte_string, value: ...}.
  Identity identity(const Field& f, codec::IdType type) const {
    if (f.node.IsMap()) {
      Map m(*this, f, {"type", "value"});
      const Field& t = m.require("type");
      std::string name = string(t);
      if (name == "uri") {
        type = codec::IdType::uri;
      } else if (name == "nai") {
        type = codec::IdType::nai;
      } else if (name == "byte_string") {
        type = codec::IdType::byte_string;
      } else {
        fail(t.mark, t.path + ": unknown ID type '" + name + "' (allowed: uri, nai, byte_string)");
      }
      return Identity{type, to_bytes(nonempty_string(m.require("value")))};
    }
    if (!f.node.IsScalar()) {
      fail(f.mark, f.path + ": expected an identity (a string, or {type, value}), got " +
                       type_name(f.node));
    }
    return Identity{type, to_bytes(nonempty_string(f))};
  }

  // A file named relative to the configuration file; it must exist.
  std::string file(const Field& f) const {
    std::filesystem::path p(nonempty_string(f));
    if (p.is_relative() && !base_dir_.empty()) p = std::filesystem::path(base_dir_) / p;
    p = p.lexically_normal();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec))
      fail(f.mark, f.path + ": no such file: " + p.string());
    return p.string();
  }

  template <class E>
  E code_point(const Field& f, std::string_view registry) const {
    std::string name = string(f);
    std::string allowed;
    for (const codec::CodePoint& cp : codec::all_code_points()) {
      if (cp.registry != registry) continue;
      if (iequal(cp.name, name)) return static_cast<E>(cp.value);
      if (!allowed.empty()) allowed += ", ";
      allowed += cp.name;
    }
    fail(f.mark, f.path + ": unknown algorithm '" + name + "' (allowed: " + allowed + ")");
  }

  template <class E>
  std::vector<E> code_points(const Field& f, std::string_view registry) const {
    std::vector<E> out;
    for (const Field& e : list(f)) {
      E v = code_point<E>(e, registry);
      if (std::find(out.begin(), out.end(), v) != out.end()) {
        fail(e.mark, e.path + ": listed twice");
      }
      out.push_back(v);
    }
    return out;
  }

  roles::TicketFormat ticket_format(const Field& f) const {
    std::string name = string(f);
    if (name == "type1") return roles::kBaseTicket;
    if (name == "type2") return roles::kProvisionalType2;
    fail(f.mark, f.path + ": unknown ticket format '" + name +
                     "' (allowed: type1 = MIKEY base ticket 1/1/1, type2 = 3GPP 2/0/0)");
  }

 private:
  void load_kms(const Map& root, LoadedKmsConfig& out);
  void load_server(const Map& root, LoadedKmsConfig& out);
  void load_users(const Map& root, LoadedKmsConfig& out);
  void load_ticket_keys(const Map& root, LoadedKmsConfig& out);
  void load_policy(const Map& root, LoadedKmsConfig& out);
  void load_http(const Map& root, LoadedKmsConfig& out);
  void load_latitude(const Map& policy, roles::KmsLatitude& l);
  std::uint16_t refusal_answer(const Field& f);
  bool either(const Field& f, std::string_view no, std::string_view yes);
  void load_peers(const Map& root, LoadedKmsConfig& out);
  void load_peer_user(const Map& u, roles::KmsUser& user);
  void load_peer_knobs(const Map& m, roles::PeerKms& peer);
  roles::Algorithms algorithms(const Field& f) const;

  std::string source_;
  std::string base_dir_;
  std::string naf_fqdn_;
  YAML::Mark naf_mark_;
  std::vector<YAML::Mark> user_marks_;  // identity mark of each user, for duplicate reports
};

void Loader::load_kms(const Map& root, LoadedKmsConfig& out) {
  Map kms(*this, root.require("kms"), {"identity", "naf_fqdn"});
  out.kms.identity = identity(kms.require("identity"), codec::IdType::uri);
  if (const Field* f = kms.get("naf_fqdn")) naf_fqdn_ = nonempty_string(*f);
}

void Loader::load_server(const Map& root, LoadedKmsConfig& out) {
  if (const Field* f = root.get("listen")) {
    auto a = parse_listen_address(string(*f));
    if (!a.ok()) fail(f->mark, f->path + ": " + a.error());
    out.listen = a.value();
  }
  if (const Field* f = root.get("tls")) {
    Map tls(*this, *f, {"cert", "key", "client_ca"});
    ServerTlsFiles files;
    files.cert = file(tls.require("cert"));
    files.key = file(tls.require("key"));
    if (const Field* ca = tls.get("client_ca")) files.client_ca = file(*ca);
    out.tls = std::move(files);
  }
}

void Loader::load_users(const Map& root, LoadedKmsConfig& out) {
  const Field* users = root.get("users");
  if (users == nullptr) return;
  for (const Field& e : list(*users)) {
    Map u(*this, e,
          {"identity", "psk", "psk_id", "gba", "peer_kms", "resolves_for", "tls_names",
           "mac_identity", "key_lookup"});
    roles::KmsUser user;
    const Field& id = u.require("identity");
    user.identity = identity(id, codec::IdType::uri);
    for (std::size_t i = 0; i < out.kms.users.size(); ++i) {
      if (out.kms.users[i].identity == user.identity) {
        fail(id.mark, id.path + ": duplicate user identity '" + identity_text(user.identity) +
                          "' (first at line " + std::to_string(user_marks_[i].line + 1) + ")");
      }
    }
    if (const Field* f = u.get("peer_kms")) user.peer_kms = boolean(*f);
    load_peer_user(u, user);
    if (const Field* f = u.get("resolves_for")) {
      for (const Field& r : list(*f)) user.resolves_for.push_back(identity(r, codec::IdType::uri));
    }
    const Field* psk = u.get("psk");
    const Field* gba = u.get("gba");
    if ((psk == nullptr) == (gba == nullptr)) {
      fail(e.key_mark, e.path + ": give exactly one credential: psk (with psk_id) or gba");
    }
    if (psk != nullptr) {
      std::optional<Identity> psk_id;
      if (const Field* f = u.get("psk_id")) psk_id = identity(*f, codec::IdType::byte_string);
      if (user.peer_kms && !psk_id && user.tls_names.empty()) {
        // Its key is found by IDRpsk or by the certificate it presents on the link (tls_names),
        // never by the forwarded IDRr (B.0-6).
        fail(psk->key_mark, e.path +
                                ": a peer KMS (peer_kms: true) needs a psk_id or tls_names: its "
                                "key is found by IDRpsk or by its link certificate");
      }
      // RFC 6043 §12.1: keys of at least 128 bits.
      Bytes key = hex(*psk, 16, 1024);
      user.credential =
          std::make_shared<const roles::PskCredential>(crypto::SecureBytes(key), psk_id);
      roles::wipe(key);
    } else {
      if (const Field* f = u.get("psk_id")) {
        fail(f->key_mark, f->path + ": a GBA user's IDRpsk is its B-TID (gba.btid)");
      }
      if (user.peer_kms) fail(gba->key_mark, e.path + ": a peer KMS cannot be a GBA user");
      Map g(*this, *gba, {"ks", "rand", "impi", "btid"});
      if (naf_fqdn_.empty()) {
        fail(gba->key_mark, gba->path +
                                ": GBA users need kms.naf_fqdn (the NAF_Id of the "
                                "Ks_NAF derivation, TS 33.220 B.3)");
      }
      roles::GbaMaterial m;
      Bytes ks = hex(g.require("ks"), 32, 32);  // Ks = CK || IK
      m.ks = crypto::SecureBytes(ks);
      roles::wipe(ks);
      m.rand = hex(g.require("rand"), 16, 16);
      m.impi = nonempty_string(g.require("impi"));
      m.btid = nonempty_string(g.require("btid"));
      auto cred = roles::gba_credential(m, naf_fqdn_);
      if (!cred.ok()) fail(gba->mark, gba->path + ": the Ks_NAF derivation failed");
      user.credential = std::move(cred).value();
    }
    // Two users with one IDRpsk would make the key lookup ambiguous.
    const auto* mine = roles::as_psk(user.credential.get());
    for (std::size_t i = 0; i < out.kms.users.size(); ++i) {
      const auto* theirs = roles::as_psk(out.kms.users[i].credential.get());
      if (mine->psk_id() && theirs != nullptr && theirs->psk_id() &&
          *mine->psk_id() == *theirs->psk_id()) {
        const Field* at = u.get("psk_id") != nullptr ? u.get("psk_id") : gba;
        fail(at->mark, e.path + ": IDRpsk '" + identity_text(*mine->psk_id()) +
                           "' is already used by the user at line " +
                           std::to_string(user_marks_[i].line + 1));
      }
    }
    user_marks_.push_back(id.mark);
    out.kms.users.push_back(std::move(user));
  }
}

roles::Algorithms Loader::algorithms(const Field& f) const {
  Map m(*this, f, {"prf", "encr", "mac"});
  roles::Algorithms a = roles::kSuite128;
  if (const Field* p = m.get("prf")) a.prf = code_point<codec::PrfFunc>(*p, "PrfFunc");
  if (const Field* p = m.get("encr")) a.encr = code_point<codec::EncrAlg>(*p, "EncrAlg");
  if (const Field* p = m.get("mac")) a.mac = code_point<codec::MacAlg>(*p, "MacAlg");
  return a;
}

void Loader::load_ticket_keys(const Map& root, LoadedKmsConfig& out) {
  const Field* keys = root.get("ticket_keys");
  if (keys == nullptr) return;
  std::vector<YAML::Mark> marks;
  for (const Field& e : list(*keys)) {
    Map k(*this, e, {"id", "format", "tpk", "encr", "mac", "shared_with"});
    roles::TicketKey key;
    const Field& id = k.require("id");
    key.id = to_bytes(nonempty_string(id));
    key.format = ticket_format(k.require("format"));
    for (std::size_t i = 0; i < out.kms.ticket_keys.size(); ++i) {
      const roles::TicketKey& other = out.kms.ticket_keys[i];
      if (other.id == key.id && other.format == key.format) {
        fail(id.mark, id.path + ": duplicate ticket key id '" + nonempty_string(id) +
                          "' for this format (first at line " + std::to_string(marks[i].line + 1) +
                          ")");
      }
    }
    Bytes tpk = hex(k.require("tpk"), 16, 1024);  // RFC 6043 §12.1: at least 128 bits
    key.tpk = crypto::SecureBytes(tpk);
    roles::wipe(tpk);
    if (const Field* f = k.get("encr")) key.encr = code_point<codec::EncrAlg>(*f, "EncrAlg");
    if (const Field* f = k.get("mac")) key.mac = code_point<codec::MacAlg>(*f, "MacAlg");
    if (const Field* f = k.get("shared_with")) {
      Identity who = identity(*f, codec::IdType::uri);
      bool known = false;
      for (const roles::KmsUser& u : out.kms.users) known |= !u.peer_kms && u.identity == who;
      if (!known) {
        fail(f->mark, f->path + ": '" + identity_text(who) +
                          "' is not a user of this KMS (a mode-3 key is shared with a user)");
      }
      key.shared_with = std::move(who);
    }
    marks.push_back(id.mark);
    out.kms.ticket_keys.push_back(std::move(key));
  }
}

void Loader::load_policy(const Map& root, LoadedKmsConfig& out) {
  roles::KmsPolicy& p = out.kms.policy;
  if (const Field* f = root.get("lifetimes")) {
    Map l(*this, *f, {"default", "max", "open_end"});
    // docs/latitude.md "open-ended-lifetime": a desired TP without TRe gets the default end, or
    // none.
    if (const Field* o = l.get("open_end")) {
      p.latitude.open_ended_lifetime = either(*o, "default", "open");
    }
    if (const Field* d = l.get("default")) {
      p.default_lifetime_s = static_cast<std::uint32_t>(integer(*d, 1, 0xFFFFFFFF));
    }
    if (const Field* m = l.get("max")) {
      p.max_lifetime_s = static_cast<std::uint32_t>(integer(*m, 1, 0xFFFFFFFF));
    }
    if (p.default_lifetime_s > p.max_lifetime_s) {
      fail(f->mark, f->path + ": default (" + std::to_string(p.default_lifetime_s) +
                        " s) exceeds max (" + std::to_string(p.max_lifetime_s) + " s)");
    }
  }
  const Field* f = root.get("policy");
  if (f == nullptr) return;
  Map m(*this, *f,
        {"prfs", "encr_algs", "mac_algs", "ticket_formats", "modes", "forking", "reuse",
         "clock_skew", "replay_cache_size", "iv", "errors", "clock_offset_ms", "answers", "granted",
         "trailing_bytes", "idrkms_id_type", "inconsistent_policy", "enforce_rand_length",
         "ticket_start_grace"});
  load_latitude(m, p.latitude);
  if (const Field* x = m.get("prfs")) p.prfs = code_points<codec::PrfFunc>(*x, "PrfFunc");
  if (const Field* x = m.get("encr_algs")) p.encr_algs = code_points<codec::EncrAlg>(*x, "EncrAlg");
  if (const Field* x = m.get("mac_algs")) p.mac_algs = code_points<codec::MacAlg>(*x, "MacAlg");
  if (const Field* x = m.get("ticket_formats")) {
    p.ticket_formats.clear();
    for (const Field& e : list(*x)) {
      roles::TicketFormat t = ticket_format(e);
      if (std::find(p.ticket_formats.begin(), p.ticket_formats.end(), t) !=
          p.ticket_formats.end()) {
        fail(e.mark, e.path + ": listed twice");
      }
      p.ticket_formats.push_back(t);
    }
  }
  if (const Field* x = m.get("modes")) {
    // RFC 6043 §4.1.1: modes 1 and 2 need the Ticket Request (the KMS issues tickets); mode 3
    // needs the KMS to resolve tickets an Initiator created; mode 4 involves no KMS.
    p.issue_tickets = false;
    p.resolve_initiator_tickets = false;
    for (const Field& e : list(*x)) {
      std::uint64_t mode = integer(e, 1, 4);
      if (mode == 4) fail(e.mark, e.path + ": mode 4 involves no KMS (allowed: 1, 2, 3)");
      if (mode == 3) {
        p.resolve_initiator_tickets = true;
      } else {
        p.issue_tickets = true;
      }
    }
  }
  if (const Field* x = m.get("forking")) p.allow_forking = boolean(*x);
  if (const Field* x = m.get("reuse")) p.allow_reuse = boolean(*x);
  if (const Field* x = m.get("clock_skew")) {
    p.clock_skew_s = static_cast<std::uint32_t>(integer(*x, 0, 86400));
  }
  if (const Field* x = m.get("replay_cache_size")) {
    p.replay_cache_size = static_cast<std::size_t>(integer(*x, 1, 10'000'000));
  }
  if (const Field* x = m.get("iv")) {
    // ERRATA E-1: which T enters the AES-CM IV of a response's KEMAC.
    std::string v = string(*x);
    if (v == "a") {
      p.iv_timestamp = roles::IvTimestamp::carrying_message;
    } else if (v == "b") {
      p.iv_timestamp = roles::IvTimestamp::initial_message;
    } else {
      fail(x->mark, x->path +
                        ": expected a (T of the message carrying the KEMAC) or b (T of the "
                        "exchange's initial message)");
    }
  }
  if (const Field* x = m.get("errors")) {
    Map e(*this, *x, {"malformed", "ticket_validity", "unauthorized_responder"});
    auto choice = [&](const char* key, std::initializer_list<std::uint64_t> allowed,
                      codec::ErrorNo& slot) {
      const Field* c = e.get(key);
      if (c == nullptr) return;
      std::uint64_t v = integer(*c, 0, 255);
      if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
        std::string list;
        for (std::uint64_t a : allowed) list += (list.empty() ? "" : " or ") + std::to_string(a);
        fail(c->mark, c->path + ": " + std::to_string(v) +
                          " is not a choice here (allowed: " + list + ", docs/errors.md)");
      }
      slot = static_cast<codec::ErrorNo>(v);
    };
    choice("malformed", {12, 13}, p.errors.malformed);
    choice("ticket_validity", {14, 15}, p.errors.ticket_validity);
    choice("unauthorized_responder", {7, 0}, p.errors.unauthorized_responder);
  }
}

// `no` → false, `yes` → true; anything else is an error naming both.
bool Loader::either(const Field& f, std::string_view no, std::string_view yes) {
  const std::string v = string(f);
  if (v != no && v != yes) {
    fail(f.mark, f.path + ": expected " + std::string(no) + " or " + std::string(yes));
  }
  return v == yes;
}

// `error` (the MIKEY Error message in a 200, A.2-12) or an HTTP status 400..499 (A.3-1).
std::uint16_t Loader::refusal_answer(const Field& f) {
  if (f.node.IsScalar() && f.node.Scalar() == "error") return 0;
  const std::string s = f.node.IsScalar() ? f.node.Scalar() : std::string();
  const bool digits =
      s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || s[0] != '4') {
    fail(f.mark, f.path +
                     ": expected error (a MIKEY Error message in a 200) or an HTTP status "
                     "400..499");
  }
  return static_cast<std::uint16_t>(std::stoi(s));
}

// The points where the specifications allow more than one behaviour (docs/latitude.md): each
// key selects the reading this KMS follows.
void Loader::load_latitude(const Map& m, roles::KmsLatitude& l) {
  if (const Field* x = m.get("clock_offset_ms")) {
    // A signed number of milliseconds, at most a day either way.
    const std::string s = x->node.IsScalar() ? x->node.Scalar() : std::string();
    const bool negative = !s.empty() && s[0] == '-';
    const std::optional<std::uint64_t> v = parse_uint(negative ? s.substr(1) : s);
    if (!v || *v > 86'400'000) {
      fail(x->mark, x->path +
                        ": expected a whole number of milliseconds from -86400000 to "
                        "86400000");
    }
    l.clock_offset_ms = negative ? -static_cast<std::int64_t>(*v) : static_cast<std::int64_t>(*v);
  }
  if (const Field* x = m.get("answers")) {
    Map a(*this, *x, {"auth_failure", "malformed", "discarded"});
    if (const Field* c = a.get("auth_failure")) l.auth_failure_status = refusal_answer(*c);
    if (const Field* c = a.get("malformed")) l.malformed_status = refusal_answer(*c);
    if (const Field* c = a.get("discarded")) l.discarded_status = refusal_answer(*c);
  }
  if (const Field* x = m.get("granted")) {
    Map g(*this, *x, {"idri", "idrkms"});
    if (const Field* c = g.get("idri")) l.add_idri = !either(*c, "add", "omit");
    if (const Field* c = g.get("idrkms")) l.add_idrkms = !either(*c, "add", "omit");
  }
  if (const Field* x = m.get("trailing_bytes")) {
    l.ignore_trailing_bytes = either(*x, "reject", "ignore");
  }
  if (const Field* x = m.get("idrkms_id_type")) {
    l.accept_idrkms_other_type = either(*x, "exact", "any");
  }
  if (const Field* x = m.get("inconsistent_policy")) {
    l.repair_inconsistent_policy = either(*x, "refuse", "repair");
  }
  if (const Field* x = m.get("enforce_rand_length")) l.enforce_rand_length = boolean(*x);
  if (const Field* x = m.get("ticket_start_grace")) {
    l.ticket_start_grace_s = static_cast<std::uint32_t>(integer(*x, 0, 86400));
  }
}

// docs/latitude.md "link-mac-identity": idrr | kms_r (a KMS_I's `any` accepts both); a KMS_R
// spells its own identity `self`.
roles::LinkMacIdentity link_mac_identity(const Loader& l, const Field& f, bool receiver) {
  const std::string v = l.string(f);
  if (v == "idrr") return roles::LinkMacIdentity::forwarded_idrr;
  if (receiver && v == "kms_r") return roles::LinkMacIdentity::kms_r;
  if (receiver && v == "any") return roles::LinkMacIdentity::any;
  if (!receiver && v == "self") return roles::LinkMacIdentity::kms_r;
  l.fail(f.mark, f.path + (receiver ? ": expected idrr, kms_r or any" : ": expected idrr or self"));
}

// A peer KMS user's link keys (KMS_I side): the certificate names that authenticate it, which
// MAC identity it may use, whether its certificate outranks an IDRpsk.
void Loader::load_peer_user(const Map& u, roles::KmsUser& user) {
  const char* keys[] = {"tls_names", "mac_identity", "key_lookup"};
  for (const char* k : keys) {
    const Field* f = u.get(k);
    if (f != nullptr && !user.peer_kms) {
      fail(f->key_mark, f->path + ": only for a peer KMS (peer_kms: true)");
    }
  }
  if (const Field* f = u.get("tls_names")) {
    for (const Field& n : list(*f)) user.tls_names.push_back(nonempty_string(n));
  }
  if (const Field* f = u.get("mac_identity"))
    user.mac_identity = link_mac_identity(*this, *f, true);
  // docs/latitude.md "link-key-lookup".
  if (const Field* f = u.get("key_lookup")) {
    user.tls_identity_first = either(*f, "idrpsk_first", "tls_first");
  }
}

// What this KMS (as KMS_R) puts into its RESOLVE_INIT to the peer (docs/latitude.md).
void Loader::load_peer_knobs(const Map& m, roles::PeerKms& peer) {
  if (const Field* f = m.get("send_idrpsk")) peer.send_idrpsk = boolean(*f);
  if (const Field* f = m.get("mac_identity"))
    peer.mac_identity = link_mac_identity(*this, *f, false);
  if (const Field* f = m.get("forward_idrr")) {
    peer.forward_idrr = either(*f, "copy", "authenticated") ? roles::ForwardedIdrr::authenticated
                                                            : roles::ForwardedIdrr::copy;
  }
  if (const Field* f = m.get("default")) peer.default_route = boolean(*f);
}

// The `http:` section: where RFC 7230/7231 let the server answer in more than one way.
void Loader::load_http(const Map& root, LoadedKmsConfig& out) {
  const Field* f = root.get("http");
  if (f == nullptr) return;
  Map m(*this, *f, {"unknown_method_status", "oversized_body"});
  if (const Field* x = m.get("unknown_method_status")) {
    // docs/latitude.md "unknown-method": RFC 7231 §6.5.5 (405) or §6.6.2 (501).
    const std::uint64_t v = integer(*x, 405, 501);
    if (v != 405 && v != 501) fail(x->mark, x->path + ": expected 405 or 501");
    out.http.unknown_method_status = static_cast<std::uint16_t>(v);
  }
  if (const Field* x = m.get("oversized_body")) {
    // docs/latitude.md "announced-body-too-large".
    const std::string v = string(*x);
    if (v == "early-413") {
      out.http.oversized_body = OversizedBody::early_413;
    } else if (v == "close") {
      out.http.oversized_body = OversizedBody::close;
    } else if (v == "wait") {
      out.http.oversized_body = OversizedBody::wait;
    } else {
      fail(x->mark, x->path + ": expected early-413, close or wait");
    }
  }
}

// https://HOST[:PORT][/PATH]; the port defaults to 443.
void parse_peer_url(const Loader& l, const Field& f, PeerEndpoint& p) {
  std::string url = l.string(f);
  p.url = url;
  std::string_view rest(url);
  if (rest.substr(0, 8) == "https://") {
    p.tls = true;
    rest.remove_prefix(8);
  } else if (rest.substr(0, 7) == "http://") {
    // TS 33.328 §6.2.3.8: KMSs are mutually authenticated and their signalling is integrity and
    // confidentiality protected, so plain HTTP between KMSs is refused.
    l.fail(f.mark, f.path +
                       ": a peer KMS is reached over https only (TS 33.328 §6.2.3.8: "
                       "mutually authenticated, confidentiality protected)");
  } else {
    l.fail(f.mark, f.path + ": expected https://HOST[:PORT][/PATH]");
  }
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) p.path = std::string(rest.substr(slash));
  if (p.path.find('?') != std::string::npos || p.path.find('#') != std::string::npos) {
    l.fail(f.mark, f.path + ": the URL must not carry a query or fragment (requesttype is added)");
  }
  std::string with_port(authority);
  const bool bracketed = !authority.empty() && authority.front() == '[';
  const std::size_t close = bracketed ? authority.find(']') : 0;
  const bool has_port = bracketed ? close != std::string_view::npos &&
                                        close + 1 < authority.size() && authority[close + 1] == ':'
                                  : authority.find(':') != std::string_view::npos;
  if (!has_port) with_port += ":443";
  auto a = parse_listen_address(with_port);
  if (!a.ok()) l.fail(f.mark, f.path + ": " + a.error());
  if (a->port == 0) l.fail(f.mark, f.path + ": the port must not be 0");
  p.host = a->host;
  p.port = a->port;
}

void Loader::load_peers(const Map& root, LoadedKmsConfig& out) {
  const Field* peers = root.get("peers");
  if (peers == nullptr) return;
  for (const Field& e : list(*peers)) {
    Map m(*this, e,
          {"identity", "url", "issuers", "psk", "psk_id", "algorithms", "tls", "send_idrpsk",
           "mac_identity", "forward_idrr", "default"});
    roles::PeerKms peer;
    PeerEndpoint ep;
    const Field& id = m.require("identity");
    peer.identity = identity(id, codec::IdType::uri);
    if (peer.identity == out.kms.identity) {
      fail(id.mark, id.path + ": a KMS cannot be its own peer");
    }
    for (const roles::PeerKms& other : out.kms.peers) {
      if (other.identity == peer.identity) {
        fail(id.mark, id.path + ": duplicate peer identity '" + identity_text(peer.identity) + "'");
      }
    }
    parse_peer_url(*this, m.require("url"), ep);
    if (const Field* f = m.get("issuers")) {
      for (const Field& i : list(*f)) peer.issuers.push_back(identity(i, codec::IdType::uri));
    } else {
      peer.issuers.push_back(peer.identity);
    }
    load_peer_knobs(m, peer);
    // The key this KMS uses towards the peer; the peer knows it as a peer_kms user with the
    // same psk_id (the IDRpsk of our forwarded RESOLVE_INIT, B.1-2), or by our certificate.
    std::optional<Identity> psk_id;
    if (peer.send_idrpsk || m.get("psk_id") != nullptr) {
      psk_id = identity(m.require("psk_id"), codec::IdType::byte_string);
    }
    Bytes key = hex(m.require("psk"), 16, 1024);
    peer.credential =
        std::make_shared<const roles::PskCredential>(crypto::SecureBytes(key), std::move(psk_id));
    roles::wipe(key);
    if (peer.default_route) {
      for (const roles::PeerKms& other : out.kms.peers) {
        if (other.default_route) {
          fail(m.get("default")->mark, e.path + ": only one peer can be the default");
        }
      }
    }
    if (const Field* f = m.get("algorithms")) peer.algorithms = algorithms(*f);
    const Field* tls = m.get("tls");
    if (tls == nullptr) {
      fail(e.key_mark, e.path +
                           ": a peer KMS needs tls {ca, cert, key}: KMS-to-KMS signalling "
                           "is mutual TLS (TS 33.328 §6.2.3.8)");
    }
    Map t(*this, *tls, {"ca", "cert", "key", "server_name"});
    ep.ca = file(t.require("ca"));
    ep.cert = file(t.require("cert"));
    ep.key = file(t.require("key"));
    if (const Field* f = t.get("server_name")) ep.server_name = nonempty_string(*f);
    ep.identity = peer.identity;
    out.kms.peers.push_back(std::move(peer));
    out.peers.push_back(std::move(ep));
  }
}

LoadedKmsConfig Loader::load(const YAML::Node& root) {
  const Field top{root, root.Mark(), root.Mark(), ""};
  if (root.IsNull() || !root.IsDefined()) {
    fail(YAML::Mark(), "the file is empty: expected a mapping with at least 'kms'");
  }
  Map m(*this, top,
        {"kms", "listen", "tls", "users", "ticket_keys", "lifetimes", "policy", "peers", "http"});
  LoadedKmsConfig out;
  out.source = source_;
  load_kms(m, out);
  load_server(m, out);
  load_users(m, out);
  load_ticket_keys(m, out);
  load_policy(m, out);
  load_http(m, out);
  load_peers(m, out);
  return out;
}

ConfigError whole_file(const std::string& file, std::string message) {
  ConfigError e;
  e.file = file;
  e.message = std::move(message);
  return e;
}

}  // namespace

Result<LoadedKmsConfig, ConfigError> parse_kms_config(std::string_view yaml,
                                                      const std::string& source,
                                                      const std::string& base_dir) noexcept {
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(yaml));
    if (docs.size() > 1) {
      ConfigError e;
      e.file = source;
      e.line = docs[1].Mark().line + 1;
      e.column = 1;
      e.message = "expected one YAML document, found " + std::to_string(docs.size());
      return e;
    }
    Loader loader(source, base_dir);
    return loader.load(docs.empty() ? YAML::Node() : docs.front());
  } catch (const LoadError& e) {
    return e.error;
  } catch (const YAML::ParserException& e) {
    ConfigError err;
    err.file = source;
    err.line = e.mark.line >= 0 ? e.mark.line + 1 : 1;
    err.column = e.mark.column >= 0 ? e.mark.column + 1 : 1;
    err.message = "YAML syntax: " + e.msg;
    return err;
  } catch (const YAML::Exception& e) {
    ConfigError err;
    err.file = source;
    err.line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    err.column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
    err.message = "YAML: " + e.msg;
    return err;
  } catch (const std::exception& e) {
    return whole_file(source, std::string("cannot load: ") + e.what());
  } catch (...) {
    return whole_file(source, "cannot load: unknown failure");
  }
}

Result<LoadedKmsConfig, ConfigError> load_kms_config(const std::string& path) noexcept {
  try {
    constexpr std::uintmax_t kMaxSize = 1u << 20;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return whole_file(path, "cannot read: no such file");
    }
    if (std::filesystem::file_size(path, ec) > kMaxSize) {
      return whole_file(path, "cannot read: larger than 1 MiB");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return whole_file(path, std::string("cannot read: ") + std::strerror(errno));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string base = std::filesystem::path(path).parent_path().string();
    return parse_kms_config(text, path, base);
  } catch (const std::exception& e) {
    return whole_file(path, std::string("cannot read: ") + e.what());
  } catch (...) {
    return whole_file(path, "cannot read: unknown failure");
  }
}

}  // namespace mikey::config
