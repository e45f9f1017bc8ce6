// The MIKEY Base Ticket, Ticket Type 1 / Subtype 1 / Version 1 (RFC 6043 App. A;
// mikey-ticket.md §4.6): Ticket Data = THDR, T, RAND, KEMAC, [IDRpsk], V.
// THDR (App. A.3) = Next Payload (1) | THDR Data length (16) | THDR Data. It has no payload type
// code and no "First Payload" byte precedes it: App. A.1 says the Ticket Data "MUST always begin
// with" THDR, and §6.10 gives the First Payload rule only for TP Data and Initiator Data
// (ERRATA S-4). The payloads after THDR are an ordinary Next Payload chain.
#include <string>

#include "codec/message.h"
#include "codec/ticket_codec.h"

namespace mikey::codec {

namespace {

class MikeyBaseTicketCodec final : public TicketCodec {
 public:
  std::string_view name() const noexcept override { return "MIKEY Base Ticket 1/1/1"; }
  bool handles(TicketType type, std::uint8_t subtype,
               std::uint8_t version) const noexcept override {
    // RFC 6043 App. A: Subtype 0x01, Version 0x01 is the ticket defined there.
    return type == TicketType::mikey_base_ticket && subtype == 1 && version == 1;
  }
  ParseError parse(ByteView ticket_data, std::size_t base_offset, ParseState& state,
                   const std::string& prefix, TicketData& out) const noexcept override {
    return parse_base_ticket_layout(ticket_data, base_offset, state, prefix, out);
  }
  Result<Bytes, Errc> serialize(const TicketData& in, Layout* layout,
                                const std::string& prefix) const override {
    return serialize_base_ticket_layout(in, layout, prefix);
  }
};

ParseError parse_layout(ByteView ticket_data, std::size_t base_offset, ParseState& st,
                        const std::string& prefix, TicketData& out) {
  out = TicketData{};
  FieldReader r(wire::Reader(ticket_data, base_offset), st, prefix, PayloadType::ticket);
  // The Ticket Data is an embedded chain like TP Data and Initiator Data (field_io.h).
  if (st.depth >= st.options.max_depth) return r.fail(Errc::nesting_too_deep, r.offset());
  FieldReader tr = r.with_prefix(join_path(prefix, "thdr"), PayloadType::ticket);
  PayloadType next{};
  std::uint16_t thdr_len = 0;
  bool ok = tr.code("next_payload", next) && tr.u16("thdr_data_length", thdr_len) &&
            tr.bytes("thdr_data", thdr_len, out.thdr.thdr_data);
  r.reader() = tr.reader();
  if (!ok) return tr.error();
  ++st.depth;
  ParseError e = parse_chain(r, next, out.payloads);
  --st.depth;
  if (e.code != Errc::ok) return e;
  if (r.remaining() > 0) {
    std::size_t at = r.offset();
    r.deviate(DeviationKind::container_trailing_bytes, at,
              std::to_string(r.remaining()) + " byte(s) after the payload chain of " + prefix);
    if (!r.bytes("trailing", r.remaining(), out.trailing)) return r.error();
  }
  return {};
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
  } catch (...) {  // std::bad_alloc from a pathological input: report, never propagate
    return {Errc::too_many_payloads, static_cast<std::uint32_t>(base_offset), PayloadType::ticket};
  }
}

Result<Bytes, Errc> serialize_base_ticket_layout(const TicketData& in, Layout* layout,
                                                 const std::string& prefix) {
  try {
    SerializeState st;
    st.layout = layout;
    FieldWriter w(st, prefix);
    FieldWriter tw = w.with_prefix(join_path(prefix, "thdr"));
    tw.code("next_payload", in.payloads.empty() ? PayloadType::last : in.payloads.front().type);
    tw.length("thdr_data_length", in.thdr.thdr_data.size(), 2);
    tw.bytes("thdr_data", in.thdr.thdr_data);
    serialize_chain(w, in.payloads);
    if (!in.trailing.empty()) w.bytes("trailing", in.trailing);
    if (!st.ok()) return st.status();
    return std::move(st.writer).take();
  } catch (...) {  // allocation failure
    return Errc::field_too_large;
  }
}

const TicketCodec& mikey_base_ticket_codec() noexcept {
  static const MikeyBaseTicketCodec codec;
  return codec;
}

}  // namespace mikey::codec
