// The mutation registry (cases/mutation-registry.yaml; the mutation score that backs the
// verdicts): per requirement row and KMS role, the faulty reference variant that violates exactly
// that row — the mutation test proves the suite fails a case citing the row against it — or why
// no single fault can violate the row alone. Coverage (coverage.h) counts a SHALL / SHALL NOT row
// of a KMS role as covered only when the registry has an entry for it.
//
//   - {row: T-4.2.1-2, role: kms, variant: bad-response-mac, summary: ...}
//   - {row: T-5.4-4, role: kms, not_violable_alone: "the reason"}
//
// Keys besides these are the mutation test's own and are ignored here.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/load_error.h"
#include "harness/scenario.h"

namespace mikeyconf::harness {

struct MutationEntry {
  std::string row;  // requirement id
  SutRole role = SutRole::kms;
  std::string variant;             // the variant's name; empty for not_violable_alone
  std::string summary;             // what the variant does (optional)
  std::string not_violable_alone;  // why no single fault violates the row alone
  SourcePos pos;                   // of the entry in the file
};

struct MutationRegistry {
  std::string file;
  std::vector<MutationEntry> entries;  // in file order

  // The entries for `row` and `role` (none: the row has no proven check for that role).
  std::vector<const MutationEntry*> find(std::string_view row, SutRole role) const;
};

// Strict where it matters (a list of maps; row and role kms | kms_r | kms_i required; exactly
// one of variant and not_violable_alone, neither empty), errors as file:line:col. Row ids are not
// checked against the table here (coverage reports an unknown one).
LoadResult<MutationRegistry> parse_mutation_registry_text(std::string_view text,
                                                          std::string_view name);
LoadResult<MutationRegistry> load_mutation_registry(const std::filesystem::path& path);

}  // namespace mikeyconf::harness
