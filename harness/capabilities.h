// The capability vocabulary: the names a case lists under `needs:` and a SUT profile under
// `capabilities:` (harness/README.md "Capabilities"), kept in one place so that a typo in either
// file is a load error naming the nearest known name instead of a run that silently skips every
// case needing it. Also the level names of a profile's `levels:` and the "did you mean" helper
// the loaders and the command line share.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mikeyconf::harness {

// One entry of the vocabulary: a fixed name ("psk") or a parametric one ("suite:N"), with what
// declaring it promises.
struct CapabilityInfo {
  std::string_view pattern;  // "psk", "suite:N", "ticket-type:T/S/V", ...
  std::string_view meaning;
};
std::span<const CapabilityInfo> capability_vocabulary() noexcept;

// Nothing when `name` belongs to the vocabulary; otherwise the one-line problem, e.g.
// "unknown capability 'PSK' (did you mean 'psk'?)" or "capability 'suite:512': N is 128 or 256".
std::optional<std::string> capability_problem(std::string_view name);

// Nothing when `name` is a level (SHALL, SHALL NOT, SHOULD, SHOULD NOT, MAY); otherwise
// "unknown level 'SHAL' (did you mean 'SHALL'?; levels: SHALL, SHALL NOT, SHOULD, SHOULD NOT,
// MAY)".
std::optional<std::string> level_problem(std::string_view name);

// Levenshtein distance (insertions, deletions and substitutions cost 1).
std::size_t edit_distance(std::string_view a, std::string_view b) noexcept;

// The candidate nearest to `word` — compared case-insensitively, so a wrong case alone always
// matches — when it is close enough to be a likely typo (at most a third of the word's length
// wrong, at least one edit allowed); empty otherwise. Ties go to the earlier candidate.
std::string nearest_name(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace mikeyconf::harness
