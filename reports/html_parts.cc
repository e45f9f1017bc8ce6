#include "reports/html_parts.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "reports/html_text.h"

namespace mikeyconf::reports {

using harness::Verdict;

std::size_t verdict_rank(Verdict v) {
  return static_cast<std::size_t>(std::find(kVerdictOrder.begin(), kVerdictOrder.end(), v) -
                                  kVerdictOrder.begin());
}

std::string verdict_name(Verdict v) { return std::string(harness::to_string(v)); }

std::string badge(Verdict v) {
  return "<span class=\"v v-" + verdict_name(v) + "\">" + verdict_name(v) + "</span>";
}

std::string anchor(std::string_view prefix, std::string_view id) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out(prefix);
  for (const char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
        c == '-') {
      out += c;
    } else {
      out += '_';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string case_link(const harness::CaseResult& c) {
  return "<a href=\"#" + anchor("case-", c.id) + "\">" + html_escape(c.id) + "</a>";
}

std::string num(std::size_t n) { return std::to_string(n); }

std::string duration_text(double v) {
  std::array<char, 32> buf{};
  const int n = v >= 10'000 ? std::snprintf(buf.data(), buf.size(), "%.2f s", v / 1000.0)
                            : std::snprintf(buf.data(), buf.size(), "%.1f ms", v);
  return std::string(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

std::string kv_row(std::string_view th, const std::string& td_html) {
  return "<tr><th>" + html_escape(th) + "</th><td>" + td_html + "</td></tr>\n";
}

std::string requirement_group(std::string_view id) {
  const std::size_t dash = id.rfind('-');
  if (dash == std::string_view::npos || dash + 1 == id.size()) return std::string(id);
  const std::string_view tail = id.substr(dash + 1);
  const bool counter =
      std::all_of(tail.begin(), tail.end(), [](char c) { return c >= '0' && c <= '9'; });
  return std::string(counter ? id.substr(0, dash) : id);
}

std::vector<std::string> case_groups(const harness::CaseResult& c) {
  std::vector<std::string> out;
  for (const std::string& r : c.requirements) {
    std::string g = requirement_group(r);
    if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(std::move(g));
  }
  return out;
}

std::vector<std::size_t> worst_first(const harness::RunResult& run) {
  std::vector<std::size_t> order(run.cases.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return verdict_rank(run.cases[a].verdict) < verdict_rank(run.cases[b].verdict);
  });
  return order;
}

}  // namespace mikeyconf::reports
