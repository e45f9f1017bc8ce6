#include "reports/bundle.h"

#include <algorithm>
#include <system_error>

#include "harness/engine.h"
#include "harness/profile.h"
#include "harness/scenario.h"
#include "inspect/json.h"
#include "reports/file_util.h"
#include "reports/reports.h"
#include "reports/results_json.h"
#include "reports/transcript_pcap.h"

namespace mikeyconf::reports {

namespace fs = std::filesystem;
using harness::CaseResult;
using harness::RunResult;
using harness::Verdict;

namespace {

constexpr std::size_t kMaxBundleJson = 1 << 20;

fs::path normal_absolute(const fs::path& p) {
  std::error_code ec;
  const fs::path a = fs::absolute(p, ec);
  return (ec ? p : a).lexically_normal();
}

// `file` relative to `dir` when it lies inside it, else just its name.
fs::path inside(const fs::path& file, const fs::path& dir) {
  if (dir.empty()) return file.filename();
  const fs::path rel = normal_absolute(file).lexically_relative(normal_absolute(dir));
  if (rel.empty() || *rel.begin() == "..") return file.filename();
  return rel;
}

// The deepest folder holding every one of `files` (absolute, normal).
fs::path common_folder(const std::vector<fs::path>& files) {
  fs::path common = files.front().parent_path();
  for (const fs::path& f : files) {
    const fs::path parent = f.parent_path();
    fs::path shared;
    for (auto a = common.begin(), b = parent.begin();
         a != common.end() && b != parent.end() && *a == *b; ++a, ++b) {
      shared /= *a;
    }
    common = shared;
  }
  return common;
}

// The sanity case of the run: the one the health checks ran, else a case tagged `sanity`.
std::string sanity_file(const RunResult& run, harness::SutRole role) {
  for (const harness::HealthCheck& h : run.health)
    if (!h.result.file.empty()) return h.result.file;
  for (const CaseResult& c : run.cases) {
    const bool sanity = std::find(c.tags.begin(), c.tags.end(), "sanity") != c.tags.end();
    if (sanity && c.sut_role == role && !c.file.empty()) return c.file;
  }
  return {};
}

// The profile and the TLS files it names, copied under profile/ keeping their relative layout
// (a TLS path like ../pki/ca.pem still resolves from the copied profile). A TLS file the profile
// names by absolute path stays where it is. Returns the profile's path inside the bundle.
mikey::Result<fs::path, std::string> copy_profile(const RunResult& run, const fs::path& bundle,
                                                  std::vector<fs::path>& written) {
  if (run.profile_file.empty()) return std::string("the run names no SUT profile file");
  const fs::path profile = normal_absolute(run.profile_file);
  std::vector<fs::path> files{profile};
  if (auto loaded = harness::load_profile(run.profile_file); loaded.ok() && loaded->tls) {
    const harness::TlsProfile& tls = *loaded->tls;
    for (const std::string* f : {&tls.ca_file, &tls.cert_file, &tls.key_file}) {
      const bool relative_in_profile =
          fs::path(*f).is_relative() || fs::path(run.profile_file).is_absolute();
      if (!f->empty() && relative_in_profile) files.push_back(normal_absolute(*f));
    }
  }
  const fs::path root = common_folder(files);
  for (const fs::path& f : files) {
    const fs::path rel = fs::path("profile") / f.lexically_relative(root);
    if (auto c = copy_file_to(f, bundle / rel); !c.ok()) return c.error();
    written.push_back(rel);
  }
  return fs::path("profile") / profile.lexically_relative(root);
}

// cases/: the case, the sanity case of its role and requirements.csv (a suite folder of its own).
mikey::Result<fs::path, std::string> copy_cases(const RunResult& run, const CaseResult& c,
                                                const harness::RequirementTable* requirements,
                                                const fs::path& bundle,
                                                std::vector<fs::path>& written) {
  const fs::path cases_dir = run.cases_dir;
  std::vector<std::string> sources{c.file};
  if (const std::string s = sanity_file(run, c.sut_role); !s.empty() && s != c.file) {
    sources.push_back(s);
  }
  const fs::path case_rel = fs::path("cases") / inside(c.file, cases_dir);
  for (const std::string& src : sources) {
    if (src.empty()) return "case " + c.id + " names no scenario file";
    const fs::path rel = fs::path("cases") / inside(src, cases_dir);
    if (auto r = copy_file_to(src, bundle / rel); !r.ok()) return r.error();
    written.push_back(rel);
  }
  const fs::path csv = requirements != nullptr && !requirements->file().empty()
                           ? fs::path(requirements->file())
                           : cases_dir / "requirements.csv";
  if (auto r = copy_file_to(csv, bundle / "cases" / "requirements.csv"); !r.ok()) {
    return r.error();
  }
  written.push_back(fs::path("cases") / "requirements.csv");
  return case_rel;
}

std::string bundle_json(const RunResult& run, const CaseResult& c, const fs::path& profile,
                        const fs::path& case_file, const std::string& dir_name) {
  inspect::Json j = inspect::Json::object();
  j["schema"] = kBundleSchema;
  j["case_id"] = c.id;
  j["verdict"] = harness::to_string(c.verdict);
  j["reason"] = c.reason;
  j["run_seed"] = run.seed;
  j["case_seed"] = c.seed;
  j["strict"] = run.strict;
  j["embedded"] = run.embedded;
  j["sut_name"] = run.sut_name;
  j["sut_role"] = harness::to_string(c.sut_role);
  j["sut_url"] = run.sut_url;
  j["profile"] = profile.generic_string();
  j["cases_dir"] = "cases";
  j["case_file"] = case_file.generic_string();
  j["replay"] = "mikeyconf replay bundles/" + dir_name;
  j["tool_version"] = run.tool_version;
  j["started_utc"] = run.started_utc;
  return inspect::dump_json(j, -1, /*ascii=*/true) + "\n";
}

// ---- reading ----

bool safe_relative(const fs::path& p) {
  if (p.empty() || p.is_absolute()) return false;
  return std::none_of(p.begin(), p.end(), [](const fs::path& part) { return part == ".."; });
}

std::string field_error(std::string_view key, std::string_view what) {
  return "bundle.json: \"" + std::string(key) + "\" is missing or not " + std::string(what);
}

}  // namespace

bool needs_bundle(Verdict v) noexcept { return harness::needs_attention(v); }

std::string bundle_dir_name(std::string_view case_id) {
  std::string out;
  for (const char c : case_id) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    out += keep ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

mikey::Result<std::vector<fs::path>, std::string> write_bundle(
    const RunResult& run, const CaseResult& c, const harness::RequirementTable* requirements,
    const fs::path& out_dir) {
  const std::string name = bundle_dir_name(c.id);
  const fs::path rel_dir = fs::path("bundles") / name;
  const fs::path bundle = out_dir / rel_dir;
  std::vector<fs::path> files;
  auto cases = copy_cases(run, c, requirements, bundle, files);
  if (!cases.ok()) return "bundle " + name + ": " + cases.error();
  auto profile = copy_profile(run, bundle, files);
  if (!profile.ok()) return "bundle " + name + ": " + profile.error();
  const mikey::Bytes pcap = case_pcap(c, run.started_utc);
  const std::pair<fs::path, std::string> generated[] = {
      {"bundle.json", bundle_json(run, c, profile.value(), cases.value(), name)},
      {"transcript.json", case_json(c)},
      {"transcript.pcap", std::string(pcap.begin(), pcap.end())}};
  for (const auto& [file, text] : generated) {
    if (auto w = write_file(bundle / file, text); !w.ok()) return w.error();
    files.push_back(file);
  }
  for (fs::path& f : files) f = rel_dir / f;
  return files;
}

namespace {

// The non-empty string at `key`, or nullptr.
const std::string* text_field(const inspect::Json& doc, std::string_view key) {
  const inspect::Json* v = inspect::find_member(doc, key);
  if (v == nullptr || !v->is_string() || v->get_ref<const std::string&>().empty()) return nullptr;
  return &v->get_ref<const std::string&>();
}

}  // namespace

mikey::Result<Bundle, std::string> load_bundle(const fs::path& dir) {
  const fs::path file = dir / "bundle.json";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return dir.string() + ": not a folder";
  if (!fs::exists(file, ec)) return dir.string() + ": not a repro bundle (no bundle.json)";
  const auto text = read_file(file, kMaxBundleJson);
  if (!text) return "cannot read " + file.string() + " (or it is larger than 1 MiB)";
  std::size_t offset = 0;
  const auto doc = inspect::parse_json(*text, &offset);
  if (!doc || !doc->is_object()) {
    return file.string() + ": not a JSON object (error at byte " + std::to_string(offset) + ")";
  }
  const inspect::Json* schema = inspect::find_member(*doc, "schema");
  if (schema == nullptr || !schema->is_string() ||
      schema->get_ref<const std::string&>() != kBundleSchema) {
    return file.string() + ": schema is not \"" + std::string(kBundleSchema) + "\"";
  }
  Bundle b;
  b.dir = dir;
  const std::string* id = text_field(*doc, "case_id");
  if (id == nullptr) return field_error("case_id", "a non-empty string");
  b.case_id = *id;
  const inspect::Json* seed = inspect::find_member(*doc, "run_seed");
  if (seed == nullptr || !seed->is_number_unsigned()) {
    return field_error("run_seed", "a non-negative integer");
  }
  b.seed = seed->get<std::uint64_t>();
  for (auto [key, out] : {std::pair{"strict", &b.strict}, std::pair{"embedded", &b.embedded}}) {
    const inspect::Json* v = inspect::find_member(*doc, key);
    if (v == nullptr || !v->is_boolean()) return field_error(key, "true or false");
    *out = v->get<bool>();
  }
  // The case seed is derived from the run seed and the id (harness::case_seed); a bundle whose
  // two disagree was edited by hand and would not replay what it recorded.
  const inspect::Json* case_seed = inspect::find_member(*doc, "case_seed");
  if (case_seed != nullptr &&
      (!case_seed->is_number_unsigned() ||
       case_seed->get<std::uint64_t>() != harness::case_seed(b.seed, b.case_id))) {
    return std::string("bundle.json: case_seed does not follow from run_seed and case_id");
  }
  const std::string* profile = text_field(*doc, "profile");
  if (profile == nullptr) return field_error("profile", "a non-empty string");
  const std::string* cases = text_field(*doc, "cases_dir");
  if (cases == nullptr) return field_error("cases_dir", "a non-empty string");
  for (const std::string* p : {profile, cases}) {
    if (!safe_relative(*p)) return "bundle.json: \"" + *p + "\" is not a path inside the bundle";
  }
  b.profile = dir / *profile;
  b.cases_dir = dir / *cases;
  if (!fs::is_regular_file(b.profile, ec)) return "bundle: missing profile " + b.profile.string();
  if (!fs::is_directory(b.cases_dir, ec)) return "bundle: missing folder " + b.cases_dir.string();
  if (!fs::is_regular_file(b.cases_dir / "requirements.csv", ec)) {
    return "bundle: missing " + (b.cases_dir / "requirements.csv").string();
  }
  return b;
}

}  // namespace mikeyconf::reports
