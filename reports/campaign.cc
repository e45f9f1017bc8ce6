// The files of a live fuzzing campaign (campaign.h, reports/README.md "Fuzz campaigns"). A
// finding is a case (harness/live_fuzz.h), so everything here is made of what a run writes: its
// regression case is YAML the loader reads (scenario_writer.h), its repro bundle is write_bundle's
// over a one-case run of that file, and campaign.json carries its run as results.json does.
#include "reports/campaign.h"

#include <optional>
#include <system_error>

#include "harness/loader.h"
#include "harness/scenario_writer.h"
#include "inspect/json.h"
#include "reports/bundle.h"
#include "reports/campaign_html.h"
#include "reports/file_util.h"
#include "reports/results_json.h"

namespace mikeyconf::reports {

namespace fs = std::filesystem;
using harness::Campaign;
using harness::Finding;
using inspect::Json;

namespace {

using Written = mikey::Result<std::vector<fs::path>, std::string>;

// One line of ASCII for a YAML comment: whatever the SUT sent cannot end the comment or make the
// file undecodable.
std::string comment_text(std::string_view s) {
  std::string out;
  for (const char c : s) out += c >= 0x20 && c < 0x7f ? c : '?';
  return out;
}

// The regression folder holds the suite's requirement table: the loader checks every cited id.
std::optional<fs::path> requirements_of(const harness::Scenario& sanity) {
  std::error_code ec;
  for (fs::path dir = fs::absolute(sanity.file, ec).parent_path(); !dir.empty();
       dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / "requirements.csv", ec)) return dir / "requirements.csv";
    if (dir == dir.root_path()) break;
  }
  return std::nullopt;
}

std::string case_file_name(const std::string& id) { return bundle_dir_name(id) + ".yaml"; }

// findings/<id>/case.yaml and, when the loader reads the case back, regression/<case>.yaml. A
// case it rejects (say a header value the fuzzer gave a CR, which the schema forbids) stays in
// case.yaml to be looked at, with the loader's error, but joins neither the suite nor a bundle.
mikey::Result<bool, std::string> write_case_files(const Campaign& campaign, const Finding& f,
                                                  const harness::RequirementTable& table,
                                                  CampaignPaths& paths,
                                                  std::vector<fs::path>& written) {
  const std::string head = "# mikeyconf fuzz finding " + comment_text(f.id) + " (oracle " +
                           std::string(harness::to_string(f.oracle)) + ")\n# " +
                           comment_text(f.detail) + "\n# signature: " + comment_text(f.signature) +
                           "\n# " + std::to_string(f.hits) + " hit(s), first at execution " +
                           std::to_string(f.first_exec) + " of the campaign with seed " +
                           std::to_string(campaign.seed) + "\n";
  // Both variants of the next two lines are two lines, so the loader's positions hold for both.
  const std::string rejected =
      "# the scenario loader rejects this case (its error is at the end): it is not in\n"
      "# regression/ and has no repro bundle\n";
  const std::string yaml = harness::to_yaml(f.regression);
  const auto back = harness::parse_scenario_text(head + rejected + yaml,
                                                 paths.case_yaml(f).generic_string(), &table);
  if (!back.ok()) {
    paths.unreadable[f.id] = back.error().to_string();
    const std::string text = head + rejected + yaml + "# " + comment_text(back.error().to_string());
    if (auto w = write_file(paths.out_dir / paths.case_yaml(f), text + "\n"); !w.ok())
      return w.error();
    written.push_back(paths.case_yaml(f));
    return true;
  }
  const std::string text = head + "# run it:  " + comment_text(paths.run_command(f)) +
                           "\n# replay:  " + comment_text(paths.replay_command(f)) + "\n" + yaml;
  const fs::path rels[] = {paths.case_yaml(f), paths.regression_yaml(f)};
  for (const fs::path& rel : rels) {
    if (auto w = write_file(paths.out_dir / rel, text); !w.ok()) return w.error();
    written.push_back(rel);
  }
  return true;
}

// The repro bundle of `f`: write_bundle's, made in findings/<id>/bundles/ and moved to bundle/,
// over a run of the regression file with the sanity case as its health check.
Written write_finding_bundle(const Campaign& campaign, const Finding& f,
                             const harness::SutProfile& profile, const CampaignPaths& paths) {
  harness::RunResult run;
  run.sut_name = profile.name;
  run.sut_role = campaign.role;
  run.sut_url = profile.base_url;
  run.profile_file = campaign.profile_file;
  run.cases_dir = fs::absolute(paths.out_dir / "regression").string();
  run.seed = campaign.seed;
  harness::HealthCheck sanity;
  sanity.when = "start";
  sanity.ok = true;
  sanity.result.file = fs::absolute(paths.out_dir / paths.sanity_yaml()).string();
  run.health.push_back(sanity);
  harness::CaseResult c = f.result;
  c.id = f.regression.id;
  c.sut_role = campaign.role;
  c.file = fs::absolute(paths.out_dir / paths.regression_yaml(f)).string();
  // A bundle replays with the case seed its run seed gives (load_bundle checks the two agree).
  c.seed = harness::case_seed(campaign.seed, c.id);
  c.replay = paths.replay_command(f);
  const fs::path finding_dir = paths.out_dir / paths.finding_dir(f);
  auto files = write_bundle(run, c, nullptr, finding_dir);
  if (!files.ok()) return files.error();
  std::error_code ec;
  const fs::path made = finding_dir / "bundles" / bundle_dir_name(c.id);
  fs::rename(made, paths.out_dir / paths.bundle_dir(f), ec);
  if (!ec) fs::remove(finding_dir / "bundles", ec);
  if (ec) return "cannot move " + made.string() + ": " + ec.message();
  // bundle.json names its replay command for a bundle under bundles/; this one's is the finding's.
  const fs::path json = paths.out_dir / paths.bundle_dir(f) / "bundle.json";
  auto doc = inspect::parse_json(read_file(json).value_or(""));
  if (!doc || !doc->is_object()) return "cannot read " + json.string();
  (*doc)["replay"] = paths.replay_command(f);
  if (auto w = write_file(json, inspect::dump_json(*doc, -1, true) + "\n"); !w.ok())
    return w.error();
  std::vector<fs::path> out;
  const fs::path prefix = fs::path("bundles") / bundle_dir_name(c.id);
  for (const fs::path& p : files.value()) {
    out.push_back(paths.bundle_dir(f) / p.lexically_relative(prefix));
  }
  return out;
}

Json finding_json(const Campaign& campaign, const Finding& f, const CampaignPaths& paths) {
  Json j = Json::object();
  const std::pair<const char*, Json> fields[] = {
      {"id", f.id},
      {"oracle", harness::to_string(f.oracle)},
      {"signature", f.signature},
      {"detail", f.detail},
      {"hits", f.hits},
      {"first_exec", f.first_exec},
      {"seed", f.seed},
      {"case_id", f.regression.id},
      {"case_file", paths.case_yaml(f).generic_string()}};
  for (const auto& [key, value] : fields) j[key] = value;
  const auto unreadable = paths.unreadable.find(f.id);
  if (unreadable != paths.unreadable.end()) {
    // Not in regression/, no bundle: nothing to run.
    j["case_problem"] = unreadable->second;
    for (const char* key : {"regression_file", "bundle", "replay", "replay_seed", "run"})
      j[key] = Json();
  } else {
    j["case_problem"] = Json();
    j["regression_file"] = paths.regression_yaml(f).generic_string();
    j["bundle"] = paths.bundle_dir(f).generic_string();
    j["replay"] = paths.replay_command(f);
    j["replay_seed"] = harness::case_seed(campaign.seed, f.regression.id);
    j["run"] = paths.run_command(f);
  }
  // The run that showed it, exactly as results.json has a case.
  j["result"] = inspect::parse_json(case_json(f.result)).value_or(Json());
  return j;
}

std::string campaign_json(const Campaign& campaign, const harness::SutProfile& profile,
                          const CampaignPaths& paths) {
  Json j = Json::object();
  j["schema"] = kCampaignSchema;
  j["tool_version"] = harness::RunResult{}.tool_version;
  j["profile"] = campaign.profile_file;
  j["sut_name"] = profile.name;
  j["sut_url"] = profile.base_url;
  j["role"] = harness::to_string(campaign.role);
  j["seed"] = campaign.seed;
  j["execs"] = campaign.execs;
  j["seconds"] = campaign.seconds;
  j["execs_per_s"] =
      campaign.seconds > 0 ? static_cast<double>(campaign.execs) / campaign.seconds : 0.0;
  j["stop_reason"] = campaign.stop_reason;
  j["sut_dead"] = campaign.sut_dead;
  j["setup_error"] = campaign.setup_error ? Json(*campaign.setup_error) : Json();
  Json answers = Json::object();
  for (const auto& [answer, count] : campaign.answers) answers[answer] = count;
  j["answers"] = answers;
  j["regression"] = "regression";
  j["regression_run"] = paths.suite_command();
  Json findings = Json::array();
  for (const Finding& f : campaign.findings) findings.push_back(finding_json(campaign, f, paths));
  j["findings"] = findings;
  return inspect::dump_json(j, 2, /*ascii=*/true) + "\n";
}

// regression/: the sanity case and the suite's requirements.csv (the findings' cases join them);
// returns that table, which the findings' cases are read back against.
mikey::Result<harness::RequirementTable, std::string> write_regression_base(
    const harness::Scenario& sanity, const CampaignPaths& paths, std::vector<fs::path>& written) {
  const auto csv = requirements_of(sanity);
  if (!csv) return "no requirements.csv above the sanity case " + sanity.file;
  const fs::path csv_rel = fs::path("regression") / "requirements.csv";
  if (auto c = copy_file_to(*csv, paths.out_dir / csv_rel); !c.ok()) return c.error();
  written.push_back(csv_rel);
  if (auto w = write_file(paths.out_dir / paths.sanity_yaml(), harness::to_yaml(sanity)); !w.ok())
    return w.error();
  written.push_back(paths.sanity_yaml());
  auto table = harness::load_requirements(*csv);
  if (!table.ok()) return table.error().to_string();
  return std::move(table).value();
}

}  // namespace

std::string shell_word(std::string_view s) {
  const bool plain = !s.empty() && s.find_first_not_of(
                                       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789_-./=:@+,") == std::string_view::npos;
  if (plain) return std::string(s);
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

fs::path CampaignPaths::finding_dir(const Finding& f) const {
  return fs::path("findings") / bundle_dir_name(f.id);
}
fs::path CampaignPaths::case_yaml(const Finding& f) const { return finding_dir(f) / "case.yaml"; }
fs::path CampaignPaths::bundle_dir(const Finding& f) const { return finding_dir(f) / "bundle"; }
fs::path CampaignPaths::regression_yaml(const Finding& f) const {
  return fs::path("regression") / case_file_name(f.regression.id);
}
fs::path CampaignPaths::sanity_yaml() const {
  return fs::path("regression") / case_file_name(sanity_id);
}
std::string CampaignPaths::replay_command(const Finding& f) const {
  return "mikeyconf replay " + shell_word((out_dir / bundle_dir(f)).string());
}
std::string CampaignPaths::suite_command() const {
  return "mikeyconf run --sut " + shell_word(profile_file) + " --cases " +
         shell_word((out_dir / "regression").string());
}
std::string CampaignPaths::run_command(const Finding& f) const {
  return suite_command() + " --case " + shell_word(f.regression.id);
}

Written write_campaign(const Campaign& campaign, const harness::Scenario& sanity,
                       const harness::SutProfile& profile, const fs::path& out_dir) {
  CampaignPaths paths{out_dir, campaign.profile_file, sanity.id, {}};
  std::vector<fs::path> written;
  // Both folders are written afresh: a case left from an earlier campaign would join the suite.
  std::error_code ec;
  for (const char* dir : {"findings", "regression"}) {
    fs::remove_all(out_dir / dir, ec);
    if (ec) return "cannot clear " + (out_dir / dir).string() + ": " + ec.message();
  }
  auto table = write_regression_base(sanity, paths, written);
  if (!table.ok()) return table.error();
  for (const Finding& f : campaign.findings) {
    if (auto r = write_case_files(campaign, f, table.value(), paths, written); !r.ok())
      return r.error();
  }
  for (const Finding& f : campaign.findings) {
    if (paths.unreadable.count(f.id) != 0) continue;
    auto bundle = write_finding_bundle(campaign, f, profile, paths);
    if (!bundle.ok()) return bundle.error();
    written.insert(written.end(), bundle->begin(), bundle->end());
  }
  const std::pair<fs::path, std::string> pages[] = {
      {"campaign.json", campaign_json(campaign, profile, paths)},
      {"campaign.html", campaign_html(campaign, profile, paths)}};
  for (const auto& [file, text] : pages) {
    if (auto w = write_file(out_dir / file, text); !w.ok()) return w.error();
    written.push_back(file);
  }
  return written;
}

}  // namespace mikeyconf::reports
