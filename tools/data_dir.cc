#include "tools/data_dir.h"

#include <cstdlib>
#include <system_error>

namespace mikeyconf::tools {

namespace fs = std::filesystem;

#ifndef MIKEYCONF_DATA_FROM_BIN
#define MIKEYCONF_DATA_FROM_BIN "../share/mikeyconf"
#endif

DataDirEnv process_data_dir_env() {
  DataDirEnv env;
  if (const char* d = std::getenv("MIKEYCONF_DATADIR"); d != nullptr && *d != '\0') {
    env.datadir = fs::path(d);
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) env.executable = std::move(exe);
  return env;
}

fs::path installed_data_dir(const fs::path& executable) {
  return (executable.parent_path() / MIKEYCONF_DATA_FROM_BIN).lexically_normal();
}

std::vector<DataCandidate> data_candidates(const DataDirEnv& env, std::string_view name) {
  std::vector<DataCandidate> out;
  out.push_back({env.working_dir / name, "the current folder"});
  if (env.datadir) {
    out.push_back({*env.datadir / name, "MIKEYCONF_DATADIR"});
  } else {
    out.push_back({{}, "MIKEYCONF_DATADIR is not set"});
  }
  if (env.executable) {
    out.push_back({installed_data_dir(*env.executable) / name, "the installation"});
  }
  return out;
}

mikey::Result<fs::path, std::string> find_cases_dir(const std::string* option,
                                                    const DataDirEnv& env) {
  if (option != nullptr) return fs::path(*option);
  std::string tried;
  for (const DataCandidate& c : data_candidates(env, "cases")) {
    std::error_code ec;
    if (!c.path.empty() && fs::is_regular_file(c.path / "requirements.csv", ec)) return c.path;
    tried += "\n  " + (c.path.empty() ? "MIKEYCONF_DATADIR/cases" : c.path.string()) + " (" +
             c.origin + ")";
  }
  return std::string("no cases folder (one holding requirements.csv) found; tried:" + tried +
                     "\ngive --cases DIR, set MIKEYCONF_DATADIR, or run from the repository root");
}

}  // namespace mikeyconf::tools
