// Requirement coverage (cases/COVERAGE.md, `mikeyconf coverage`): for every row of the
// requirement table and every role it names, whether a case *checks* it. A row is *covered* for a
// role when a case of that sut_role cites it — and, for a SHALL / SHALL NOT row of a KMS role,
// when cases/mutation-registry.yaml (mutation_registry.h) also lists a faulty variant the
// mutation test proves the suite catches (or why no single fault can violate the row). A row only
// cited by cases of other roles, or still waiting for its variant, is *cited-only*; a row nobody
// cites is *not covered*. The hand-kept reasons file cases/not-covered.yaml says why a row is not
// covered. The rule the check enforces: every in-scope row is covered, waits for a variant, or
// has a reason; and no reason outlives the coverage of its row.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/load_error.h"
#include "harness/mutation_registry.h"
#include "harness/requirements.h"
#include "harness/scenario.h"

namespace mikeyconf::harness {

// Why a requirement has no case.
enum class UncoveredCategory : std::uint8_t {
  not_on_the_wire,  // internal behaviour: key storage, RNG quality, provisioning, local policy
  not_applicable,   // a role or feature the project does not test (SIP/SDP, SRTP media, GBA)
  not_yet_covered,  // observable on the wire, but no case cites it yet (the reason says why)
};
std::string_view to_string(UncoveredCategory c) noexcept;  // "not-on-the-wire", ...
std::optional<UncoveredCategory> parse_uncovered_category(std::string_view s) noexcept;

struct UncoveredReason {
  std::string id;  // requirement id
  UncoveredCategory category = UncoveredCategory::not_yet_covered;
  std::string reason;
  SourcePos pos;  // of the id in the reasons file
};

// The reasons file: a mapping requirement id → {category, reason}, in file order.
struct ReasonsFile {
  std::string file;
  std::vector<UncoveredReason> reasons;
};

// Strict YAML (unknown keys, duplicate ids, an unknown category or an empty reason are errors with
// file:line:col). Ids are not checked against the table here: an unknown id is a check problem
// (coverage_problems), so the file can be loaded while the table changes.
LoadResult<ReasonsFile> parse_reasons_text(std::string_view text, std::string_view name);
LoadResult<ReasonsFile> load_reasons(const std::filesystem::path& path);

// The table a row is listed in. A row whose role column names exactly one of KMS, KMS_I, KMS_R,
// Initiator, Responder is in that role's table; `any` or several roles go to `several`.
enum class RoleGroup : std::uint8_t { kms, kms_i, kms_r, initiator, responder, several };
inline constexpr RoleGroup kRoleGroups[] = {RoleGroup::kms,       RoleGroup::kms_i,
                                            RoleGroup::kms_r,     RoleGroup::initiator,
                                            RoleGroup::responder, RoleGroup::several};
std::string_view to_string(RoleGroup g) noexcept;  // "KMS", ..., "any or several roles"

// The group of a role column ("KMS", "Initiator; Responder", "any"); nullopt when the column
// names none of the tested roles (the row is out of scope).
std::optional<RoleGroup> role_group(std::string_view role_column) noexcept;

// How far a row is checked (for one role, or for the row as a whole: its best role).
enum class CoverageState : std::uint8_t { covered, cited_only, not_covered };
std::string_view to_string(CoverageState s) noexcept;  // "covered", "cited-only", "not-covered"

// The tested roles a role column names, in SutRole order: KMS ↔ kms, KMS_R ↔ kms_r, KMS_I ↔
// kms_i, Initiator ↔ initiator, Responder ↔ responder, `any` ↔ all five. Empty: none.
std::vector<SutRole> row_roles(std::string_view role_column);

// Whether a case of `role` citing a row of `level` counts only with a mutation variant: the
// SHALL / SHALL NOT rows of the KMS roles.
bool needs_mutation_proof(std::string_view level, SutRole role) noexcept;

// One role of a row.
struct RoleCoverage {
  SutRole role = SutRole::kms;
  CoverageState state = CoverageState::not_covered;
  std::vector<std::string> cases;     // the cases of this sut_role citing the row, sorted
  std::vector<std::string> variants;  // the registry's variants for the row and role
  std::string not_violable_alone;     // the registry's reason no single fault violates it
};

struct CoverageRow {
  Requirement requirement;
  RoleGroup group = RoleGroup::several;
  std::vector<std::string> cases;         // ids of every scenario citing it, sorted
  std::vector<RoleCoverage> roles;        // one per role of the row (row_roles)
  std::vector<std::string> miscited;      // citing cases whose sut_role is none of its roles
  std::optional<UncoveredReason> reason;  // its entry in the reasons file, if any
  CoverageState state = CoverageState::not_covered;  // its best role; cited-only also when
                                                     // only cases of other roles cite it

  bool covered() const noexcept { return state == CoverageState::covered; }
  // Cited by a case of one of its roles that counts once the registry lists a variant.
  bool awaiting_variant() const noexcept;
  bool explained() const noexcept { return !covered() && reason.has_value(); }
  bool missing() const noexcept { return !covered() && !reason && !awaiting_variant(); }
};

// A case citing a row none of whose roles is the case's sut_role: the citation does not count.
struct Miscitation {
  std::string case_id;
  SutRole case_role = SutRole::kms;
  std::string row;
  std::string row_roles;  // the row's role column
};

struct Coverage {
  std::vector<CoverageRow> rows;  // the in-scope rows, in table order
  // Reasons whose id names no in-scope row (unknown, or out of scope).
  std::vector<UncoveredReason> orphan_reasons;
  std::vector<Miscitation> miscitations;  // by case id, then row
  // Registry entries that prove nothing here ("file:line:col: ..."): an unknown row, a role the
  // row does not name, a row and role no case cites. Warnings: the registry is checked by the
  // mutation test.
  std::vector<std::string> registry_notes;
  std::size_t out_of_scope = 0;  // rows of the table whose role is none of the tested ones
  std::string table_file;
  std::string reasons_file;
  std::string registry_file;  // empty: no registry (every KMS SHALL row waits for a variant)
};

// Joins the four sources. Deterministic: rows in table order, case ids sorted, whatever the
// order of `scenarios`.
Coverage compute_coverage(const RequirementTable& table, const std::vector<Scenario>& scenarios,
                          const ReasonsFile& reasons, const MutationRegistry& registry = {});

struct CoverageProblem {
  enum class Kind : std::uint8_t {
    missing,      // an in-scope row neither covered, nor waiting for a variant, nor explained
    unknown_id,   // a reason for an id that is not an in-scope row
    now_covered,  // a reason for a row that is covered: the reason must go
  };
  Kind kind = Kind::missing;
  std::string id;
  std::string message;  // "file:line[:col]: ..." — one line, ready to print
};

// The rows that break the rule, table rows first (table order), then reasons (file order).
std::vector<CoverageProblem> coverage_problems(const Coverage& coverage);

// COVERAGE.md: a summary per role (covered / cited-only / not covered, the reasons by category,
// missing), then one table per role with id, level, summary and the state — the checking cases
// and variants, the cited-only cases and why they do not count, or the reason — and the
// citations that do not count. No timestamps, no paths of this machine: the same inputs give
// the same bytes.
std::string coverage_markdown(const Coverage& coverage);

}  // namespace mikeyconf::harness
