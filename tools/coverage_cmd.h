// `mikeyconf coverage`: the requirement coverage of a cases directory as markdown
// (cases/COVERAGE.md), written or checked (harness/coverage.h).
#pragma once

#include <span>
#include <string_view>

#include "tools/cli.h"

namespace mikeyconf::tools {

extern const std::string_view kCoverageUsage;

// `mikeyconf coverage [--cases DIR] [--write FILE | --check FILE]`. Reads DIR/requirements.csv,
// every case under DIR and DIR/not-covered.yaml (absent: no reasons). Without --write/--check the
// markdown goes to standard output. Exit 0; 1 when --check finds FILE different from what would
// be generated, or rows that are neither covered nor explained, or stale reasons; 2 on a usage
// error or a load error (FILE:LINE:COL); 3 when FILE cannot be written.
int coverage_main(std::span<const std::string_view> args, Io& io);

}  // namespace mikeyconf::tools
