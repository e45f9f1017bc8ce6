// `mikeyconf report --pdf [--out FILE] DIR`: DIR/report.html printed to PDF by headless Chromium
// with the page's print style sheet (the summary and the failures; reports/README.md). Exit codes
// (tools/README.md): 0 written, 2 usage error, 3 Chromium missing or failed, or no report in DIR.
#pragma once

#include <span>
#include <string_view>

#include "tools/cli.h"

namespace mikeyconf::tools {

extern const std::string_view kReportUsage;

int report_main(std::span<const std::string_view> args, Io& io);

}  // namespace mikeyconf::tools
