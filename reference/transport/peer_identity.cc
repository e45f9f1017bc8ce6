// Reading the names of a TLS peer certificate (peer_identity.h) with OpenSSL.
#include "transport/peer_identity.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <new>

#include <cstdio>
#include <memory>
#include <utility>

namespace mikey::transport {

namespace {

std::string asn1_text(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  const unsigned char* data = ASN1_STRING_get0_data(s);
  const int length = ASN1_STRING_length(s);
  if (data == nullptr || length <= 0) return {};
  return std::string(reinterpret_cast<const char*>(data),  // NOLINT: OpenSSL's byte buffer
                     static_cast<std::size_t>(length));
}

std::string common_name(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  const int at = subject != nullptr ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
  if (at < 0) return {};
  return asn1_text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
}

void add_alt_names(X509* cert, PeerCertificate& out) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS) out.dns_names.push_back(asn1_text(n->d.dNSName));
    if (n->type == GEN_URI) out.uris.push_back(asn1_text(n->d.uniformResourceIdentifier));
  }
  GENERAL_NAMES_free(names);
}

PeerCertificate names_of(X509* cert) {
  PeerCertificate out;
  out.subject_cn = common_name(cert);
  add_alt_names(cert, out);
  return out;
}

}  // namespace

std::vector<std::string> PeerCertificate::names() const {
  std::vector<std::string> out;
  if (!subject_cn.empty()) out.push_back(subject_cn);
  out.insert(out.end(), dns_names.begin(), dns_names.end());
  out.insert(out.end(), uris.begin(), uris.end());
  return out;
}

KmsMetaHandler without_meta(KmsHandler handler) {
  return [h = std::move(handler)](RequestType t, ByteView request, const RequestMeta&) {
    return h(t, request);
  };
}

std::optional<PeerCertificate> verified_peer_certificate(ssl_st* ssl) noexcept {
  try {
    if (ssl == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
    X509* cert = SSL_get0_peer_certificate(ssl);
    if (cert == nullptr) return std::nullopt;
    return names_of(cert);
  } catch (const std::bad_alloc&) {  // allocation failure: as if no certificate was verified
    return std::nullopt;
  }
}

Result<PeerCertificate, std::string> read_certificate_file(const std::string& path) noexcept {
  try {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "r"), &std::fclose);
    if (!f) return "cannot open " + path;
    std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr),
                                                &X509_free);
    if (!cert) return "no PEM certificate in " + path;
    return names_of(cert.get());
  } catch (const std::bad_alloc&) {
    return std::string("out of memory reading a certificate");
  }
}

}  // namespace mikey::transport
