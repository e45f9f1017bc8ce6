// Internal to the Kms implementation files (kms.cc, kms_request.cc, kms_resolve.cc,
// kms_chain.cc): one request in flight and the helpers they share.
#pragma once

#include <string>

#include "roles/kms.h"

namespace mikey::roles {

struct Kms::Exchange {
  bool resolve = false;  // RESOLVE_INIT (true) or REQUEST_INIT (false)
  Received in;
  RequestContext context;
  // Filled by preflight(); they point into in.parsed.message.
  const codec::Timestamp* t = nullptr;
  const codec::RandWithRole* rand = nullptr;  // RANDRi (request) or RANDRr (resolve)
  const codec::Verification* v = nullptr;
  const KmsUser* user = nullptr;
  const PskCredential* psk = nullptr;
  Bytes peer_id;  // Identity_i / Identity_r of the MAC input (ID Data)
  Bytes kms_id;   // Identity_kms of the MAC input
  bool authenticated = false;
  unsigned retry_after_s = 0;    // replay cache full: when to try again
  MessageProtection protection;  // of the request (initial-message keys)
};

namespace kms_detail {

// The KEMAC Encr alg that goes with the V alg of the request (RFC 6043 §12.1: the 256-bit
// algorithms are used together): HMAC-SHA-256-256 → AES-CM-256, otherwise AES-CM-128.
codec::EncrAlg encr_for(codec::MacAlg mac) noexcept;
// The keys protecting the response to `x` (same PSK and RANDs, label type 0x02, MAC over the
// response ‖ the request as received).
MessageProtection response_protection(const Kms::Exchange& x, const KmsPolicy& policy,
                                      codec::EncrAlg encr);
// The response HDR: a copy of the request's with the response data type and V = 0 (RFC 6043
// §4.2.1.5, §4.2.3.5: version, PRF func, CSB ID, #CS and map type equal the request's).
codec::Hdr response_hdr(const codec::Hdr& request, codec::DataType type);
// An MPK key data item (MPKi / MPKr / MPKr') with the ticket MPK's SPI.
KeyItem mpk_item(const crypto::SecureBytes& key, const Bytes& spi);
// The index of the first payload of type `t` in `m` (m.payloads.size() if none).
std::size_t payload_index(const codec::Message& m, codec::PayloadType t) noexcept;
// The identities the requester may resolve tickets for (RFC 6043 §4.2.3.4, §12.5): for a peer KMS
// the forwarded IDRr (B.0-7), for a user itself and its resolves_for identities.
std::vector<Identity> candidates(const Kms::Exchange& x);
// The answering endpoint: the forking modifier's IDRr (§4.2.3.5).
Identity answering_endpoint(const Kms::Exchange& x);
// Step 4 of RFC 3830 §5.3: the request's MAC with x.protection (RFC 6043 §5.5), for a peer KMS
// with each Identity_r its mac_identity allows (kms_chain.cc); sets x.peer_id to the one that
// verified. Refuses with the first failure.
Result<bool, Refusal> verify_request_mac(Kms::Exchange& x);
template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  for (const T& e : v)
    if (e == x) return true;
  return false;
}

}  // namespace kms_detail
}  // namespace mikey::roles
