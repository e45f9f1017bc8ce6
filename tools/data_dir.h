// Where mikeyconf finds its suite (the cases folder: requirements.csv, the scenarios, the SUT
// profiles and baselines) when no --cases is given, so an installed mikeyconf runs from any
// folder. Order: ./cases when it holds requirements.csv (the repository root), then
// $MIKEYCONF_DATADIR/cases, then the data folder of the installation the running executable
// belongs to (<exe>/../share/mikeyconf/cases), found from the executable's own path so a
// relocated installation (`cmake --install --prefix ANY`, the .deb's /usr) works as well.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/result.h"

namespace mikeyconf::tools {

// What the lookup reads from the process, passed in so it can be tested with folders of its own.
struct DataDirEnv {
  std::filesystem::path working_dir;                // "" = the current folder (paths stay relative)
  std::optional<std::filesystem::path> datadir;     // MIKEYCONF_DATADIR, when set and not empty
  std::optional<std::filesystem::path> executable;  // the running binary, when known
};

// This process's: the current folder, MIKEYCONF_DATADIR and /proc/self/exe.
DataDirEnv process_data_dir_env();

// The installation's data folder for an executable installed at `executable`
// (<exe>/../share/mikeyconf with the default install layout).
std::filesystem::path installed_data_dir(const std::filesystem::path& executable);

// One place the lookup tries: where (empty: not set), and why it is there (for the message when
// none fits).
struct DataCandidate {
  std::filesystem::path path;
  std::string origin;
};

// The places tried for the data entry `name` (e.g. "cases"), in lookup order.
std::vector<DataCandidate> data_candidates(const DataDirEnv& env, std::string_view name);

// The cases folder: `option` (--cases DIR) as given when present; else the first candidate that
// holds requirements.csv; else an error naming every place tried.
mikey::Result<std::filesystem::path, std::string> find_cases_dir(
    const std::string* option, const DataDirEnv& env = process_data_dir_env());

}  // namespace mikeyconf::tools
