// The requirement table cases cite (spec/requirements.csv: id,source,role,level,summary). The
// project ships its own copy as cases/requirements.csv so it builds and runs without ../shared.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/load_error.h"

namespace mikeyconf::harness {

struct Requirement {
  std::string id;       // e.g. "T-4.2.1-1", "A.2-10"
  std::string source;   // "RFC 6043 §4.2.1"
  std::string role;     // "KMS", "Initiator; Responder", "any"
  std::string level;    // SHALL, SHALL NOT, SHOULD, SHOULD NOT, MAY
  std::string summary;  // the property a test checks
  int line = 0;         // line in the CSV
};

class RequirementTable {
 public:
  // The row with `id`, or nullptr.
  const Requirement* find(std::string_view id) const noexcept;
  const std::vector<Requirement>& rows() const noexcept { return rows_; }
  const std::string& file() const noexcept { return file_; }

  // Appends a row; fails (returns false) when the id is already present.
  bool add(Requirement r);
  void set_file(std::string file) { file_ = std::move(file); }

 private:
  std::vector<Requirement> rows_;
  std::string file_;
};

// Reads the CSV (RFC 4180 quoting: fields with commas are in double quotes, "" is a quote). The
// header line must be exactly id,source,role,level,summary. Fails with file:line:col on a
// malformed line, a wrong column count, an unknown level or a duplicate id.
LoadResult<RequirementTable> load_requirements(const std::filesystem::path& csv);
LoadResult<RequirementTable> parse_requirements_text(std::string_view text, std::string_view name);

}  // namespace mikeyconf::harness
