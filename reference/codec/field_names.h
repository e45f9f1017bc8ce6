// Which code-point registry a layout-map field belongs to, found from its path alone, so a
// decoder can print "Encr alg 0 (NULL)" for any field of the layout map (layout.h) without
// knowing the payload structs. The rule reads the path's last segment and, for the generic
// name "type" (and PKE's "c"), its parent segment.
#pragma once

#include <cstdint>
#include <string_view>

#include "codec/codepoints.h"

namespace mikey::codec {

// The registry name (as in CodePoint::registry, e.g. "PayloadType") of the field at `path`,
// or "" when the field is not a code point (lengths, data, flags, reserved bits).
std::string_view code_point_registry(std::string_view path) noexcept;

// True when the layout path segment `segment` (e.g. "KEMAC" of "payload[2].KEMAC.encr_alg")
// names payload type `t`. Paths spell the RFC name with '_' for ' ' ("General_Ext", so that
// a segment is one word); the RFC spelling is accepted too.
bool segment_names_payload(std::string_view segment, PayloadType t) noexcept;

// True when the field at `path` holds a code point of some registry.
bool is_code_point_field(std::string_view path) noexcept;

// The RFC name of `value` in the registry of the field at `path` (e.g. "payload[2].KEMAC.
// encr_alg", 0 → "NULL"), or "" when the field is not a code point or no RFC read assigns
// the value. `value` is the field's value after masking and shifting (a bit field's own bits).
std::string_view code_point_name(std::string_view path, std::uint32_t value) noexcept;

}  // namespace mikey::codec
