#include "harness/results.h"

#include <algorithm>

#include "wire/enum_table.h"

namespace mikeyconf::harness {

MIKEY_DEFINE_ENUM_TEXT(to_string, Verdict, "?", "pass", "fail", "inconclusive", "error", "skipped",
                       "xfail", "xpass")

std::optional<Verdict> verdict_from_text(std::string_view s) noexcept {
  return mikey::wire::enum_from_text<Verdict, 7>(s, [](Verdict v) { return to_string(v); });
}

std::string_view mikeyconf_version() noexcept { return MIKEYCONF_VERSION; }

bool needs_attention(Verdict v) noexcept {
  return v == Verdict::fail || v == Verdict::xpass || v == Verdict::error;
}

namespace {

// Summary's counter of each verdict, in Verdict order.
constexpr std::size_t Summary::*kCounters[] = {
    &Summary::pass,    &Summary::fail,  &Summary::inconclusive, &Summary::error,
    &Summary::skipped, &Summary::xfail, &Summary::xpass};

}  // namespace

void Summary::add(Verdict v) noexcept {
  ++total;
  ++(this->*kCounters[static_cast<std::size_t>(v)]);
}

std::size_t Summary::of(Verdict v) const noexcept {
  return this->*kCounters[static_cast<std::size_t>(v)];
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
