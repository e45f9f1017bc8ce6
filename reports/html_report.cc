#include "reports/html_report.h"

#include "reports/digest.h"
#include "reports/html_assets.h"
#include "reports/html_messages.h"
#include "reports/html_overview.h"
#include "reports/html_parts.h"
#include "reports/html_scope.h"
#include "reports/html_text.h"
#include "reports/sequence_diagram.h"
#include "wire/base64.h"

namespace mikeyconf::reports {

using harness::CaseResult;
using harness::ExpectationResult;
using harness::RequirementTable;
using harness::RunResult;
using harness::TranscriptEntry;
using harness::Verdict;

namespace {

std::string esc(std::string_view s) { return html_escape(s); }

// What the summary leaves out: where the run's inputs came from and how it ran.
std::string run_details(const RunResult& run) {
  std::string out = "<section id=\"run\"><h2>Run details</h2><table class=\"kv\">\n";
  out += kv_row("SUT profile name", "<b>" + esc(run.sut_name) + "</b>");
  out += kv_row("profile", "<code>" + esc(run.profile_file) + "</code>" +
                               (run.embedded ? " (embedded reference implementation)" : ""));
  if (!run.baseline_file.empty())
    out += kv_row("baseline", "<code>" + esc(run.baseline_file) + "</code>");
  out += kv_row("cases", "<code>" + esc(run.cases_dir) + "</code>");
  out += kv_row("seed", num(run.seed));
  out +=
      kv_row("strict", std::string(run.strict ? "yes (every level)" : "no (the profile's levels)") +
                           (run.inconclusive_fails ? "; inconclusive counts as fail" : ""));
  out += kv_row("jobs", num(run.jobs));
  out += kv_row("started (UTC)", esc(run.started_utc));
  out += kv_row("duration", duration_text(run.duration_ms));
  out += kv_row("tool", "mikeyconf " + esc(run.tool_version));
  out += kv_row("exit code", num(static_cast<std::size_t>(run.exit_code())));
  return out + "</table></section>\n";
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

// ---- one case ----

// An exchange: its summary line here, its messages rendered by the page's script from the case's
// data block when the reader opens it (html_messages.h).
std::string entry_html(const TranscriptEntry& e, std::size_t i, const std::string& data_id,
                       bool open) {
  std::string out = "<details class=\"entry\" data-case=\"" + data_id + "\" data-i=\"" + num(i) +
                    "\"" + (open ? " open" : "") + "><summary>step " + num(e.step + 1) + " · [" +
                    esc(e.kind) + "] " + esc(e.label) + " — " + html_bytes(e.note) +
                    " <span class=\"muted\">(" + duration_text(e.duration_ms) +
                    ")</span></summary>\n";
  if (!e.mutations.empty() || e.re_protected) {
    out += "<p>Mutations:";
    for (const std::string& m : e.mutations) out += " <code>" + esc(m) + "</code>";
    if (e.re_protected) out += " <code>re_protect</code> (MAC recomputed after mutation)";
    out += "</p>\n";
  }
  return out + "<div class=\"lazy\"></div></details>\n";
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

std::string case_article(const CaseResult& c, std::size_t index, harness::SutRole role,
                         MessageData& data) {
  const bool open = c.verdict != Verdict::pass && c.verdict != Verdict::skipped;
  std::string out = "<article class=\"case c-" + verdict_name(c.verdict) + "\" id=\"" +
                    anchor("case-", c.id) + "\" data-verdict=\"" + verdict_name(c.verdict) +
                    "\">\n";
  out += "<h3>" + num(index + 1) + ". " + esc(c.id) + " " + badge(c.verdict) + "</h3>\n<p>" +
         esc(c.title) + "</p>\n";
  if (!c.reason.empty()) out += "<p class=\"reason\">" + html_bytes(c.reason) + "</p>\n";
  out += "<table class=\"kv\">\n";
  if (c.original_verdict)
    out += kv_row("verdict before baseline / health", badge(*c.original_verdict));
  out += kv_row("requirements", list(c.requirements, true));
  out += kv_row("level", esc(harness::to_string(c.level)));
  out += kv_row("tags", list(c.tags, false));
  out += kv_row("seed", num(c.seed));
  out += kv_row("started / duration",
                duration_text(c.start_ms) + " into the run / " + duration_text(c.duration_ms));
  out += kv_row("file", "<code>" + esc(c.file) + "</code>");
  const std::string replay_id = "replay-" + num(index);
  out += kv_row("replay", "<code id=\"" + replay_id + "\">" + esc(c.replay) +
                              "</code> <button class=\"copy\" data-target=\"" + replay_id +
                              "\" hidden>copy</button>");
  out += "</table>\n<h4>Expected vs actual</h4>\n" + expectations_html(c);
  const std::string data_id = "data-" + num(index);
  out += "<h4>Sequence</h4>\n<div class=\"seq-wrap\" data-case=\"" + data_id +
         "\"></div>\n<h4>Transcript</h4>\n";
  if (c.transcript.empty()) out += "<p class=\"muted\">Nothing was exchanged.</p>\n";
  for (std::size_t i = 0; i < c.transcript.size(); ++i) {
    out += entry_html(c.transcript[i], i, data_id, open);
  }
  return out + "<script type=\"application/json\" id=\"" + data_id + "\">" +
         data.case_json(c, sequence_model(c, role)) + "</script>\n</article>\n";
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
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"" + csp(report_script()) + "\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>mikeyconf report: " + esc(run.sut_name) + "</title>\n<style>" +
         std::string(report_css()) + "</style></head>\n<body>\n";
  // A setup error comes before everything: no verdict below it is about the SUT.
  out += setup_banner(run) + executive_summary(run);
  out +=
      "<nav><a href=\"#failures\">failures</a> · <a href=\"#scope\">scope</a> · "
      "<a href=\"#breakdown\">by level and group</a> · <a href=\"#requirements\">requirements</a>"
      " · <a href=\"#health\">health checks</a> · <a href=\"#cases\">cases</a> · "
      "<a href=\"#run\">run details</a></nav>\n";
  out +=
      "<p class=\"print-only muted\">Printed view: passing rows, case details and messages are "
      "left out; the page and results.json have them.</p>\n";
  out += failures_section(run) + scope_section(run) + breakdown_section(run) +
         requirements_view(run, requirements) + health_section(run);
  out +=
      "<section id=\"cases\"><h2>Cases</h2>\n<noscript><p>The page's script shows each exchange's "
      "messages when it is opened; results.json has every byte.</p></noscript>\n" +
      cases_table(run) + "<div id=\"case-details\">\n";
  MessageData data;
  for (std::size_t i : worst_first(run)) out += case_article(run.cases[i], i, run.sut_role, data);
  out += "<script type=\"application/json\" id=\"tables\">" + data.tables_json() + "</script>\n";
  out += "</div></section>\n" + run_details(run) +
         "<footer class=\"muted\"><p>Every byte exchanged is in results.json; "
         "transcript.pcap has the HTTP exchanges for Wireshark; manifest.sha256 lists the digest "
         "of every file written.</p></footer>\n";
  out += "<script>" + std::string(report_script()) + "</script>\n</body></html>\n";
  return out;
}

}  // namespace mikeyconf::reports
