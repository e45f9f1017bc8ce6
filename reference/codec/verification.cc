// V, the verification payload (RFC 3830 §6.9): Auth alg, then a MAC whose length the
// algorithm implies.
#include "codec/payloads.h"

namespace mikey::codec {

ParseError parse_body(FieldReader& r, Verification& out) noexcept {
  if (!r.code("auth_alg", out.auth_alg)) return r.error();
  std::optional<std::size_t> len = mac_length(out.auth_alg);
  if (!len) return r.fail(Errc::unknown_mac_alg, r.offset() - 1);
  if (!r.bytes("mac", *len, out.mac)) return r.error();
  return {};
}

void serialize_body(FieldWriter& w, const Verification& in) {
  std::optional<std::size_t> len = mac_length(in.auth_alg);
  if (!len || *len != in.mac.size()) return w.fail(Errc::inconsistent_model);
  w.code("auth_alg", in.auth_alg);
  w.bytes("mac", in.mac);
}

}  // namespace mikey::codec
