#include "reports/results_json.h"

#include "harness/scenario.h"
#include "reports/decoded.h"
#include "reports/json_writer.h"
#include "wire/hex.h"

namespace mikeyconf::reports {

using harness::CaseResult;
using harness::RunResult;
using harness::TranscriptEntry;

namespace {

std::string hex(std::string_view s) { return mikey::wire::to_hex(mikey::as_bytes(s)); }

std::uint64_t u64(std::size_t n) { return static_cast<std::uint64_t>(n); }

// Hex plus the decoded tree in flat form (the layout map) and a summary.
void mikey_message(JsonWriter& j, std::string_view k, mikey::ByteView bytes) {
  const DecodedMessage d = decode_message(bytes);
  j.key(k).begin_object();
  j.field("hex", d.hex);
  j.field("parses", d.parses);
  if (!d.parses) {
    j.key("parse_error").begin_object();
    j.field("code", d.parse_error);
    j.field("offset", static_cast<std::uint64_t>(d.parse_error_offset));
    j.end_object();
  }
  if (d.data_type) {
    j.field("data_type", static_cast<std::uint64_t>(*d.data_type));
    j.field("data_type_name", d.data_type_name);
  }
  j.strings("payloads", d.payloads);
  if (d.is_error_message) {
    j.key("error_numbers").begin_array();
    for (std::uint64_t e : d.error_numbers) j.value(e);
    j.end_array();
  }
  j.key("deviations").begin_array();
  for (const DecodedDeviation& dev : d.deviations) {
    j.begin_object();
    j.field("kind", dev.kind);
    j.field("offset", static_cast<std::uint64_t>(dev.offset));
    j.field("detail", dev.detail);
    j.end_object();
  }
  j.end_array();
  j.key("fields").begin_array();
  for (const DecodedField& f : d.fields) {
    j.begin_object();
    j.field("path", f.path);
    j.field("offset", static_cast<std::uint64_t>(f.offset));
    j.field("length", static_cast<std::uint64_t>(f.length));
    if (f.mask != 0xff) j.field("mask", static_cast<std::uint64_t>(f.mask));
    j.field("hex", f.hex);
    j.end_object();
  }
  j.end_array();
  j.end_object();
}

void http_response(JsonWriter& j, const TranscriptEntry& e) {
  j.key("response").begin_object();
  if (!e.transport_error.empty()) {
    j.field("transport_error", e.transport_error);
  } else {
    j.field("status", static_cast<std::uint64_t>(e.status));
    j.field("reason", e.reason);
    j.key("headers").begin_array();
    for (const auto& [n, v] : e.headers) j.begin_array().value(n).value(v).end_array();
    j.end_array();
    j.field("body_hex", hex(e.body));
    if (e.response_mikey) mikey_message(j, "mikey", *e.response_mikey);
    if (!e.mikey_problem.empty()) j.field("mikey_problem", e.mikey_problem);
  }
  j.end_object();
}

void transcript_entry(JsonWriter& j, const TranscriptEntry& e) {
  j.begin_object();
  j.field("step", u64(e.step));
  j.field("kind", e.kind);
  j.field("label", e.label);
  j.field("start_ms", e.start_ms);
  j.field("duration_ms", e.duration_ms);
  if (!e.mikey_built.empty()) mikey_message(j, "mikey_built", e.mikey_built);
  if (!e.mikey_sent.empty() && e.mikey_sent != e.mikey_built) {
    mikey_message(j, "mikey_sent", e.mikey_sent);
  }
  j.strings("mutations", e.mutations);
  j.field("re_protected", e.re_protected);
  if (e.kind == "http") {
    // The exact bytes as sent: an application/mikey body stays base64 here (TS 33.328 Annex A);
    // transcript.pcap carries it decoded (reports/README.md).
    j.key("request").begin_object();
    j.field("hex", hex(e.request));
    j.field("text", e.request);
    j.end_object();
    http_response(j, e);
  }
  j.field("note", e.note);
  j.end_object();
}

void case_result(JsonWriter& j, const CaseResult& c) {
  j.begin_object();
  j.field("id", c.id);
  j.field("title", c.title);
  j.field("file", c.file);
  j.strings("requirements", c.requirements);
  j.field("level", harness::to_string(c.level));
  j.field("sut_role", harness::to_string(c.sut_role));
  j.strings("tags", c.tags);
  j.strings("needs", c.needs);
  j.field("seed", c.seed);
  j.field("verdict", harness::to_string(c.verdict));
  if (c.original_verdict) {
    j.field("original_verdict", harness::to_string(*c.original_verdict));
  } else {
    j.key("original_verdict").null();
  }
  j.field("reason", c.reason);
  j.field("start_ms", c.start_ms);
  j.field("duration_ms", c.duration_ms);
  j.field("replay", c.replay);
  j.key("expectations").begin_array();
  for (const harness::ExpectationResult& e : c.expectations) {
    j.begin_object();
    j.field("step", u64(e.step));
    j.field("key", e.key);
    j.field("expected", e.expected);
    j.field("actual", e.actual);
    j.field("ok", e.ok);
    j.field("inconclusive_clause", e.inconclusive_clause);
    j.end_object();
  }
  j.end_array();
  j.key("transcript").begin_array();
  for (const TranscriptEntry& e : c.transcript) transcript_entry(j, e);
  j.end_array();
  j.end_object();
}

void summary(JsonWriter& j, const harness::Summary& s) {
  j.key("summary").begin_object();
  j.field("total", u64(s.total));
  j.field("pass", u64(s.pass));
  j.field("fail", u64(s.fail));
  j.field("inconclusive", u64(s.inconclusive));
  j.field("error", u64(s.error));
  j.field("skipped", u64(s.skipped));
  j.field("xfail", u64(s.xfail));
  j.field("xpass", u64(s.xpass));
  j.end_object();
}

// What the profile declared: the capabilities and levels that selected the cases, and its
// latitude choices (docs/latitude.md; a point not listed is `any`).
void declared_profile(JsonWriter& j, const RunResult& run) {
  j.key("profile").begin_object();
  j.strings("capabilities", run.capabilities);
  j.strings("levels", run.levels);
  j.key("latitude").begin_object();
  for (const auto& [id, reading] : run.latitude) j.field(id, reading);
  j.end_object();
  j.end_object();
}

// The skipped cases, grouped by reason (RunResult::exclusions).
void excluded(JsonWriter& j, const RunResult& run) {
  j.key("excluded").begin_array();
  for (const harness::Exclusion& e : run.exclusions()) {
    for (const std::string& id : e.ids) {
      j.begin_object();
      j.field("id", id);
      j.field("reason", e.reason);
      j.end_object();
    }
  }
  j.end_array();
}

// The setup probe (harness/probe.h): `error` is empty unless the profile does not match the SUT.
void setup(JsonWriter& j, const RunResult& run) {
  j.key("setup").begin_object();
  j.field("error", run.setup_error);
  j.key("probes").begin_array();
  for (const harness::SetupProbe& p : run.setup_probes) {
    j.begin_object();
    j.field("user", p.user);
    j.field("message", p.message);
    j.field("ok", p.ok);
    j.field("finding", p.finding);
    j.key("result");
    case_result(j, p.result);
    j.end_object();
  }
  j.end_array();
  j.end_object();
}

}  // namespace

std::string results_json(const RunResult& run) {
  JsonWriter j;
  j.begin_object();
  j.field("schema", "mikeyconf.results/1");
  j.field("tool", "mikeyconf");
  j.field("tool_version", run.tool_version);
  j.key("sut").begin_object();
  j.field("name", run.sut_name);
  j.field("role", harness::to_string(run.sut_role));
  j.field("base_url", run.sut_url);
  j.field("profile", run.profile_file);
  j.field("baseline", run.baseline_file);
  j.field("embedded", run.embedded);
  // docs/latitude.md "clock-offset": the SUT's clock minus ours, measured before the suite; the
  // harness parties kept the SUT's time. null: not measured.
  j.key("clock_offset_ms");
  if (run.sut_clock_offset_ms) {
    j.value(static_cast<double>(*run.sut_clock_offset_ms));
  } else {
    j.null();
  }
  j.end_object();
  j.key("run").begin_object();
  j.field("seed", run.seed);
  j.field("strict", run.strict);
  j.field("inconclusive_fails", run.inconclusive_fails);
  j.field("jobs", u64(run.jobs));
  j.field("cases_dir", run.cases_dir);
  j.field("started_utc", run.started_utc);
  j.field("duration_ms", run.duration_ms);
  j.field("exit_code", run.exit_code());
  j.end_object();
  setup(j, run);
  declared_profile(j, run);
  summary(j, run.summary());
  excluded(j, run);
  j.strings("warnings", run.warnings);
  j.key("health_checks").begin_array();
  for (const harness::HealthCheck& h : run.health) {
    j.begin_object();
    j.field("when", h.when);
    j.field("ok", h.ok);
    j.key("result");
    case_result(j, h.result);
    j.end_object();
  }
  j.end_array();
  j.key("cases").begin_array();
  for (const CaseResult& c : run.cases) case_result(j, c);
  j.end_array();
  j.end_object();
  return std::move(j).str() + "\n";
}

std::string case_json(const CaseResult& c) {
  JsonWriter j;
  case_result(j, c);
  return std::move(j).str() + "\n";
}

}  // namespace mikeyconf::reports
