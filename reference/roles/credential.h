// Credentials a party uses towards a KMS (and a KMS uses to recognise a party). Abstract so that
// the PK variants (REQUEST_INIT_PK / RESOLVE_INIT_PK: certificate, signature, envelope key under
// the KMS public key, RFC 6043 §4.2.1.3, §4.2.3.3) plug in later; only the PSK variant is
// implemented. A role given a credential of another kind refuses with Failure::pk_not_implemented.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/secure_bytes.h"
#include "roles/failure.h"
#include "roles/types.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::roles {

enum class CredentialKind : std::uint8_t { psk, pk };

class Credential {
 public:
  virtual ~Credential() = default;
  virtual CredentialKind kind() const noexcept = 0;
};

// A pre-shared key and the IDRpsk value naming it (RFC 6043 §4.2.1.2, §4.2.3.2: IDRpsk MAY be
// omitted when the KMS finds the key otherwise). Immutable.
class PskCredential final : public Credential {
 public:
  PskCredential(crypto::SecureBytes psk, std::optional<Identity> psk_id)
      : psk_(std::move(psk)), psk_id_(std::move(psk_id)) {}
  CredentialKind kind() const noexcept override { return CredentialKind::psk; }
  ByteView psk() const noexcept { return psk_.view(); }
  const std::optional<Identity>& psk_id() const noexcept { return psk_id_; }

 private:
  crypto::SecureBytes psk_;
  std::optional<Identity> psk_id_;
};

// The interface a PK credential will implement (not implemented now). Kept here so that role code
// is written against Credential and a later PkCredential needs no role API change.
class PkCredential : public Credential {
 public:
  CredentialKind kind() const noexcept override { return CredentialKind::pk; }
  // The certificate chain, own certificate first (RFC 6043 §4.2.1.3).
  virtual std::vector<Bytes> certificates() const = 0;
  // A signature over `data` (SIGNi / SIGNr, RFC 6043 §5.5).
  virtual Result<Bytes, Failure> sign(ByteView data) const noexcept = 0;
};

// The PSK as a PskCredential, or nullptr when `c` is of another kind.
const PskCredential* as_psk(const Credential* c) noexcept;

// GBA material of one user (TS 33.220): Ks = CK || IK, the bootstrapping RAND, IMPI and B-TID.
struct GbaMaterial {
  crypto::SecureBytes ks;
  Bytes rand;
  std::string impi;
  std::string btid;
};

// The PSK credential GBA yields for the KMS acting as NAF: PSK = Ks_(ext)_NAF = KDF(Ks, 0x01,
// "gba-me", RAND, IMPI, NAF_Id) (TS 33.220 B.3, G.2-1) with NAF_Id = KMS FQDN || Ua id
// 01 00 00 00 06 (G.2-2; the concatenation is UNCONFIRMED, G.2-3), and IDRpsk = the B-TID as an
// NAI. UNCONFIRMED (A.3-2): that the NAF key *is* the MIKEY PSK and IDRpsk carries the B-TID is
// an assumption, TS 33.328 Annex D being unavailable. Fails with internal_error when
// the KDF fails.
Result<std::shared_ptr<const PskCredential>, Failure> gba_credential(const GbaMaterial& gba,
                                                                     std::string_view naf_fqdn);

}  // namespace mikey::roles
