#include <optional>
#include <utility>

#include "mutator/ops.h"

namespace mikey::mutator {

namespace {

using codec::KeyData;

// Every KEMAC of the message, in any chain.
std::vector<codec::Kemac*> kemacs_of(codec::Message& m) {
  std::vector<codec::Kemac*> out;
  for (const ChainRef& c : chains_of(m))
    for (codec::Payload& p : *c.payloads)
      if (auto* k = p.get<codec::Kemac>()) out.push_back(k);
  return out;
}

Bytes some_bytes(Rng& rng) {
  const std::size_t sizes[] = {0, 1, 15, 16, 17, 20, 32, 33, 64};
  Bytes b(rng.pick(sizes));
  for (auto& x : b) x = static_cast<std::uint8_t>(rng.next());
  return b;
}

// KV type and KV data together (RFC 3830 §6.13 Table 6.13.b, §6.14), or a KV type alone.
void mutate_kv(KeyData& k, Rng& rng) {
  k.kv = static_cast<codec::KvType>(rng.one_in(4) ? rng.below(16) : rng.below(3));
  if (rng.one_in(4)) return;
  k.kv_data = {};
  if (k.kv == codec::KvType::spi) k.kv_data.spi = some_bytes(rng);
  if (k.kv == codec::KvType::interval) {
    k.kv_data.valid_from = some_bytes(rng);
    k.kv_data.valid_to = some_bytes(rng);
  }
}

// One key of the chain: its type (4 bits: the +SALT types add a salt), KV, key or salt.
void mutate_key(KeyData& k, Rng& rng) {
  switch (rng.below(4)) {
    case 0:
      k.type = static_cast<codec::KeyDataType>(rng.below(16));
      if (codec::has_salt(k.type) && k.salt.empty()) k.salt.assign(14, 0x5a);
      if (!codec::has_salt(k.type)) k.salt.clear();
      break;
    case 1:
      mutate_kv(k, rng);
      break;
    case 2:
      k.key = some_bytes(rng);
      break;
    default:
      if (rng.one_in(2) && !k.key.empty()) {
        k.key[rng.below(k.key.size())] ^= static_cast<std::uint8_t>(1u << rng.below(8));
      } else {
        k.salt = codec::has_salt(k.type) ? some_bytes(rng) : Bytes{};
      }
  }
}

// RFC 3830 §6.2: the Key data sub-payloads of the KEMAC (dropped, duplicated, swapped, changed).
void mutate_keys(std::vector<KeyData>& keys, Rng& rng) {
  const std::size_t n = keys.size();
  switch (n == 0 ? 0 : rng.below(4)) {
    case 0:
      keys.insert(
          keys.begin() + static_cast<std::ptrdiff_t>(rng.below(n + 1)),
          n == 0 ? KeyData{codec::KeyDataType::tgk, codec::KvType::null, Bytes(16, 0x11), {}, {}}
                 : keys[rng.below(n)]);
      break;
    case 1:
      keys.erase(keys.begin() + static_cast<std::ptrdiff_t>(rng.below(n)));
      break;
    case 2:
      if (n < 2) {
        keys.push_back(keys.front());
      } else {
        const std::size_t i = rng.below(n - 1);
        std::swap(keys[i], keys[i + 1 + rng.below(n - 1 - i)]);
      }
      break;
    default:
      mutate_key(keys[rng.below(n)], rng);
  }
}

std::optional<Bytes> open(const codec::Message& m, const codec::Kemac& k, const Protection& p) {
  if (k.encr_alg == codec::EncrAlg::null) return k.encr_data;
  if (!p.open_kemac || !p.seal_kemac) return std::nullopt;
  return p.open_kemac(m, k);
}

}  // namespace

bool mutate_key_data(codec::Message& m, Rng& rng, const Protection& protection) {
  const std::vector<codec::Kemac*> all = kemacs_of(m);
  if (all.empty()) return false;
  codec::Kemac& kemac = *all[rng.below(all.size())];
  std::optional<Bytes> plain = open(m, kemac, protection);
  if (!plain) return false;
  codec::ParseState st;
  st.options.record_layout = false;
  codec::KeyDataChain chain;
  if (codec::parse_key_data_chain(*plain, 0, st, "", chain).code == codec::Errc::ok) {
    mutate_keys(chain.keys, rng);
    if (codec::serialize_key_data_chain(chain, *plain) != codec::Errc::ok) return false;
  } else {
    mutate_bytes(*plain, rng, plain->size() + 16);  // not a Key data chain: its bytes
  }
  if (kemac.encr_alg == codec::EncrAlg::null) {
    kemac.encr_data = std::move(*plain);
    return true;
  }
  return protection.seal_kemac(m, kemac, *plain);
}

}  // namespace mikey::mutator
