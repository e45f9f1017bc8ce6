#include "harness/results.h"

#include <algorithm>

#include "wire/enum_table.h"

namespace mikeyconf::harness {

MIKEY_DEFINE_ENUM_TEXT(to_string, Verdict, "?", "pass", "fail", "inconclusive", "error", "skipped",
                       "xfail", "xpass")

void Summary::add(Verdict v) noexcept {
  ++total;
  switch (v) {
    case Verdict::pass:
      ++pass;
      break;
    case Verdict::fail:
      ++fail;
      break;
    case Verdict::inconclusive:
      ++inconclusive;
      break;
    case Verdict::error:
      ++error;
      break;
    case Verdict::skipped:
      ++skipped;
      break;
    case Verdict::xfail:
      ++xfail;
      break;
    case Verdict::xpass:
      ++xpass;
      break;
  }
}

Summary RunResult::summary() const noexcept {
  Summary s;
  for (const CaseResult& c : cases) s.add(c.verdict);
  return s;
}

std::vector<Exclusion> RunResult::exclusions() const {
  std::vector<Exclusion> out;
  for (const CaseResult& c : cases) {
    if (c.verdict != Verdict::skipped) continue;
    auto group = std::find_if(out.begin(), out.end(),
                              [&](const Exclusion& e) { return e.reason == c.reason; });
    if (group == out.end()) group = out.insert(out.end(), Exclusion{c.reason, {}});
    group->ids.push_back(c.id);
  }
  return out;
}

int RunResult::exit_code() const noexcept {
  if (!setup_error.empty()) return 3;  // the verdicts would not hold: nothing was judged
  if (interrupted) return 3;           // the run is incomplete: its verdicts are not the suite's
  const Summary s = summary();
  if (s.fail > 0 || s.xpass > 0) return 1;
  if (s.error > 0) return 3;
  return 0;
}

}  // namespace mikeyconf::harness
