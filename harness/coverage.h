// Requirement coverage (cases/COVERAGE.md, `mikeyconf coverage`): which rows of the requirement
// table the scenarios cite, why the others have no case (the hand-kept reasons file
// cases/not-covered.yaml), and which rows are neither covered nor explained. The rule the check
// enforces: every in-scope requirement is cited by a case or has a reason, and no reason outlives
// the case that covers its row.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/load_error.h"
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

struct CoverageRow {
  Requirement requirement;
  RoleGroup group = RoleGroup::several;
  std::vector<std::string> cases;         // ids of the scenarios citing it, sorted
  std::optional<UncoveredReason> reason;  // its entry in the reasons file, if any

  bool covered() const noexcept { return !cases.empty(); }
  bool explained() const noexcept { return cases.empty() && reason.has_value(); }
  bool missing() const noexcept { return cases.empty() && !reason.has_value(); }
};

struct Coverage {
  std::vector<CoverageRow> rows;  // the in-scope rows, in table order
  // Reasons whose id names no in-scope row (unknown, or out of scope).
  std::vector<UncoveredReason> orphan_reasons;
  std::size_t out_of_scope = 0;  // rows of the table whose role is none of the tested ones
  std::string table_file;
  std::string reasons_file;
};

// Joins the three sources. Deterministic: rows in table order, case ids sorted, whatever the
// order of `scenarios`.
Coverage compute_coverage(const RequirementTable& table, const std::vector<Scenario>& scenarios,
                          const ReasonsFile& reasons);

struct CoverageProblem {
  enum class Kind : std::uint8_t {
    missing,      // an in-scope row with no case and no reason
    unknown_id,   // a reason for an id that is not an in-scope row
    now_covered,  // a reason for a row a case cites: the reason must go
  };
  Kind kind = Kind::missing;
  std::string id;
  std::string message;  // "file:line[:col]: ..." — one line, ready to print
};

// The rows that break the rule, table rows first (table order), then reasons (file order).
std::vector<CoverageProblem> coverage_problems(const Coverage& coverage);

// COVERAGE.md: a summary per role (covered / explained / missing), then one table per role with
// id, level, summary and the covering cases or the reason. No timestamps, no paths of this
// machine: the same inputs give the same bytes.
std::string coverage_markdown(const Coverage& coverage);

}  // namespace mikeyconf::harness
