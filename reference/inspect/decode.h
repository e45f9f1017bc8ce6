// The decode tree of one MIKEY message: an annotated field list built from the codec's layout
// map (layout.h), plus the structures the message parser leaves opaque: the Key data chain in a
// NULL-encrypted KEMAC, the Ticket Data of a TICKET (through the ticket codec its Ticket Policy
// selects) and the RFC 4563 Key ID information of a General Extension of type 3. Rendering
// (tree, JSON) is in render.h; `mikeyconf decode` and the reports both read it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/errc.h"
#include "codec/field_io.h"
#include "codec/message.h"
#include "wire/bytes.h"

namespace mikeyconf::inspect {

// One field of the layout map, with its value read from the message bytes.
struct DecodedField {
  std::string path;  // layout path, e.g. "payload[2].KEMAC.encr_alg"
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  std::uint8_t mask = 0xff;  // bits of a one-byte field that belong to it
  std::string value_hex;     // the field's bytes as received (the whole byte for a bit field)
  // The integer value for numeric fields of ≤ 8 bytes (bit fields: masked and shifted; a
  // 16-bit length sharing its first byte with bit fields, like PKE's Data len, without them).
  std::optional<std::uint64_t> value;
  std::string_view registry;  // code-point registry ("EncrAlg"), "" when not a code point
  std::string_view name;      // the code point's RFC name, "" when unassigned or not a code point
  std::string text;           // printable rendition: ASCII of ID data / URIs, NTP time as UTC
};

// The first error that stopped decoding: of the message itself (context "") or of an embedded
// structure (context = the container's path, e.g. "payload[4].KEMAC.encr_data").
struct DecodeError {
  mikey::codec::ParseError error;
  std::string context;
};

// Something a reader should know that is neither an error nor a deviation (e.g. "Ticket Data
// shown as bytes: no ticket codec for 2/0/0").
struct DecodeNote {
  std::uint32_t offset = 0;
  std::string path;
  std::string text;
};

struct DecodeResult {
  mikey::Bytes bytes;
  mikey::codec::Message message;  // what the parser read (partial when error is set)
  std::optional<DecodeError> error;
  std::vector<DecodedField> fields;  // layout order; embedded fields follow their container
  std::vector<mikey::codec::Deviation> deviations;  // ordered by offset
  std::vector<DecodeNote> notes;

  bool valid() const noexcept { return !error.has_value(); }
};

// Parses `bytes` and everything embedded in it. Never throws on any input (allocation
// failure aside); a malformed message gives a partial result with `error` set.
DecodeResult decode_message(mikey::ByteView bytes, const mikey::codec::ParseOptions& options = {});

// The enumerator names of the codec's error and deviation kinds ("truncated",
// "trailing_bytes"), stable identifiers for JSON and scripts.
std::string_view error_code_name(mikey::codec::Errc e) noexcept;
std::string_view deviation_kind_name(mikey::codec::DeviationKind d) noexcept;
// Where an error occurred, as a payload name ("KEMAC"; "HDR" for the header; "message" for
// the chain itself; "payload type 48" for a type without a name).
std::string error_where(const DecodeResult& r);

}  // namespace mikeyconf::inspect
