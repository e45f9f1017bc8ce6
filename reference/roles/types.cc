#include "roles/types.h"

#include <openssl/crypto.h>

namespace mikey::roles {

KeyItem KeyItem::clone() const {
  KeyItem k;
  k.type = type;
  k.key = key.clone();
  k.salt = salt.clone();
  k.spi = spi;
  return k;
}

KeySet clone_keys(const KeySet& keys) {
  KeySet out;
  out.reserve(keys.size());
  for (const KeyItem& k : keys) out.push_back(k.clone());
  return out;
}

void wipe(Bytes& b) noexcept {
  if (!b.empty()) OPENSSL_cleanse(b.data(), b.size());
  b.clear();
}

}  // namespace mikey::roles
