// Ticket formats: the Ticket Data field of a TICKET payload (RFC 6043 §6.10) is opaque to the
// payload codec (payloads.h keeps it as bytes); its layout depends on the Ticket Type, Subtype
// and Version of the Ticket Policy. A TicketCodec reads and writes one such layout. The
// registry maps (Ticket Type, Subtype, Version) to a codec:
//   * 1/1/1  MIKEY Base Ticket (RFC 6043 App. A), base_ticket.cc;
//   * 2/0/0  PROVISIONAL, NOT 3GPP: the base-ticket layout under Type 2 (TS 33.328 Annex D is
//            not available), ticket_type2.cc;
//   * anything registered at run time (e.g. a lab's real 3GPP Annex D codec), which takes
//     precedence over the built-in codecs.
// Also here: the byte-exact MAC inputs that involve a TICKET (RFC 6043 App. A.1, §5.5).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "codec/errc.h"
#include "codec/field_io.h"
#include "codec/layout.h"
#include "codec/payloads.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::codec {

// THDR, the ticket header (RFC 6043 App. A.3). It has no payload type code: byte 0 of the
// Ticket Data is its Next Payload field (computed by the serialiser, never stored).
struct Thdr {
  Bytes thdr_data;  // implementation specific; SHOULD be ignored if not expected
  bool operator==(const Thdr&) const = default;
};

// The model of the payload-based Ticket Data formats: THDR, then MIKEY payloads chained by
// Next Payload. For the MIKEY Base Ticket these are T, RAND, KEMAC, [IDRpsk], V (App. A.1);
// the parser keeps whatever chain it receives, in order (unexpected payloads SHOULD be ignored,
// which is for the roles to do).
struct TicketData {
  Thdr thdr;
  std::vector<Payload> payloads;
  Bytes trailing;  // bytes after the chain ended (deviation container_trailing_bytes)

  // The first payload of type `t`, or nullptr.
  const Payload* find(PayloadType t) const noexcept;
  bool operator==(const TicketData&) const = default;
};

// One Ticket Data format. Implementations are immutable after construction and are used from
// several threads at once, so every member function is const.
class TicketCodec {
 public:
  virtual ~TicketCodec() = default;

  // A human-readable name for reports ("MIKEY Base Ticket 1/1/1", ...).
  virtual std::string_view name() const noexcept = 0;
  // Whether this codec reads the Ticket Data of a ticket with this Ticket Policy triple.
  virtual bool handles(TicketType type, std::uint8_t subtype,
                       std::uint8_t version) const noexcept = 0;
  // True when the layout is a placeholder not taken from its specification (reports tag tests
  // that depend on it `unconfirmed-3gpp`).
  virtual bool provisional() const noexcept { return false; }

  // Parses `ticket_data` (the Ticket Data field only). `base_offset` is the absolute offset of
  // ticket_data[0] in the outermost input, so errors, deviations and the layout map (all
  // recorded in `state`) name positions in the message as received; field paths start with
  // `prefix` (e.g. "payload[5].TICKET.ticket_data"). On failure returns the error (where =
  // PayloadType::ticket, or the embedded payload being read) and `out` is partially filled.
  virtual ParseError parse(ByteView ticket_data, std::size_t base_offset, ParseState& state,
                           const std::string& prefix, TicketData& out) const noexcept = 0;
  // Encodes `in` as Ticket Data bytes. Fails with inconsistent_model or field_too_large. When
  // `layout` is given it receives the field map, offsets relative to the Ticket Data's byte 0.
  virtual Result<Bytes, Errc> serialize(const TicketData& in, Layout* layout = nullptr,
                                        const std::string& prefix = "ticket_data") const = 0;
};

// ---- The registry ----

// The codec for a Ticket Policy's (Ticket Type, Subtype, Version), or nullptr; the caller then
// reports Errc::unsupported_ticket_format (the KMS answers MIKEY Error 14 Invalid TICKET,
// RFC 6043 §5.4). Codecs registered at run time are searched first, newest first, then the
// built-in ones. The pointer stays valid until that codec is unregistered (built-ins: always).
const TicketCodec* find_ticket_codec(TicketType type, std::uint8_t subtype,
                                     std::uint8_t version) noexcept;
const TicketCodec* find_ticket_codec(const TicketPolicy& policy) noexcept;

// Adds a codec ahead of every codec already known (so a lab can replace the provisional Type 2
// codec with the real TS 33.328 Annex D format). The registry takes ownership; returns the
// registered codec, or nullptr when `codec` is null. Thread-safe.
const TicketCodec* register_ticket_codec(std::unique_ptr<const TicketCodec> codec);
// Removes and destroys a codec added by register_ticket_codec(); false when it is not one
// (built-ins cannot be removed). Pointers to it held elsewhere dangle afterwards. Thread-safe.
bool unregister_ticket_codec(const TicketCodec* codec) noexcept;
// Every codec in search order (run-time registrations newest first, then the built-ins).
std::vector<const TicketCodec*> ticket_codecs();

// The built-in codecs (static lifetime).
const TicketCodec& mikey_base_ticket_codec() noexcept;         // 1/1/1, base_ticket.cc
const TicketCodec& provisional_type2_ticket_codec() noexcept;  // 2/0/0, ticket_type2.cc

// The base-ticket layout (RFC 6043 App. A.1, A.3), shared by the built-in codecs and usable by
// registered ones: THDR Next Payload (1), THDR Data length (2), THDR Data, then the payload
// chain. Paths "<prefix>.thdr.next_payload", "<prefix>.thdr.thdr_data_length",
// "<prefix>.thdr.thdr_data", "<prefix>.payload[i].<TYPE>.<field>", "<prefix>.trailing".
// The Ticket Data counts as one level of nesting (ParseOptions::max_depth).
ParseError parse_base_ticket_layout(ByteView ticket_data, std::size_t base_offset,
                                    ParseState& state, const std::string& prefix,
                                    TicketData& out) noexcept;
Result<Bytes, Errc> serialize_base_ticket_layout(const TicketData& in, Layout* layout,
                                                 const std::string& prefix);

// A codec whose Ticket Data is the base-ticket layout.
class BaseLayoutTicketCodec : public TicketCodec {
 public:
  ParseError parse(ByteView ticket_data, std::size_t base_offset, ParseState& state,
                   const std::string& prefix, TicketData& out) const noexcept override {
    return parse_base_ticket_layout(ticket_data, base_offset, state, prefix, out);
  }
  Result<Bytes, Errc> serialize(const TicketData& in, Layout* layout,
                                const std::string& prefix) const override {
    return serialize_base_ticket_layout(in, layout, prefix);
  }
};

// Decodes / encodes a TICKET's Ticket Data with the codec its Ticket Policy selects;
// unsupported_ticket_format (offset = base_offset, where = TICKET) when there is none.
ParseError parse_ticket_data(const Ticket& ticket, std::size_t base_offset, ParseState& state,
                             const std::string& prefix, TicketData& out) noexcept;
Result<Bytes, Errc> serialize_ticket_data(const TicketPolicy& policy, const TicketData& in,
                                          Layout* layout = nullptr,
                                          const std::string& prefix = "ticket_data");

// ---- MAC inputs involving a TICKET ----

// RFC 6043 App. A.1: the base ticket's V MAC covers the whole TICKET
// payload except its Next Payload byte, the Initiator Data length and Initiator Data fields and
// the MAC itself: TICKET[1 .. 12+t+d−mac_len), t = TP Data length, d = Ticket Data length.
// `ticket_payload` is exactly one TICKET payload from its Next Payload byte. The result is a
// view into `ticket_payload`. Errors: truncated (the bytes end before the Initiator Data does),
// inconsistent_model (bytes after the Initiator Data, or mac_len > d).
Result<ByteView, Errc> ticket_mac_input(ByteView ticket_payload, std::size_t mac_len) noexcept;
// The same with mac_len taken from the V payload that must end the Ticket Data, which is
// decoded with the codec its Ticket Policy selects. Further errors: unsupported_ticket_format,
// any parse error of the Ticket Data, unexpected_payload_type (the Ticket Data does not end
// with a V payload, or bytes follow it).
Result<ByteView, Errc> base_ticket_mac_input(ByteView ticket_payload) noexcept;

// RFC 6043 §5.5: the TRANSFER_INIT MAC input, i.e. the message without the
// MAC field of its last payload (V) and without the Initiator Data length and Initiator Data
// fields of each top-level TICKET payload, followed by Identity_i and Identity_r (ID Data
// bytes, not IDR payloads). INTERPRETATION: those TICKET fields are removed from the MAC input,
// not zeroed; the TP Data and Ticket Data lengths stay as sent. `message` is the TRANSFER_INIT
// as received and `layout` the layout map parse_message() produced for it (record_layout must
// have been on). Errors: unexpected_payload_type (no V payload, or V is not the last payload),
// inconsistent_model (the layout does not describe `message`).
Result<Bytes, Errc> transfer_init_mac_input(ByteView message, const Layout& layout,
                                            ByteView identity_i, ByteView identity_r);

}  // namespace mikey::codec
