// Rendering of a DecodeResult: the annotated tree for people and the JSON object for scripts
// (both built from the same field list; nesting comes from the layout paths' segments).
#pragma once

#include <string>

#include "inspect/decode.h"
#include "inspect/input.h"
#include "inspect/json.h"

namespace mikeyconf::inspect {

// The tree: one line per field (offset, length, field, value, code-point name or text),
// grouped by HDR / payload / embedded structure, then deviations, notes and the error.
std::string render_tree(const DecodeResult& r, InputFormat format = InputFormat::binary);

// {"valid", "error", "length", "fields": [...], "deviations": [...], "notes": [...],
//  "message": {"hdr": {...}, "payloads": [{"type", "type_name", "offset", "length",
//                                         "fields": {...}}], "trailing": "..."}}
// In "hdr" and "fields", a field is its value (integer, else hex bytes), a code point also
// gets "<name>_name", text gets "<name>_text"; "x[i]" paths become arrays; a field holding
// decoded structure becomes {"value": ..., <members>}; embedded chains nest as "payloads".
Json render_json(const DecodeResult& r);

}  // namespace mikeyconf::inspect
