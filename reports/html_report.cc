#include "reports/html_report.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <set>

#include "harness/names.h"
#include "harness/scenario.h"
#include "reports/decoded.h"
#include "reports/digest.h"
#include "reports/html_scope.h"
#include "reports/html_text.h"
#include "reports/sequence_diagram.h"
#include "wire/base64.h"
#include "wire/enum_table.h"

namespace mikeyconf::reports {

using harness::CaseResult;
using harness::ExpectationResult;
using harness::Requirement;
using harness::RequirementTable;
using harness::RunResult;
using harness::TranscriptEntry;
using harness::Verdict;

namespace {

// Worst first: the order of the summary, and how a requirement's verdict is chosen.
constexpr std::array<Verdict, 7> kVerdicts = {
    Verdict::fail,  Verdict::xpass,   Verdict::error, Verdict::inconclusive,
    Verdict::xfail, Verdict::skipped, Verdict::pass};

std::size_t rank(Verdict v) {
  return static_cast<std::size_t>(std::find(kVerdicts.begin(), kVerdicts.end(), v) -
                                  kVerdicts.begin());
}

MIKEY_DEFINE_ENUM_TEXT(abbreviation, Verdict, "?", "P", "F", "I", "E", "S", "XF", "XP")

std::string name(Verdict v) { return std::string(harness::to_string(v)); }

std::string badge(Verdict v) {
  return "<span class=\"v v-" + name(v) + "\">" + name(v) + "</span>";
}

std::string esc(std::string_view s) { return html_escape(s); }

std::string num(std::size_t n) { return std::to_string(n); }

std::string ms(double v) {
  std::array<char, 32> buf{};
  const int n = v >= 10'000 ? std::snprintf(buf.data(), buf.size(), "%.2f s", v / 1000.0)
                            : std::snprintf(buf.data(), buf.size(), "%.1f ms", v);
  return std::string(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

// An id attribute from a case or requirement id: [A-Za-z0-9._-] kept, anything else as _HH so
// distinct ids stay distinct.
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

std::string row(std::string_view th, const std::string& td_html) {
  return "<tr><th>" + esc(th) + "</th><td>" + td_html + "</td></tr>\n";
}

constexpr std::string_view kCss = R"css(
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;color:#1f2328}
body{margin:0 auto;max-width:1400px;padding:16px}
h1{font-size:22px;margin:4px 0 12px}h2{border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:32px}
h3{margin:2px 0 6px;font-size:16px}h4{margin:12px 0 4px}h5{margin:8px 0 2px;font-size:13px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.kv th{width:11em}
code,pre,.mono,.tree td{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;padding:6px;font-size:12px;white-space:pre-wrap;word-break:break-all;margin:4px 0}
pre.hex{white-space:pre;word-break:normal;overflow-x:auto}
.v{display:inline-block;padding:1px 7px;border-radius:10px;color:#fff;font-weight:600;font-size:12px}
.v-pass,.m-pass{background:#1a7f37}.v-fail,.m-fail{background:#cf222e}.v-xpass,.m-xpass{background:#82071e}
.v-error,.m-error{background:#bc4c00}.v-inconclusive,.m-inconclusive{background:#9a6700}
.v-xfail,.m-xfail{background:#0969da}.v-skipped,.m-skipped{background:#6e7781}
td.m{text-align:center;padding:1px 3px;font-size:11px;font-weight:600;color:#fff}
.bar{display:flex;height:18px;border-radius:4px;overflow:hidden;max-width:900px;margin:6px 0}
.matrix-wrap,.seq-wrap{overflow-x:auto}
table.matrix th.case{writing-mode:vertical-rl;white-space:nowrap;font-weight:normal;font-size:11px}
tr.uncovered td{color:#8c959f}
article.case{border:1px solid #d0d7de;border-left:6px solid #6e7781;border-radius:6px;padding:8px 12px;margin:14px 0}
article.c-pass{border-left-color:#1a7f37}article.c-fail{border-left-color:#cf222e}article.c-xpass{border-left-color:#82071e}
article.c-error{border-left-color:#bc4c00}article.c-inconclusive{border-left-color:#9a6700}article.c-xfail{border-left-color:#0969da}
tr.bad td{background:#ffebe9}.tree td{padding:1px 6px;font-size:12px}.tree tr.g td{color:#57606a}
.d1{padding-left:20px!important}.d2{padding-left:36px!important}.d3{padding-left:52px!important}
.d4{padding-left:68px!important}.d5{padding-left:84px!important}.d6{padding-left:100px!important}
.d7{padding-left:116px!important}.d8{padding-left:132px!important}
.nb{color:#cf222e;background:#ffebe9}.cut{color:#9a6700;font-style:italic}.muted{color:#57606a}
details.entry{border-top:1px dashed #d0d7de;padding:4px 0}summary{cursor:pointer}
.setup-error{border:2px solid #cf222e;background:#ffebe9;border-radius:6px;padding:4px 12px}
.reason{font-weight:600}.nw{white-space:nowrap}.filter label{margin-right:12px}
@media print{#filter,button.copy{display:none}}
)css";

// The page's only script: the verdict filter and copy buttons (both hidden until it runs; the
// page is complete without it), then the readiness marker tests look for.
constexpr std::string_view kScript = R"js(
(function () {
  var filter = document.getElementById("filter");
  var boxes = filter.querySelectorAll("input[type=checkbox]");
  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    document.querySelectorAll("[data-verdict]").forEach(function (el) {
      el.hidden = !on[el.getAttribute("data-verdict")];
    });
  }
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  filter.hidden = false;
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var text = document.getElementById(b.getAttribute("data-target")).textContent;
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text).then(function () { b.textContent = "copied"; },
                                                  function () { b.textContent = "select and copy"; });
      }
    });
  });
  document.body.dataset.ready = "1";
})();
)js";

// ---- header and summaries ----

std::string header_section(const RunResult& run) {
  std::string out = "<header><h1>mikeyconf conformance report</h1><table class=\"kv\">\n";
  out += row("SUT", "<b>" + esc(run.sut_name) + "</b>");
  out += row("SUT role", esc(harness::to_string(run.sut_role)));
  out += row("SUT URL", "<code>" + esc(run.sut_url) + "</code>");
  out += row("profile", "<code>" + esc(run.profile_file) + "</code>" +
                            (run.embedded ? " (embedded reference implementation)" : ""));
  if (!run.baseline_file.empty())
    out += row("baseline", "<code>" + esc(run.baseline_file) + "</code>");
  out += row("cases", "<code>" + esc(run.cases_dir) + "</code>");
  out += row("seed", num(run.seed));
  out += row("strict", std::string(run.strict ? "yes (every level)" : "no (the profile's levels)") +
                           (run.inconclusive_fails ? "; inconclusive counts as fail" : ""));
  out += row("jobs", num(run.jobs));
  out += row("started (UTC)", esc(run.started_utc));
  out += row("duration", ms(run.duration_ms));
  out += row("tool", "mikeyconf " + esc(run.tool_version));
  const int code = run.exit_code();
  out += row("exit code", num(static_cast<std::size_t>(code)) +
                              (code == 0   ? " (every case passed or was excused)"
                               : code == 1 ? " (a case failed or passed unexpectedly)"
                               : !run.setup_error.empty()
                                   ? " (setup error: the profile does not match the SUT)"
                                   : " (a case could not be judged: harness or setup error)"));
  return out + "</table></header>\n";
}

std::string verdict_summary(const RunResult& run) {
  std::map<Verdict, std::size_t> counts;
  for (const CaseResult& c : run.cases) ++counts[c.verdict];
  std::string out = "<section id=\"summary\"><h2>Summary by verdict</h2>\n<div class=\"bar\">";
  for (Verdict v : kVerdicts) {
    if (counts[v] == 0) continue;
    out += "<span class=\"m-" + name(v) + "\" style=\"flex:" + num(counts[v]) + "\" title=\"" +
           name(v) + ": " + num(counts[v]) + "\"></span>";
  }
  out += "</div>\n<table><tr><th>verdict</th><th>cases</th><th>meaning</th></tr>\n";
  const std::map<Verdict, std::string_view> meaning = {
      {Verdict::pass, "the SUT behaved as the requirement says"},
      {Verdict::fail, "the SUT did not behave as the requirement says"},
      {Verdict::xpass, "passed, but the baseline expects a failure (fails the run)"},
      {Verdict::error, "harness or setup problem, not blamed on the SUT"},
      {Verdict::inconclusive, "an answer the spec allows but the case cannot judge"},
      {Verdict::xfail, "failed, as the baseline expects"},
      {Verdict::skipped, "not applicable (profile, baseline, level)"}};
  for (Verdict v : kVerdicts) {
    out += "<tr><td>" + badge(v) + "</td><td>" + num(counts[v]) + "</td><td>" + esc(meaning.at(v)) +
           "</td></tr>\n";
  }
  out += "<tr><th>total</th><th>" + num(run.cases.size()) + "</th><th></th></tr></table>\n";
  out += "<div id=\"filter\" class=\"filter\" hidden>Show: ";
  for (Verdict v : kVerdicts) {
    out += "<label><input type=\"checkbox\" value=\"" + name(v) + "\" checked> " + name(v) +
           "</label>";
  }
  return out + "</div></section>\n";
}

// ---- requirements ----

struct RequirementRow {
  std::string id;
  const Requirement* req = nullptr;  // null: not in the table
  std::vector<std::size_t> cases;    // indexes into run.cases
};

// Every requirement of the table (in its order), then ids cases cite that the table lacks.
std::vector<RequirementRow> requirement_rows(const RunResult& run, const RequirementTable* table) {
  std::map<std::string, std::vector<std::size_t>> cited;
  for (std::size_t i = 0; i < run.cases.size(); ++i)
    for (const std::string& r : run.cases[i].requirements) {
      auto& v = cited[r];
      if (v.empty() || v.back() != i) v.push_back(i);
    }
  std::vector<RequirementRow> rows;
  std::set<std::string> listed;
  if (table != nullptr) {
    for (const Requirement& r : table->rows()) {
      const auto it = cited.find(r.id);
      rows.push_back({r.id, &r, it == cited.end() ? std::vector<std::size_t>{} : it->second});
      listed.insert(r.id);
    }
  }
  for (const auto& [id, cases] : cited)
    if (listed.count(id) == 0) rows.push_back({id, nullptr, cases});
  return rows;
}

Verdict worst(const RunResult& run, const RequirementRow& r) {
  Verdict w = Verdict::pass;
  for (std::size_t i : r.cases)
    if (rank(run.cases[i].verdict) < rank(w)) w = run.cases[i].verdict;
  return w;
}

std::string case_link(const CaseResult& c) {
  return "<a href=\"#" + anchor("case-", c.id) + "\">" + esc(c.id) + "</a>";
}

std::string requirements_section(const RunResult& run, const std::vector<RequirementRow>& rows) {
  std::size_t covered = 0, total = 0;
  for (const RequirementRow& r : rows) {
    covered += r.cases.empty() ? 0 : 1;
    total += r.req != nullptr ? 1 : 0;
  }
  std::string out =
      "<section id=\"requirements\"><h2>Summary by requirement</h2>\n<p>" + num(covered) +
      " requirement(s) cited by the cases of this run" +
      (total > 0 ? " (of " + num(total) + " in the requirement table)" : "") +
      ". Worst verdict order: fail, xpass, error, inconclusive, xfail, skipped, pass.</p>\n"
      "<table><tr><th>requirement</th><th>level</th><th>role</th><th>source</th>"
      "<th>summary</th><th>worst verdict</th><th>cases</th></tr>\n";
  for (const RequirementRow& r : rows) {
    if (r.cases.empty()) continue;
    const Verdict w = worst(run, r);
    out += "<tr id=\"" + anchor("req-", r.id) + "\"><td class=\"mono\">" + esc(r.id) + "</td>";
    if (r.req != nullptr) {
      out += "<td>" + esc(r.req->level) + "</td><td>" + esc(r.req->role) + "</td><td>" +
             esc(r.req->source) + "</td><td>" + esc(r.req->summary) + "</td>";
    } else {
      out += "<td colspan=\"4\" class=\"muted\">not in the requirement table</td>";
    }
    out += "<td>" + badge(w) + "</td><td>";
    for (std::size_t i : r.cases) {
      out += "<span class=\"nw\">" + case_link(run.cases[i]) + " " + badge(run.cases[i].verdict) +
             "</span><br>";
    }
    out += "</td></tr>\n";
  }
  return out + "</table></section>\n";
}

std::string matrix_section(const RunResult& run, const std::vector<RequirementRow>& rows) {
  std::string out =
      "<section id=\"matrix\"><h2>Requirement coverage matrix</h2>\n<p>Rows: requirements "
      "(grey: no case of this run cites it); columns: cases; a cell is the case's verdict (P "
      "pass, F fail, XP xpass, E error, I inconclusive, XF xfail, S skipped).</p>\n"
      "<div class=\"matrix-wrap\"><table class=\"matrix\"><tr><th>requirement</th>";
  for (const CaseResult& c : run.cases) {
    out += "<th class=\"case\" title=\"" + esc(c.title) + "\"><a href=\"#" + anchor("case-", c.id) +
           "\">" + esc(c.id) + "</a></th>";
  }
  out += "</tr>\n";
  for (const RequirementRow& r : rows) {
    out += r.cases.empty() ? "<tr class=\"uncovered\">" : "<tr>";
    out += "<td class=\"mono\" title=\"" + esc(r.req != nullptr ? r.req->summary : "") + "\">" +
           esc(r.id) + "</td>";
    for (std::size_t i = 0; i < run.cases.size(); ++i) {
      if (std::find(r.cases.begin(), r.cases.end(), i) == r.cases.end()) {
        out += "<td></td>";
        continue;
      }
      const Verdict v = run.cases[i].verdict;
      out += "<td class=\"m m-" + name(v) + "\" title=\"" + esc(run.cases[i].id) + ": " + name(v) +
             "\">" + std::string(abbreviation(v)) + "</td>";
    }
    out += "</tr>\n";
  }
  return out + "</table></div></section>\n";
}

std::string health_section(const RunResult& run) {
  std::string out = "<section id=\"health\"><h2>Health checks and warnings</h2>\n";
  if (run.health.empty()) {
    out += "<p class=\"muted\">No health check ran.</p>\n";
  } else {
    out +=
        "<table><tr><th>when</th><th>result</th><th>case</th><th>verdict</th><th>reason</th>"
        "</tr>\n";
    for (const harness::HealthCheck& h : run.health) {
      out += std::string(h.ok ? "<tr>" : "<tr class=\"bad\">") + "<td>" + esc(h.when) +
             "</td><td>" + (h.ok ? "ok" : "<b>FAILED</b>") + "</td><td class=\"mono\">" +
             esc(h.result.id) + "</td><td>" + badge(h.result.verdict) + "</td><td>" +
             html_bytes(h.result.reason) + "</td></tr>\n";
    }
    out += "</table>\n";
  }
  if (run.warnings.empty()) return out + "<p class=\"muted\">No warnings.</p></section>\n";
  out += "<h4>Warnings</h4><ul>\n";
  for (const std::string& w : run.warnings) out += "<li>" + html_bytes(w) + "</li>\n";
  return out + "</ul></section>\n";
}

std::string case_index(const RunResult& run) {
  std::string out =
      "<table><tr><th>#</th><th>case</th><th>verdict</th><th>level</th><th>title</th>"
      "<th>duration</th></tr>\n";
  for (std::size_t i = 0; i < run.cases.size(); ++i) {
    const CaseResult& c = run.cases[i];
    out += "<tr data-verdict=\"" + name(c.verdict) + "\"><td>" + num(i + 1) + "</td><td>" +
           case_link(c) + "</td><td>" + badge(c.verdict) + "</td><td>" +
           esc(harness::to_string(c.level)) + "</td><td>" + esc(c.title) + "</td><td>" +
           ms(c.duration_ms) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

// ---- one case ----

std::string mask_hex(std::uint8_t m) {
  constexpr std::string_view kHex = "0123456789abcdef";
  return std::string("0x") + kHex[m >> 4] + kHex[m & 15];
}

// Nesting depth of a layout path: the dots outside brackets ("payload[2].KEMAC.encr_alg" → 2),
// capped at the deepest indentation class the style sheet has.
std::size_t path_depth(std::string_view path) {
  std::size_t depth = 0;
  int bracket = 0;
  for (const char c : path) {
    bracket += c == '[' ? 1 : c == ']' ? -1 : 0;
    if (c == '.' && bracket == 0) ++depth;
  }
  return std::min<std::size_t>(depth, 8);
}

// The layout map as a tree: a row naming each container ("payload[2].KEMAC") when it starts,
// then its fields by their own name, indented by depth.
std::string field_rows(const DecodedMessage& d) {
  std::string out =
      "<table class=\"tree\"><tr><th>field</th><th>offset</th><th>len</th><th>bytes</th>"
      "<th>value</th></tr>\n";
  const std::size_t shown = std::min(d.fields.size(), kHtmlFieldLimit);
  std::string_view parent_seen;
  for (std::size_t i = 0; i < shown; ++i) {
    const inspect::DecodedField& f = d.fields[i];
    const std::size_t dot = f.path.rfind('.');
    const std::string_view parent =
        dot == std::string::npos ? std::string_view() : std::string_view(f.path).substr(0, dot);
    if (!parent.empty() && parent != parent_seen) {
      out += "<tr class=\"g\"><td colspan=\"5\" class=\"d" + num(path_depth(parent)) + "\">" +
             esc(parent) + "</td></tr>\n";
    }
    parent_seen = parent;
    const std::string_view hex = std::string_view(f.value_hex).substr(0, 64);
    out += "<tr><td class=\"d" + num(path_depth(f.path)) + "\">" +
           esc(dot == std::string::npos ? f.path : f.path.substr(dot + 1)) + "</td><td>" +
           num(f.offset) + "</td><td>" + num(f.length) +
           (f.mask != 0xff ? " (mask " + mask_hex(f.mask) + ")" : "") + "</td><td>" + esc(hex) +
           (hex.size() < f.value_hex.size() ? "…" : "") + "</td><td>" + esc(f.name) +
           "</td></tr>\n";
  }
  out += "</table>\n";
  if (shown < d.fields.size()) {
    out += "<p class=\"cut\">" + num(d.fields.size() - shown) + " more fields not shown</p>\n";
  }
  return out;
}

std::string mikey_html(std::string_view title, mikey::ByteView bytes) {
  const DecodedMessage d = decode_message(bytes);
  std::string out = "<div class=\"msg\"><h5>" + esc(title) + ": " +
                    esc(d.data_type ? data_type_label(bytes) : "too short for a HDR") + " (" +
                    num(bytes.size()) + " bytes)</h5>\n<p>";
  out += d.parses ? "parses"
                  : "<b>does not parse</b>: " + esc(d.parse_error) + " at offset " +
                        num(d.parse_error_offset);
  if (!d.payloads.empty()) {
    out += " · payloads: HDR";
    for (const std::string& p : d.payloads) out += " → " + esc(p);
  }
  if (d.is_error_message) {
    out += " · Error numbers:";
    for (std::uint64_t e : d.error_numbers) {
      const std::string_view n = harness::code_point_name("ErrorNo", static_cast<std::uint32_t>(e));
      out += " " + num(e) + (n.empty() ? "" : " (" + esc(n) + ")");
    }
  }
  out += "</p>\n";
  if (!d.deviations.empty()) {
    out += "<ul>";
    for (const DecodedDeviation& dev : d.deviations) {
      out += "<li>deviation " + esc(dev.kind) + " at offset " + num(dev.offset) + ": " +
             esc(dev.detail) + "</li>";
    }
    out += "</ul>\n";
  }
  out += "<pre class=\"hex\">" + html_hex_dump(bytes) + "</pre>\n" + field_rows(d);
  return out + "</div>\n";
}

std::string http_html(const TranscriptEntry& e) {
  std::string out = "<h5>HTTP request as sent (" + num(e.request.size()) + " bytes)</h5><pre>" +
                    html_bytes(e.request, kHtmlBodyLimit) + "</pre>\n";
  if (!e.transport_error.empty()) {
    return out + "<p class=\"reason\">No HTTP response: " + html_bytes(e.transport_error) +
           "</p>\n";
  }
  out += "<h5>HTTP response</h5><pre>" + num(e.status) + " " + html_bytes(e.reason) + "\n";
  for (const auto& [n, v] : e.headers) out += html_bytes(n) + ": " + html_bytes(v) + "\n";
  out += "</pre>\n<h5>response body (" + num(e.body.size()) + " bytes)</h5><pre>" +
         html_bytes(e.body, kHtmlBodyLimit) + "</pre>\n";
  if (!e.mikey_problem.empty()) {
    out += "<p>Not a valid Annex A answer: " + html_bytes(e.mikey_problem) + "</p>\n";
  }
  if (e.response_mikey) out += mikey_html("MIKEY message received", *e.response_mikey);
  return out;
}

std::string entry_html(const TranscriptEntry& e, bool open) {
  std::string out = std::string("<details class=\"entry\"") + (open ? " open" : "") +
                    "><summary>step " + num(e.step + 1) + " · [" + esc(e.kind) + "] " +
                    esc(e.label) + " — " + html_bytes(e.note) + " <span class=\"muted\">(" +
                    ms(e.duration_ms) + ")</span></summary>\n";
  if (!e.mutations.empty() || e.re_protected) {
    out += "<p>Mutations:";
    for (const std::string& m : e.mutations) out += " <code>" + esc(m) + "</code>";
    if (e.re_protected) out += " <code>re_protect</code> (MAC recomputed after mutation)";
    out += "</p>\n";
  }
  if (!e.mikey_built.empty()) {
    const bool changed = !e.mikey_sent.empty() && e.mikey_sent != e.mikey_built;
    out += mikey_html(changed ? "MIKEY message as built" : "MIKEY message sent", e.mikey_built);
    if (changed) out += mikey_html("MIKEY message as sent (mutated)", e.mikey_sent);
  }
  if (e.kind == "http") out += http_html(e);
  return out + "</details>\n";
}

std::string expectations_html(const CaseResult& c) {
  if (c.expectations.empty()) return "<p class=\"muted\">No expectation was checked.</p>\n";
  std::string out =
      "<table><tr><th>step</th><th>check</th><th>expected</th><th>actual</th><th>result</th>"
      "</tr>\n";
  for (const ExpectationResult& e : c.expectations) {
    out += std::string(e.ok ? "<tr>" : "<tr class=\"bad\">") + "<td>" + num(e.step + 1) +
           "</td><td class=\"mono\">" + esc(e.key) +
           (e.inconclusive_clause ? " <span class=\"muted\">(inconclusive_if)</span>" : "") +
           "</td><td>" + html_bytes(e.expected) + "</td><td>" + html_bytes(e.actual) + "</td><td>" +
           (e.ok ? "ok" : "<b>not met</b>") + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string list(const std::vector<std::string>& v, bool requirements) {
  std::string out;
  for (const std::string& s : v) {
    out += out.empty() ? "" : ", ";
    out += requirements ? "<a href=\"#" + anchor("req-", s) + "\">" + esc(s) + "</a>" : esc(s);
  }
  return out.empty() ? "—" : out;
}

std::string case_article(const CaseResult& c, std::size_t index, harness::SutRole role) {
  const bool open = c.verdict != Verdict::pass && c.verdict != Verdict::skipped;
  std::string out = "<article class=\"case c-" + name(c.verdict) + "\" id=\"" +
                    anchor("case-", c.id) + "\" data-verdict=\"" + name(c.verdict) + "\">\n";
  out += "<h3>" + num(index + 1) + ". " + esc(c.id) + " " + badge(c.verdict) + "</h3>\n<p>" +
         esc(c.title) + "</p>\n";
  if (!c.reason.empty()) out += "<p class=\"reason\">" + html_bytes(c.reason) + "</p>\n";
  out += "<table class=\"kv\">\n";
  if (c.original_verdict)
    out += row("verdict before baseline / health", badge(*c.original_verdict));
  out += row("requirements", list(c.requirements, true));
  out += row("level", esc(harness::to_string(c.level)));
  out += row("tags", list(c.tags, false));
  out += row("seed", num(c.seed));
  out += row("started / duration", ms(c.start_ms) + " into the run / " + ms(c.duration_ms));
  out += row("file", "<code>" + esc(c.file) + "</code>");
  const std::string replay_id = "replay-" + num(index);
  out += row("replay", "<code id=\"" + replay_id + "\">" + esc(c.replay) +
                           "</code> <button class=\"copy\" data-target=\"" + replay_id +
                           "\" hidden>copy</button>");
  out += "</table>\n<h4>Expected vs actual</h4>\n" + expectations_html(c);
  out += "<h4>Sequence</h4>\n<div class=\"seq-wrap\">" + sequence_svg(sequence_model(c, role)) +
         "</div>\n<h4>Transcript</h4>\n";
  if (c.transcript.empty()) out += "<p class=\"muted\">Nothing was exchanged.</p>\n";
  for (const TranscriptEntry& e : c.transcript) out += entry_html(e, open);
  return out + "</article>\n";
}

std::string csp(std::string_view script) {
  const Sha256 h = sha256(mikey::as_bytes(script));
  // Nothing may load from anywhere; the one inline script runs by its hash, so markup that
  // slipped through escaping still could not run a script (defence in depth).
  return "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" +
         mikey::wire::base64_encode(h) + "'";
}

}  // namespace

std::string report_html(const RunResult& run, const RequirementTable* requirements) {
  const std::vector<RequirementRow> rows = requirement_rows(run, requirements);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + csp(kScript) + "\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>mikeyconf report: " + esc(run.sut_name) + "</title>\n<style>" + std::string(kCss) +
         "</style></head>\n<body>\n";
  out += header_section(run) + setup_banner(run);
  out +=
      "<nav><a href=\"#summary\">verdicts</a> · <a href=\"#scope\">not tested</a> · "
      "<a href=\"#requirements\">requirements</a> · <a href=\"#matrix\">coverage matrix</a> · "
      "<a href=\"#health\">health checks</a> · <a href=\"#cases\">cases</a></nav>\n";
  out += verdict_summary(run) + scope_section(run) + requirements_section(run, rows) +
         matrix_section(run, rows) + health_section(run);
  out += "<section id=\"cases\"><h2>Cases</h2>\n" + case_index(run);
  for (std::size_t i = 0; i < run.cases.size(); ++i) {
    out += case_article(run.cases[i], i, run.sut_role);
  }
  out +=
      "</section>\n<footer class=\"muted\"><p>Every byte exchanged is in results.json; "
      "transcript.pcap has the HTTP exchanges for Wireshark; manifest.sha256 lists the digest "
      "of every file written.</p></footer>\n";
  out += "<script>" + std::string(kScript) + "</script>\n</body></html>\n";
  return out;
}

}  // namespace mikeyconf::reports
