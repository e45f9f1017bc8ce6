// A MIKEY message: HDR, then the payload chain (RFC 3830 §6, §6.1). The parser only walks the
// Next payload chain and dispatches to the per-payload parsers; it makes no protocol decisions.
#pragma once

#include <functional>
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

struct Message {
  Hdr hdr;
  std::vector<Payload> payloads;
  Bytes trailing;  // bytes after the last payload, kept so the round trip is exact

  // The first payload of type `t` (nullptr if none) and all of them.
  const Payload* find(PayloadType t) const noexcept;
  std::vector<const Payload*> find_all(PayloadType t) const;
  bool operator==(const Message&) const = default;
};

// What parse_message() returns. On error, `message`, `layout` and `deviations` hold everything
// read before the failing offset (so a decoder can show the partial tree).
struct ParseOutcome {
  ParseError error;  // code == Errc::ok on success
  Message message;
  Layout layout;
  std::vector<Deviation> deviations;

  bool ok() const noexcept { return error.code == Errc::ok; }
};

// Never throws, never reads out of bounds; any byte string yields a typed outcome.
ParseOutcome parse_message(ByteView bytes, const ParseOptions& options = {}) noexcept;

// Encodes `m` (Next payload fields computed from the chain). Fails with inconsistent_model
// (e.g. #CS disagrees with the map entries, a payload follows SIGN) or field_too_large.
// When `layout` is given it receives the field map of the emitted bytes.
Result<Bytes, Errc> serialize_message(const Message& m, Layout* layout = nullptr);

// Chain walking shared with containers (TP Data, Initiator Data, the base ticket's Ticket
// Data): parses payloads starting at type `first` until Next payload 0 (or after SIGN) and
// appends them to `out`. Paths are "<r.prefix()>.payload[i].<TYPE>.<field>".
ParseError parse_chain(FieldReader& r, PayloadType first, std::vector<Payload>& out) noexcept;
void serialize_chain(FieldWriter& w, const std::vector<Payload>& payloads);
// Fresh bytes: a header written by `write_header` (under "<prefix>.<header>", given the first
// payload's type), then `payloads` and `trailing`. field_too_large on allocation failure.
Result<Bytes, Errc> serialize_headed_chain(
    Layout* layout, const std::string& prefix, std::string_view header,
    const std::function<void(FieldWriter&, PayloadType first)>& write_header,
    const std::vector<Payload>& payloads, const Bytes& trailing);
// A container holding "First Payload" + chain (RFC 6043 §6.10); `r` spans exactly the container.
ParseError parse_container(FieldReader& r, Chain& out) noexcept;
// parse_chain one nesting level deeper; bytes left in r after the chain are kept in `trailing`
// and reported as a container_trailing_bytes deviation "... byte(s) after the <chain> of <owner>"
// (" of <owner>" left out when `owner` is empty).
ParseError parse_nested_chain(FieldReader& r, PayloadType first, std::vector<Payload>& out,
                              Bytes& trailing, std::string_view chain,
                              std::string_view owner) noexcept;
void serialize_container(FieldWriter& w, const Chain& in);

// RFC 6043 §4 per-message V flag value, or nullopt where no rule applies (TRANSFER_INIT
// without TICKET, i.e. a CSB update, and RFC 3830 messages).
std::optional<bool> expected_v_flag(const Message& m) noexcept;

}  // namespace mikey::codec
