// The MIKEY Base Ticket, Ticket Type 1 / Subtype 1 / Version 1 (RFC 6043
// App. A): Ticket Data = THDR, T, RAND, KEMAC, [IDRpsk], V.
// THDR (App. A.3) = Next Payload (1) | THDR Data length (16) | THDR Data. It has no payload type
// code and no "First Payload" byte precedes it: App. A.1 says the Ticket Data "MUST always begin
// with" THDR, and §6.10 gives the First Payload rule only for TP Data and Initiator Data
// (confirmed from the RFC text; THDR has no Next Payload value). The payloads after THDR are an
// ordinary Next Payload chain.
#include <new>
#include <string>

#include "codec/message.h"
#include "codec/ticket_codec.h"

namespace mikey::codec {

namespace {

class MikeyBaseTicketCodec final : public BaseLayoutTicketCodec {
 public:
  std::string_view name() const noexcept override { return "MIKEY Base Ticket 1/1/1"; }
  bool handles(TicketType type, std::uint8_t subtype,
               std::uint8_t version) const noexcept override {
    // RFC 6043 App. A: Subtype 0x01, Version 0x01 is the ticket defined there.
    return type == TicketType::mikey_base_ticket && subtype == 1 && version == 1;
  }
};

ParseError parse_layout(ByteView ticket_data, std::size_t base_offset, ParseState& st,
                        const std::string& prefix, TicketData& out) {
  out = TicketData{};
  FieldReader r(wire::Reader(ticket_data, base_offset), st, prefix, PayloadType::ticket);
  // The Ticket Data is an embedded chain like TP Data and Initiator Data (field_io.h).
  if (st.depth >= st.options.max_depth) return r.fail(Errc::nesting_too_deep, r.offset());
  FieldReader tr = r.child("thdr", PayloadType::ticket);
  PayloadType next{};
  std::uint16_t thdr_len = 0;
  bool ok = tr.code("next_payload", next) && tr.u16("thdr_data_length", thdr_len) &&
            tr.bytes("thdr_data", thdr_len, out.thdr.thdr_data);
  r.reader() = tr.reader();
  if (!ok) return tr.error();
  return parse_nested_chain(r, next, out.payloads, out.trailing, "payload chain", prefix);
}

}  // namespace

const Payload* TicketData::find(PayloadType t) const noexcept {
  for (const Payload& p : payloads)
    if (p.type == t) return &p;
  return nullptr;
}

ParseError parse_base_ticket_layout(ByteView ticket_data, std::size_t base_offset,
                                    ParseState& state, const std::string& prefix,
                                    TicketData& out) noexcept {
  try {
    return parse_layout(ticket_data, base_offset, state, prefix, out);
  } catch (
      const std::bad_alloc&) {  // std::bad_alloc from a pathological input: report, never propagate
    return {Errc::too_many_payloads, static_cast<std::uint32_t>(base_offset), PayloadType::ticket};
  }
}

Result<Bytes, Errc> serialize_base_ticket_layout(const TicketData& in, Layout* layout,
                                                 const std::string& prefix) {
  return serialize_headed_chain(
      layout, prefix, "thdr",
      [&in](FieldWriter& tw, PayloadType first) {
        tw.code("next_payload", first);
        tw.length("thdr_data_length", in.thdr.thdr_data.size(), 2);
        tw.bytes("thdr_data", in.thdr.thdr_data);
      },
      in.payloads, in.trailing);
}

const TicketCodec& mikey_base_ticket_codec() noexcept {
  static const MikeyBaseTicketCodec codec;
  return codec;
}

}  // namespace mikey::codec
