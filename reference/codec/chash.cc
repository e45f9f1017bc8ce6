// CHASH, the certificate hash payload (RFC 3830 §6.8; RFC 6043 §6.7): Hash func, then a Hash
// whose length the function implies (SHA-1 20, MD5 16, SHA-256 32 bytes).
#include "codec/payloads.h"

namespace mikey::codec {

ParseError parse_body(FieldReader& r, Chash& out) noexcept {
  if (!r.code("hash_func", out.hash_func)) return r.error();
  std::optional<std::size_t> len = hash_length(out.hash_func);
  if (!len) return r.fail(Errc::unknown_hash_func, r.offset() - 1);
  if (!r.bytes("hash", *len, out.hash)) return r.error();
  return {};
}

void serialize_body(FieldWriter& w, const Chash& in) {
  std::optional<std::size_t> len = hash_length(in.hash_func);
  if (!len || *len != in.hash.size()) return w.fail(Errc::inconsistent_model);
  w.code("hash_func", in.hash_func);
  w.bytes("hash", in.hash);
}

}  // namespace mikey::codec
