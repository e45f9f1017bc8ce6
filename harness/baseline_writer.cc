#include "harness/baseline_writer.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <string_view>

namespace mikeyconf::harness {

namespace {

// Length of the valid UTF-8 sequence (RFC 3629 §4) at the start of `s`, or 0.
std::size_t utf8_length(std::string_view s) {
  const auto c = static_cast<unsigned char>(s[0]);
  const std::size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (c >= 0xf5 || n == 0 || s.size() < n) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) return 0;
  }
  return n;
}

// A reason as one line of at most 200 bytes: control characters and bytes that are not UTF-8
// (a reason may quote what the SUT sent) become spaces and '?', so the YAML stays readable.
std::string one_line(std::string_view s) {
  constexpr std::size_t kMax = 200;
  std::string out;
  for (std::size_t i = 0; i < s.size() && out.size() < kMax;) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_length(s.substr(i));
      if (n == 0 || out.size() + n > kMax) {
        out += '?';
        ++i;
        continue;
      }
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    out += c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c);
    ++i;
  }
  if (out.empty()) out = "failed";  // the loader wants a reason that says something
  return out;
}

// The day of an ISO 8601 timestamp ("2026-12-07T14:00:00Z" → "2026-12-07"), "" if none.
std::string day_of(std::string_view utc) {
  if (utc.size() < 10 || utc[4] != '-' || utc[7] != '-') return {};
  return std::string(utc.substr(0, 10));
}

void entries(YAML::Emitter& out, const char* key, const std::vector<BaselineEntry>& list) {
  out << YAML::Key << key << YAML::Value;
  if (list.empty()) {
    out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
    return;
  }
  out << YAML::BeginSeq;
  for (const BaselineEntry& e : list) {
    out << YAML::BeginMap << YAML::Key << "id" << YAML::Value << e.id;
    out << YAML::Key << "reason" << YAML::Value << YAML::DoubleQuoted << e.reason;
    if (!e.since.empty()) out << YAML::Key << "since" << YAML::Value << e.since;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

}  // namespace

DerivedBaseline derive_baseline(const RunResult& run, const Baseline* used) {
  DerivedBaseline d;
  Baseline& b = d.baseline;
  b.sut = run.sut_name;
  const std::string since = day_of(run.started_utc);
  std::vector<std::string> fixed;  // xpass: the SUT no longer fails them
  for (const CaseResult& c : run.cases) {
    const BaselineEntry* prior = used != nullptr ? used->expected_failure(c.id) : nullptr;
    if (c.verdict == Verdict::xpass) fixed.push_back(c.id);
    if (c.verdict == Verdict::fail) {
      b.expected_failures.push_back({c.id, one_line(c.reason), since, {}});
      ++d.added;
    } else if (c.verdict == Verdict::xfail) {
      b.expected_failures.push_back(
          prior != nullptr ? *prior : BaselineEntry{c.id, one_line(c.reason), since, {}});
    }
  }
  if (used == nullptr) return d;
  for (const BaselineEntry& e : used->expected_failures) {
    if (b.expected_failure(e.id) == nullptr &&
        std::find(fixed.begin(), fixed.end(), e.id) == fixed.end()) {
      b.expected_failures.push_back(e);
    }
  }
  b.disabled = used->disabled;
  return d;
}

std::string baseline_yaml(const Baseline& b) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "sut" << YAML::Value << b.sut;
  entries(out, "expected_failures", b.expected_failures);
  entries(out, "disabled", b.disabled);
  out << YAML::EndMap;
  return "# Expected failures and disabled cases of SUT '" + one_line(b.sut) +
         "' (harness/README.md \"Baselines\").\n" + out.c_str() + "\n";
}

}  // namespace mikeyconf::harness
