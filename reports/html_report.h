// report.html (reports/README.md): one self-contained page for an auditor. Inline CSS, one
// inline script (verdict filter, copy buttons) and inline SVG; no external reference at all, and
// a Content-Security-Policy that allows nothing but the page's own script (by hash). Everything
// is in the page without the script. Every text is escaped (html_text.h); what came from the SUT
// is cut at a few tens of KiB per item with a note (results.json keeps every byte).
#pragma once

#include <string>

#include "harness/requirements.h"
#include "harness/results.h"

namespace mikeyconf::reports {

// `requirements` may be null: the requirement sections then list the ids the cases cite without
// their texts.
std::string report_html(const harness::RunResult& run,
                        const harness::RequirementTable* requirements);

}  // namespace mikeyconf::reports
