// SHA-256 (FIPS 180-4) through OpenSSL, for manifest.sha256 and the report page's
// Content-Security-Policy script hash. OpenSSL stays inside digest.cc.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "wire/bytes.h"

namespace mikeyconf::reports {

using Sha256 = std::array<std::uint8_t, 32>;

Sha256 sha256(mikey::ByteView data);

// The digest of a file's contents read in chunks, or nullopt when it cannot be read.
std::optional<Sha256> sha256_file(const std::filesystem::path& path);

}  // namespace mikeyconf::reports
