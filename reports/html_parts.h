// Small pieces report.html's sections share: verdict order and badges, anchors, number and
// duration text, requirement groups.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "harness/results.h"

namespace mikeyconf::reports {

// Worst first: the order of the summary, the cases table, and how a requirement's verdict is
// chosen.
inline constexpr std::array<harness::Verdict, 7> kVerdictOrder = {
    harness::Verdict::fail,         harness::Verdict::xpass, harness::Verdict::error,
    harness::Verdict::inconclusive, harness::Verdict::xfail, harness::Verdict::skipped,
    harness::Verdict::pass};

std::size_t verdict_rank(harness::Verdict v);
std::string verdict_name(harness::Verdict v);
std::string badge(harness::Verdict v);

// An id attribute from a case or requirement id: [A-Za-z0-9.-] kept, anything else as _HH so
// distinct ids stay distinct.
std::string anchor(std::string_view prefix, std::string_view id);
std::string case_link(const harness::CaseResult& c);

std::string num(std::size_t n);
std::string duration_text(double ms);
std::string kv_row(std::string_view th, const std::string& td_html);

// The section a requirement id belongs to: the id without its trailing "-N" counter
// ("A.2-10" → "A.2", "T-6.10-3" → "T-6.10").
std::string requirement_group(std::string_view id);
// A case's groups, each once, in the order its requirements name them.
std::vector<std::string> case_groups(const harness::CaseResult& c);

// Case indexes with the worst verdicts first (stable: run order within a verdict).
std::vector<std::size_t> worst_first(const harness::RunResult& run);

}  // namespace mikeyconf::reports
