#include "harness/report.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <system_error>

#include "codec/message.h"
#include "harness/names.h"
#include "roles/error_message.h"
#include "wire/hex.h"

namespace mikeyconf::harness {

namespace codec = mikey::codec;

namespace {

// ---- A small JSON writer (RFC 8259 escaping; no dependency beyond the standard library) ----

class Json {
 public:
  std::string str() && { return std::move(out_); }

  Json& begin_object() {
    sep();
    out_ += '{';
    first_ = true;
    return *this;
  }
  Json& end_object() {
    out_ += '}';
    first_ = false;
    return *this;
  }
  Json& begin_array() {
    sep();
    out_ += '[';
    first_ = true;
    return *this;
  }
  Json& end_array() {
    out_ += ']';
    first_ = false;
    return *this;
  }
  Json& key(std::string_view k) {
    sep();
    string_literal(k);
    out_ += ':';
    first_ = true;  // the value follows without a comma
    return *this;
  }
  Json& value(std::string_view s) {
    sep();
    string_literal(s);
    return *this;
  }
  Json& value(bool b) {
    sep();
    out_ += b ? "true" : "false";
    return *this;
  }
  Json& value(std::uint64_t n) {
    sep();
    out_ += std::to_string(n);
    return *this;
  }
  Json& value(int n) {
    sep();
    out_ += std::to_string(n);
    return *this;
  }
  Json& value(double d) {
    sep();
    std::array<char, 32> buf{};
    const int n = std::snprintf(buf.data(), buf.size(), "%.3f", d);
    out_.append(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
    return *this;
  }
  Json& null() {
    sep();
    out_ += "null";
    return *this;
  }
  template <class T>
  Json& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  void sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  void string_literal(std::string_view s) {
    out_ += '"';
    for (unsigned char c : s) {
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (c < 0x20 || c >= 0x7f) {
            // Non-ASCII bytes are escaped one by one (as U+00XX): texts here are ASCII in
            // practice, and every byte-exact value is also given in hex.
            constexpr std::string_view kHex = "0123456789abcdef";
            out_ += "\\u00";
            out_ += kHex[c >> 4];
            out_ += kHex[c & 15];
          } else {
            out_ += static_cast<char>(c);
          }
      }
    }
    out_ += '"';
  }

  std::string out_;
  bool first_ = true;
};

std::string hex(std::string_view s) { return mikey::wire::to_hex(mikey::as_bytes(s)); }

void strings(Json& j, std::string_view k, const std::vector<std::string>& v) {
  j.key(k).begin_array();
  for (const std::string& s : v) j.value(s);
  j.end_array();
}

// Hex plus the decoded tree in flat form (the layout map) and a summary.
void mikey_message(Json& j, std::string_view k, mikey::ByteView bytes) {
  j.key(k).begin_object();
  j.field("hex", mikey::wire::to_hex(bytes));
  const codec::ParseOutcome p = codec::parse_message(bytes);
  j.field("parses", p.ok());
  if (!p.ok()) {
    j.key("parse_error").begin_object();
    j.field("code", codec::to_string(p.error.code));
    j.field("offset", static_cast<std::uint64_t>(p.error.offset));
    j.end_object();
  }
  if (bytes.size() >= 2) {
    j.field("data_type", static_cast<std::uint64_t>(bytes[1]));
    j.field("data_type_name", code_point_name("DataType", bytes[1]));
  }
  j.key("payloads").begin_array();
  for (const codec::Payload& pl : p.message.payloads) {
    std::string_view n = codec::to_string(pl.type);
    j.value(n.empty() ? std::to_string(codec::raw(pl.type)) : std::string(n));
  }
  j.end_array();
  if (p.message.hdr.data_type == codec::DataType::error) {
    j.key("error_numbers").begin_array();
    for (codec::ErrorNo e : mikey::roles::error_numbers(p.message)) {
      j.value(static_cast<std::uint64_t>(codec::raw(e)));
    }
    j.end_array();
  }
  j.key("deviations").begin_array();
  for (const codec::Deviation& d : p.deviations) {
    j.begin_object();
    j.field("kind", codec::to_string(d.kind));
    j.field("offset", static_cast<std::uint64_t>(d.offset));
    j.field("detail", d.detail);
    j.end_object();
  }
  j.end_array();
  j.key("fields").begin_array();
  for (const codec::FieldRange& f : p.layout.fields()) {
    if (f.offset > bytes.size() || f.length > bytes.size() - f.offset) continue;
    j.begin_object();
    j.field("path", f.path);
    j.field("offset", static_cast<std::uint64_t>(f.offset));
    j.field("length", static_cast<std::uint64_t>(f.length));
    if (f.mask != 0xff) j.field("mask", static_cast<std::uint64_t>(f.mask));
    j.field("hex", mikey::wire::to_hex(bytes.subspan(f.offset, f.length)));
    j.end_object();
  }
  j.end_array();
  j.end_object();
}

void transcript_entry(Json& j, const TranscriptEntry& e) {
  j.begin_object();
  j.field("step", static_cast<std::uint64_t>(e.step));
  j.field("kind", e.kind);
  j.field("label", e.label);
  j.field("start_ms", e.start_ms);
  j.field("duration_ms", e.duration_ms);
  if (!e.mikey_built.empty()) mikey_message(j, "mikey_built", e.mikey_built);
  if (!e.mikey_sent.empty() && e.mikey_sent != e.mikey_built) {
    mikey_message(j, "mikey_sent", e.mikey_sent);
  }
  strings(j, "mutations", e.mutations);
  j.field("re_protected", e.re_protected);
  if (e.kind == "http") {
    j.key("request").begin_object();
    j.field("hex", hex(e.request));
    j.field("text", e.request);
    j.end_object();
    j.key("response").begin_object();
    if (!e.transport_error.empty()) {
      j.field("transport_error", e.transport_error);
    } else {
      j.field("status", static_cast<std::uint64_t>(e.status));
      j.field("reason", e.reason);
      j.key("headers").begin_array();
      for (const auto& [n, v] : e.headers) {
        j.begin_array().value(n).value(v).end_array();
      }
      j.end_array();
      j.field("body_hex", hex(e.body));
      if (e.response_mikey) mikey_message(j, "mikey", *e.response_mikey);
      if (!e.mikey_problem.empty()) j.field("mikey_problem", e.mikey_problem);
    }
    j.end_object();
  }
  j.field("note", e.note);
  j.end_object();
}

void case_result(Json& j, const CaseResult& c) {
  j.begin_object();
  j.field("id", c.id);
  j.field("title", c.title);
  j.field("file", c.file);
  strings(j, "requirements", c.requirements);
  j.field("level", to_string(c.level));
  j.field("sut_role", to_string(c.sut_role));
  strings(j, "tags", c.tags);
  strings(j, "needs", c.needs);
  j.field("seed", c.seed);
  j.field("verdict", to_string(c.verdict));
  if (c.original_verdict) {
    j.field("original_verdict", to_string(*c.original_verdict));
  } else {
    j.key("original_verdict").null();
  }
  j.field("reason", c.reason);
  j.field("start_ms", c.start_ms);
  j.field("duration_ms", c.duration_ms);
  j.field("replay", c.replay);
  j.key("expectations").begin_array();
  for (const ExpectationResult& e : c.expectations) {
    j.begin_object();
    j.field("step", static_cast<std::uint64_t>(e.step));
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

// ---- XML ----

std::string xml_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
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

}  // namespace

std::string results_json(const RunResult& run) {
  Json j;
  j.begin_object();
  j.field("schema", std::string_view("mikeyconf.results/1"));
  j.field("tool", std::string_view("mikeyconf"));
  j.field("tool_version", run.tool_version);
  j.key("sut").begin_object();
  j.field("name", run.sut_name);
  j.field("role", to_string(run.sut_role));
  j.field("base_url", run.sut_url);
  j.field("profile", run.profile_file);
  j.field("baseline", run.baseline_file);
  j.end_object();
  j.key("run").begin_object();
  j.field("seed", run.seed);
  j.field("strict", run.strict);
  j.field("started_utc", run.started_utc);
  j.field("duration_ms", run.duration_ms);
  j.field("exit_code", run.exit_code());
  j.end_object();
  const Summary s = run.summary();
  j.key("summary").begin_object();
  j.field("total", static_cast<std::uint64_t>(s.total));
  j.field("pass", static_cast<std::uint64_t>(s.pass));
  j.field("fail", static_cast<std::uint64_t>(s.fail));
  j.field("inconclusive", static_cast<std::uint64_t>(s.inconclusive));
  j.field("error", static_cast<std::uint64_t>(s.error));
  j.field("skipped", static_cast<std::uint64_t>(s.skipped));
  j.field("xfail", static_cast<std::uint64_t>(s.xfail));
  j.field("xpass", static_cast<std::uint64_t>(s.xpass));
  j.end_object();
  strings(j, "warnings", run.warnings);
  j.key("health_checks").begin_array();
  for (const HealthCheck& h : run.health) {
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

std::string junit_xml(const RunResult& run) {
  const Summary s = run.summary();
  const std::size_t failures = s.fail + s.xpass;
  const std::size_t skipped = s.skipped + s.xfail + s.inconclusive;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"mikeyconf\" tests=\"" + std::to_string(s.total) + "\" failures=\"" +
         std::to_string(failures) + "\" errors=\"" + std::to_string(s.error) + "\" skipped=\"" +
         std::to_string(skipped) + "\" time=\"" + seconds(run.duration_ms) + "\">\n";
  out += "  <testsuite name=\"mikeyconf." + xml_escape(run.sut_name) + "\" tests=\"" +
         std::to_string(s.total) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"" +
         std::to_string(s.error) + "\" skipped=\"" + std::to_string(skipped) + "\" time=\"" +
         seconds(run.duration_ms) + "\" timestamp=\"" + xml_escape(run.started_utc) + "\">\n";
  out += "    <properties>\n";
  out += "  " + property("sut", run.sut_name);
  out += "  " + property("sut_role", to_string(run.sut_role));
  out += "  " + property("base_url", run.sut_url);
  out += "  " + property("seed", std::to_string(run.seed));
  out += "  " + property("strict", run.strict ? "true" : "false");
  for (const HealthCheck& h : run.health) {
    out += "  " +
           property("health_check", h.when + ": " + (h.ok ? "ok" : "FAILED " + h.result.reason));
  }
  for (const std::string& w : run.warnings) out += "  " + property("warning", w);
  out += "    </properties>\n";
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
    out += property("level", to_string(c.level));
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
        out += "      <skipped message=\"" + msg + "\"/>\n";
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

mikey::Result<bool, std::string> write_reports(const RunResult& run,
                                               const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create " + dir.string() + ": " + ec.message();
  const std::pair<const char*, std::string> files[] = {{"results.json", results_json(run)},
                                                       {"junit.xml", junit_xml(run)}};
  for (const auto& [name, text] : files) {
    const auto path = dir / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return "cannot write " + path.string();
  }
  return true;
}

}  // namespace mikeyconf::harness
