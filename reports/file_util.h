// Small file utilities of mikey_reports: every failure is a message naming the path, never an
// exception.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "wire/result.h"

namespace mikeyconf::reports {

// The whole file, or nullopt when it cannot be read or is larger than `max_bytes`.
std::optional<std::string> read_file(const std::filesystem::path& path,
                                     std::size_t max_bytes = std::size_t{1} << 30);

// Creates the parent folders and writes `bytes` (truncating).
mikey::Result<bool, std::string> write_file(const std::filesystem::path& path,
                                            std::string_view bytes);

// Copies a regular file, creating the destination's parent folders.
mikey::Result<bool, std::string> copy_file_to(const std::filesystem::path& from,
                                              const std::filesystem::path& to);

// The file:// URL of a path made absolute (RFC 8089), percent-encoding every byte that is not
// unreserved or '/': how a browser is pointed at report.html.
std::string file_url(const std::filesystem::path& path);

// The headless browser that renders report.html: $MIKEYCONF_CHROMIUM when set (empty when that
// is not executable), else the first chromium, chromium-browser or google-chrome on PATH; ""
// when there is none.
std::string find_chromium();

}  // namespace mikeyconf::reports
