// General Extension (RFC 3830 §6.15): Type, Length (16 bits), Data; and the RFC 4563 §4 Key ID
// information carried in the Data of a type 3 (Key ID) extension.
#include "codec/payloads.h"

#include <string>

namespace mikey::codec {

ParseError parse_body(FieldReader& r, GeneralExtension& out) noexcept {
  std::uint16_t len = 0;
  if (!r.code("type", out.type) || !r.u16("length", len) || !r.bytes("data", len, out.data)) {
    return r.error();
  }
  return {};
}

void serialize_body(FieldWriter& w, const GeneralExtension& in) {
  w.code("type", in.type);
  w.length("length", in.data.size(), 2);
  w.bytes("data", in.data);
}

ParseError parse_key_id_info(ByteView data, std::size_t base, ParseState& st,
                             const std::string& prefix, std::vector<KeyIdEntry>& out) noexcept {
  std::size_t at = base;  // where the entry being read starts, for the allocation failure
  try {
    FieldReader r(wire::Reader(data, base), st, prefix, PayloadType::general_ext);
    out.clear();
    // RFC 4563 §4: Key ID Type (1) | Key ID Length (1) | Key ID, repeated to fill the Data.
    while (r.remaining() > 0) {
      at = r.offset();
      FieldReader er =
          r.with_prefix(join_path(prefix, "key_id[" + std::to_string(out.size()) + "]"),
                        PayloadType::general_ext);
      KeyIdEntry& e = out.emplace_back();
      std::uint8_t len = 0;
      bool ok = er.code("key_id_type", e.type) && er.u8("key_id_length", len) &&
                er.bytes("key_id", len, e.key_id);
      r.reader() = er.reader();
      // Like an SP TLV: an entry running past the Data is truncated at the entry's first byte.
      if (!ok) return er.fail(Errc::truncated, at);
    }
    return {};
  } catch (...) {  // std::bad_alloc from a pathological input: report, never propagate
    return {Errc::too_many_payloads, static_cast<std::uint32_t>(at), PayloadType::general_ext};
  }
}

}  // namespace mikey::codec
