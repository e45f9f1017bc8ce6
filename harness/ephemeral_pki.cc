#include "harness/ephemeral_pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>  // mkdtemp

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <vector>

namespace mikeyconf::harness {

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const noexcept { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

constexpr long kValiditySeconds = 2L * 24 * 3600;  // a run never lasts longer

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate for `key` named CN=`cn`, signed by `issuer_key` (itself when `issuer` is null).
Cert make_cert(EVP_PKEY* key, const char* cn, long serial, X509* issuer, EVP_PKEY* issuer_key) {
  Cert cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) return nullptr;
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);  // tolerate a clock slightly behind
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValiditySeconds);
  if (X509_set_pubkey(cert.get(), key) != 1) return nullptr;
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1) return nullptr;
  const bool ca = issuer == nullptr;
  const bool exts =
      ca ? add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE") &&
               add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign") &&
               add_ext(cert.get(), signer, NID_subject_key_identifier, "hash")
         : add_ext(cert.get(), signer, NID_basic_constraints, "CA:FALSE") &&
               add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature") &&
               add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth") &&
               add_ext(cert.get(), signer, NID_subject_alt_name,
                       "DNS:localhost,IP:127.0.0.1,IP:::1");
  if (!exts) return nullptr;
  if (X509_sign(cert.get(), ca ? key : issuer_key, EVP_sha256()) == 0) return nullptr;
  return cert;
}

bool write_pem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return false;
  const bool ok = cert != nullptr
                      ? PEM_write_X509(f, cert) == 1
                      : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

mikey::Result<std::shared_ptr<EphemeralPki>, std::string> EphemeralPki::make() {
  std::string templ = (std::filesystem::temp_directory_path() / "mikeyconf-pki-XXXXXX").string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) return std::string("cannot create a temporary directory");
  std::shared_ptr<EphemeralPki> pki(new EphemeralPki());
  pki->dir_ = buf.data();  // mode 0700: the keys stay private
  Key ca_key(EVP_EC_gen("P-256"));
  Key i_key(EVP_EC_gen("P-256"));
  Key r_key(EVP_EC_gen("P-256"));
  if (!ca_key || !i_key || !r_key) return std::string("EC key generation failed");
  Cert ca = make_cert(ca_key.get(), "mikeyconf-ephemeral-ca", 1, nullptr, nullptr);
  if (!ca) return std::string("cannot make the CA certificate");
  Cert i = make_cert(i_key.get(), "kms-i.test", 2, ca.get(), ca_key.get());
  Cert r = make_cert(r_key.get(), "kms-r.test", 3, ca.get(), ca_key.get());
  if (!i || !r) return std::string("cannot make the KMS certificates");
  const std::string d = pki->dir_ + "/";
  pki->ca_cert_ = d + "ca.crt";
  pki->kms_i_cert_ = d + "kms-i.crt";
  pki->kms_i_key_ = d + "kms-i.key";
  pki->kms_r_cert_ = d + "kms-r.crt";
  pki->kms_r_key_ = d + "kms-r.key";
  const bool ok = write_pem(pki->ca_cert_, ca.get(), nullptr) &&
                  write_pem(pki->kms_i_cert_, i.get(), nullptr) &&
                  write_pem(pki->kms_i_key_, nullptr, i_key.get()) &&
                  write_pem(pki->kms_r_cert_, r.get(), nullptr) &&
                  write_pem(pki->kms_r_key_, nullptr, r_key.get());
  if (!ok) return "cannot write the PEM files to " + pki->dir_;
  return pki;
}

EphemeralPki::~EphemeralPki() {
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

}  // namespace mikeyconf::harness
