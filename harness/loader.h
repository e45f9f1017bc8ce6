// The scenario loader: YAML → Scenario under a strict schema (harness/README.md "Scenario
// schema"). Unknown keys, wrong types, unknown names (knobs, check keys, code points, requirement
// ids) and duplicate ids are errors reported as file:line:col with a message. Nothing here throws
// to the caller: every entry point returns LoadResult.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "harness/load_error.h"
#include "harness/requirements.h"
#include "harness/scenario.h"

namespace mikeyconf::harness {

// Largest scenario text accepted (a case is a few hundred bytes; bounds fuzzing work too).
inline constexpr std::size_t kMaxScenarioBytes = 256 * 1024;

// One scenario from YAML text; `name` is what errors call the file. With `requirements`, every
// cited id must be a row of the table; without, ids are only checked to be non-empty (fuzzing).
LoadResult<Scenario> parse_scenario_text(std::string_view text, std::string_view name,
                                         const RequirementTable* requirements = nullptr);

// One scenario file (one YAML document).
LoadResult<Scenario> load_scenario(const std::filesystem::path& path,
                                   const RequirementTable* requirements = nullptr);

// Every *.yaml file under `dir` (recursively, in path order), skipping directories named
// `profiles` and `baselines` (SUT data lives there) and files named `not-covered.yaml` (the
// coverage reasons, coverage.h). Ids must be unique across the result: the
// second occurrence is reported at its `id` with the first one's location. Fails on the first
// bad file.
LoadResult<std::vector<Scenario>> load_scenarios(const std::filesystem::path& dir,
                                                 const RequirementTable& requirements);

}  // namespace mikeyconf::harness
