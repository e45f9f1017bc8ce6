// Sample parties for the role tests, fuzz targets and benchmarks: PSK credentials, ticket
// protection keys and Initiator / Responder configurations made of counting-byte patterns. They
// exercise the role logic; they protect nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

#include "crypto/secure_bytes.h"
#include "roles/credential.h"
#include "roles/ticket.h"
#include "roles/types.h"
#include "wire/bytes.h"

namespace mikey::roles::samples {

// n bytes counting up from `start` (wrapping).
inline Bytes pattern(std::size_t n, std::uint8_t start) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(start + i);
  return b;
}

// A PSK of `length` counting bytes from `start`, named by IDRpsk `psk_id`.
inline std::shared_ptr<const PskCredential> psk_credential(std::uint8_t start, std::size_t length,
                                                           std::string_view psk_id) {
  return std::make_shared<const PskCredential>(crypto::SecureBytes(pattern(length, start)),
                                               Identity::byte_string(psk_id));
}

// A ticket protection key of the suite's key length for tickets of `format`.
inline TicketKey ticket_key(TicketFormat format, const Algorithms& algs, std::string_view id,
                            std::uint8_t start) {
  TicketKey k;
  k.id = to_bytes(id);
  k.format = format;
  k.tpk = crypto::SecureBytes(pattern(algs.key_length(), start));
  k.encr = algs.encr;
  k.mac = algs.mac;
  return k;
}

// An InitiatorConfig or ResponderConfig: the party, its KMS, its credential towards the KMS and
// the algorithms of the messages it builds.
template <class Config>
Config party_config(Identity self, Identity kms, std::shared_ptr<const Credential> credential,
                    const Algorithms& algs) {
  Config c;
  c.identity = std::move(self);
  c.kms_identity = std::move(kms);
  c.credential = std::move(credential);
  c.algorithms = algs;
  return c;
}

}  // namespace mikey::roles::samples
