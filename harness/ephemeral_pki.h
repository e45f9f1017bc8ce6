// A throwaway test PKI for the KMS-to-KMS link of an embedded chaining SUT (profile
// `chaining.tls: ephemeral`): one CA and two certificates, made in memory with OpenSSL when the
// run starts and written as PEM files to a private temporary directory that is removed with the
// object. Mutual TLS between the KMSs (B.0-1, S-6.2.3.8-1) thereby runs in the embedded default
// without shipping keys. The same shape as configs/make-test-certs.sh: EC P-256, each leaf for
// TLS server and client use, SAN DNS:localhost, IP:127.0.0.1, IP:::1. TEST ONLY.
#pragma once

#include <memory>
#include <string>

#include "wire/result.h"

namespace mikeyconf::harness {

class EphemeralPki {
 public:
  // Makes the CA and the kms-i / kms-r certificates; fails with what OpenSSL or the file system
  // refused.
  static mikey::Result<std::shared_ptr<EphemeralPki>, std::string> make();
  ~EphemeralPki();  // removes the directory
  EphemeralPki(const EphemeralPki&) = delete;
  EphemeralPki& operator=(const EphemeralPki&) = delete;

  const std::string& ca_cert() const noexcept { return ca_cert_; }
  const std::string& kms_i_cert() const noexcept { return kms_i_cert_; }
  const std::string& kms_i_key() const noexcept { return kms_i_key_; }
  const std::string& kms_r_cert() const noexcept { return kms_r_cert_; }
  const std::string& kms_r_key() const noexcept { return kms_r_key_; }

 private:
  EphemeralPki() = default;
  std::string dir_;
  std::string ca_cert_, kms_i_cert_, kms_i_key_, kms_r_cert_, kms_r_key_;
};

}  // namespace mikeyconf::harness
