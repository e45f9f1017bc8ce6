#include "reports/campaign_html.h"

#include <array>
#include <cstdio>

#include "harness/scenario_writer.h"
#include "reports/html_text.h"
#include "reports/sequence_diagram.h"

namespace mikeyconf::reports {

using harness::Campaign;
using harness::Finding;
using harness::TranscriptEntry;

namespace {

std::string esc(std::string_view s) { return html_escape(s); }

std::string code(std::string_view s) { return "<code>" + esc(s) + "</code>"; }

std::string row(std::string_view th, const std::string& td_html) {
  return "<tr><th>" + esc(th) + "</th><td>" + td_html + "</td></tr>\n";
}

std::string fixed(double v, const char* format) {
  std::array<char, 40> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), format, v);
  return std::string(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

// A finding's anchor: its id is "<oracle>-<hex>", but a hand-made one may hold anything.
std::string anchor(const Finding& f) {
  std::string out = "finding-";
  for (const char c : f.id) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    out += keep ? c : '_';
  }
  return out;
}

constexpr std::string_view kCss = R"css(
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;color:#1f2328}
body{margin:0 auto;max-width:1400px;padding:16px}h1{font-size:22px}
h2{border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:32px}h3{font-size:16px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.kv th{width:11em}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;padding:6px;font-size:12px;white-space:pre-wrap;word-break:break-all}
article{border:1px solid #d0d7de;border-left:6px solid #cf222e;border-radius:6px;padding:8px 12px;margin:14px 0}
tr.bad td{background:#ffebe9}.dead{border:2px solid #cf222e;background:#ffebe9;padding:4px 12px}
.muted{color:#57606a}.cut{color:#9a6700;font-style:italic}.nb{color:#cf222e;background:#ffebe9}
.seq-wrap{overflow-x:auto}details{border-top:1px dashed #d0d7de;padding:4px 0}summary{cursor:pointer}
)css";

std::string header(const Campaign& c, const harness::SutProfile& profile,
                   const CampaignPaths& paths) {
  std::string out =
      "<header><h1>mikeyconf fuzz campaign: " + esc(profile.name) + "</h1><table class=\"kv\">\n";
  out += row("SUT", esc(profile.name) + " " + code(profile.base_url));
  out += row("role", esc(harness::to_string(c.role)));
  out += row("profile", code(c.profile_file));
  out += row("seed", std::to_string(c.seed));
  out += row("executions",
             std::to_string(c.execs) + " in " + fixed(c.seconds, "%.1f s") + " (" +
                 fixed(c.seconds > 0 ? static_cast<double>(c.execs) / c.seconds : 0, "%.1f") +
                 " exec/s)");
  out += row("stopped", esc(c.stop_reason));
  out += row("findings", std::to_string(c.findings.size()));
  out += row("regression suite", code(paths.suite_command()));
  out += "</table></header>\n";
  if (c.sut_dead) {
    out +=
        "<p class=\"dead\">The SUT failed its sanity case after an anomaly: it was dead and "
        "the campaign stopped.</p>\n";
  }
  if (c.setup_error) {
    out += "<p class=\"dead\">Setup error: " + html_bytes(*c.setup_error) + "</p>\n";
  }
  return out;
}

std::string answers(const Campaign& c) {
  std::string out = "<section id=\"answers\"><h2>Answers</h2>\n";
  if (c.answers.empty()) return out + "<p class=\"muted\">No execution.</p></section>\n";
  out += "<table><tr><th>answer</th><th>executions</th></tr>\n";
  for (const auto& [answer, count] : c.answers) {
    out += "<tr><td>" + html_bytes(answer) + "</td><td>" + std::to_string(count) + "</td></tr>\n";
  }
  return out + "</table></section>\n";
}

std::string findings_index(const Campaign& c) {
  std::string out = "<section id=\"findings\"><h2>Findings</h2>\n";
  if (c.findings.empty()) return out + "<p>No finding.</p>\n";
  out +=
      "<table><tr><th>finding</th><th>oracle</th><th>hits</th><th>first execution</th>"
      "<th>what the SUT did</th></tr>\n";
  for (const Finding& f : c.findings) {
    out += "<tr><td><a href=\"#" + anchor(f) + "\">" + esc(f.id) + "</a></td><td>" +
           esc(harness::to_string(f.oracle)) + "</td><td>" + std::to_string(f.hits) + "</td><td>" +
           std::to_string(f.first_exec) + "</td><td>" + html_bytes(f.detail) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string expectations(const harness::CaseResult& r) {
  std::string out = "<table><tr><th>step</th><th>check</th><th>expected</th><th>actual</th></tr>\n";
  for (const harness::ExpectationResult& e : r.expectations) {
    out += std::string(e.ok ? "<tr>" : "<tr class=\"bad\">") + "<td>" + std::to_string(e.step + 1) +
           "</td><td>" + code(e.key) + "</td><td>" + html_bytes(e.expected) + "</td><td>" +
           html_bytes(e.actual) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string exchange(const TranscriptEntry& e) {
  std::string out = "<details open><summary>step " + std::to_string(e.step + 1) + " · " +
                    esc(e.label) + " — " + html_bytes(e.note) + "</summary>\n";
  for (const std::string& m : e.mutations) out += code(m) + " ";
  if (e.re_protected) out += code("re_protect");
  if (e.kind != "http") return out + "</details>\n";
  out += "<p>request as sent (" + std::to_string(e.request.size()) + " bytes)</p><pre>" +
         html_bytes(e.request, kHtmlBodyLimit) + "</pre>\n";
  if (!e.transport_error.empty()) {
    return out + "<p>No HTTP response: " + html_bytes(e.transport_error) + "</p></details>\n";
  }
  std::string head = std::to_string(e.status) + " " + e.reason + "\n";
  for (const auto& [name, value] : e.headers) head += name + ": " + value + "\n";
  return out + "<p>response</p><pre>" + html_bytes(head) + "\n" +
         html_bytes(e.body, kHtmlBodyLimit) + "</pre>\n</details>\n";
}

std::string article(const Finding& f, const CampaignPaths& paths, harness::SutRole role) {
  std::string out = "<article id=\"" + anchor(f) + "\"><h3>" + esc(f.id) + "</h3>\n<p>" +
                    html_bytes(f.detail) + "</p>\n<table class=\"kv\">\n";
  out += row("oracle", esc(harness::to_string(f.oracle)));
  out += row("signature", html_bytes(f.signature));
  out +=
      row("hits", std::to_string(f.hits) + ", first at execution " + std::to_string(f.first_exec));
  out += row("case seed", std::to_string(f.seed));
  out +=
      row("case", code(paths.case_yaml(f).generic_string()) + " (" + code(f.regression.id) + ")");
  if (const auto bad = paths.unreadable.find(f.id); bad != paths.unreadable.end()) {
    out +=
        row("not in the suite", "the scenario loader rejects the case: " + html_bytes(bad->second));
  } else {
    out += row("replay", code(paths.replay_command(f)));
    out += row("run", code(paths.run_command(f)));
  }
  out += "</table>\n<h4>Regression case</h4><pre>" + esc(harness::to_yaml(f.regression)) +
         "</pre>\n<h4>Expected vs actual</h4>\n" + expectations(f.result);
  out += "<h4>Sequence</h4><div class=\"seq-wrap\">" +
         sequence_svg(sequence_model(f.result, role)) + "</div>\n<h4>Transcript</h4>\n";
  for (const TranscriptEntry& e : f.result.transcript) out += exchange(e);
  return out + "</article>\n";
}

}  // namespace

std::string campaign_html(const Campaign& campaign, const harness::SutProfile& profile,
                          const CampaignPaths& paths) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  // Nothing may load from anywhere and no script may run: the page is complete without one.
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">\n";
  out += "<title>mikeyconf fuzz campaign: " + esc(profile.name) + "</title>\n<style>" +
         std::string(kCss) + "</style></head>\n<body>\n";
  out += header(campaign, profile, paths) + answers(campaign) + findings_index(campaign);
  for (const Finding& f : campaign.findings) out += article(f, paths, campaign.role);
  out +=
      "</section>\n<footer class=\"muted\"><p>campaign.json has every finding's run with every "
      "byte; findings/&lt;id&gt;/ holds each case and its repro bundle.</p></footer>\n"
      "</body></html>\n";
  return out;
}

}  // namespace mikeyconf::reports
