#include "harness/coverage.h"

#include <algorithm>
#include <array>
#include <map>
#include <sstream>
#include <utility>

#include "harness/yaml_util.h"
#include "wire/enum_table.h"

namespace mikeyconf::harness {

using detail::Ctx;
using detail::LoadFailure;
using detail::MapReader;
using detail::pos_of;

MIKEY_DEFINE_ENUM_TEXT(to_string, UncoveredCategory, "?", "not-on-the-wire", "not-applicable",
                       "not-yet-covered")

std::optional<UncoveredCategory> parse_uncovered_category(std::string_view s) noexcept {
  return mikey::wire::enum_from_text<UncoveredCategory, 3>(
      s, [](UncoveredCategory c) { return to_string(c); });
}

MIKEY_DEFINE_ENUM_TEXT(to_string, RoleGroup, "?", "KMS", "KMS_I", "KMS_R", "Initiator", "Responder",
                       "any or several roles")

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
  return detail::guarded_load<ReasonsFile>(name, "file", [&](const Ctx& ctx) {
    const YAML::Node root = detail::parse_document(ctx, text);
    MapReader map(ctx, root, "the reasons file");
    map.allow_all();  // its keys are requirement ids
    ReasonsFile file;
    file.file = std::string(name);
    for (const MapReader::Entry& e : map.entries()) file.reasons.push_back(read_reason(ctx, e));
    return file;
  });
}

LoadResult<ReasonsFile> load_reasons(const std::filesystem::path& path) {
  return detail::load_file<ReasonsFile>(path.string(), parse_reasons_text);
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

std::string_view to_string(CoverageState s) noexcept {
  switch (s) {
    case CoverageState::covered:
      return "covered";
    case CoverageState::cited_only:
      return "cited-only";
    case CoverageState::not_covered:
      return "not-covered";
  }
  return "?";
}

std::vector<SutRole> row_roles(std::string_view role_column) {
  std::vector<SutRole> out;
  std::size_t start = 0;
  auto add = [&out](SutRole r) {
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  };
  while (start <= role_column.size()) {
    const std::size_t end = std::min(role_column.find(';', start), role_column.size());
    const std::string_view part = trim(role_column.substr(start, end - start));
    start = end + 1;
    if (part == "any") {
      for (SutRole r :
           {SutRole::kms, SutRole::kms_r, SutRole::kms_i, SutRole::initiator, SutRole::responder}) {
        add(r);
      }
    } else if (part == "KMS") {
      add(SutRole::kms);
    } else if (part == "KMS_R") {
      add(SutRole::kms_r);
    } else if (part == "KMS_I") {
      add(SutRole::kms_i);
    } else if (part == "Initiator") {
      add(SutRole::initiator);
    } else if (part == "Responder") {
      add(SutRole::responder);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool needs_mutation_proof(std::string_view level, SutRole role) noexcept {
  const bool kms_role = role == SutRole::kms || role == SutRole::kms_r || role == SutRole::kms_i;
  return kms_role && (level == "SHALL" || level == "SHALL NOT");
}

bool CoverageRow::awaiting_variant() const noexcept {
  return std::any_of(roles.begin(), roles.end(),
                     [](const RoleCoverage& r) { return r.state == CoverageState::cited_only; });
}

namespace {

struct Citation {
  std::string case_id;
  SutRole role;
};

// One role of a row: its cases, and whether they count.
RoleCoverage role_coverage(const Requirement& req, SutRole role,
                           const std::vector<Citation>& citations,
                           const MutationRegistry& registry) {
  RoleCoverage rc;
  rc.role = role;
  for (const Citation& c : citations)
    if (c.role == role) rc.cases.push_back(c.case_id);
  if (rc.cases.empty()) return rc;
  rc.state = CoverageState::covered;
  if (!needs_mutation_proof(req.level, role)) return rc;
  for (const MutationEntry* e : registry.find(req.id, role)) {
    if (!e->variant.empty()) rc.variants.push_back(e->variant);
    if (!e->not_violable_alone.empty() && rc.not_violable_alone.empty())
      rc.not_violable_alone = e->not_violable_alone;
  }
  if (rc.variants.empty() && rc.not_violable_alone.empty()) rc.state = CoverageState::cited_only;
  return rc;
}

CoverageRow coverage_row(const Requirement& req, RoleGroup group,
                         const std::vector<Citation>& citations, const MutationRegistry& registry) {
  CoverageRow row{req, group, {}, {}, {}, std::nullopt, CoverageState::not_covered};
  const std::vector<SutRole> roles = row_roles(req.role);
  // A KMS_R and a KMS_I are KMSs too (the Responder or peer they answer sees a KMS): their cases
  // may cite a KMS row without miscitation, though only kms cases count for its coverage.
  const bool kms_row = std::find(roles.begin(), roles.end(), SutRole::kms) != roles.end();
  for (const Citation& c : citations) {
    row.cases.push_back(c.case_id);
    const bool a_kms = kms_row && (c.role == SutRole::kms_r || c.role == SutRole::kms_i);
    if (!a_kms && std::find(roles.begin(), roles.end(), c.role) == roles.end())
      row.miscited.push_back(c.case_id);
  }
  for (SutRole role : roles) {
    row.roles.push_back(role_coverage(req, role, citations, registry));
    row.state = std::min(row.state, row.roles.back().state);  // enum order: best first
  }
  if (row.state == CoverageState::not_covered && !row.miscited.empty())
    row.state = CoverageState::cited_only;
  return row;
}

std::string position(const std::string& file, SourcePos p) {
  return file + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": ";
}

// Registry entries that prove nothing for the rows here (warnings).
std::vector<std::string> registry_notes(const Coverage& c, const MutationRegistry& registry) {
  std::vector<std::string> out;
  for (const MutationEntry& e : registry.entries) {
    const auto row = std::find_if(c.rows.begin(), c.rows.end(),
                                  [&](const CoverageRow& r) { return r.requirement.id == e.row; });
    const std::string at =
        position(registry.file, e.pos) + e.row + " (" + std::string(to_string(e.role)) + "): ";
    if (row == c.rows.end()) {
      out.push_back(at + "not an in-scope requirement id");
      continue;
    }
    const auto rc = std::find_if(row->roles.begin(), row->roles.end(),
                                 [&](const RoleCoverage& r) { return r.role == e.role; });
    // A KMS_R or KMS_I broken on a KMS row is extra evidence (it is a KMS too), not counted.
    const bool kms_row = std::any_of(row->roles.begin(), row->roles.end(),
                                     [](const RoleCoverage& r) { return r.role == SutRole::kms; });
    if (kms_row && (e.role == SutRole::kms_r || e.role == SutRole::kms_i)) continue;
    if (rc == row->roles.end()) {
      out.push_back(at + "the row is for " + row->requirement.role + ", not this role");
    } else if (rc->cases.empty()) {
      out.push_back(at + "no case of this role cites the row, so no case is proven to catch it");
    }
  }
  return out;
}

}  // namespace

Coverage compute_coverage(const RequirementTable& table, const std::vector<Scenario>& scenarios,
                          const ReasonsFile& reasons, const MutationRegistry& registry) {
  std::map<std::string, std::vector<Citation>, std::less<>> cited;
  std::vector<const Scenario*> sorted;
  for (const Scenario& s : scenarios) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(),
            [](const Scenario* a, const Scenario* b) { return a->id < b->id; });
  for (const Scenario* s : sorted) {
    for (const std::string& id : s->requirements) cited[id].push_back({s->id, s->sut_role});
  }
  std::map<std::string, const UncoveredReason*, std::less<>> reason_of;
  for (const UncoveredReason& r : reasons.reasons) reason_of.emplace(r.id, &r);

  Coverage c;
  c.table_file = table.file();
  c.reasons_file = reasons.file;
  c.registry_file = registry.file;
  const std::vector<Citation> none;
  for (const Requirement& req : table.rows()) {
    const auto group = role_group(req.role);
    if (!group) {
      ++c.out_of_scope;
      continue;
    }
    const auto it = cited.find(req.id);
    CoverageRow row = coverage_row(req, *group, it != cited.end() ? it->second : none, registry);
    row.cases.erase(std::unique(row.cases.begin(), row.cases.end()), row.cases.end());
    if (auto r = reason_of.find(req.id); r != reason_of.end()) row.reason = *r->second;
    for (const std::string& id : row.miscited) {
      const auto* s = *std::find_if(sorted.begin(), sorted.end(),
                                    [&](const Scenario* x) { return x->id == id; });
      c.miscitations.push_back({id, s->sut_role, req.id, req.role});
    }
    c.rows.push_back(std::move(row));
  }
  std::stable_sort(
      c.miscitations.begin(), c.miscitations.end(),
      [](const Miscitation& a, const Miscitation& b) { return a.case_id < b.case_id; });
  for (const UncoveredReason& r : reasons.reasons) {
    const bool known = std::any_of(c.rows.begin(), c.rows.end(), [&](const CoverageRow& row) {
      return row.requirement.id == r.id;
    });
    if (!known) c.orphan_reasons.push_back(r);
  }
  c.registry_notes = registry_notes(c, registry);
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

// Why a row with citations is not covered ("cited only by initiator.x (sut_role initiator)").
std::string not_counting(const CoverageRow& row) {
  if (row.cases.empty()) return "is cited by no case";
  return "is cited only by " + joined(row.miscited, ", ") + ", whose sut_role is not one of its";
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
                         ") " + not_counting(row) + " and has no entry in " +
                         coverage.reasons_file});
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

}  // namespace mikeyconf::harness
