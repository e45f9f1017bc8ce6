#include "roles/session_keys.h"

#include <new>

#include "crypto/derive.h"
#include "crypto/labels.h"

namespace mikey::roles {

using codec::KeyDataType;

bool is_session_key(KeyDataType t) noexcept {
  // TGK, TGK+SALT, TEK, TEK+SALT, GTGK, GTGK+SALT are Types 0-5 (RFC 3830 §6.13, RFC 6267
  // §6.1.3); MPK and K_PR are not session keys.
  return codec::raw(t) <= codec::raw(KeyDataType::gtgk_salt);
}

namespace {

bool is_tek(KeyDataType t) noexcept { return t == KeyDataType::tek || t == KeyDataType::tek_salt; }

const KeyItem* key_for(const KeySet& keys, const codec::GenericIdEntry& cs) noexcept {
  const KeyItem* first = nullptr;
  for (const KeyItem& k : keys) {
    if (!is_session_key(k.type)) continue;
    if (!cs.spi.empty() && k.spi == cs.spi) return &k;
    if (first == nullptr) first = &k;
  }
  return first;
}

// SRTP parameter `type` (one-byte value) of the CS's first policy, or `fallback`.
std::size_t srtp_param(const SessionKeyInputs& in, const codec::GenericIdEntry& cs,
                       codec::SrtpParam type, std::size_t fallback) noexcept {
  if (in.policies == nullptr || cs.policies.empty()) return fallback;
  for (const codec::SecurityPolicy& sp : *in.policies) {
    if (sp.policy_no != cs.policies.front()) continue;
    for (const codec::PolicyParam& p : sp.params)
      if (p.type == codec::raw(type) && p.value.size() == 1 && p.value[0] != 0) return p.value[0];
  }
  return fallback;
}

Result<crypto::SecureBytes, Failure> from_tgk(const SessionKeyInputs& in, ByteView tgk,
                                              std::uint32_t constant, std::uint8_t cs_id,
                                              std::size_t n) noexcept {
  // §5.1.3: RANDRi iff H, RANDRr iff G; an omitted RAND is a length byte 0.
  auto k =
      crypto::derive_session_key(to_crypto(in.prf), tgk, constant, cs_id,
                                 in.h ? in.randri : ByteView{}, in.g ? in.randrr : ByteView{}, n);
  if (!k.ok()) {
    return k.error().code == crypto::Errc::unsupported_algorithm ? Failure::unsupported_prf
                                                                 : Failure::internal_error;
  }
  return std::move(k).value();
}

Result<SrtpKeys, Failure> keys_for(const SessionKeyInputs& in, const codec::GenericIdEntry& cs) {
  if (cs.prot_type != codec::ProtType::srtp) return Failure::unsupported_security_policy;
  const KeyItem* k = key_for(*in.keys, cs);
  if (k == nullptr) return Failure::missing_payload;
  SrtpKeys out;
  out.cs_id = cs.cs_id;
  out.spi = k->spi;
  if (codec::has_salt(k->type)) out.master_salt = k->salt.clone();
  if (is_tek(k->type)) {
    out.master_key = k->key.clone();
    return out;
  }
  auto key = from_tgk(in, k->key.view(), crypto::kConstTek, cs.cs_id,
                      srtp_param(in, cs, codec::SrtpParam::encr_key_len, kDefaultSrtpKeyLength));
  if (!key.ok()) return key.error();
  out.master_key = std::move(key).value();
  if (codec::has_salt(k->type)) return out;
  auto salt = from_tgk(in, k->key.view(), crypto::kConstTgkSalt, cs.cs_id,
                       srtp_param(in, cs, codec::SrtpParam::salt_key_len, kDefaultSrtpSaltLength));
  if (!salt.ok()) return salt.error();
  out.master_salt = std::move(salt).value();
  return out;
}

}  // namespace

Result<std::vector<SrtpKeys>, Failure> derive_srtp_keys(const SessionKeyInputs& in) noexcept {
  try {
    if (in.sessions == nullptr || in.keys == nullptr) return Failure::invalid_state;
    std::vector<SrtpKeys> out;
    for (const codec::GenericIdEntry& cs : *in.sessions) {
      auto k = keys_for(in, cs);
      if (!k.ok()) return k.error();
      out.push_back(std::move(k).value());
    }
    return out;
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

}  // namespace mikey::roles
