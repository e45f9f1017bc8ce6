// The auditor's view at the top of report.html: the executive summary (what was tested, with
// which suite, and the outcome), the failures with their reasons, counts by level and by
// requirement group, the per-requirement view, and the cases table with its filters.
#pragma once

#include <string>

#include "harness/requirements.h"
#include "harness/results.h"

namespace mikeyconf::reports {

// <section id="summary">: SUT product/version/vendor, role, URL, run date, tool version, suite
// digest and whether it is the shipped suite, the result and the counts by verdict.
std::string executive_summary(const harness::RunResult& run);

// <section id="failures">: every fail, xpass and error with its one-line reason and a link.
std::string failures_section(const harness::RunResult& run);

// <section id="breakdown">: verdict counts by requirement level and by requirement group.
std::string breakdown_section(const harness::RunResult& run);

// <section id="requirements">: each requirement some case claims → its cases → their verdicts,
// and how many requirements of the table no case claims. `table` may be null.
std::string requirements_view(const harness::RunResult& run,
                              const harness::RequirementTable* table);

// The cases table, worst first, with the verdict / level / group / text filter above it.
std::string cases_table(const harness::RunResult& run);

}  // namespace mikeyconf::reports
