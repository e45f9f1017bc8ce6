// `mikeyconf diff A/results.json B/results.json`: what changed between two runs, case by case
// (tools/README.md "mikeyconf diff").
#pragma once

#include <span>
#include <string_view>

#include "tools/cli.h"

namespace mikeyconf::tools {

extern const std::string_view kDiffUsage;

// Compares the verdicts of two results.json files (schema mikeyconf.results/1) by case id and
// prints the new failures, the fixes, the other verdict changes and the cases added or removed,
// as text or (--json) one JSON object. Exit 0 no regression, 1 B regressed (a case pass, xfail,
// skipped or absent in A is fail, error or xpass in B), 2 usage error or a file that cannot be
// read or is no results.json (the message names the file).
int diff_main(std::span<const std::string_view> args, Io& io);

}  // namespace mikeyconf::tools
