// Internal to mikey_config (kms_config*.cc) and to loaders of documents that embed a KMS
// configuration: the strict walk over yaml-cpp nodes with file:line:col errors. Not a public
// header: it includes yaml-cpp, and its Loader throws detail::LoadError, which the public entry
// points catch.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/codepoints.h"
#include "config/kms_config.h"
#include "roles/credential.h"
#include "wire/hex.h"

namespace mikey::config::detail {

// A decimal number without sign or spaces; nullopt when `s` is not one or exceeds 2^64 - 1.
std::optional<std::uint64_t> parse_uint(std::string_view s);

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

inline std::string join(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

inline bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

inline std::string type_name(const YAML::Node& n) {
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

inline std::string identity_text(const Identity& id) {
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
        : Map(l, f, std::span<const std::string_view>(allowed.begin(), allowed.size())) {}
    Map(const Loader& l, const Field& f, std::span<const std::string_view> allowed)
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
  void load_peer_link(const Map& m, PeerEndpoint& ep);
  roles::Algorithms algorithms(const Field& f) const;

  std::string source_;
  std::string base_dir_;
  std::string naf_fqdn_;
  YAML::Mark naf_mark_;
  std::vector<YAML::Mark> user_marks_;  // identity mark of each user, for duplicate reports
};

// docs/latitude.md "link-mac-identity".
roles::LinkMacIdentity link_mac_identity(const Loader& l, const Field& f, bool receiver);
void parse_peer_url(const Loader& l, const Field& f, PeerEndpoint& p);

}  // namespace mikey::config::detail

namespace mikey::config {

// A KMS configuration that is one node of another YAML document (a SUT profile's `kms_config:`,
// harness/README.md): errors point into that document, named `source`; relative file names
// resolve against `base_dir`. Never throws.
Result<LoadedKmsConfig, ConfigError> parse_kms_config_node(const YAML::Node& root,
                                                           const std::string& source,
                                                           const std::string& base_dir) noexcept;

}  // namespace mikey::config
