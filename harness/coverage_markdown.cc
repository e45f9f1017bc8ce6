// cases/COVERAGE.md from a Coverage (coverage.h): summary per role, one table per role, the
// citations that do not count and the stale reasons.
#include <array>
#include <sstream>

#include "harness/coverage.h"
#include "wire/enum_table.h"

namespace mikeyconf::harness {

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

std::string code_list(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "`" : ", `") + id + "`";
  return out;
}

MIKEY_DEFINE_ENUM_TEXT(role_text, SutRole, "?", "KMS", "KMS_R", "KMS_I", "Initiator", "Responder")
std::string role_name(SutRole r) { return std::string(role_text(r)); }

// The proof behind a covered KMS SHALL row: its variants, or why none can exist.
std::string proof(const RoleCoverage& rc) {
  if (!rc.variants.empty()) return " (variant " + code_list(rc.variants) + ")";
  if (!rc.not_violable_alone.empty())
    return " (no single-fault variant: " + cell(rc.not_violable_alone) + ")";
  return "";
}

std::string role_text(const RoleCoverage& rc) {
  switch (rc.state) {
    case CoverageState::covered:
      return code_list(rc.cases) + proof(rc);
    case CoverageState::cited_only:
      return code_list(rc.cases) +
             " — no mutation variant for this role in mutation-registry.yaml yet";
    case CoverageState::not_covered:
      break;
  }
  return "";
}

std::string reason_text(const CoverageRow& row) {
  if (row.covered() || !row.reason) return "";
  return "*" + std::string(to_string(row.reason->category)) + "*: " + cell(row.reason->reason);
}

std::string miscited_text(const CoverageRow& row) {
  if (row.miscited.empty()) return "";
  return "not counting: " + code_list(row.miscited) + " (another sut_role)";
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts)
    if (!p.empty()) out += (out.empty() ? "" : "; ") + p;
  return out;
}

// The last cell of a row: what checks it, or why nothing does.
std::string detail_cell(const CoverageRow& row, bool several) {
  std::vector<std::string> parts;
  for (const RoleCoverage& rc : row.roles) {
    if (rc.state == CoverageState::not_covered) continue;  // the state column says so
    if (several) {
      parts.push_back(role_name(rc.role) + ": " + std::string(to_string(rc.state)) + " " +
                      role_text(rc));
    } else {
      parts.push_back(role_text(rc));
    }
  }
  parts.push_back(miscited_text(row));
  parts.push_back(reason_text(row));
  if (row.missing())
    parts.push_back("**missing**: no case of its role cites it and no reason is given");
  return joined(parts);
}

struct Counts {
  std::size_t rows = 0, covered = 0, cited_only = 0, not_covered = 0, missing = 0;
  std::array<std::size_t, 3> by_category{};  // rows not covered with a reason, by category
  void add(const CoverageRow& row) {
    ++rows;
    covered += row.state == CoverageState::covered ? 1 : 0;
    cited_only += row.state == CoverageState::cited_only ? 1 : 0;
    not_covered += row.state == CoverageState::not_covered ? 1 : 0;
    missing += row.missing() ? 1 : 0;
    if (row.explained()) ++by_category[static_cast<std::size_t>(row.reason->category)];
  }
};

void write_counts_row(std::ostream& os, std::string_view label, const Counts& c) {
  os << "| " << label << " | " << c.rows << " | " << c.covered << " | " << c.cited_only << " | "
     << c.not_covered << " | " << c.by_category[0] << " | " << c.by_category[1] << " | "
     << c.by_category[2] << " | " << c.missing << " |\n";
}

void write_summary(std::ostream& os, const Coverage& coverage) {
  os << "## Summary\n\n"
        "| role | rows | covered | cited-only | not covered | reason: not-on-the-wire | "
        "reason: not-applicable | reason: not-yet-covered | missing |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
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
  os << (several ? "| id | role | level | summary | state | per role |\n|---|---|---|---|---|---|\n"
                 : "| id | level | summary | state | cases, or why none counts |\n"
                   "|---|---|---|---|---|\n");
  for (const CoverageRow& row : coverage.rows) {
    if (row.group != g) continue;
    const Requirement& r = row.requirement;
    os << "| " << cell(r.id) << " | ";
    if (several) os << cell(r.role) << " | ";
    os << r.level << " | " << cell(r.summary) << " | " << to_string(row.state) << " | "
       << detail_cell(row, several) << " |\n";
  }
  os << "\n";
}

void write_miscitations(std::ostream& os, const Coverage& coverage) {
  if (coverage.miscitations.empty()) return;
  os << "## Citations that do not count\n\n"
        "Cases citing a requirement none of whose roles is the case's `sut_role` (the case "
        "cannot check it; cite the row of its own role instead):\n\n";
  for (const Miscitation& m : coverage.miscitations) {
    os << "- `" << m.case_id << "` (" << to_string(m.case_role) << ") cites " << cell(m.row) << " ("
       << cell(m.row_roles) << ")\n";
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
        "`requirements:` and `sut_role` of every case, `mutation-registry.yaml` and\n"
        "`not-covered.yaml`; do not edit it by hand. The test `cases.coverage_up_to_date` fails\n"
        "when this file is out of date, when a requirement is neither covered, nor waiting for a\n"
        "mutation variant, nor explained, or when a reason names a covered requirement.\n\n"
        "A requirement is *covered* for one of its roles when a case of that `sut_role` cites it\n"
        "and, for a SHALL or SHALL NOT requirement of a KMS role (KMS, KMS_R, KMS_I), when\n"
        "`mutation-registry.yaml` lists a faulty variant that violates it (the mutation test\n"
        "proves the suite fails against each) or says why no single fault can. It is\n"
        "*cited-only* when cases cite it but none counts: they play another role, or the\n"
        "variant is still missing (such a row needs no reason: the registry is where it is\n"
        "done). Otherwise it is *not covered*, and `not-covered.yaml` gives the reason —\n"
        "`not-on-the-wire` (internal behaviour a black-box test cannot observe),\n"
        "`not-applicable` (a role or feature the project does not test, e.g. SIP/SDP signalling\n"
        "or SRTP media) or `not-yet-covered` (observable, no case yet); a row with neither is\n"
        "*missing*. A row counts as covered when one of its roles is. Rows are in the order of\n"
        "`requirements.csv`; a row naming one role is listed under it, rows for `any` or several\n"
        "roles in the last table.\n\n";
  write_summary(os, coverage);
  for (RoleGroup g : kRoleGroups) write_group(os, coverage, g);
  write_miscitations(os, coverage);
  write_problems(os, coverage);
  std::string out = os.str();
  out.pop_back();  // one trailing newline, not a blank line
  return out;
}

}  // namespace mikeyconf::harness
