// prepare_kms_r / prepare_kms_i (chain_setup.h): what runs around a chaining SUT.
//
//   kms_r  the harness KMS_I listens at chaining.url (TLS with a client-certificate check for
//          https: B.0-1, S-6.2.3.8-1) plus a plain-HTTP listener for the harness's Initiators.
//          Embedded: the SUT is a reference KMS_R on base_url that calls that KMS_I.
//   kms_i  the harness KMS_R runs in each driver and reaches the SUT at chaining.url (default
//          base_url) with its client certificate. Embedded: the SUT is a reference KMS_I that
//          knows the harness KMS_R as a peer user, on base_url and, when chaining.url differs,
//          a second (link) listener.
// `chaining.tls: ephemeral` (embedded only) makes a throwaway CA and both KMS certificates.
#include "harness/chain_setup.h"

#include <utility>

#include "harness/chain_peers.h"
#include "harness/ephemeral_pki.h"
#include "harness/reference_names.h"

namespace mikeyconf::harness {

using chain_detail::LinkTls;

namespace {

std::string url_of(const std::string& scheme, const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

void set_link_port(SutProfile& p, std::uint16_t port) {
  ChainingSpec& c = *p.chaining;
  c.port = port;
  c.url = url_of(c.scheme, c.host, port);
}

LinkTls from_profile(const TlsProfile& t) {
  return {t.cert_file, t.key_file, t.ca_file, t.sni, t.verify};
}

TlsProfile to_profile(const LinkTls& t) {
  TlsProfile p;
  p.ca_file = t.ca;
  p.cert_file = t.cert;
  p.key_file = t.key;
  p.sni = t.sni;
  p.verify = t.verify;
  return p;
}

constexpr std::string_view kPlainHttpUsers =
    ": the embedded SUT serves its users plain HTTP: use an http:// base_url";

// The checks both roles share: a link, and addresses a SUT of its own can be configured with.
std::optional<SetupError> check_link(const SutProfile& p, bool embedded) {
  if (!p.chaining) {
    return SetupError{2, p.file + ": role " + std::string(to_string(p.role)) +
                             " needs chaining: (harness/README.md \"Chaining\")"};
  }
  const ChainingSpec& c = *p.chaining;
  if (embedded) {
    if (p.scheme != "http") {
      return SetupError{2, p.file + std::string(kPlainHttpUsers)};
    }
    if (c.scheme == "https" && !c.ephemeral_pki) {
      return SetupError{2, p.file +
                               ": the embedded SUT needs chaining.tls: ephemeral for an "
                               "https link (it has no certificate of its own)"};
    }
    return std::nullopt;
  }
  if (c.ephemeral_pki) {
    return SetupError{2, p.file +
                             ": chaining.tls: ephemeral is for the embedded SUT only; a SUT "
                             "of its own needs certificate files"};
  }
  if (c.port == 0) {
    return SetupError{2, p.file +
                             ": chaining.url port 0 works only with the embedded SUT (a SUT of "
                             "its own is configured with a fixed address)"};
  }
  return std::nullopt;
}

// The two ends of an https link, from the ephemeral PKI or the profile's files.
struct LinkEnds {
  std::optional<LinkTls> kms_i;  // server: KMS_I's certificate; ca checks KMS_R's
  std::optional<LinkTls> kms_r;  // client: KMS_R's certificate; ca checks KMS_I's
};

mikey::Result<LinkEnds, SetupError> link_ends(SutSetup& setup, const SutProfile& p) {
  const ChainingSpec& c = *p.chaining;
  LinkEnds ends;
  if (c.scheme != "https") return ends;
  if (c.ephemeral_pki) {
    auto pki = EphemeralPki::make();
    if (!pki.ok()) return SetupError{3, "the ephemeral test PKI: " + pki.error()};
    const EphemeralPki& k = *pki.value();
    ends.kms_i = LinkTls{k.kms_i_cert(), k.kms_i_key(), k.ca_cert(), {}, true};
    ends.kms_r = LinkTls{k.kms_r_cert(), k.kms_r_key(), k.ca_cert(), {}, true};
    setup.keep_alive.push_back(pki.value());
    return ends;
  }
  const LinkTls own = from_profile(*c.tls);
  if (p.role == SutRole::kms_r) {
    if (own.cert.empty()) {
      return SetupError{2, p.file +
                               ": chaining.tls needs cert and key: the harness KMS_I's "
                               "server certificate"};
    }
    ends.kms_i = own;
  } else {
    ends.kms_r = own;
  }
  return ends;
}

// The reference KMS_I knows the harness KMS_R by the certificate it presents on an https link
// (docs/latitude.md "link-idrpsk"): the subject CN of KMS_R's client certificate.
mikey::Result<std::vector<std::string>, SetupError> kms_r_certificate_names(const LinkEnds& ends) {
  if (!ends.kms_r || ends.kms_r->cert.empty()) return std::vector<std::string>{};
  auto cert = transport::read_certificate_file(ends.kms_r->cert);
  if (!cert.ok()) return SetupError{3, "the harness KMS_R's certificate: " + cert.error()};
  if (cert->subject_cn.empty()) return std::vector<std::string>{};
  return std::vector<std::string>{cert->subject_cn};
}

// The reference SUT's configuration with the test's edits: the reference's own choices at every
// latitude point (the knobs are the test's to flip).
mikey::Result<roles::KmsConfig, SetupError> sut_config(const SutProfile& p, const LinkEnds& ends,
                                                       const ChainSetupOptions& o) {
  auto config = chain_detail::config_for(p, true, p.kms_identity);
  if (!config.ok()) return SetupError{2, p.file + ": " + config.error()};
  const ChainingSpec& c = *p.chaining;
  if (p.role == SutRole::kms_r) {
    config->peers.push_back(
        chain_detail::link_peer(c, c.peer_identity, roles::LinkMacIdentity::forwarded_idrr));
  } else {
    auto names = kms_r_certificate_names(ends);
    if (!names.ok()) return names.error();
    roles::KmsUser u = chain_detail::link_user(c, c.peer_identity, roles::LinkMacIdentity::any);
    u.tls_names = std::move(names).value();
    config->users.push_back(std::move(u));
  }
  if (o.edit_sut_config) o.edit_sut_config(config.value());
  return std::move(config).value();
}

// Embedded kms_r: a reference KMS_R on base_url that calls the harness KMS_I (target's link).
mikey::Result<bool, SetupError> start_embedded_kms_r(SutSetup& setup, const SutProfile& p,
                                                     const LinkEnds& ends,
                                                     const ChainSetupOptions& o) {
  auto config = sut_config(p, ends, o);
  if (!config.ok()) return config.error();
  const ChainingSpec& link = *setup.target.chaining;
  std::optional<LinkTls> tls = ends.kms_r;
  if (tls && o.edit_sut_link_tls) o.edit_sut_link_tls(*tls);
  auto client = chain_detail::link_client_options(p, link.host, link.port, tls,
                                                  std::chrono::milliseconds(link.peer_timeout_ms));
  if (o.edit_sut_link_client) o.edit_sut_link_client(client);
  std::unique_ptr<roles::KmsPeer> peer =
      std::make_unique<chain_detail::HttpLinkPeer>(std::move(client));
  if (o.wrap_sut_peer) peer = o.wrap_sut_peer(std::move(peer));
  auto sut = std::make_shared<chain_detail::EmbeddedChainKms>(
      std::move(config).value(), std::move(peer),
      chain_detail::listener_options(p, p.host, p.port, std::nullopt), o.wrap_sut);
  auto port = sut->start();
  if (!port.ok()) return SetupError{3, "the embedded KMS_R: " + port.error()};
  setup.target = setup.target.with_port(port.value());
  setup.keep_alive.push_back(sut);
  return true;
}

// Embedded kms_i: a reference KMS_I on base_url (and a link listener when chaining.url differs).
mikey::Result<bool, SetupError> start_embedded_kms_i(SutSetup& setup, const SutProfile& p,
                                                     const LinkEnds& ends,
                                                     const ChainSetupOptions& o) {
  auto config = sut_config(p, ends, o);
  if (!config.ok()) return config.error();
  auto sut = std::make_shared<chain_detail::EmbeddedChainKms>(
      std::move(config).value(), nullptr,
      chain_detail::listener_options(p, p.host, p.port, std::nullopt), o.wrap_sut);
  auto users = sut->start();
  if (!users.ok()) return SetupError{3, "the embedded KMS_I: " + users.error()};
  const std::uint16_t users_port = users.value();
  const ChainingSpec& c = *p.chaining;
  std::uint16_t link_port = users_port;
  if (c.url != p.base_url) {
    std::optional<LinkTls> tls = ends.kms_i;
    if (tls && o.edit_sut_link_tls) o.edit_sut_link_tls(*tls);
    auto link = sut->listen(chain_detail::listener_options(p, c.host, c.port, tls));
    if (!link.ok()) return SetupError{3, "the embedded KMS_I's link listener: " + link.error()};
    link_port = link.value();
  }
  setup.target = setup.target.with_port(users_port);
  set_link_port(setup.target, link_port);
  setup.keep_alive.push_back(sut);
  return true;
}

}  // namespace

mikey::Result<SutSetup, SetupError> prepare_kms_r(const SutProfile& profile, bool embedded,
                                                  const ChainSetupOptions& options) {
  if (auto bad = check_link(profile, embedded)) return *bad;
  SutSetup setup;
  setup.target = profile;
  auto ends = link_ends(setup, profile);
  if (!ends.ok()) return ends.error();
  auto kms_i = chain_detail::HarnessKmsI::start(profile, ends->kms_i);
  if (!kms_i.ok()) return SetupError{3, kms_i.error()};
  std::shared_ptr<chain_detail::HarnessKmsI> tap = kms_i.value();
  setup.keep_alive.push_back(tap);
  set_link_port(setup.target, tap->link_port());
  if (ends->kms_i) setup.target.chaining->tls = to_profile(*ends->kms_i);
  if (embedded) {
    auto started = start_embedded_kms_r(setup, profile, ends.value(), options);
    if (!started.ok()) return started.error();
  }
  // The harness's Initiators reach the KMS_I on its plain-HTTP users listener.
  SutProfile users = setup.target;
  users.scheme = "http";
  users.host = "127.0.0.1";
  users.port = tap->users_port();
  users.base_url = url_of("http", users.host, users.port);
  users.host_header.clear();
  users.tls.reset();
  setup.make_driver = [target = setup.target, users, tap]() -> std::unique_ptr<SutDriver> {
    return chain_detail::make_kms_r_driver(target, users, tap);
  };
  return setup;
}

mikey::Result<SutSetup, SetupError> prepare_kms_i(const SutProfile& profile, bool embedded,
                                                  const ChainSetupOptions& options) {
  if (auto bad = check_link(profile, embedded)) return *bad;
  // The harness KMS_R serves the Responders registered at it (home: peer or both).
  if (auto harness = chain_detail::config_for(profile, false, profile.chaining->peer_identity);
      !harness.ok()) {
    return SetupError{2, profile.file + ": " + harness.error() +
                             " (the harness KMS_R needs a user with home: peer or both)"};
  }
  SutSetup setup;
  setup.target = profile;
  auto ends = link_ends(setup, profile);
  if (!ends.ok()) return ends.error();
  if (embedded) {
    auto started = start_embedded_kms_i(setup, profile, ends.value(), options);
    if (!started.ok()) return started.error();
  }
  if (ends->kms_r) setup.target.chaining->tls = to_profile(*ends->kms_r);
  setup.make_driver = [target = setup.target]() -> std::unique_ptr<SutDriver> {
    return chain_detail::make_kms_i_driver(target);
  };
  return setup;
}

mikey::Result<SutSetup, SetupError> prepare_kms_r(const SutProfile& profile, bool embedded) {
  return prepare_kms_r(profile, embedded, ChainSetupOptions{});
}

mikey::Result<SutSetup, SetupError> prepare_kms_i(const SutProfile& profile, bool embedded) {
  return prepare_kms_i(profile, embedded, ChainSetupOptions{});
}

}  // namespace mikeyconf::harness
