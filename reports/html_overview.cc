#include "reports/html_overview.h"

#include <algorithm>
#include <map>
#include <set>

#include "reports/html_parts.h"
#include "reports/html_text.h"

namespace mikeyconf::reports {

using harness::CaseResult;
using harness::Requirement;
using harness::RequirementTable;
using harness::RunResult;
using harness::Verdict;

namespace {

constexpr std::size_t kReasonLimit = 400;  // bytes of a reason in the tables (the case has all)

std::string esc(std::string_view s) { return html_escape(s); }

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ", ") + esc(i);
  return out.empty() ? "none" : out;
}

std::string exit_meaning(const RunResult& run) {
  const int code = run.exit_code();
  if (code == 0) return "every case passed or was excused";
  if (code == 1) return "a case failed or passed unexpectedly";
  if (run.interrupted && run.setup_error.empty()) {
    return "interrupted: the report holds only the cases that finished";
  }
  return run.setup_error.empty() ? "a case could not be judged: harness or setup error"
                                 : "setup error: the profile does not match the SUT";
}

std::string sut_text(const RunResult& run) {
  std::string out;
  const harness::SutInfo& sut = run.sut_info;
  if (!sut.product.empty()) out += "<b>" + esc(sut.product) + "</b>";
  if (!sut.version.empty()) out += " version " + esc(sut.version);
  if (!sut.vendor.empty()) out += " · " + esc(sut.vendor);
  if (out.empty()) {
    out = "<b>" + esc(run.sut_name) +
          "</b> <span class=\"muted\">(the profile names no product, version or vendor: its "
          "<code>sut:</code> keys)</span>";
  } else {
    out += " <span class=\"muted\">(profile " + esc(run.sut_name) + ")</span>";
  }
  return out +
         (run.embedded ? " <span class=\"muted\">— embedded reference implementation</span>" : "");
}

std::string suite_text(const RunResult& run) {
  if (run.suite_digest.empty()) return "<span class=\"muted\">digest not computed</span>";
  std::string match = "<span class=\"muted\">(not compared with the shipped suite)</span>";
  if (run.suite_matches_shipped) {
    match = *run.suite_matches_shipped
                ? "<span class=\"ok\">matches the shipped suite</span>"
                : "<span class=\"bad\">DIFFERS from the shipped suite: locally edited</span>";
  }
  return "<code class=\"digest\">" + esc(run.suite_digest) + "</code> " + match;
}

std::string verdict_counts(const RunResult& run) {
  std::map<Verdict, std::size_t> counts;
  for (const CaseResult& c : run.cases) ++counts[c.verdict];
  std::string bar = "<div class=\"bar\">", list;
  for (Verdict v : kVerdictOrder) {
    if (counts[v] == 0) continue;
    bar += "<span class=\"m-" + verdict_name(v) + "\" style=\"flex:" + num(counts[v]) +
           "\" title=\"" + verdict_name(v) + ": " + num(counts[v]) + "\"></span>";
    list += " " + badge(v) + " " + num(counts[v]);
  }
  return bar + "</div>\n<p class=\"counts\">" + num(run.cases.size()) + " cases:" + list + "</p>\n";
}

// Verdict counts per key (a level, a group): one row per key, one column per verdict.
std::string count_table(std::string_view what, const std::vector<std::string>& keys,
                        const std::map<std::string, std::map<Verdict, std::size_t>>& counts) {
  std::string out = "<table class=\"counts\"><tr><th>" + esc(what) + "</th>";
  for (Verdict v : kVerdictOrder) out += "<th>" + badge(v) + "</th>";
  out += "<th>total</th></tr>\n";
  for (const std::string& k : keys) {
    const auto& row = counts.at(k);
    std::size_t total = 0;
    out += "<tr><td class=\"mono\">" + esc(k) + "</td>";
    for (Verdict v : kVerdictOrder) {
      const auto it = row.find(v);
      const std::size_t n = it == row.end() ? 0 : it->second;
      total += n;
      out += std::string(n > 0 && harness::needs_attention(v) ? "<td class=\"bad\">" : "<td>") +
             (n > 0 ? num(n) : "") + "</td>";
    }
    out += "<td>" + num(total) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

struct RequirementRow {
  std::string id;
  const Requirement* req = nullptr;  // null: not in the table
  std::vector<std::size_t> cases;    // indexes into run.cases
};

// The requirements some case claims: in table order, then ids the table lacks.
std::vector<RequirementRow> claimed(const RunResult& run, const RequirementTable* table,
                                    std::size_t& unclaimed) {
  std::map<std::string, std::vector<std::size_t>> cited;
  for (std::size_t i = 0; i < run.cases.size(); ++i)
    for (const std::string& r : run.cases[i].requirements) {
      auto& v = cited[r];
      if (v.empty() || v.back() != i) v.push_back(i);
    }
  std::vector<RequirementRow> rows;
  unclaimed = 0;
  if (table != nullptr) {
    for (const Requirement& r : table->rows()) {
      const auto it = cited.find(r.id);
      if (it == cited.end()) {
        ++unclaimed;
        continue;
      }
      rows.push_back({r.id, &r, it->second});
      cited.erase(it);
    }
  }
  for (const auto& [id, cases] : cited) rows.push_back({id, nullptr, cases});
  return rows;
}

std::string requirement_row(const RunResult& run, const RequirementRow& r) {
  Verdict w = Verdict::pass;
  for (std::size_t i : r.cases)
    if (verdict_rank(run.cases[i].verdict) < verdict_rank(w)) w = run.cases[i].verdict;
  std::string out = "<tr id=\"" + anchor("req-", r.id) + "\" data-verdict=\"" + verdict_name(w) +
                    "\"><td class=\"mono\">" + esc(r.id) + "</td>";
  if (r.req != nullptr) {
    out += "<td>" + esc(r.req->level) + "</td><td>" + esc(r.req->source) + "</td><td>" +
           esc(r.req->summary) + "</td>";
  } else {
    out += "<td colspan=\"3\" class=\"muted\">not in the requirement table</td>";
  }
  out += "<td>" + badge(w) + "</td><td>";
  for (std::size_t i : r.cases) {
    out += "<span class=\"nw\">" + case_link(run.cases[i]) + " " + badge(run.cases[i].verdict) +
           "</span> ";
  }
  return out + "</td></tr>\n";
}

std::string filter_form(const RunResult& run) {
  std::set<std::string> levels, groups;
  for (const CaseResult& c : run.cases) {
    levels.insert(std::string(harness::to_string(c.level)));
    for (std::string& g : case_groups(c)) groups.insert(std::move(g));
  }
  std::string out = "<div id=\"filter\" class=\"filter\" hidden><span>verdict:</span>";
  for (Verdict v : kVerdictOrder) {
    out += "<label><input type=\"checkbox\" value=\"" + verdict_name(v) + "\" checked> " +
           verdict_name(v) + "</label>";
  }
  out += "<label>level <select id=\"f-level\"><option value=\"\">any</option>";
  for (const std::string& l : levels) out += "<option>" + esc(l) + "</option>";
  out += "</select></label><label>group <select id=\"f-group\"><option value=\"\">any</option>";
  for (const std::string& g : groups) out += "<option>" + esc(g) + "</option>";
  return out +
         "</select></label><label>text <input id=\"f-text\" type=\"search\" "
         "placeholder=\"id, title, reason\"></label> <span id=\"f-count\" class=\"muted\"></span>"
         "</div>\n";
}

}  // namespace

std::string executive_summary(const RunResult& run) {
  const bool ok = run.exit_code() == 0;
  std::string out =
      "<section id=\"summary\"><h1>mikeyconf conformance report</h1>\n<p class=\"outcome " +
      std::string(ok ? "ok" : "bad") + "\">" + (ok ? "PASSED" : "NOT PASSED") + " — exit code " +
      std::to_string(run.exit_code()) + " (" + esc(exit_meaning(run)) + ")</p>\n";
  out += verdict_counts(run) + "<table class=\"kv\">\n";
  out += kv_row("SUT", sut_text(run));
  out += kv_row("role · URL",
                esc(harness::to_string(run.sut_role)) + " · <code>" + esc(run.sut_url) + "</code>");
  out += kv_row("run (UTC)", esc(run.started_utc) + " · " + duration_text(run.duration_ms) +
                                 " · mikeyconf " + esc(run.tool_version));
  out += kv_row("suite", suite_text(run));
  const std::size_t excluded = run.summary().skipped;
  out += kv_row("declared scope",
                "levels " + joined(run.levels) + (run.strict ? " (strict: every level ran)" : "") +
                    " · " + num(run.capabilities.size()) + " capabilities · " + num(excluded) +
                    " case(s) left out (<a href=\"#scope\">why</a>)");
  return out + "</table></section>\n";
}

std::string failures_section(const RunResult& run) {
  std::string out = "<section id=\"failures\"><h2>Failures and errors</h2>\n";
  std::string rows;
  for (std::size_t i : worst_first(run)) {
    const CaseResult& c = run.cases[i];
    if (!harness::needs_attention(c.verdict)) continue;
    rows += "<tr><td>" + case_link(c) + "</td><td>" + badge(c.verdict) + "</td><td>" +
            esc(harness::to_string(c.level)) + "</td><td>" + html_bytes(c.reason, kReasonLimit) +
            "</td></tr>\n";
  }
  if (rows.empty()) {
    return out +
           "<p class=\"ok\">No case failed, passed unexpectedly or had an error.</p></section>\n";
  }
  return out + "<table><tr><th>case</th><th>verdict</th><th>level</th><th>reason</th></tr>\n" +
         rows + "</table></section>\n";
}

std::string breakdown_section(const RunResult& run) {
  std::map<std::string, std::map<Verdict, std::size_t>> by_level, by_group;
  std::vector<std::string> levels, groups;
  for (const CaseResult& c : run.cases) {
    const std::string level(harness::to_string(c.level));
    if (by_level.count(level) == 0) levels.push_back(level);
    ++by_level[level][c.verdict];
    for (const std::string& g : case_groups(c)) {
      if (by_group.count(g) == 0) groups.push_back(g);
      ++by_group[g][c.verdict];
    }
  }
  std::sort(groups.begin(), groups.end());
  return "<section id=\"breakdown\"><h2>Verdicts by level and by requirement group</h2>\n" +
         count_table("level", levels, by_level) +
         "<p class=\"muted\">A requirement group is a requirement id without its counter "
         "(A.2-10 → A.2); a case counts in every group it claims.</p>\n" +
         count_table("group", groups, by_group) + "</section>\n";
}

std::string requirements_view(const RunResult& run, const RequirementTable* table) {
  std::size_t unclaimed = 0;
  const std::vector<RequirementRow> rows = claimed(run, table, unclaimed);
  std::string out = "<section id=\"requirements\"><h2>Requirements</h2>\n<p>" + num(rows.size()) +
                    " requirement(s) claimed by the cases of this run";
  if (table != nullptr) {
    out += "; " + num(unclaimed) + " requirement(s) of the table no case claims";
  }
  out +=
      ". A requirement's verdict is the worst of its cases (fail, xpass, error, inconclusive, "
      "xfail, skipped, pass).</p>\n<table><tr><th>requirement</th><th>level</th><th>source</th>"
      "<th>summary</th><th>verdict</th><th>cases</th></tr>\n";
  for (const RequirementRow& r : rows) out += requirement_row(run, r);
  return out + "</table></section>\n";
}

std::string cases_table(const RunResult& run) {
  std::string out = filter_form(run) +
                    "<table id=\"case-table\"><tr><th>#</th><th>case</th><th>verdict</th>"
                    "<th>level</th><th>group</th><th>title</th><th>reason</th><th>duration</th>"
                    "</tr>\n";
  for (std::size_t i : worst_first(run)) {
    const CaseResult& c = run.cases[i];
    std::string groups;
    for (const std::string& g : case_groups(c)) groups += (groups.empty() ? "" : " ") + esc(g);
    out += "<tr data-verdict=\"" + verdict_name(c.verdict) + "\" data-level=\"" +
           esc(harness::to_string(c.level)) + "\" data-groups=\"" + groups + "\" data-case=\"" +
           anchor("case-", c.id) + "\"><td>" + num(i + 1) + "</td><td>" + case_link(c) +
           "</td><td>" + badge(c.verdict) + "</td><td>" + esc(harness::to_string(c.level)) +
           "</td><td class=\"mono\">" + groups + "</td><td>" + esc(c.title) + "</td><td>" +
           html_bytes(c.reason, kReasonLimit) + "</td><td class=\"nw\">" +
           duration_text(c.duration_ms) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

}  // namespace mikeyconf::reports
