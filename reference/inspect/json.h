// The JSON form of everything mikeyconf writes or reads as JSON (decode --json, results.json,
// the bundle, the UE hook protocol): nlohmann::ordered_json, so members keep insertion order.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mikeyconf::inspect {

using Json = nlohmann::ordered_json;

// Serialises `j`: indent < 0 compact on one line, otherwise pretty-printed with `indent` spaces;
// `ascii`: every non-ASCII character as a \u escape (RFC 8259 §7). Never throws: a byte of an
// invalid UTF-8 sequence (RFC 3629 §4) in a string becomes U+FFFD.
std::string dump_json(const Json& j, int indent = -1, bool ascii = false);

// Parses one JSON text (RFC 8259). Never throws: nullopt on any syntax error, and then
// `error_offset` (if given) receives the byte offset where the text stops being JSON.
std::optional<Json> parse_json(std::string_view text, std::size_t* error_offset = nullptr);

// The member `key` of an object; nullptr when `j` is not an object or has no such member.
const Json* find_member(const Json& j, std::string_view key);

}  // namespace mikeyconf::inspect
