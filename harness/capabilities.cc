#include "harness/capabilities.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <numeric>
#include <vector>

#include "harness/scenario.h"

namespace mikeyconf::harness {

namespace {

constexpr CapabilityInfo kVocabulary[] = {
    {"psk", "PSK-based exchanges: REQUEST_INIT_PSK / RESOLVE_INIT_PSK (RFC 6043 §4.2)"},
    {"key-forking", "the KMS forks keys for several Responders (RFC 6043 §5.1.4)"},
    {"short-ticket-lifetime", "the KMS honours a desired 1-second ticket lifetime (expiry cases)"},
    {"kms-link:mutual-tls",
     "chaining roles: the KMS-to-KMS link is HTTPS with client certificates (TS 33.328 Annex B)"},
    {"ticket-type:T/S/V", "the ticket format Type/Subtype/Version (RFC 6043 §6.10), e.g. 1/1/1"},
    {"suite:N", "the N-bit algorithm suite, N = 128 or 256 (RFC 6043 §12.1)"},
    {"mode:N", "ticket mode N = 1 to 4 (RFC 6043 §4.1.1)"},
    {"max-ticket-lifetime:N",
     "the KMS cuts a longer desired lifetime to N seconds and sets K (RFC 6043 §6.10)"},
};

// A parametric capability: its head ("suite"), a check of the argument and the rule it states.
struct Parametric {
  std::string_view head;
  std::string_view example;  // an argument for suggestions when the name has none
  std::function<bool(std::string_view)> valid;
  std::string_view rule;
};

std::optional<std::uint64_t> decimal(std::string_view s, std::uint64_t max) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

// "T/S/V": three decimal numbers, Type up to 65535, Subtype and Version up to 255.
bool ticket_format(std::string_view s) {
  const std::size_t first = s.find('/');
  const std::size_t second = first == std::string_view::npos ? first : s.find('/', first + 1);
  if (second == std::string_view::npos) return false;
  return decimal(s.substr(0, first), 65535) &&
         decimal(s.substr(first + 1, second - first - 1), 255) &&
         decimal(s.substr(second + 1), 255);
}

const std::vector<Parametric>& parametric() {
  static const std::vector<Parametric> all = {
      {"ticket-type", "1/1/1", ticket_format,
       "T/S/V is the ticket Type/Subtype/Version in decimal (e.g. 1/1/1)"},
      {"suite", "128", [](std::string_view a) { return a == "128" || a == "256"; },
       "N is 128 or 256"},
      {"mode", "1",
       [](std::string_view a) {
         auto v = decimal(a, 4);
         return v && *v >= 1;
       },
       "N is 1, 2, 3 or 4 (RFC 6043 §4.1.1)"},
      {"max-ticket-lifetime", "86400",
       [](std::string_view a) {
         auto v = decimal(a, 0xffffffffULL);
         return v && *v >= 1;
       },
       "N is a number of seconds, at least 1"},
  };
  return all;
}

bool is_fixed(std::string_view name) {
  return std::any_of(std::begin(kVocabulary), std::end(kVocabulary), [&](const CapabilityInfo& c) {
    return c.pattern == name && c.pattern.find_first_of("NT") == std::string_view::npos;
  });
}

std::string known_list() {
  std::string out;
  for (const CapabilityInfo& c : kVocabulary)
    out += (out.empty() ? "" : ", ") + std::string(c.pattern);
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::span<const CapabilityInfo> capability_vocabulary() noexcept { return kVocabulary; }

std::size_t edit_distance(std::string_view a, std::string_view b) noexcept {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string nearest_name(std::string_view word, std::span<const std::string_view> candidates) {
  const std::string w = lower(word);
  const std::size_t allowed = std::max<std::size_t>(1, w.size() / 3);
  std::string best;
  std::size_t best_distance = allowed + 1;
  for (std::string_view c : candidates) {
    const std::size_t d = edit_distance(w, lower(c));
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

std::optional<std::string> capability_problem(std::string_view name) {
  if (is_fixed(name)) return std::nullopt;
  const std::size_t colon = name.find(':');
  const std::string_view head = name.substr(0, colon);
  const std::string_view arg = colon == std::string_view::npos ? "" : name.substr(colon + 1);
  for (const Parametric& p : parametric()) {
    if (colon == std::string_view::npos || head != p.head) continue;
    if (p.valid(arg)) return std::nullopt;
    return "capability '" + std::string(name) + "': " + std::string(p.rule);
  }
  // Suggestions: the fixed names, and each parametric head with the argument given (or an
  // example), so 'Suite:256' suggests 'suite:256'.
  std::vector<std::string> owned;
  for (const CapabilityInfo& c : kVocabulary)
    if (is_fixed(c.pattern)) owned.emplace_back(c.pattern);
  for (const Parametric& p : parametric()) {
    owned.push_back(std::string(p.head) + ":" + std::string(arg.empty() ? p.example : arg));
  }
  std::vector<std::string_view> candidates(owned.begin(), owned.end());
  const std::string near = nearest_name(name, candidates);
  return "unknown capability '" + std::string(name) + "' (" +
         (near.empty() ? "known: " + known_list() : "did you mean '" + near + "'?") + ")";
}

std::optional<std::string> level_problem(std::string_view name) {
  if (parse_level(name)) return std::nullopt;
  std::vector<std::string_view> levels;
  std::string all;
  for (Level l : {Level::shall, Level::shall_not, Level::should, Level::should_not, Level::may}) {
    levels.push_back(to_string(l));
    all += (all.empty() ? "" : ", ") + std::string(to_string(l));
  }
  const std::string near = nearest_name(name, levels);
  return "unknown level '" + std::string(name) + "' (" +
         (near.empty() ? "" : "did you mean '" + near + "'?; ") + "levels: " + all + ")";
}

}  // namespace mikeyconf::harness
