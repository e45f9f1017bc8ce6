// The embedded default SUT (`mikeyconf run` with no --sut certifies our own
// reference): roles::Kms behind transport::KmsServer on a loopback port, configured from a SUT
// profile's users (identities, PSKs, mode-3 TPKs) and its `embedded:` section (KMS-only ticket
// keys, clock skew, lifetimes), over plain HTTP or over HTTPS with a throwaway test PKI. Tests
// wrap its handler to build faulty KMS variants, and edit its configuration and server options
// to flip the reference's latitude knobs (docs/latitude.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "harness/profile.h"
#include "roles/kms.h"
#include "transport/access_log.h"
#include "transport/annex_a.h"
#include "transport/server.h"
#include "wire/result.h"

namespace mikeyconf::harness {

struct EmbeddedKmsOptions {
  // Wraps the reference handler (serialised by a mutex; roles::Kms is not thread-safe). The
  // result is what the server calls. Empty: the reference handler as is.
  std::function<mikey::transport::KmsHandler(mikey::transport::KmsHandler)> wrap;
  std::uint64_t rng_seed = 0;  // 0: OpenSSL's DRBG; otherwise a DeterministicRng (tests)
  std::size_t threads = 2;
  mikey::transport::LogSink access_log;  // empty: discarded
  // Edits the KMS configuration made from the profile before the KMS starts (KmsPolicy and its
  // latitude knobs, ticket keys, ...).
  std::function<void(mikey::roles::KmsConfig&)> edit_config;
  // Edits the server options before the server starts (the HTTP latitude knobs
  // profile.unknown_method_status and oversized_body, limits, timeouts).
  std::function<void(mikey::transport::ServerOptions&)> edit_server;
  // Serve HTTPS even when the profile says http (an https profile always gets HTTPS).
  bool https = false;
};

// The roles::KmsConfig a profile describes: identity = kms_identity; one user per profile user
// (PSK credential with its psk_id); ticket keys = embedded.ticket_keys plus every user's
// mode3_tpk (shared_with that user); policy clock skew and lifetimes from `embedded:`.
mikey::Result<mikey::roles::KmsConfig, std::string> kms_config_from_profile(const SutProfile& p);

class EmbeddedKms {
 public:
  // Starts the server on the profile's host and port (port 0: the OS picks). HTTPS (an https
  // profile, or options.https) uses a throwaway CA and server certificate
  // (harness/ephemeral_pki.h, kept until this object goes); profile() then names that CA as
  // tls.ca_file, so a KmsDriver verifies the KMS against it. Fails with a message for a profile
  // without users, a PKI that cannot be made or a bind failure.
  static mikey::Result<std::unique_ptr<EmbeddedKms>, std::string> start(
      const SutProfile& profile, const EmbeddedKmsOptions& options = {});
  ~EmbeddedKms();
  EmbeddedKms(const EmbeddedKms&) = delete;
  EmbeddedKms& operator=(const EmbeddedKms&) = delete;

  std::uint16_t port() const noexcept;
  // The profile with base_url and port pointing at the running server (and, for HTTPS, the
  // scheme https and tls.ca_file the throwaway CA).
  const SutProfile& profile() const noexcept;
  // Requests answered so far (the server's count; 0 after stop()).
  std::uint64_t requests() const noexcept;
  // Stops and releases the server: the port is closed when this returns. Idempotent.
  void stop();

 private:
  EmbeddedKms();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mikeyconf::harness
