// manifest.sha256 (reports/README.md "Manifest and signature"): one `sha256sum -c` line per file
// written ("<64 hex>  <relative path>", sorted by path), and an optional Ed25519 signature over
// the manifest's bytes (RFC 8032, pure Ed25519 through OpenSSL's one-shot EVP_DigestSign):
// manifest.sha256.sig (the raw 64-byte signature) and manifest.sha256.pub (the public key, PEM).
// verify_manifest (reports.h) checks both. OpenSSL stays inside manifest.cc.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "wire/result.h"

namespace mikeyconf::reports {

inline constexpr const char* kManifestFile = "manifest.sha256";
inline constexpr const char* kSignatureFile = "manifest.sha256.sig";
inline constexpr const char* kPublicKeyFile = "manifest.sha256.pub";

struct ManifestText {
  std::string text;
};

// The manifest text for `files` (relative to `dir`). Fails when a file cannot be read or its
// name cannot be written as a plain sha256sum line (a backslash or line break in it).
mikey::Result<ManifestText, std::string> manifest_text(
    const std::filesystem::path& dir, const std::vector<std::filesystem::path>& files);

// Loads `private_key_pem` and checks that it is an Ed25519 private key; fails with a message
// that names the file (unreadable, not PEM, not Ed25519).
mikey::Result<bool, std::string> check_signing_key(const std::filesystem::path& private_key_pem);

// Signs `dir`/manifest.sha256 and writes manifest.sha256.sig and manifest.sha256.pub there.
mikey::Result<bool, std::string> sign_manifest(const std::filesystem::path& dir,
                                               const std::filesystem::path& private_key_pem);

}  // namespace mikeyconf::reports
