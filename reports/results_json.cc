#include "reports/results_json.h"

#include <cmath>

#include "harness/scenario.h"
#include "inspect/json.h"
#include "reports/decoded_json.h"
#include "reports/utf8.h"
#include "wire/hex.h"

namespace mikeyconf::reports {

using harness::CaseResult;
using harness::RunResult;
using harness::TranscriptEntry;

namespace {

using inspect::Json;

std::string hex(std::string_view s) { return mikey::wire::to_hex(mikey::as_bytes(s)); }

std::uint64_t u64(std::size_t n) { return static_cast<std::uint64_t>(n); }

// Text as received: valid UTF-8 is kept (the document is written ASCII, so it becomes \u
// escapes, RFC 8259 §7); any other byte stands for itself as U+00XX, so no byte is lost (every
// byte-exact value is also given in hex).
Json text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    if (c < 0x80) {
      out += s[i++];
    } else if (const std::size_t n = utf8_sequence(s.substr(i), cp); n > 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += static_cast<char>(0xc0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3f));
      ++i;
    }
  }
  return out;
}

Json texts(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const std::string& s : v) a.push_back(text(s));
  return a;
}

// Milliseconds to the microsecond, as measured (the clocks say no more).
Json ms(double d) { return std::round(d * 1000.0) / 1000.0; }

Json http_response(const TranscriptEntry& e) {
  Json j = Json::object();
  if (!e.transport_error.empty()) {
    j["transport_error"] = text(e.transport_error);
    return j;
  }
  j["status"] = static_cast<std::uint64_t>(e.status);
  j["reason"] = text(e.reason);
  Json headers = Json::array();
  for (const auto& [n, v] : e.headers) headers.push_back(Json::array({text(n), text(v)}));
  j["headers"] = std::move(headers);
  j["body_hex"] = hex(e.body);
  if (e.response_mikey) j["mikey"] = decoded_message_json(*e.response_mikey);
  if (!e.mikey_problem.empty()) j["mikey_problem"] = text(e.mikey_problem);
  return j;
}

Json transcript_entry(const TranscriptEntry& e) {
  Json j = Json::object();
  j["step"] = u64(e.step);
  j["kind"] = text(e.kind);
  j["label"] = text(e.label);
  j["start_ms"] = ms(e.start_ms);
  j["duration_ms"] = ms(e.duration_ms);
  if (!e.mikey_built.empty()) j["mikey_built"] = decoded_message_json(e.mikey_built);
  if (!e.mikey_sent.empty() && e.mikey_sent != e.mikey_built) {
    j["mikey_sent"] = decoded_message_json(e.mikey_sent);
  }
  j["mutations"] = texts(e.mutations);
  j["re_protected"] = e.re_protected;
  if (e.kind == "http") {
    // The exact bytes as sent: an application/mikey body stays base64 here (TS 33.328 Annex A);
    // transcript.pcap carries it decoded (reports/README.md).
    j["request"] = Json{{"hex", hex(e.request)}, {"text", text(e.request)}};
    j["response"] = http_response(e);
  }
  j["note"] = text(e.note);
  return j;
}

Json case_result(const CaseResult& c) {
  Json j = Json::object();
  j["id"] = text(c.id);
  j["title"] = text(c.title);
  j["file"] = text(c.file);
  j["requirements"] = texts(c.requirements);
  j["level"] = harness::to_string(c.level);
  j["sut_role"] = harness::to_string(c.sut_role);
  j["tags"] = texts(c.tags);
  j["needs"] = texts(c.needs);
  j["seed"] = c.seed;
  j["verdict"] = harness::to_string(c.verdict);
  j["original_verdict"] =
      c.original_verdict ? Json(harness::to_string(*c.original_verdict)) : Json();
  j["reason"] = text(c.reason);
  j["start_ms"] = ms(c.start_ms);
  j["duration_ms"] = ms(c.duration_ms);
  j["replay"] = text(c.replay);
  Json expectations = Json::array();
  for (const harness::ExpectationResult& e : c.expectations) {
    expectations.push_back(Json{{"step", u64(e.step)},
                                {"key", text(e.key)},
                                {"expected", text(e.expected)},
                                {"actual", text(e.actual)},
                                {"ok", e.ok},
                                {"inconclusive_clause", e.inconclusive_clause}});
  }
  j["expectations"] = std::move(expectations);
  Json transcript = Json::array();
  for (const TranscriptEntry& e : c.transcript) transcript.push_back(transcript_entry(e));
  j["transcript"] = std::move(transcript);
  return j;
}

Json summary(const harness::Summary& s) {
  return Json{{"total", u64(s.total)}, {"pass", u64(s.pass)},
              {"fail", u64(s.fail)},   {"inconclusive", u64(s.inconclusive)},
              {"error", u64(s.error)}, {"skipped", u64(s.skipped)},
              {"xfail", u64(s.xfail)}, {"xpass", u64(s.xpass)}};
}

// What the profile declared: the capabilities and levels that selected the cases, and its
// latitude choices (docs/latitude.md; a point not listed is `any`).
Json declared_profile(const RunResult& run) {
  Json latitude = Json::object();
  for (const auto& [id, reading] : run.latitude) latitude[id] = text(reading);
  return Json{{"capabilities", texts(run.capabilities)},
              {"levels", texts(run.levels)},
              {"latitude", std::move(latitude)}};
}

// The skipped cases, grouped by reason (RunResult::exclusions).
Json excluded(const RunResult& run) {
  Json out = Json::array();
  for (const harness::Exclusion& e : run.exclusions()) {
    for (const std::string& id : e.ids)
      out.push_back(Json{{"id", text(id)}, {"reason", text(e.reason)}});
  }
  return out;
}

// The setup probe (harness/probe.h): `error` is empty unless the profile does not match the SUT.
Json setup(const RunResult& run) {
  Json probes = Json::array();
  for (const harness::SetupProbe& p : run.setup_probes) {
    probes.push_back(Json{{"user", text(p.user)},
                          {"message", text(p.message)},
                          {"ok", p.ok},
                          {"finding", text(p.finding)},
                          {"result", case_result(p.result)}});
  }
  return Json{{"error", text(run.setup_error)}, {"probes", std::move(probes)}};
}

Json sut(const RunResult& run) {
  Json j = Json::object();
  j["name"] = text(run.sut_name);
  j["role"] = harness::to_string(run.sut_role);
  j["base_url"] = text(run.sut_url);
  j["profile"] = text(run.profile_file);
  j["baseline"] = text(run.baseline_file);
  j["embedded"] = run.embedded;
  // docs/latitude.md "clock-offset": the SUT's clock minus ours, measured before the suite; the
  // harness parties kept the SUT's time. null: not measured.
  j["clock_offset_ms"] =
      run.sut_clock_offset_ms ? Json(static_cast<double>(*run.sut_clock_offset_ms)) : Json();
  return j;
}

// The profile's `sut:` keys; "" for a key the profile does not give.
Json sut_info(const RunResult& run) {
  return Json{{"product", text(run.sut_info.product)},
              {"version", text(run.sut_info.version)},
              {"vendor", text(run.sut_info.vendor)}};
}

// The suite's digest (harness/suite_digest.h); matches_shipped null when not known.
Json suite(const RunResult& run) {
  return Json{
      {"digest", text(run.suite_digest)},
      {"matches_shipped", run.suite_matches_shipped ? Json(*run.suite_matches_shipped) : Json()}};
}

Json run_facts(const RunResult& run) {
  Json j = Json::object();
  j["seed"] = run.seed;
  j["strict"] = run.strict;
  j["inconclusive_fails"] = run.inconclusive_fails;
  j["jobs"] = u64(run.jobs);
  j["cases_dir"] = text(run.cases_dir);
  j["started_utc"] = text(run.started_utc);
  j["duration_ms"] = ms(run.duration_ms);
  j["exit_code"] = run.exit_code();
  return j;
}

// The document as written: one line, ASCII only.
std::string document(const Json& j) { return inspect::dump_json(j, -1, /*ascii=*/true) + "\n"; }

}  // namespace

std::string results_json(const RunResult& run) {
  Json j = Json::object();
  j["schema"] = "mikeyconf.results/1";
  j["tool"] = "mikeyconf";
  j["tool_version"] = text(run.tool_version);
  j["sut"] = sut(run);
  j["sut_info"] = sut_info(run);
  j["suite"] = suite(run);
  j["run"] = run_facts(run);
  j["setup"] = setup(run);
  j["profile"] = declared_profile(run);
  j["summary"] = summary(run.summary());
  j["excluded"] = excluded(run);
  j["warnings"] = texts(run.warnings);
  // Stopped by SIGINT/SIGTERM: `cases` holds only the cases that finished.
  j["interrupted"] = run.interrupted;
  Json health = Json::array();
  for (const harness::HealthCheck& h : run.health) {
    health.push_back(Json{{"when", text(h.when)}, {"ok", h.ok}, {"result", case_result(h.result)}});
  }
  j["health_checks"] = std::move(health);
  Json cases = Json::array();
  for (const CaseResult& c : run.cases) cases.push_back(case_result(c));
  j["cases"] = std::move(cases);
  return document(j);
}

std::string case_json(const CaseResult& c) { return document(case_result(c)); }

}  // namespace mikeyconf::reports
