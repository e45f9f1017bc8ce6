#include "roles/credential.h"

#include "crypto/gba.h"

namespace mikey::roles {

const PskCredential* as_psk(const Credential* c) noexcept {
  if (c == nullptr || c->kind() != CredentialKind::psk) return nullptr;
  return static_cast<const PskCredential*>(c);  // NOLINT: kind() says what it is
}

Result<std::shared_ptr<const PskCredential>, Failure> gba_credential(const GbaMaterial& gba,
                                                                     std::string_view naf_fqdn) {
  auto naf = crypto::naf_id(naf_fqdn);  // UNCONFIRMED construction (G.2-3)
  if (!naf.ok()) return Failure::internal_error;
  auto ks_naf = crypto::ks_ext_naf(gba.ks.view(), gba.rand, gba.impi, naf.value());
  if (!ks_naf.ok()) return Failure::internal_error;
  // UNCONFIRMED (A.3-2): IDRpsk = B-TID, an NAI "base64(RAND)@BSF-domain" (TS 33.220 §4.3).
  return std::make_shared<const PskCredential>(std::move(ks_naf).value(), Identity::nai(gba.btid));
}

}  // namespace mikey::roles
