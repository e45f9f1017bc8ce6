// General Extension (RFC 3830 §6.15): Type, Length (16 bits), Data; and the RFC 4563 §4 Key ID
// information carried in the Data of a type 3 (Key ID) extension.
#include "codec/payloads.h"

#include <new>
#include <string>

namespace mikey::codec {

namespace {
constexpr Typed kExtension{"type", {"length", "data", 2}};
}  // namespace

MIKEY_SHAPED_BODY(GeneralExtension, typed, kExtension, type, data)

ParseError parse_key_id_info(ByteView data, std::size_t base, ParseState& st,
                             const std::string& prefix, std::vector<KeyIdEntry>& out) noexcept {
  // RFC 4563 §4: Key ID Type (1) | Key ID Length (1) | Key ID, repeated to fill the Data.
  constexpr Typed kKeyId{"key_id_type", {"key_id_length", "key_id", 1}};
  std::size_t at = base;  // where the entry being read starts, for the allocation failure
  try {
    FieldReader r(wire::Reader(data, base), st, prefix, PayloadType::general_ext);
    out.clear();
    while (r.remaining() > 0) {
      at = r.offset();
      FieldReader er = r.child("key_id", out.size(), PayloadType::general_ext);
      KeyIdEntry& e = out.emplace_back();
      const bool ok = er.typed(kKeyId, e.type, e.key_id).code == Errc::ok;
      r.reader() = er.reader();
      // Like an SP TLV: an entry running past the Data is truncated at the entry's first byte.
      if (!ok) return er.fail(Errc::truncated, at);
    }
    return {};
  } catch (
      const std::bad_alloc&) {  // std::bad_alloc from a pathological input: report, never propagate
    return {Errc::too_many_payloads, static_cast<std::uint32_t>(at), PayloadType::general_ext};
  }
}

}  // namespace mikey::codec
