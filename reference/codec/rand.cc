// RAND (RFC 3830 §6.11) and RANDR, RAND with role (RFC 6043 §6.8).
#include "codec/payloads.h"

namespace mikey::codec {

namespace {
constexpr Counted kRand{"rand_len", "rand", 1};
constexpr Typed kRandWithRole{"rand_role", {"rand_length", "rand", 1}};
}  // namespace

ParseError parse_body(FieldReader& r, Rand& out) noexcept {
  return r.result(r.counted(kRand, out.rand));
}

void serialize_body(FieldWriter& w, const Rand& in) { w.counted(kRand, in.rand); }

MIKEY_SHAPED_BODY(RandWithRole, typed, kRandWithRole, role, rand)

}  // namespace mikey::codec
