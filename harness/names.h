// Code-point names as cases and profiles spell them: the RFC names of codec/codepoints.h
// ("REQUEST_RESP", "HMAC-SHA-256-256", "Auth failure", "RANDR"), compared case-insensitively, or
// the number itself. Shared by the loaders and the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mikeyconf::harness {

// The value of `name` in the codec registry `registry` (e.g. "DataType", "PayloadType",
// "MacAlg", "EncrAlg", "PrfFunc", "ErrorNo", "KeyDataType", "TicketType", "IdType"), or nullopt.
// For PayloadType, '_' matches ' ' ("General_Ext" = "General Ext", the layout-path spelling).
std::optional<std::uint32_t> code_point_value(std::string_view registry,
                                              std::string_view name) noexcept;

// The RFC name of `value` in `registry`, or "" when unassigned.
std::string_view code_point_name(std::string_view registry, std::uint32_t value) noexcept;

}  // namespace mikeyconf::harness
