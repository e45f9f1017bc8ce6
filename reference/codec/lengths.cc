// Implicit lengths: fields whose size follows from a code point (the payload layouts of
// RFC 3830 §6 and RFC 6043 §6). An
// unknown code point here makes the payload unparseable.
#include "codec/payloads.h"

namespace mikey::codec {

// RFC 3830 §6.6: NTP-UTC 8, NTP 8, COUNTER 4; RFC 6043 §6.3: NTP-UTC-32 4.
std::optional<std::size_t> ts_value_length(TsType t) noexcept {
  return wire::by_value<std::size_t>(t, {8, 8, 4, 4});
}

// NULL 0, HMAC-SHA-1-160 20 (RFC 3830 §6.2), HMAC-SHA-256-256 32 (RFC 6043 §6.2).
std::optional<std::size_t> mac_length(MacAlg a) noexcept {
  return wire::by_value<std::size_t>(a, {0, 20, 32});
}

// SHA-1 20 (RFC 3830 §6.8), MD5 16, SHA-256 32 (RFC 6043 §6.7).
std::optional<std::size_t> hash_length(HashFunc h) noexcept {
  return wire::by_value<std::size_t>(h, {20, 16, 32});
}

// RFC 3830 §6.4: OAKLEY 5 1536 bits, OAKLEY 1 768 bits, OAKLEY 2 1024 bits.
std::optional<std::size_t> dh_value_length(DhGroup g) noexcept {
  return wire::by_value<std::size_t>(g, {192, 96, 128});
}

bool has_salt(KeyDataType t) noexcept {
  return t == KeyDataType::tgk_salt || t == KeyDataType::tek_salt || t == KeyDataType::gtgk_salt;
}

}  // namespace mikey::codec
