#include "reports/junit.h"

#include <array>
#include <cstdio>

#include "harness/scenario.h"
#include "reports/utf8.h"
#include "wire/hex.h"

namespace mikeyconf::reports {

using harness::CaseResult;
using harness::ExpectationResult;
using harness::HealthCheck;
using harness::RunResult;
using harness::Summary;
using harness::TranscriptEntry;
using harness::Verdict;

namespace {

// Text and bytes as XML 1.0 character data, ASCII only: valid UTF-8 as character references,
// bytes XML cannot carry as \xHH.
std::string xml_escape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    if (const std::size_t n = utf8_sequence(s.substr(i), cp); n > 0) {
      std::array<char, 16> ref{};
      std::snprintf(ref.data(), ref.size(), "&#x%x;", static_cast<unsigned>(cp));
      out += ref.data();
      i += n - 1;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters; show them as \xHH.
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c >= 0x80) {
          constexpr std::string_view kHex = "0123456789abcdef";
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string seconds(double ms) {
  std::array<char, 32> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%.3f", ms / 1000.0);
  return std::string(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

std::string property(std::string_view name, std::string_view value) {
  return "        <property name=\"" + xml_escape(name) + "\" value=\"" + xml_escape(value) +
         "\"/>\n";
}

std::string details(const CaseResult& c) {
  std::string out;
  for (const ExpectationResult& e : c.expectations) {
    out += std::string(e.ok ? "  ok   " : "  FAIL ") +
           (e.inconclusive_clause ? "[inconclusive_if] " : "") + "step " +
           std::to_string(e.step + 1) + " " + e.key + ": expected " + e.expected + ", got " +
           e.actual + "\n";
  }
  for (const TranscriptEntry& t : c.transcript) {
    out += "  [" + t.kind + "] " + t.label;
    for (const std::string& m : t.mutations) out += " | " + m;
    if (t.re_protected) out += " | re_protect";
    out += " -> " + t.note + "\n";
    if (!t.mikey_sent.empty()) out += "    sent     " + mikey::wire::to_hex(t.mikey_sent) + "\n";
    if (t.response_mikey) out += "    received " + mikey::wire::to_hex(*t.response_mikey) + "\n";
  }
  out += "  replay: " + c.replay + "\n";
  return out;
}

// A setup error (the profile does not match the SUT) as a test case of its own, first, so a CI
// page shows it above the cases it kept from running.
std::string setup_testcase(const RunResult& run) {
  std::string probes;
  for (const harness::SetupProbe& p : run.setup_probes) {
    probes += "  " + std::string(p.ok ? "ok   " : "FAIL ") + p.message + " as " + p.user +
              (p.finding.empty() ? "" : ": " + p.finding) + "\n";
  }
  const std::string msg = xml_escape("setup: " + run.setup_error);
  return "    <testcase classname=\"mikeyconf\" name=\"setup\" time=\"0.000\">\n"
         "      <error message=\"" +
         msg + "\" type=\"setup\">" + xml_escape(probes) + "</error>\n    </testcase>\n";
}

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

std::string junit_xml(const RunResult& run) {
  const Summary s = run.summary();
  const std::size_t setup = run.setup_error.empty() ? 0 : 1;
  const std::string tests = std::to_string(s.total + setup);
  const std::string errors = std::to_string(s.error + setup);
  const std::size_t failures = s.fail + s.xpass;
  const std::size_t skipped = s.skipped + s.xfail + s.inconclusive;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"mikeyconf\" tests=\"" + tests + "\" failures=\"" +
         std::to_string(failures) + "\" errors=\"" + errors + "\" skipped=\"" +
         std::to_string(skipped) + "\" time=\"" + seconds(run.duration_ms) + "\">\n";
  out += "  <testsuite name=\"mikeyconf." + xml_escape(run.sut_name) + "\" tests=\"" + tests +
         "\" failures=\"" + std::to_string(failures) + "\" errors=\"" + errors + "\" skipped=\"" +
         std::to_string(skipped) + "\" time=\"" + seconds(run.duration_ms) + "\" timestamp=\"" +
         xml_escape(run.started_utc) + "\">\n";
  out += "    <properties>\n";
  out += "  " + property("sut", run.sut_name);
  out += "  " + property("sut_role", harness::to_string(run.sut_role));
  out += "  " + property("base_url", run.sut_url);
  out += "  " + property("seed", std::to_string(run.seed));
  out += "  " + property("strict", run.strict ? "true" : "false");
  out += "  " + property("inconclusive_fails", run.inconclusive_fails ? "true" : "false");
  out += "  " + property("interrupted", run.interrupted ? "true" : "false");
  out += "  " + property("capabilities", list(run.capabilities));
  out += "  " + property("levels", list(run.levels));
  if (!run.setup_error.empty()) out += "  " + property("setup_error", run.setup_error);
  for (const HealthCheck& h : run.health) {
    out += "  " +
           property("health_check", h.when + ": " + (h.ok ? "ok" : "FAILED " + h.result.reason));
  }
  for (const std::string& w : run.warnings) out += "  " + property("warning", w);
  out += "    </properties>\n";
  if (setup != 0) out += setup_testcase(run);
  for (const CaseResult& c : run.cases) {
    const std::string prefix =
        c.id.substr(0, c.id.rfind('.') == std::string::npos ? 0 : c.id.rfind('.'));
    out += "    <testcase classname=\"" + xml_escape(prefix.empty() ? c.id : prefix) +
           "\" name=\"" + xml_escape(c.id) + "\" file=\"" + xml_escape(c.file) + "\" time=\"" +
           seconds(c.duration_ms) + "\">\n";
    out += "      <properties>\n";
    out += property("verdict", to_string(c.verdict));
    if (c.original_verdict) out += property("original_verdict", to_string(*c.original_verdict));
    out += property("title", c.title);
    out += property("level", harness::to_string(c.level));
    std::string reqs;
    for (const std::string& r : c.requirements) reqs += (reqs.empty() ? "" : " ") + r;
    out += property("requirements", reqs);
    out += property("seed", std::to_string(c.seed));
    out += property("replay", c.replay);
    out += "      </properties>\n";
    const std::string msg = xml_escape(std::string(to_string(c.verdict)) + ": " + c.reason);
    switch (c.verdict) {
      case Verdict::pass:
        break;
      case Verdict::fail:
      case Verdict::xpass:
        out += "      <failure message=\"" + msg + "\" type=\"" +
               std::string(to_string(c.verdict)) + "\">" + xml_escape(details(c)) + "</failure>\n";
        break;
      case Verdict::error:
        out += "      <error message=\"" + msg + "\" type=\"error\">" + xml_escape(details(c)) +
               "</error>\n";
        break;
      case Verdict::skipped:
      case Verdict::xfail:
      case Verdict::inconclusive:
        // Neither passed nor failed: a CI's test view shows them as skipped, the type (and the
        // verdict property) telling an expected failure and an unjudged answer from a case
        // that did not apply (reports/README.md "junit.xml").
        out += "      <skipped message=\"" + msg + "\" type=\"" +
               std::string(to_string(c.verdict)) + "\"/>\n";
        break;
    }
    if (c.verdict != Verdict::pass) {
      out += "      <system-out>" + xml_escape(details(c)) + "</system-out>\n";
    }
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace mikeyconf::reports
