#include "reports/html_scope.h"

#include "reports/html_text.h"

namespace mikeyconf::reports {

namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ", ") + html_escape(i);
  return out.empty() ? "<span class=\"muted\">none</span>" : out;
}

std::string probe_rows(const harness::RunResult& run) {
  std::string out =
      "<table><tr><th>user</th><th>message</th><th>result</th><th>finding</th></tr>\n";
  for (const harness::SetupProbe& p : run.setup_probes) {
    out += std::string(p.ok ? "<tr>" : "<tr class=\"bad\">") + "<td class=\"mono\">" +
           html_escape(p.user) + "</td><td>" + html_escape(p.message) + "</td><td>" +
           (p.ok ? "ok" : "<b>FAILED</b>") + "</td><td>" + html_escape(p.finding) + "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string latitude_rows(const harness::RunResult& run) {
  if (run.latitude.empty()) {
    return "<p class=\"muted\">No latitude declared: every point is <code>any</code> (each "
           "legal behaviour is accepted; docs/latitude.md).</p>\n";
  }
  std::string out = "<table><tr><th>latitude point</th><th>declared behaviour</th></tr>\n";
  for (const auto& [id, reading] : run.latitude) {
    out += "<tr><td class=\"mono\">" + html_escape(id) + "</td><td>" + html_escape(reading) +
           "</td></tr>\n";
  }
  return out + "</table>\n";
}

std::string exclusion_rows(const harness::RunResult& run) {
  const std::vector<harness::Exclusion> groups = run.exclusions();
  if (groups.empty()) return "<p>Every selected case ran.</p>\n";
  std::string out = "<table><tr><th>reason</th><th>cases</th><th>ids</th></tr>\n";
  for (const harness::Exclusion& e : groups) {
    std::string ids;
    for (const std::string& id : e.ids) ids += (ids.empty() ? "" : " ") + html_escape(id);
    out += "<tr><td>" + html_escape(e.reason) + "</td><td>" + std::to_string(e.ids.size()) +
           "</td><td class=\"mono\">" + ids + "</td></tr>\n";
  }
  return out + "</table>\n";
}

}  // namespace

std::string setup_banner(const harness::RunResult& run) {
  if (run.setup_error.empty()) return {};
  return "<section id=\"setup\" class=\"setup-error\"><h2>Setup error: nothing was judged</h2>\n"
         "<p class=\"reason\">" +
         html_escape(run.setup_error) +
         "</p>\n<p>The SUT profile does not match the system under test, so no case ran and no "
         "verdict is blamed on the SUT (exit code 3). Correct the profile key named above and "
         "run again.</p>\n" +
         probe_rows(run) + "</section>\n";
}

std::string scope_section(const harness::RunResult& run) {
  std::string out = "<section id=\"scope\"><h2>What this run did not test</h2>\n";
  out += "<table class=\"kv\">\n<tr><th>capabilities</th><td>" + joined(run.capabilities) +
         "</td></tr>\n<tr><th>levels</th><td>" + joined(run.levels) +
         (run.strict ? " (every level ran: strict)" : "") + "</td></tr>\n</table>\n";
  out += "<h4>Latitude the profile declared</h4>\n" + latitude_rows(run);
  out += "<h4>Cases left out</h4>\n" + exclusion_rows(run);
  if (run.setup_error.empty() && !run.setup_probes.empty()) {
    out += "<h4>Setup probe</h4>\n" + probe_rows(run);
  }
  return out + "</section>\n";
}

}  // namespace mikeyconf::reports
