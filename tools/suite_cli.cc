#include "tools/suite_cli.h"

#include <fnmatch.h>

#include <algorithm>
#include <ostream>
#include <system_error>

#include "harness/capabilities.h"
#include "harness/loader.h"

namespace mikeyconf::tools {

// ---- Options ----

const std::string* ParsedArgs::value(std::string_view name) const {
  auto it = values.find(name);
  return it == values.end() || it->second.empty() ? nullptr : &it->second.back();
}

std::vector<std::string> ParsedArgs::all(std::string_view name) const {
  auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

bool ParsedArgs::flag(std::string_view name) const {
  return std::find(flags.begin(), flags.end(), name) != flags.end();
}

namespace {

const OptionSpec* find_spec(std::span<const OptionSpec> specs, std::string_view name) {
  for (const OptionSpec& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool given(const ParsedArgs& parsed, std::string_view name) {
  return parsed.values.count(name) > 0 || parsed.flag(name);
}

}  // namespace

mikey::Result<ParsedArgs, std::string> parse_args(std::span<const std::string_view> args,
                                                  std::span<const OptionSpec> specs,
                                                  std::size_t max_positional) {
  ParsedArgs parsed;
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (options_ended || arg.size() < 2 || arg[0] != '-' || arg == "-") {
      parsed.positional.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      parsed.help = true;
      continue;
    }
    const std::size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const OptionSpec* spec = find_spec(specs, name);
    if (spec == nullptr) return "unknown option '" + std::string(arg) + "'";
    if (!spec->repeatable && given(parsed, name)) return std::string(name) + " given twice";
    if (!spec->takes_value) {
      if (eq != std::string_view::npos) return std::string(name) + " takes no value";
      parsed.flags.emplace_back(name);
      continue;
    }
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size() && args[i + 1].substr(0, 2) != "--") {
      value = args[++i];
    }
    if (value.empty()) return std::string(name) + " needs a value";
    parsed.values[std::string(name)].emplace_back(value);
  }
  if (parsed.positional.size() > max_positional) {
    return "unexpected argument '" + parsed.positional[max_positional] + "'";
  }
  return parsed;
}

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

int usage_error(Io& io, std::string_view command, std::string_view message,
                std::string_view usage) {
  io.err << "mikeyconf " << command << ": " << message << "\n\n" << usage;
  return kExitUsage;
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
