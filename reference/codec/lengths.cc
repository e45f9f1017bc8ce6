// Implicit lengths: fields whose size follows from a code point (mikey-base.md §3.8). An
// unknown code point here makes the payload unparseable.
#include "codec/payloads.h"

namespace mikey::codec {

std::optional<std::size_t> ts_value_length(TsType t) noexcept {
  switch (t) {
    case TsType::ntp_utc:
    case TsType::ntp:
      return 8;  // RFC 3830 §6.6
    case TsType::counter:
      return 4;  // RFC 3830 §6.6
    case TsType::ntp_utc_32:
      return 4;  // RFC 6043 §6.3
  }
  return std::nullopt;
}

std::optional<std::size_t> mac_length(MacAlg a) noexcept {
  switch (a) {
    case MacAlg::null:
      return 0;
    case MacAlg::hmac_sha1_160:
      return 20;  // RFC 3830 §6.2
    case MacAlg::hmac_sha256_256:
      return 32;  // RFC 6043 §6.2
  }
  return std::nullopt;
}

std::optional<std::size_t> hash_length(HashFunc h) noexcept {
  switch (h) {
    case HashFunc::sha1:
      return 20;  // RFC 3830 §6.8
    case HashFunc::md5:
      return 16;
    case HashFunc::sha256:
      return 32;  // RFC 6043 §6.7
  }
  return std::nullopt;
}

std::optional<std::size_t> dh_value_length(DhGroup g) noexcept {
  switch (g) {
    case DhGroup::oakley_5:
      return 192;  // RFC 3830 §6.4: 1536 bits
    case DhGroup::oakley_1:
      return 96;  // 768 bits
    case DhGroup::oakley_2:
      return 128;  // 1024 bits
  }
  return std::nullopt;
}

bool has_salt(KeyDataType t) noexcept {
  return t == KeyDataType::tgk_salt || t == KeyDataType::tek_salt || t == KeyDataType::gtgk_salt;
}

}  // namespace mikey::codec
