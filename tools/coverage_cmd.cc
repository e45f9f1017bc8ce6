#include "tools/coverage_cmd.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "harness/coverage.h"
#include "harness/loader.h"
#include "harness/requirements.h"
#include "tools/data_dir.h"

namespace mikeyconf::tools {

const std::string_view kCoverageUsage =
    "usage: mikeyconf coverage [--cases DIR] [--write FILE | --check FILE]\n"
    "\n"
    "Requirement coverage of the cases in DIR (default: the suite run finds): per row of\n"
    "DIR/requirements.csv and per role it names, covered (a case of that role cites it and,\n"
    "for a KMS SHALL row, DIR/mutation-registry.yaml has a variant for it), cited-only or not\n"
    "covered, with the reason DIR/not-covered.yaml gives. Prints the markdown\n"
    "(cases/COVERAGE.md) to standard output; citations that do not count and registry entries\n"
    "that prove nothing are warnings on standard error.\n"
    "\n"
    "  --cases DIR    the cases directory (default: ./cases, $MIKEYCONF_DATADIR/cases or the\n"
    "                 installed suite, as for run)\n"
    "  --write FILE   write the markdown to FILE instead\n"
    "  --check FILE   compare FILE with the markdown and check that every requirement is\n"
    "                 covered, waiting for a mutation variant or explained, and that no\n"
    "                 reason is stale\n"
    "\n"
    "exit status: 0 ok; 1 --check found FILE out of date, or rows neither covered nor\n"
    "explained, or stale reasons; 2 usage or load error (FILE:LINE:COL); 3 FILE cannot be\n"
    "written\n";

namespace {

using harness::Coverage;
using harness::CoverageProblem;

struct Options {
  std::filesystem::path cases;
  std::optional<std::filesystem::path> write;
  std::optional<std::filesystem::path> check;
};

// Each option may be given again; the last one counts.
void define_coverage(CLI::App& app) {
  for (const char* name : {"--cases", "--write", "--check"}) value_option(app, name, true);
}

std::optional<std::filesystem::path> path_of(const ParsedArgs& a, std::string_view name) {
  if (const std::string* v = a.value(name)) return std::filesystem::path(*v);
  return std::nullopt;
}

// Loads the table, the scenarios and the reasons; on failure the LoadError text.
std::optional<std::string> load_coverage(const std::filesystem::path& dir, Coverage& out) {
  auto table = harness::load_requirements(dir / "requirements.csv");
  if (!table.ok()) return table.error().to_string();
  auto scenarios = harness::load_scenarios(dir, table.value());
  if (!scenarios.ok()) return scenarios.error().to_string();
  const auto reasons_path = dir / "not-covered.yaml";
  harness::ReasonsFile reasons{reasons_path.string(), {}};
  std::error_code ec;
  if (std::filesystem::exists(reasons_path, ec)) {
    auto loaded = harness::load_reasons(reasons_path);
    if (!loaded.ok()) return loaded.error().to_string();
    reasons = std::move(loaded).value();
  }
  harness::MutationRegistry registry;
  if (const auto registry_path = dir / "mutation-registry.yaml";
      std::filesystem::exists(registry_path, ec)) {
    auto loaded = harness::load_mutation_registry(registry_path);
    if (!loaded.ok()) return loaded.error().to_string();
    registry = std::move(loaded).value();
  }
  out = harness::compute_coverage(table.value(), scenarios.value(), reasons, registry);
  return std::nullopt;
}

// Citations that do not count and registry entries that prove nothing: worth fixing, but the
// rule (coverage_problems) does not depend on them.
void print_warnings(const Coverage& coverage, std::ostream& err) {
  for (const harness::Miscitation& m : coverage.miscitations) {
    err << "warning: " << m.case_id << " (sut_role " << harness::to_string(m.case_role)
        << ") cites " << m.row << ", a requirement of " << m.row_roles
        << ": the citation does not count\n";
  }
  for (const std::string& note : coverage.registry_notes) err << "warning: " << note << "\n";
}

std::optional<std::string> read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string line_at(const std::string& text, std::size_t index) {
  std::istringstream in(text);
  std::string line;
  for (std::size_t i = 0; i <= index; ++i) {
    if (!std::getline(in, line)) return "(end of file)";
  }
  return "'" + line + "'";
}

// The 0-based index of the first line where the texts differ.
std::size_t first_difference(const std::string& a, const std::string& b) {
  std::size_t line = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size() && a[i] == b[i]; ++i) {
    if (a[i] == '\n') ++line;
  }
  return line;
}

void print_problems(const std::vector<CoverageProblem>& problems, std::string_view prefix,
                    std::ostream& err) {
  for (const CoverageProblem& p : problems) err << prefix << p.message << "\n";
}

// --check: 1 when FILE differs from `markdown` or the rule is broken.
int check(const Options& o, const std::string& markdown, const Coverage& coverage, Io& io) {
  const auto problems = harness::coverage_problems(coverage);
  print_problems(problems, "", io.err);
  const std::string regenerate =
      "mikeyconf coverage --cases " + o.cases.string() + " --write " + o.check->string();
  bool up_to_date = false;
  if (const auto current = read_text(*o.check); !current) {
    io.err << o.check->string() << ": cannot be read; generate it with: " << regenerate << "\n";
  } else if (*current != markdown) {
    const std::size_t line = first_difference(markdown, *current);
    io.err << o.check->string() << ":" << (line + 1) << ": out of date: expected "
           << line_at(markdown, line) << ", found " << line_at(*current, line)
           << "\n  regenerate with: " << regenerate << "\n";
  } else {
    up_to_date = true;
  }
  if (!problems.empty()) {
    io.err << problems.size() << " coverage problem(s): cite the requirement in a case, or give "
           << "its reason in " << coverage.reasons_file << "; remove reasons of covered rows\n";
  }
  return up_to_date && problems.empty() ? kExitOk : kExitFailed;
}

int write(const std::filesystem::path& file, const std::string& markdown, Io& io) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << markdown;
  out.close();
  if (!out) {
    io.err << "mikeyconf coverage: cannot write " << file.string() << "\n";
    return kExitSetup;
  }
  return kExitOk;
}

int coverage_parsed(const ParsedArgs& a, Io& io) {
  Options o;
  o.write = path_of(a, "--write");
  o.check = path_of(a, "--check");
  if (o.write && o.check) {
    return command_usage_error(io, "coverage", "--write and --check exclude each other",
                               kCoverageUsage);
  }
  // Without --cases, the suite tools/data_dir.h finds (./cases, $MIKEYCONF_DATADIR, installed).
  auto cases = find_cases_dir(a.value("--cases"));
  if (!cases.ok()) {
    io.err << "mikeyconf coverage: " << cases.error() << "\n";
    return kExitUsage;
  }
  o.cases = cases.value();
  Coverage coverage;
  if (auto load_error = load_coverage(o.cases, coverage)) {
    io.err << *load_error << "\n";
    return kExitUsage;
  }
  const std::string markdown = harness::coverage_markdown(coverage);
  print_warnings(coverage, io.err);
  if (o.check) return check(o, markdown, coverage, io);
  // Printing and writing report the problems as warnings; only --check fails on them.
  print_problems(harness::coverage_problems(coverage), "warning: ", io.err);
  if (o.write) return write(*o.write, markdown, io);
  io.out << markdown;
  return kExitOk;
}

}  // namespace

int coverage_main(std::span<const std::string_view> args, Io& io) {
  return run_command({"coverage", kCoverageUsage, &define_coverage, &coverage_parsed}, args, io);
}

}  // namespace mikeyconf::tools
