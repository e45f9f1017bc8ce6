// Pieces the suite subcommands (`run`, `replay`, `list`, `explain`) share: a small option parser
// (`--name VALUE`, `--name=VALUE`, repeatable options, flags), number parsing, loading the
// requirement table and the scenarios of a cases folder, "did you mean" for case ids, and shell
// quoting for the commands printed back to the user.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/requirements.h"
#include "harness/scenario.h"
#include "tools/cli.h"
#include "wire/result.h"

namespace mikeyconf::tools {

// One option a subcommand accepts. `takes_value`: `--name VALUE` or `--name=VALUE`; otherwise a
// flag. A non-repeatable option given twice is a usage error.
struct OptionSpec {
  std::string_view name;
  bool takes_value = true;
  bool repeatable = false;
};

struct ParsedArgs {
  bool help = false;                                                    // -h or --help
  std::map<std::string, std::vector<std::string>, std::less<>> values;  // options with a value
  std::vector<std::string> flags;
  std::vector<std::string> positional;  // everything else ("--" ends the options)

  // The value of a non-repeatable option, or nullptr when not given.
  const std::string* value(std::string_view name) const;
  // Every value of a repeatable option, in command-line order (empty when not given).
  std::vector<std::string> all(std::string_view name) const;
  bool flag(std::string_view name) const;
};

// Parses `args` against `specs`. Fails with a one-line message for an unknown option, a missing
// or empty value, a repeated non-repeatable option or more than `max_positional` positionals.
mikey::Result<ParsedArgs, std::string> parse_args(std::span<const std::string_view> args,
                                                  std::span<const OptionSpec> specs,
                                                  std::size_t max_positional);

// Decimal integer in [min, max], nothing else (no sign, no spaces).
std::optional<std::uint64_t> parse_number(std::string_view s, std::uint64_t min, std::uint64_t max);

// Prints "mikeyconf CMD: MESSAGE", a blank line and the usage to io.err; returns kExitUsage.
int usage_error(Io& io, std::string_view command, std::string_view message, std::string_view usage);

// The requirement table and every scenario of a cases folder, as `run` loads them.
struct CaseCatalog {
  harness::RequirementTable requirements;
  std::vector<harness::Scenario> scenarios;
};

// Loads `cases_dir`/requirements.csv and the scenarios under `cases_dir`. Fails with the loader's
// "FILE:LINE:COL: message", or with a hint when `cases_dir` is not a folder.
mikey::Result<CaseCatalog, std::string> load_catalog(const std::filesystem::path& cases_dir);

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
