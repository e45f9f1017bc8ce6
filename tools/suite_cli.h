// Pieces the suite subcommands (`run`, `replay`, `list`, `explain`) share: number parsing, loading
// the requirement table and the scenarios of a cases folder, "did you mean" for case ids, and shell
// quoting for the commands printed back to the user.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/requirements.h"
#include "harness/scenario.h"
#include "tools/cli.h"
#include "wire/result.h"

namespace mikeyconf::tools {

// Decimal integer in [min, max], nothing else (no sign, no spaces).
std::optional<std::uint64_t> parse_number(std::string_view s, std::uint64_t min, std::uint64_t max);

// The requirement table and every scenario of a cases folder, as `run` loads them.
struct CaseCatalog {
  harness::RequirementTable requirements;
  std::vector<harness::Scenario> scenarios;
};

// Loads `cases_dir`/requirements.csv and the scenarios under `cases_dir`. Fails with the loader's
// "FILE:LINE:COL: message", or with a hint when `cases_dir` is not a folder.
mikey::Result<CaseCatalog, std::string> load_catalog(const std::filesystem::path& cases_dir);

// The cases folder `option` (--cases DIR) names, or else the one tools/data_dir.h finds, and its
// catalog; fails with the lookup's places tried or load_catalog's message.
struct LocatedCatalog {
  std::filesystem::path dir;
  CaseCatalog catalog;
};
mikey::Result<LocatedCatalog, std::string> locate_catalog(const std::string* option);

// The scenario with exactly this id, or nullptr.
const harness::Scenario* find_case(const CaseCatalog& catalog, std::string_view id);

// Up to `count` ids of `catalog` closest to `id` (Levenshtein distance, ties in suite order).
std::vector<std::string> closest_ids(const CaseCatalog& catalog, std::string_view id,
                                     std::size_t count = 3);

// "unknown case 'X' in DIR; did you mean A, B or C?"
std::string unknown_case_message(const CaseCatalog& catalog, std::string_view id,
                                 const std::filesystem::path& cases_dir);

// Whether `id` matches the shell glob `pattern` (fnmatch: *, ?, [...]) as a whole; the engine
// selects `RunOptions::only` the same way.
bool glob_matches(const std::string& pattern, const std::string& id);

// `s` as one shell word: unchanged when it only holds [A-Za-z0-9_./:=@%+,-], else single-quoted.
std::string shell_quote(std::string_view s);

}  // namespace mikeyconf::tools
