// A minimal campaign writer for `mikeyconf fuzz --sut` (reports/campaign.h, harness/
// scenario_writer.h): campaign.json, findings/<id>/case.yaml, findings/<id>/bundle/ and
// regression/ (the sanity case, the requirement table beside it, every finding's case). It writes
// the subset of the scenario schema the live fuzzer generates.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

#include "harness/engine.h"
#include "harness/scenario_writer.h"
#include "reports/bundle.h"
#include "reports/campaign.h"
#include "wire/hex.h"

namespace mikeyconf {

namespace {

namespace fs = std::filesystem;

// A YAML single-quoted scalar: a quote is written twice, nothing else is escaped.
std::string yaml_quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : ", ") + yaml_quoted(items[i]);
  return out + "]";
}

std::string knob_yaml(const harness::Mutation& m) {
  std::string s = "{knob: " + std::string(harness::to_string(m.knob));
  if (!m.field.empty()) s += ", field: " + yaml_quoted(m.field);
  if (!m.with.empty()) s += ", with: " + yaml_quoted(m.with);
  if (m.knob == harness::Knob::flip_bit) s += ", bit: " + std::to_string(m.bit);
  if (m.int_value) s += ", value: " + std::to_string(*m.int_value);
  if (m.bytes && m.knob == harness::Knob::set)
    s += ", value: " + yaml_quoted(mikey::wire::to_hex(*m.bytes));
  if (m.bytes && m.knob == harness::Knob::append)
    s += ", bytes: " + yaml_quoted(mikey::wire::to_hex(*m.bytes));
  if (m.at) s += ", at: " + std::to_string(*m.at);
  if (m.drop_last) s += ", drop_last: " + std::to_string(*m.drop_last);
  return s + "}";
}

void http_yaml(const harness::HttpOverrides& h, std::ostream& o) {
  if (!h.any() && !h.body_raw) return;
  o << "    http:\n";
  if (h.method) o << "      method: " << yaml_quoted(*h.method) << "\n";
  if (h.path) o << "      path: " << yaml_quoted(*h.path) << "\n";
  if (h.query) o << "      query: " << yaml_quoted(*h.query) << "\n";
  if (h.content_type) o << "      content_type: " << yaml_quoted(*h.content_type) << "\n";
  if (!h.headers.empty()) {
    o << "      headers:\n";
    for (const auto& [k, v] : h.headers)
      o << "        " << k << ": " << (v ? yaml_quoted(*v) : "~") << "\n";
  }
  if (h.body_encoding) o << "      body_encoding: " << harness::to_string(*h.body_encoding) << "\n";
  if (h.body_raw) o << "      body_raw: " << yaml_quoted(*h.body_raw) << "\n";
  if (h.pad_header_bytes) o << "      pad_header_bytes: " << *h.pad_header_bytes << "\n";
  if (h.pad_body_bytes) o << "      pad_body_bytes: " << *h.pad_body_bytes << "\n";
}

std::string check_yaml(const harness::Check& c) {
  using harness::CheckKey;
  std::string v;
  switch (c.key) {
    case CheckKey::http_status:
    case CheckKey::http_answer: {
      std::vector<std::string> parts;
      for (int n : c.as<harness::HttpStatusCheck>().codes) parts.push_back(std::to_string(n));
      for (int k : c.as<harness::HttpStatusCheck>().classes)
        parts.push_back(std::to_string(k) + "xx");
      v = "[";
      for (std::size_t i = 0; i < parts.size(); ++i) v += (i == 0 ? "" : ", ") + parts[i];
      v += "]";
      break;
    }
    case CheckKey::mikey_data_type: {
      v = "[";
      const auto& n = c.as<harness::NumbersCheck>().values;
      for (std::size_t i = 0; i < n.size(); ++i) v += (i == 0 ? "" : ", ") + std::to_string(n[i]);
      v += "]";
      break;
    }
    case CheckKey::mikey_payloads_absent:
      v = "[SIGN]";
      break;
    default:
      v = c.as<harness::WordCheck>().word;
      break;
  }
  return std::string(harness::to_string(c.key)) + ": " + v;
}

void step_yaml(const harness::Step& step, std::ostream& o) {
  if (const auto* s = std::get_if<harness::SendStep>(&step.body)) {
    o << "  - send: " << harness::to_string(s->message) << "\n";
    if (s->message != harness::MessageKind::raw_http)
      o << "    from: " << harness::to_string(s->from) << "\n";
    if (!s->mutate.empty()) {
      o << "    mutate:\n";
      for (const auto& m : s->mutate) o << "      - " << knob_yaml(m) << "\n";
    }
    if (s->re_protect) o << "    re_protect: true\n";
    http_yaml(s->http, o);
    return;
  }
  const auto& e = std::get<harness::ExpectStep>(step.body);
  o << "  - expect:\n";
  for (const auto& c : e.checks) o << "      " << check_yaml(c) << "\n";
  if (!e.any_of.empty()) {
    o << "      any_of:\n";
    for (const auto& alt : e.any_of) {
      std::string line;
      for (const auto& c : alt) line += (line.empty() ? "" : ", ") + check_yaml(c);
      o << "        - {" << line << "}\n";
    }
  }
}

std::string json_text(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool write_file(const fs::path& p, const std::string& text) {
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream f(p, std::ios::binary);
  f << text;
  return static_cast<bool>(f);
}

std::string campaign_json(const harness::Campaign& c) {
  std::ostringstream o;
  o << "{\"profile\": " << json_text(c.profile_file) << ", \"seed\": " << c.seed
    << ", \"execs\": " << c.execs << ", \"seconds\": " << c.seconds
    << ", \"sut_dead\": " << (c.sut_dead ? "true" : "false")
    << ", \"stop_reason\": " << json_text(c.stop_reason) << ", \"answers\": {";
  bool first = true;
  for (const auto& [k, n] : c.answers) {
    o << (first ? "" : ", ") << json_text(k) << ": " << n;
    first = false;
  }
  o << "}, \"findings\": [";
  for (std::size_t i = 0; i < c.findings.size(); ++i) {
    const harness::Finding& f = c.findings[i];
    o << (i == 0 ? "" : ", ") << "{\"id\": " << json_text(f.id)
      << ", \"oracle\": " << json_text(harness::to_string(f.oracle))
      << ", \"signature\": " << json_text(f.signature) << ", \"detail\": " << json_text(f.detail)
      << ", \"hits\": " << f.hits << ", \"seed\": " << f.seed << "}";
  }
  o << "]}\n";
  return o.str();
}

// findings/<id>/bundle/: the finding's case as `mikeyconf replay` takes it, made by the run
// reports' bundle writer from the regression folder (the case, the sanity case, the table).
mikey::Result<fs::path, std::string> write_finding_bundle(const harness::Campaign& campaign,
                                                          const harness::Finding& f,
                                                          const harness::SutProfile& profile,
                                                          const fs::path& out_dir) {
  const fs::path regression = out_dir / "regression";
  harness::RunResult run;
  run.sut_name = profile.name;
  run.sut_role = campaign.role;
  run.sut_url = profile.base_url;
  run.profile_file = campaign.profile_file;
  run.cases_dir = regression.string();
  run.seed = campaign.seed;
  harness::CaseResult sanity;
  sanity.file = (regression / "sanity.yaml").string();
  sanity.tags = {"sanity"};
  sanity.sut_role = campaign.role;
  run.cases.push_back(sanity);
  harness::CaseResult c = f.result;
  harness::fill_header(c, f.regression);
  c.file = (regression / (f.id + ".yaml")).string();
  c.verdict = harness::Verdict::fail;
  // Replay derives the seed from the run seed and the case id; a finding stored as it ran (the
  // SUT died) ran under its execution's id, and its case repeats with the derived seed.
  c.seed = harness::case_seed(campaign.seed, c.id);
  const fs::path dir = out_dir / "findings" / f.id;
  auto written = reports::write_bundle(run, c, nullptr, dir);
  if (!written.ok()) return written.error();
  std::error_code ec;
  fs::remove_all(dir / "bundle", ec);
  fs::rename(dir / "bundles" / reports::bundle_dir_name(c.id), dir / "bundle", ec);
  if (ec) return "findings/" + f.id + "/bundle: " + ec.message();
  fs::remove_all(dir / "bundles", ec);
  return fs::path("findings") / f.id / "bundle";
}

}  // namespace

std::string harness::to_yaml(const harness::Scenario& s) {
  std::ostringstream o;
  o << "id: " << s.id << "\ntitle: " << yaml_quoted(s.title)
    << "\nrequirements: " << list(s.requirements) << "\nlevel: " << harness::to_string(s.level)
    << "\nsut_role: " << harness::to_string(s.sut_role) << "\nneeds: " << list(s.needs)
    << "\ntags: " << list(s.tags) << "\nsteps:\n";
  for (const auto& step : s.steps) step_yaml(step, o);
  return o.str();
}

mikey::Result<std::vector<fs::path>, std::string> reports::write_campaign(
    const harness::Campaign& campaign, const harness::Scenario& sanity,
    const harness::SutProfile& profile, const fs::path& out_dir) {
  std::vector<fs::path> written;
  auto put = [&](const fs::path& rel, const std::string& text) {
    if (!write_file(out_dir / rel, text)) return false;
    written.push_back(rel);
    return true;
  };
  if (!put("campaign.json", campaign_json(campaign))) return std::string("campaign.json");
  // The regression folder is a cases folder: the requirement table of the sanity case's.
  std::error_code ec;
  for (fs::path dir = fs::path(sanity.file).parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / "requirements.csv", ec)) {
      std::ifstream in(dir / "requirements.csv", std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      if (!put("regression/requirements.csv", text.str())) return std::string("requirements.csv");
      break;
    }
    if (dir == dir.parent_path()) break;
  }
  std::ifstream in(sanity.file, std::ios::binary);
  std::ostringstream sanity_text;
  sanity_text << in.rdbuf();
  if (!put("regression/sanity.yaml", sanity_text.str())) return std::string("sanity.yaml");
  for (const harness::Finding& f : campaign.findings) {
    const std::string yaml = harness::to_yaml(f.regression);
    if (!put("findings/" + f.id + "/case.yaml", yaml) || !put("regression/" + f.id + ".yaml", yaml))
      return "findings/" + f.id;
  }
  for (const harness::Finding& f : campaign.findings) {
    auto bundle = write_finding_bundle(campaign, f, profile, out_dir);
    if (!bundle.ok()) return bundle.error();
    written.push_back(bundle.value());
  }
  return written;
}

}  // namespace mikeyconf
