// The TLS client certificate behind a request, for KMS logic that authenticates a peer by its
// link (RFC 6043 §10 and TS 33.328 §6.2.3.8: KMSs are mutually authenticated; B.0-1). A
// KmsMetaHandler gets it with each request; the two-argument KmsHandler stays the common case.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/annex_a.h"
#include "wire/bytes.h"
#include "wire/result.h"

struct ssl_st;  // OpenSSL's SSL; only peer_identity.cc looks inside

namespace mikey::transport {

// The names a certificate carries: subject commonName and subjectAltName DNS names and URIs.
struct PeerCertificate {
  std::string subject_cn;              // empty: none
  std::vector<std::string> dns_names;  // SAN dNSName
  std::vector<std::string> uris;       // SAN uniformResourceIdentifier
  // Every name above, CN first.
  std::vector<std::string> names() const;
};

// What the server knows about a request beyond its type and bytes.
struct RequestMeta {
  // The client certificate the TLS handshake verified against the server's client CA (mutual
  // TLS); unset on plain TCP and on TLS without client authentication.
  std::optional<PeerCertificate> client_certificate;
};

// A handler that also sees the request's RequestMeta (same contract as KmsHandler).
using KmsMetaHandler =
    std::function<KmsAnswer(RequestType, ByteView mikey_request, const RequestMeta& meta)>;

// `handler` as a KmsMetaHandler that ignores the meta.
KmsMetaHandler without_meta(KmsHandler handler);

// The verified peer certificate of a finished handshake: set when the peer sent a certificate and
// its verification succeeded (X509_V_OK). Never throws.
std::optional<PeerCertificate> verified_peer_certificate(ssl_st* ssl) noexcept;

// The names of the first certificate in the PEM file `path` (e.g. to configure which certificate
// names a peer KMS). Fails with what could not be read.
Result<PeerCertificate, std::string> read_certificate_file(const std::string& path) noexcept;

}  // namespace mikey::transport
