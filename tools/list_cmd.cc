// `mikeyconf list` and `mikeyconf explain` (tools/run_cmd.h): what the suite holds, from the same
// files `mikeyconf run` loads (so a case that does not load is exit 2 with its FILE:LINE:COL).
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "harness/explain.h"
#include "tools/run_cmd.h"
#include "tools/suite_cli.h"

namespace mikeyconf::tools {

namespace fs = std::filesystem;

const std::string_view kListUsage =
    "usage: mikeyconf list [--cases DIR] [--filter GLOB]... [--role ROLE]\n"
    "\n"
    "Prints one line per case: id, level, SUT role, title.\n"
    "\n"
    "  --cases DIR        the cases folder (default: as 'mikeyconf run --help' says)\n"
    "  --filter GLOB      only ids matching the shell glob (repeatable)\n"
    "  --role ROLE        only cases for this SUT role: kms, kms_r, kms_i, initiator, responder\n"
    "\n"
    "exit status: 0 listed (also when nothing matches), 2 usage or configuration error\n";

const std::string_view kExplainUsage =
    "usage: mikeyconf explain CASE [--cases DIR]\n"
    "\n"
    "Prints one case: title, file, level, SUT role, needs, tags, the text and source of every\n"
    "requirement it checks, and its steps.\n"
    "\n"
    "  --cases DIR        the cases folder (default: as 'mikeyconf run --help' says)\n"
    "\n"
    "exit status: 0 printed, 2 usage error, unknown id (the closest ids are named) or a file\n"
    "that does not load\n";

namespace {

bool matches_any(const std::vector<std::string>& globs, const std::string& id) {
  if (globs.empty()) return true;
  for (const std::string& g : globs) {
    if (glob_matches(g, id)) return true;
  }
  return false;
}

void define_list(CLI::App& app) {
  value_option(app, "--cases");
  value_option(app, "--filter", true);
  value_option(app, "--role");
}

void define_explain(CLI::App& app) {
  positional(app, "CASE");
  value_option(app, "--cases");
}

int list_parsed(const ParsedArgs& parsed, Io& io) {
  std::optional<harness::SutRole> role;
  if (const std::string* r = parsed.value("--role")) {
    role = harness::parse_sut_role(*r);
    if (!role)
      return command_usage_error(io, "list", "--role: unknown role '" + *r + "'", kListUsage);
  }
  auto located = locate_catalog(parsed.value("--cases"));
  if (!located.ok()) {
    io.err << "mikeyconf list: " << located.error() << "\n";
    return kExitUsage;
  }
  const std::vector<std::string> globs = parsed.all("--filter");
  std::vector<harness::Scenario> shown;
  for (const harness::Scenario& s : located->catalog.scenarios) {
    if ((!role || s.sut_role == *role) && matches_any(globs, s.id)) shown.push_back(s);
  }
  io.out << harness::list_text(shown);
  if (shown.empty()) io.err << "mikeyconf list: no case matches\n";
  return kExitOk;
}

int explain_parsed(const ParsedArgs& parsed, Io& io) {
  if (parsed.positional.empty())
    return command_usage_error(io, "explain", "CASE is required", kExplainUsage);
  auto located = locate_catalog(parsed.value("--cases"));
  if (!located.ok()) {
    io.err << "mikeyconf explain: " << located.error() << "\n";
    return kExitUsage;
  }
  const CaseCatalog& catalog = located->catalog;
  const std::string& id = parsed.positional[0];
  const harness::Scenario* s = find_case(catalog, id);
  if (s == nullptr) {
    io.err << "mikeyconf explain: " << unknown_case_message(catalog, id, located->dir) << "\n";
    return kExitUsage;
  }
  io.out << harness::explain_text(*s, &catalog.requirements);
  return kExitOk;
}

}  // namespace

int list_main(std::span<const std::string_view> args, Io& io) {
  return run_command({"list", kListUsage, &define_list, &list_parsed}, args, io);
}

int explain_main(std::span<const std::string_view> args, Io& io) {
  return run_command({"explain", kExplainUsage, &define_explain, &explain_parsed}, args, io);
}

}  // namespace mikeyconf::tools
