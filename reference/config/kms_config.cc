// The KMS configuration loader: a strict walk over the yaml-cpp node tree. Every check throws a
// LoadError (internal) carrying file:line:col; load_kms_config() catches it and everything else.
#include "config/kms_config.h"
#include "config/kms_config_loader.h"

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
#include "transport/endpoint.h"
#include "wire/hex.h"

namespace mikey::config {

std::string ConfigError::str() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

std::string ConfigError::to_string() const { return str(); }

const PeerEndpoint* LoadedKmsConfig::endpoint(const roles::Identity& peer) const noexcept {
  for (const PeerEndpoint& p : peers)
    if (p.identity == peer) return &p;
  return nullptr;
}

namespace detail {

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

}  // namespace detail

Result<ListenAddress, std::string> parse_listen_address(std::string_view text) {
  auto e = transport::parse_endpoint(text);
  if (!e.ok()) return e.error().message;
  if (!e->scheme.empty()) {
    return std::string("expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)");
  }
  return ListenAddress{std::move(e->host), e->port};
}

namespace detail {

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

}  // namespace detail

using detail::whole_file;

namespace {

// Runs `read` and turns whatever it throws into the ConfigError it returns.
template <class Read>
Result<LoadedKmsConfig, ConfigError> guarded(const std::string& source, Read&& read) noexcept {
  try {
    return read();
  } catch (const detail::LoadError& e) {
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

}  // namespace

Result<LoadedKmsConfig, ConfigError> parse_kms_config(std::string_view yaml,
                                                      const std::string& source,
                                                      const std::string& base_dir) noexcept {
  return guarded(source, [&]() -> Result<LoadedKmsConfig, ConfigError> {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(yaml));
    if (docs.size() > 1) {
      ConfigError e;
      e.file = source;
      e.line = docs[1].Mark().line + 1;
      e.column = 1;
      e.message = "expected one YAML document, found " + std::to_string(docs.size());
      return e;
    }
    detail::Loader loader(source, base_dir);
    return loader.load(docs.empty() ? YAML::Node() : docs.front());
  });
}

Result<LoadedKmsConfig, ConfigError> parse_kms_config_node(const YAML::Node& root,
                                                           const std::string& source,
                                                           const std::string& base_dir) noexcept {
  return guarded(source, [&]() -> Result<LoadedKmsConfig, ConfigError> {
    detail::Loader loader(source, base_dir);
    return loader.load(root);
  });
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