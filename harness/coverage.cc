#include "harness/coverage.h"

#include <algorithm>
#include <array>
#include <map>
#include <sstream>
#include <utility>

#include "harness/yaml_util.h"

namespace mikeyconf::harness {

using detail::Ctx;
using detail::LoadFailure;
using detail::MapReader;
using detail::pos_of;

std::string_view to_string(UncoveredCategory c) noexcept {
  switch (c) {
    case UncoveredCategory::not_on_the_wire:
      return "not-on-the-wire";
    case UncoveredCategory::not_applicable:
      return "not-applicable";
    case UncoveredCategory::not_yet_covered:
      return "not-yet-covered";
  }
  return "?";
}

std::optional<UncoveredCategory> parse_uncovered_category(std::string_view s) noexcept {
  for (auto c : {UncoveredCategory::not_on_the_wire, UncoveredCategory::not_applicable,
                 UncoveredCategory::not_yet_covered}) {
    if (to_string(c) == s) return c;
  }
  return std::nullopt;
}

std::string_view to_string(RoleGroup g) noexcept {
  switch (g) {
    case RoleGroup::kms:
      return "KMS";
    case RoleGroup::kms_i:
      return "KMS_I";
    case RoleGroup::kms_r:
      return "KMS_R";
    case RoleGroup::initiator:
      return "Initiator";
    case RoleGroup::responder:
      return "Responder";
    case RoleGroup::several:
      return "any or several roles";
  }
  return "?";
}

// ---- The reasons file ----

namespace {

UncoveredReason read_reason(const Ctx& ctx, const MapReader::Entry& entry) {
  UncoveredReason r;
  r.id = entry.key;
  r.pos = pos_of(entry.key_node);
  if (r.id.empty()) ctx.fail(entry.key_node, "empty requirement id");
  MapReader map(ctx, entry.value, "the entry of '" + r.id + "'");
  const YAML::Node category = map.require("category");
  const std::string name = ctx.string(category, "category");
  auto parsed = parse_uncovered_category(name);
  if (!parsed) {
    ctx.fail(category, "unknown category '" + name +
                           "' (allowed: not-on-the-wire, not-applicable, not-yet-covered)");
  }
  r.category = *parsed;
  const YAML::Node reason = map.require("reason");
  r.reason = ctx.string(reason, "reason");
  if (r.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    ctx.fail(reason, "the reason of '" + r.id + "' is empty");
  }
  map.finish();
  return r;
}

}  // namespace

LoadResult<ReasonsFile> parse_reasons_text(std::string_view text, std::string_view name) {
  Ctx ctx{std::string(name)};
  try {
    const YAML::Node root = detail::parse_document(ctx, text);
    MapReader map(ctx, root, "the reasons file");
    map.allow_all();  // its keys are requirement ids
    ReasonsFile file;
    file.file = std::string(name);
    for (const MapReader::Entry& e : map.entries()) file.reasons.push_back(read_reason(ctx, e));
    return file;
  } catch (const LoadFailure& e) {
    return e.error();
  } catch (const YAML::Exception& e) {
    return LoadError{std::string(name), pos_of(e.mark).line, pos_of(e.mark).column, e.msg};
  } catch (const std::exception& e) {
    return LoadError{std::string(name), 0, 0, std::string("cannot read the file: ") + e.what()};
  }
}

LoadResult<ReasonsFile> load_reasons(const std::filesystem::path& path) {
  try {
    return parse_reasons_text(detail::read_file(path.string()), path.string());
  } catch (const LoadFailure& e) {
    return e.error();
  }
}

// ---- Joining table, scenarios and reasons ----

namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// One named role of the role column (spec/README.md: roles separated by "; ").
std::optional<RoleGroup> single_role(std::string_view name) noexcept {
  if (name == "KMS") return RoleGroup::kms;
  if (name == "KMS_I") return RoleGroup::kms_i;
  if (name == "KMS_R") return RoleGroup::kms_r;
  if (name == "Initiator") return RoleGroup::initiator;
  if (name == "Responder") return RoleGroup::responder;
  if (name == "any") return RoleGroup::several;
  return std::nullopt;
}

}  // namespace

std::optional<RoleGroup> role_group(std::string_view role_column) noexcept {
  std::optional<RoleGroup> only;
  std::size_t named = 0;
  bool in_scope = false;
  std::size_t start = 0;
  while (start <= role_column.size()) {
    const std::size_t end = std::min(role_column.find(';', start), role_column.size());
    const std::string_view part = trim(role_column.substr(start, end - start));
    start = end + 1;
    if (part.empty()) continue;
    ++named;
    if (auto g = single_role(part)) {
      in_scope = true;
      only = g;
    }
  }
  if (!in_scope) return std::nullopt;
  return named == 1 ? only : RoleGroup::several;
}

Coverage compute_coverage(const RequirementTable& table, const std::vector<Scenario>& scenarios,
                          const ReasonsFile& reasons) {
  std::map<std::string, std::vector<std::string>, std::less<>> cited;
  for (const Scenario& s : scenarios) {
    for (const std::string& id : s.requirements) cited[id].push_back(s.id);
  }
  std::map<std::string, const UncoveredReason*, std::less<>> reason_of;
  for (const UncoveredReason& r : reasons.reasons) reason_of.emplace(r.id, &r);

  Coverage c;
  c.table_file = table.file();
  c.reasons_file = reasons.file;
  for (const Requirement& req : table.rows()) {
    const auto group = role_group(req.role);
    if (!group) {
      ++c.out_of_scope;
      continue;
    }
    CoverageRow row{req, *group, {}, std::nullopt};
    if (auto it = cited.find(req.id); it != cited.end()) row.cases = it->second;
    std::sort(row.cases.begin(), row.cases.end());
    row.cases.erase(std::unique(row.cases.begin(), row.cases.end()), row.cases.end());
    if (auto it = reason_of.find(req.id); it != reason_of.end()) row.reason = *it->second;
    c.rows.push_back(std::move(row));
  }
  for (const UncoveredReason& r : reasons.reasons) {
    const bool known = std::any_of(c.rows.begin(), c.rows.end(), [&](const CoverageRow& row) {
      return row.requirement.id == r.id;
    });
    if (!known) c.orphan_reasons.push_back(r);
  }
  return c;
}

// ---- The check ----

namespace {

std::string at(const std::string& file, int line, int column) {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : std::string(separator)) + s;
  return out;
}

}  // namespace

std::vector<CoverageProblem> coverage_problems(const Coverage& coverage) {
  using Kind = CoverageProblem::Kind;
  std::vector<CoverageProblem> out;
  for (const CoverageRow& row : coverage.rows) {
    const Requirement& r = row.requirement;
    if (row.missing()) {
      out.push_back({Kind::missing, r.id,
                     at(coverage.table_file, r.line, 1) + r.id + " (" + r.role + ", " + r.level +
                         ") is cited by no case and has no entry in " + coverage.reasons_file});
    }
  }
  // Reasons in file order: first those of covered rows, then unknown ids, each by position.
  std::vector<CoverageProblem> stale;
  std::vector<std::pair<SourcePos, std::size_t>> order;
  for (const CoverageRow& row : coverage.rows) {
    if (!row.covered() || !row.reason) continue;
    const UncoveredReason& reason = *row.reason;
    order.emplace_back(reason.pos, stale.size());
    stale.push_back({Kind::now_covered, reason.id,
                     at(coverage.reasons_file, reason.pos.line, reason.pos.column) + reason.id +
                         " is now covered by " + joined(row.cases, ", ") + ": remove its entry (" +
                         std::string(to_string(reason.category)) + ")"});
  }
  for (const UncoveredReason& reason : coverage.orphan_reasons) {
    order.emplace_back(reason.pos, stale.size());
    stale.push_back({Kind::unknown_id, reason.id,
                     at(coverage.reasons_file, reason.pos.line, reason.pos.column) + "'" +
                         reason.id + "' is not an in-scope requirement id of " +
                         coverage.table_file + ": remove or correct the entry"});
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
  });
  for (const auto& [pos, index] : order) out.push_back(std::move(stale[index]));
  return out;
}

// ---- COVERAGE.md ----

namespace {

// Markdown table cells: a pipe ends the cell, and a few characters start inline markup. Backticks
// are kept: reasons may quote check keys and case ids as code.
std::string cell(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\n' || ch == '\r' || ch == '\t') {
      out.push_back(' ');
      continue;
    }
    if (ch == '|' || ch == '\\' || ch == '*' || ch == '<') out.push_back('\\');
    out.push_back(ch);
  }
  // Folded or multi-line YAML reasons: collapse runs of spaces and trim.
  std::string collapsed;
  for (char ch : out) {
    if (ch == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
    collapsed.push_back(ch);
  }
  while (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
  return collapsed;
}

std::string covering_cell(const CoverageRow& row) {
  if (row.covered()) {
    std::string out;
    for (const std::string& id : row.cases) out += (out.empty() ? "`" : ", `") + id + "`";
    return out;
  }
  if (row.reason) {
    return "*" + std::string(to_string(row.reason->category)) + "*: " + cell(row.reason->reason);
  }
  return "**missing**: no case cites it and no reason is given";
}

struct Counts {
  std::size_t rows = 0, covered = 0, explained = 0, missing = 0;
  std::array<std::size_t, 3> by_category{};  // indexed by UncoveredCategory
  void add(const CoverageRow& row) {
    ++rows;
    if (row.covered()) ++covered;
    if (row.missing()) ++missing;
    if (row.explained()) {
      ++explained;
      ++by_category[static_cast<std::size_t>(row.reason->category)];
    }
  }
};

void write_counts_row(std::ostream& os, std::string_view label, const Counts& c) {
  os << "| " << label << " | " << c.rows << " | " << c.covered << " | " << c.explained << " | "
     << c.missing << " | " << c.by_category[0] << " | " << c.by_category[1] << " | "
     << c.by_category[2] << " |\n";
}

void write_summary(std::ostream& os, const Coverage& coverage) {
  os << "## Summary\n\n"
        "| role | rows | covered | explained | missing | not-on-the-wire | not-applicable | "
        "not-yet-covered |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  Counts total;
  for (RoleGroup g : kRoleGroups) {
    Counts c;
    for (const CoverageRow& row : coverage.rows) {
      if (row.group != g) continue;
      c.add(row);
      total.add(row);
    }
    write_counts_row(os, to_string(g), c);
  }
  write_counts_row(os, "**total**", total);
  os << "\n";
  if (coverage.out_of_scope > 0) {
    os << coverage.out_of_scope
       << " further row(s) of the table name no tested role and are not listed.\n\n";
  }
}

void write_group(std::ostream& os, const Coverage& coverage, RoleGroup g) {
  const bool several = g == RoleGroup::several;
  std::size_t n = 0;
  for (const CoverageRow& row : coverage.rows) n += row.group == g ? 1 : 0;
  os << "## " << (several ? "Any role or several roles" : to_string(g)) << " (" << n
     << (n == 1 ? " row" : " rows") << ")\n\n";
  if (n == 0) {
    os << "No requirement of the table names this role alone.\n\n";
    return;
  }
  os << (several ? "| id | role | level | summary | covered by |\n|---|---|---|---|---|\n"
                 : "| id | level | summary | covered by |\n|---|---|---|---|\n");
  for (const CoverageRow& row : coverage.rows) {
    if (row.group != g) continue;
    const Requirement& r = row.requirement;
    os << "| " << cell(r.id) << " | ";
    if (several) os << cell(r.role) << " | ";
    os << r.level << " | " << cell(r.summary) << " | " << covering_cell(row) << " |\n";
  }
  os << "\n";
}

void write_problems(std::ostream& os, const Coverage& coverage) {
  std::vector<CoverageProblem> stale;
  for (CoverageProblem& p : coverage_problems(coverage)) {
    if (p.kind != CoverageProblem::Kind::missing) stale.push_back(std::move(p));
  }
  if (stale.empty()) return;
  os << "## Stale reasons\n\n"
        "Entries of the reasons file that no longer apply (remove them):\n\n";
  for (const CoverageProblem& p : stale) {
    const bool covered = p.kind == CoverageProblem::Kind::now_covered;
    os << "- " << cell(p.id) << ": "
       << (covered ? "now covered by a case" : "not an in-scope requirement id") << "\n";
  }
  os << "\n";
}

}  // namespace

std::string coverage_markdown(const Coverage& coverage) {
  std::ostringstream os;
  os << "# Requirement coverage\n\n"
        "Generated by `mikeyconf coverage --write cases/COVERAGE.md` from `requirements.csv`, the\n"
        "`requirements:` of every case, and `not-covered.yaml` (the reason each remaining\n"
        "requirement has no case); do not edit it by hand. The test `cases.coverage_up_to_date`\n"
        "fails when this file is out of date, when a requirement is neither covered nor\n"
        "explained, or when a reason names a requirement that a case now covers.\n\n"
        "A requirement is *covered* when a case cites it, *explained* when `not-covered.yaml`\n"
        "gives its reason — `not-on-the-wire` (internal behaviour a black-box test cannot\n"
        "observe), `not-applicable` (a role or feature the project does not test, e.g. SIP/SDP\n"
        "signalling or SRTP media) or `not-yet-covered` (observable, no case yet) — and\n"
        "*missing* otherwise. Rows are in the order of `requirements.csv`; a row naming one role\n"
        "is listed under it, rows for `any` or several roles in the last table.\n\n";
  write_summary(os, coverage);
  for (RoleGroup g : kRoleGroups) write_group(os, coverage, g);
  write_problems(os, coverage);
  std::string out = os.str();
  out.pop_back();  // one trailing newline, not a blank line
  return out;
}

}  // namespace mikeyconf::harness
