// DH, the DH data payload (RFC 3830 §6.4): DH-Group, DH-value (length implied by the group),
// Reserv (4 bits) | KV (4 bits), KV data (RFC 3830 §6.14). Not used by MIKEY-TICKET; decoded
// so RFC 3830 DH messages parse.
#include "codec/payloads.h"

namespace mikey::codec {

namespace {
constexpr BitField kReserved{"reserved", 0xf0};
constexpr BitField kKv{"kv", 0x0f};
}  // namespace

ParseError parse_body(FieldReader& r, Dh& out) noexcept {
  if (!r.code("dh_group", out.group)) return r.error();
  std::optional<std::size_t> len = dh_value_length(out.group);
  if (!len) return r.fail(Errc::unknown_dh_group, r.offset() - 1);
  std::uint8_t res_kv = 0;
  if (!r.bytes("dh_value", *len, out.value)) return r.error();
  std::size_t kv_at = r.offset();
  if (!r.bits(res_kv, {kReserved, kKv})) return r.error();
  out.reserved = static_cast<std::uint8_t>(res_kv >> 4);
  out.kv = static_cast<KvType>(res_kv & 0x0f);
  if (out.reserved != 0) {
    r.deviate(DeviationKind::reserved_bits_set, kv_at, "DH Reserv bits not zero (RFC 3830 §6.4)");
  }
  // The KV data length follows from KV alone; an unknown KV ends parsing at its byte.
  if (!is_known(out.kv)) return r.fail(Errc::unknown_kv_type, kv_at);
  return parse_kv_data(r, out.kv, out.kv_data);
}

void serialize_body(FieldWriter& w, const Dh& in) {
  std::optional<std::size_t> len = dh_value_length(in.group);
  if (!len || *len != in.value.size() || in.reserved > 0x0f || raw(in.kv) > 0x0f) {
    return w.fail(Errc::inconsistent_model);
  }
  w.code("dh_group", in.group);
  w.bytes("dh_value", in.value);
  w.bits(static_cast<std::uint8_t>((in.reserved << 4) | raw(in.kv)), {kReserved, kKv});
  serialize_kv_data(w, in.kv, in.kv_data);
}

}  // namespace mikey::codec
