// GBA key derivation (3GPP TS 33.220 Annex B.2, B.3), used by TS 33.328 for the UE-KMS keys.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "crypto/errc.h"
#include "crypto/secure_bytes.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::crypto {

// TS 33.220 Annex H: Ua security protocol identifier of the TS 33.328 UE <-> KMS HTTP exchanges
// (organization 0x01 = 3GPP, protocol 0x00000006).
inline constexpr std::array<std::uint8_t, 5> kUaKmsProtocolId = {0x01, 0x00, 0x00, 0x00, 0x06};

// TS 33.220 Annex B.2 generic KDF: HMAC-SHA-256(key, S), S = FC || P0 || L0 || P1 || L1 || ...,
// Li = length of Pi in bytes, 2 bytes big-endian, after Pi. FC is one byte, or two bytes with
// the escape 0xFF first. String parameters must already be UTF-8 (NFKC) encoded by the caller.
// Returns bad_parameter for a malformed FC, bad_length for a parameter over 65535 bytes,
// openssl_failure, out_of_memory.
Result<SecureBytes, Error> gba_kdf(ByteView key, ByteView fc,
                                   std::span<const ByteView> params) noexcept;
inline Result<SecureBytes, Error> gba_kdf(ByteView key, ByteView fc,
                                          std::initializer_list<ByteView> params) noexcept {
  return gba_kdf(key, fc, std::span<const ByteView>(params.begin(), params.size()));
}

// NAF_Id = FQDN of the NAF (here the KMS) || Ua security protocol identifier.
// UNCONFIRMED construction (the defining clause of TS 33.220 was not read; it
// is implied by Annex H and the analogous AF_Id of TS 33.535). fqdn is used as given (ASCII
// FQDNs are already NFKC UTF-8). Returns out_of_memory only.
Result<Bytes, Error> naf_id(std::string_view fqdn,
                            ByteView ua_protocol_id = kUaKmsProtocolId) noexcept;

// TS 33.220 Annex B.3: Ks_NAF (GBA_ME) / Ks_ext_NAF (GBA_U) = KDF(Ks, FC = 0x01,
// P0 = "gba-me", P1 = RAND, P2 = IMPI, P3 = NAF_Id), Ks = CK || IK. Errors as gba_kdf.
Result<SecureBytes, Error> ks_ext_naf(ByteView ks, ByteView rand, std::string_view impi,
                                      ByteView naf_id) noexcept;

}  // namespace mikey::crypto
