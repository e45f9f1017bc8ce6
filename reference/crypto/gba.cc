#include "crypto/gba.h"

#include <limits>
#include <new>

#include "crypto/mac.h"

namespace mikey::crypto {

Result<SecureBytes, Error> gba_kdf(ByteView key, ByteView fc,
                                   std::span<const ByteView> params) noexcept {
  // TS 33.220 B.2.1: FC is a single octet, or 0xFF followed by a second octet.
  const bool fc_ok = fc.size() == 1 || (fc.size() == 2 && fc[0] == 0xFF);
  if (!fc_ok) return Error{Errc::bad_parameter};
  for (ByteView p : params) {
    if (p.size() > std::numeric_limits<std::uint16_t>::max()) return Error{Errc::bad_length};
  }
  try {
    // S carries RAND and identities but no key, so an ordinary vector is fine.
    Bytes s(fc.begin(), fc.end());
    for (ByteView p : params) {
      s.insert(s.end(), p.begin(), p.end());
      s.push_back(static_cast<std::uint8_t>(p.size() >> 8));
      s.push_back(static_cast<std::uint8_t>(p.size()));
    }
    SecureBytes out(digest_length(Digest::sha256));
    auto n = hmac_into(Digest::sha256, key, {ByteView(s)}, out.span());
    if (!n.ok()) return n.error();
    return out;
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

Result<Bytes, Error> naf_id(std::string_view fqdn, ByteView ua_protocol_id) noexcept {
  try {
    return concat({as_bytes(fqdn), ua_protocol_id});
  } catch (const std::bad_alloc&) {  // allocation failure only
    return Error{Errc::out_of_memory};
  }
}

Result<SecureBytes, Error> ks_ext_naf(ByteView ks, ByteView rand, std::string_view impi,
                                      ByteView naf_id) noexcept {
  static constexpr std::uint8_t kFcKsNaf[] = {0x01};  // TS 33.220 B.3: FC = 0x01
  return gba_kdf(ks, kFcKsNaf, {as_bytes("gba-me"), rand, as_bytes(impi), naf_id});
}

}  // namespace mikey::crypto
