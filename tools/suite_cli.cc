#include "tools/suite_cli.h"

#include <fnmatch.h>

#include <algorithm>
#include <ostream>
#include <system_error>

#include "harness/capabilities.h"
#include "harness/loader.h"
#include "tools/data_dir.h"

namespace mikeyconf::tools {

// ---- Numbers ----

std::optional<std::uint64_t> parse_number(std::string_view s, std::uint64_t min,
                                          std::uint64_t max) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;  // would overflow
    v = v * 10 + digit;
  }
  if (v < min || v > max) return std::nullopt;
  return v;
}

// ---- Cases ----

mikey::Result<CaseCatalog, std::string> load_catalog(const std::filesystem::path& cases_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(cases_dir, ec)) {
    return "no cases folder '" + cases_dir.string() +
           "' (run from the repository root, or give --cases DIR)";
  }
  CaseCatalog catalog;
  auto table = harness::load_requirements(cases_dir / "requirements.csv");
  if (!table.ok()) return table.error().to_string();
  catalog.requirements = std::move(table).value();
  auto scenarios = harness::load_scenarios(cases_dir, catalog.requirements);
  if (!scenarios.ok()) return scenarios.error().to_string();
  catalog.scenarios = std::move(scenarios).value();
  return catalog;
}

mikey::Result<LocatedCatalog, std::string> locate_catalog(const std::string* option) {
  auto dir = find_cases_dir(option);
  if (!dir.ok()) return dir.error();
  auto catalog = load_catalog(dir.value());
  if (!catalog.ok()) return catalog.error();
  return LocatedCatalog{std::move(dir).value(), std::move(catalog).value()};
}

const harness::Scenario* find_case(const CaseCatalog& catalog, std::string_view id) {
  for (const harness::Scenario& s : catalog.scenarios) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

std::vector<std::string> closest_ids(const CaseCatalog& catalog, std::string_view id,
                                     std::size_t count) {
  std::vector<std::pair<std::size_t, const std::string*>> ranked;
  for (const harness::Scenario& s : catalog.scenarios) {
    ranked.emplace_back(harness::edit_distance(id, s.id), &s.id);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ranked.size() && i < count; ++i) out.push_back(*ranked[i].second);
  return out;
}

std::string unknown_case_message(const CaseCatalog& catalog, std::string_view id,
                                 const std::filesystem::path& cases_dir) {
  std::string out = "unknown case '" + std::string(id) + "' in " + cases_dir.string();
  const std::vector<std::string> near = closest_ids(catalog, id);
  for (std::size_t i = 0; i < near.size(); ++i) {
    out += i == 0 ? "; did you mean " : (i + 1 == near.size() ? " or " : ", ");
    out += near[i];
  }
  return out + (near.empty() ? "" : "?") + " ('mikeyconf list' shows every id)";
}

bool glob_matches(const std::string& pattern, const std::string& id) {
  return ::fnmatch(pattern.c_str(), id.c_str(), 0) == 0;
}

std::string shell_quote(std::string_view s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_./:=@%+,-").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace mikeyconf::tools
