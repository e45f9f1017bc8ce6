// TP, the Ticket Policy payload (type 16), and TICKET (type 17), RFC 6043 §6.10: two payload
// types sharing one layout; TP stops after TP Data (offsets in RFC 6043 §6.10).
//   Ticket Type (16) | Subtype | Version | PRF Func (7) D | E F G H I J K L | M N O Res (5) |
//   TP Data length (16) | TP Data
//   -- TICKET only -- Ticket Data length (16) | Ticket Data |
//                     Initiator Data length (16) | Initiator Data
// TP Data and Initiator Data are "First Payload" + payload chain containers (message.h).
// Ticket Data stays opaque here; ticket_codec.h reads it.
#include <new>
#include <string>

#include "codec/message.h"
#include "codec/payloads.h"

namespace mikey::codec {

namespace {

// Byte 5: PRF Func (7 bits) | D.
constexpr std::uint8_t kPrfFunc = 0xfe;
constexpr std::uint8_t kD = 0x01;
// Byte 6.
constexpr std::uint8_t kE = 0x80;
constexpr std::uint8_t kF = 0x40;
constexpr std::uint8_t kG = 0x20;
constexpr std::uint8_t kH = 0x10;
constexpr std::uint8_t kI = 0x08;
constexpr std::uint8_t kJ = 0x04;
constexpr std::uint8_t kK = 0x02;
constexpr std::uint8_t kL = 0x01;
// Byte 7: M N O | Res (5 bits).
constexpr std::uint8_t kM = 0x80;
constexpr std::uint8_t kN = 0x40;
constexpr std::uint8_t kO = 0x20;
constexpr std::uint8_t kRes = 0x1f;

std::uint8_t flag(bool set, std::uint8_t mask) { return set ? mask : 0; }

// A length-prefixed container (TP Data, Initiator Data): the 16-bit length, then a reader over
// exactly that many bytes for parse_container(). The whole container range is recorded under
// `name` too (mutation knobs act on it).
ParseError parse_sized_container(FieldReader& r, std::string_view length_name,
                                 std::string_view name, Chain& out) {
  std::uint16_t len = 0;
  if (!r.u16(length_name, len)) return r.error();
  FieldReader sub = r;
  if (!r.nested(name, len, sub)) return r.error();
  r.record(name, sub.offset(), len);
  return parse_container(sub, out);
}

// The length precedes the container, so the container is first serialised on its own; its
// bytes and layout entries are then spliced in at the current offset.
void serialize_sized_container(FieldWriter& w, std::string_view length_name, std::string_view name,
                               const Chain& in) {
  SerializeState sub;
  Layout sub_layout;
  if (w.state().layout != nullptr) sub.layout = &sub_layout;
  FieldWriter cw(sub, w.recording() ? join_path(w.prefix(), name) : std::string());
  serialize_container(cw, in);
  if (!sub.ok()) return w.fail(sub.status());
  const Bytes& bytes = sub.writer.data();
  w.length(length_name, bytes.size(), 2);
  if (!w.state().ok()) return;
  std::size_t base = w.offset();
  w.record(name, base, bytes.size());
  if (Layout* layout = w.state().layout) {
    for (const FieldRange& f : sub_layout.fields()) {
      layout->add(f.path, base + f.offset, f.length, f.mask);
    }
  }
  w.writer().bytes(bytes);
}

// The part TP and TICKET share: Ticket Type through TP Data.
ParseError parse_policy(FieldReader& r, TicketPolicy& out) {
  std::uint8_t b5 = 0;
  std::uint8_t b6 = 0;
  std::uint8_t b7 = 0;
  std::size_t b7_at = 0;
  if (!r.code("ticket_type", out.ticket_type) || !r.u8("subtype", out.subtype) ||
      !r.u8("version", out.version) || !r.bits(b5, {{"prf_func", kPrfFunc}, {"d", kD}}) ||
      !r.bits(b6, {{"e", kE},
                   {"f", kF},
                   {"g", kG},
                   {"h", kH},
                   {"i", kI},
                   {"j", kJ},
                   {"k", kK},
                   {"l", kL}})) {
    return r.error();
  }
  b7_at = r.offset();
  if (!r.bits(b7, {{"m", kM}, {"n", kN}, {"o", kO}, {"res", kRes}})) return r.error();
  out.prf_func = static_cast<PrfFunc>((b5 & kPrfFunc) >> 1);
  TicketFlags& f = out.flags;
  f.d = (b5 & kD) != 0;
  f.e = (b6 & kE) != 0;
  f.f = (b6 & kF) != 0;
  f.g = (b6 & kG) != 0;
  f.h = (b6 & kH) != 0;
  f.i = (b6 & kI) != 0;
  f.j = (b6 & kJ) != 0;
  f.k = (b6 & kK) != 0;
  f.l = (b6 & kL) != 0;
  f.m = (b7 & kM) != 0;
  f.n = (b7 & kN) != 0;
  f.o = (b7 & kO) != 0;
  f.reserved = b7 & kRes;
  if (f.reserved != 0) {
    // RFC 6043 §6.10 does not state the sending value of Res: send 0, ignore on receipt
    // (INTERPRETATION).
    r.deviate(DeviationKind::reserved_bits_set, b7_at,
              "TP/TICKET Res bits not zero (RFC 6043 §6.10)");
  }
  return parse_sized_container(r, "tp_data_length", "tp_data", out.tp_data);
}

void serialize_policy(FieldWriter& w, const TicketPolicy& in) {
  if (raw(in.prf_func) > (kPrfFunc >> 1) || in.flags.reserved > kRes) {
    return w.fail(Errc::inconsistent_model);
  }
  const TicketFlags& f = in.flags;
  w.code("ticket_type", in.ticket_type);
  w.u8("subtype", in.subtype);
  w.u8("version", in.version);
  w.bits(static_cast<std::uint8_t>((raw(in.prf_func) << 1) | flag(f.d, kD)),
         {{"prf_func", kPrfFunc}, {"d", kD}});
  w.bits(static_cast<std::uint8_t>(flag(f.e, kE) | flag(f.f, kF) | flag(f.g, kG) | flag(f.h, kH) |
                                   flag(f.i, kI) | flag(f.j, kJ) | flag(f.k, kK) | flag(f.l, kL)),
         {{"e", kE}, {"f", kF}, {"g", kG}, {"h", kH}, {"i", kI}, {"j", kJ}, {"k", kK}, {"l", kL}});
  w.bits(static_cast<std::uint8_t>(flag(f.m, kM) | flag(f.n, kN) | flag(f.o, kO) | f.reserved),
         {{"m", kM}, {"n", kN}, {"o", kO}, {"res", kRes}});
  serialize_sized_container(w, "tp_data_length", "tp_data", in.tp_data);
}

}  // namespace

ParseError parse_body(FieldReader& r, TicketPolicy& out) noexcept {
  try {
    return parse_policy(r, out);
  } catch (
      const std::bad_alloc&) {  // std::bad_alloc from a pathological input: report, never propagate
    return r.fail(Errc::too_many_payloads, r.offset());
  }
}

void serialize_body(FieldWriter& w, const TicketPolicy& in) { serialize_policy(w, in); }

ParseError parse_body(FieldReader& r, Ticket& out) noexcept {
  try {
    ParseError e = parse_policy(r, out.policy);
    if (e.code != Errc::ok) return e;
    std::uint16_t ticket_len = 0;
    if (!r.u16("ticket_data_length", ticket_len) ||
        !r.bytes("ticket_data", ticket_len, out.ticket_data)) {
      return r.error();
    }
    // The Initiator Data length is present in every TICKET, 0 without Initiator Data
    // (RFC 6043 §6.10: the field list marks it "Not present in the TP payload").
    return parse_sized_container(r, "initiator_data_length", "initiator_data", out.initiator_data);
  } catch (
      const std::bad_alloc&) {  // std::bad_alloc from a pathological input: report, never propagate
    return r.fail(Errc::too_many_payloads, r.offset());
  }
}

void serialize_body(FieldWriter& w, const Ticket& in) {
  serialize_policy(w, in.policy);
  w.length("ticket_data_length", in.ticket_data.size(), 2);
  w.bytes("ticket_data", in.ticket_data);
  serialize_sized_container(w, "initiator_data_length", "initiator_data", in.initiator_data);
}

}  // namespace mikey::codec
