#include "reports/reports.h"

#include <system_error>

#include "reports/bundle.h"
#include "reports/file_util.h"
#include "reports/html_report.h"
#include "reports/junit.h"
#include "reports/manifest.h"
#include "reports/results_json.h"
#include "reports/transcript_pcap.h"

namespace mikeyconf::reports {

namespace fs = std::filesystem;

namespace {

// Files a previous run may have left that this run would not overwrite: the bundles of cases
// that now pass, and a signature over an older manifest.
mikey::Result<bool, std::string> remove_stale(const fs::path& out_dir) {
  std::error_code ec;
  fs::remove_all(out_dir / "bundles", ec);
  if (!ec) fs::remove(out_dir / kSignatureFile, ec);
  if (!ec) fs::remove(out_dir / kPublicKeyFile, ec);
  if (ec) return "cannot clear old reports in " + out_dir.string() + ": " + ec.message();
  return true;
}

mikey::Result<bool, std::string> write_top_level(const harness::RunResult& run,
                                                 const ReportOptions& options,
                                                 std::vector<fs::path>& written) {
  const mikey::Bytes pcap = transcript_pcap(run);
  const std::pair<const char*, std::string> files[] = {
      {"results.json", results_json(run)},
      {"junit.xml", junit_xml(run)},
      {"report.html", report_html(run, options.requirements)},
      {"transcript.pcap", std::string(pcap.begin(), pcap.end())}};
  for (const auto& [name, bytes] : files) {
    if (auto w = write_file(options.out_dir / name, bytes); !w.ok()) return w.error();
    written.emplace_back(name);
  }
  return true;
}

}  // namespace

mikey::Result<WrittenReports, std::string> write_all_reports(const harness::RunResult& run,
                                                             const ReportOptions& options) {
  if (options.out_dir.empty()) return std::string("no output folder given for the reports");
  // A bad key is reported before anything is written.
  if (options.signing_key) {
    if (auto k = check_signing_key(*options.signing_key); !k.ok()) return k.error();
  }
  std::error_code ec;
  fs::create_directories(options.out_dir, ec);
  if (ec) return "cannot create " + options.out_dir.string() + ": " + ec.message();
  if (auto r = remove_stale(options.out_dir); !r.ok()) return r.error();
  WrittenReports out;
  if (auto w = write_top_level(run, options, out.files); !w.ok()) return w.error();
  for (const harness::CaseResult& c : run.cases) {
    // After a setup error no case ran: a bundle would only replay the profile's mistake.
    if (!needs_bundle(c.verdict) || !run.setup_error.empty()) continue;
    auto b = write_bundle(run, c, options.requirements, options.out_dir);
    if (!b.ok()) return b.error();
    out.files.insert(out.files.end(), b->begin(), b->end());
  }
  auto manifest = manifest_text(options.out_dir, out.files);
  if (!manifest.ok()) return manifest.error();
  if (auto w = write_file(options.out_dir / kManifestFile, manifest->text); !w.ok()) {
    return w.error();
  }
  out.files.emplace_back(kManifestFile);
  if (options.signing_key) {
    if (auto s = sign_manifest(options.out_dir, *options.signing_key); !s.ok()) return s.error();
    out.files.emplace_back(kSignatureFile);
    out.files.emplace_back(kPublicKeyFile);
  }
  return out;
}

}  // namespace mikeyconf::reports
