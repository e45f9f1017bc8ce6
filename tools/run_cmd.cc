// `mikeyconf run` and `mikeyconf replay` (tools/run_cmd.h): load and check everything the run
// needs (so a file that does not load is exit 2 with its FILE:LINE:COL before anything starts),
// run the suite through harness::run_configured_suite with progress on standard error, write
// every report through reports::write_all_reports and print the summary.
#include "tools/run_cmd.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "harness/baseline_writer.h"
#include "harness/profile.h"
#include "harness/setup.h"
#include "reports/file_util.h"
#include "reports/manifest.h"
#include "reports/reports.h"
#include "tools/progress.h"
#include "tools/suite_cli.h"

namespace mikeyconf::tools {

namespace fs = std::filesystem;

const std::string_view kRunUsage =
    "usage: mikeyconf run [--sut PROFILE] [--embedded] [--baseline FILE | --no-baseline]\n"
    "                     [--write-baseline FILE]\n"
    "                     [--cases DIR] [--filter GLOB]... [--case ID]... [--seed N] [--strict]\n"
    "                     [--jobs N] [--out DIR] [--sign-key PEM] [--no-progress]\n"
    "\n"
    "Runs the conformance cases of the SUT profile's role against the system under test, judges\n"
    "every answer and writes the reports. Without --sut it certifies the embedded reference KMS\n"
    "(cases/profiles/reference.yaml served on a loopback port).\n"
    "\n"
    "  --sut PROFILE      the SUT profile (harness/README.md \"SUT profile\"): where the SUT\n"
    "                     listens, the users the harness plays, capabilities, levels\n"
    "  --embedded         serve PROFILE's users from the reference KMS on loopback and test\n"
    "                     that (implied without --sut)\n"
    "  --baseline FILE    expected failures and disabled cases of this SUT. Without it,\n"
    "                     PROFILE-DIR/../baselines/NAME.yaml is used when it exists (NAME = the\n"
    "                     profile's file name without .yaml; cases/profiles/reference.yaml pairs\n"
    "                     with cases/baselines/reference.yaml); the output says which file\n"
    "  --no-baseline      use no baseline (every verdict as the case gives it)\n"
    "  --write-baseline FILE\n"
    "                     after the run, write the baseline it implies: every failed case an\n"
    "                     expected failure with its reason and the date (error and inconclusive\n"
    "                     cases are not), the expected failures still failing and the disabled\n"
    "                     cases of the baseline used; the exit status stays the run's\n"
    "  --cases DIR        the cases folder (default cases; holds requirements.csv)\n"
    "  --filter GLOB      run the cases whose id matches the shell glob (repeatable; quote it:\n"
    "                     --filter 'kms.http.*')\n"
    "  --case ID          run the case with exactly this id (repeatable)\n"
    "  --seed N           run seed (default 1); each case's seed derives from it and its id,\n"
    "                     so the same seed repeats the same CSB IDs, RANDs and keys\n"
    "  --strict           run every level (SHOULD, MAY too), not only the profile's levels,\n"
    "                     and count an inconclusive case as failed (its own verdict is kept\n"
    "                     as original_verdict)\n"
    "  --jobs N           cases run at the same time, one connection each (default 1)\n"
    "  --out DIR          where the reports go (default out): results.json, junit.xml,\n"
    "                     report.html, transcript.pcap, repro bundles, manifest.sha256\n"
    "  --sign-key PEM     sign manifest.sha256 with this Ed25519 private key\n"
    "  --no-progress      no per-case progress on standard error\n"
    "\n"
    "Progress goes to standard error (a bar on a terminal, one line per case otherwise), the\n"
    "summary to standard output. Every failed case prints the command that replays it.\n"
    "\n"
    "Before the suite every profile user is probed against the SUT: a profile that does not\n"
    "match it (a wrong PSK, identity, kms_identity, path or Host) stops the run with a setup\n"
    "error naming the profile key, and no case is judged.\n"
    "\n"
    "exit status: 0 no case failed or errored, 1 a case failed (fail or xpass; with --strict\n"
    "also inconclusive), 2 usage or configuration error (a profile, baseline or case that does\n"
    "not load, an unknown capability or level: FILE:LINE:COL), 3 setup error or a case that\n"
    "could not be run (the profile does not match the SUT, SUT unreachable, reports not\n"
    "written)\n";

const std::string_view kReplayUsage =
    "usage: mikeyconf replay BUNDLE [--out DIR] [--sut PROFILE [--embedded]] [--no-progress]\n"
    "\n"
    "Runs the one case of a repro bundle (a folder under the reports' bundles, with its\n"
    "bundle.json, the cases and the profile it ran with) again with the same seed and\n"
    "strictness, and writes the reports of that run. The baseline is not applied: the case\n"
    "shows its own verdict.\n"
    "\n"
    "  --out DIR          where the reports go (default out/replay/CASE-ID)\n"
    "  --sut PROFILE      run against this profile instead of the bundle's (e.g. the SUT after a\n"
    "                     fix); with --embedded, served by the reference KMS on loopback\n"
    "  --no-progress      no progress line on standard error\n"
    "\n"
    "exit status: as 'mikeyconf run' (0 pass, 1 fail, 2 usage or configuration error, 3 setup\n"
    "error or the case could not be run)\n";

namespace {

// Everything a suite command has checked and now runs.
struct SuitePlan {
  std::string_view command;  // "run" | "replay"
  harness::SuiteConfig config;
  std::size_t total = 0;  // cases selected (the progress denominator)
  fs::path out_dir;
  std::optional<fs::path> signing_key;
  bool progress = true;
  std::string target;         // what runs against what (printed before the run)
  std::string baseline_note;  // which baseline is used and why (printed before the run)
  harness::RequirementTable requirements;  // for the reports' requirement texts and matrix

  // --write-baseline FILE, and the baseline the run uses as loaded (kept in what is written).
  std::optional<fs::path> write_baseline;
  std::optional<harness::Baseline> baseline;
};

ProgressStyle style_for(const Io& io, bool progress) {
  if (!progress) return ProgressStyle::none;
  // Only the process's real standard error can be a terminal; tests pass other streams.
  return &io.err == &std::cerr ? progress_style_for(STDERR_FILENO) : ProgressStyle::lines;
}

// --write-baseline: the baseline the run implies (harness/baseline_writer.h). A file that cannot
// be written is exit 3, as for the reports; otherwise nothing (the run's exit status stands).
std::optional<int> write_baseline(const SuitePlan& plan, const harness::RunResult& run, Io& io) {
  if (!plan.write_baseline) return std::nullopt;
  const harness::DerivedBaseline d =
      harness::derive_baseline(run, plan.baseline ? &*plan.baseline : nullptr);
  auto written = reports::write_file(*plan.write_baseline, harness::baseline_yaml(d.baseline));
  if (!written.ok()) {
    io.err << "mikeyconf " << plan.command << ": cannot write the baseline: " << written.error()
           << "\n";
    return kExitSetup;
  }
  io.out << "baseline written: " << plan.write_baseline->string() << " ("
         << d.baseline.expected_failures.size() << " expected failures, " << d.added << " new; "
         << d.baseline.disabled.size() << " disabled)\n";
  return std::nullopt;
}

// Runs the plan, writes the reports, prints the summary; the exit code of tools/README.md.
int execute(SuitePlan& plan, Io& io) {
  const ProgressStyle style = style_for(io, plan.progress);
  Progress progress(io.err, style, plan.total,
                    style == ProgressStyle::bar ? terminal_width(STDERR_FILENO) : 80);
  plan.config.options.on_case = [&progress](const harness::CaseResult& r) { progress.on_case(r); };
  const auto started = std::chrono::steady_clock::now();
  auto run = harness::run_configured_suite(plan.config);
  progress.finish();
  if (!run.ok()) {
    io.err << "mikeyconf " << plan.command << ": " << run.error().message << "\n";
    return run.error().exit_code;
  }
  reports::ReportOptions options;
  options.out_dir = plan.out_dir;
  options.requirements = &plan.requirements;
  options.signing_key = plan.signing_key;
  auto written = reports::write_all_reports(run.value(), options);
  const std::optional<int> baseline_failed = write_baseline(plan, run.value(), io);
  const double wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!written.ok()) {
    io.out << summary_text(run.value(), wall_ms, "reports NOT written: " + written.error());
    io.err << "mikeyconf " << plan.command << ": cannot write the reports: " << written.error()
           << "\n";
    return kExitSetup;
  }
  io.out << summary_text(run.value(), wall_ms, reports_text(plan.out_dir, written->files));
  io.out.flush();
  return baseline_failed.value_or(run->exit_code());
}

// Cases of `role` the engine will run for `only` (the sanity case included when selected).
std::size_t count_selected(const CaseCatalog& catalog, harness::SutRole role,
                           const std::vector<std::string>& only) {
  std::size_t n = 0;
  for (const harness::Scenario& s : catalog.scenarios) {
    if (s.sut_role != role) continue;
    bool match = only.empty();
    for (const std::string& pattern : only) match = match || glob_matches(pattern, s.id);
    n += match ? 1 : 0;
  }
  return n;
}

// PROFILE-DIR/../baselines/NAME.yaml when it exists (the pairing of cases/profiles/X.yaml with
// cases/baselines/X.yaml), else nothing.
std::optional<fs::path> default_baseline(const fs::path& profile) {
  const fs::path candidate =
      (profile.parent_path() / ".." / "baselines" / profile.stem()).concat(".yaml");
  std::error_code ec;
  if (!fs::is_regular_file(candidate, ec)) return std::nullopt;
  return candidate.lexically_normal();
}

// What a failing run's replay command needs besides seed, case and --strict (the engine adds
// those): how the SUT was named, and the cases folder and baseline when not the defaults.
std::string replay_sut_argument(const ParsedArgs& a, const fs::path& cases_dir) {
  std::string out;
  if (const std::string* sut = a.value("--sut")) {
    out = (a.flag("--embedded") ? "--embedded --sut " : "--sut ") + shell_quote(*sut);
  } else {
    out = "--embedded";
  }
  if (cases_dir != "cases") out += " --cases " + shell_quote(cases_dir.string());
  if (const std::string* b = a.value("--baseline")) out += " --baseline " + shell_quote(*b);
  if (a.flag("--no-baseline")) out += " --no-baseline";
  return out;
}

void define_run(CLI::App& app) {
  for (const char* name :
       {"--sut", "--baseline", "--cases", "--seed", "--jobs", "--out", "--sign-key"})
    value_option(app, name);
  value_option(app, "--write-baseline");
  value_option(app, "--filter", true);
  value_option(app, "--case", true);
  for (const char* name : {"--embedded", "--no-baseline", "--strict", "--no-progress"})
    flag_option(app, name);
}

// A problem found while checking the command line against the files: exit code and message.
struct PlanError {
  int exit_code = kExitUsage;
  std::string message;
  bool show_usage = false;
};

mikey::Result<harness::SutProfile, PlanError> load_sut_profile(const fs::path& path) {
  auto profile = harness::load_profile(path);
  if (!profile.ok()) return PlanError{kExitUsage, profile.error().to_string()};
  return std::move(profile).value();
}

// The baseline as the rule in kRunUsage picks it, loaded to check it; sets config.baseline.
std::optional<PlanError> choose_baseline(const ParsedArgs& a, const harness::SutProfile& profile,
                                         SuitePlan& plan, Io& io) {
  harness::SuiteConfig& config = plan.config;
  if (a.value("--baseline") != nullptr && a.flag("--no-baseline")) {
    return PlanError{kExitUsage, "--baseline and --no-baseline exclude each other", true};
  }
  if (a.flag("--no-baseline")) return std::nullopt;
  if (const std::string* b = a.value("--baseline")) {
    config.baseline = fs::path(*b);
  } else {
    config.baseline = default_baseline(config.profile);
  }
  if (!config.baseline) return std::nullopt;
  auto baseline = harness::load_baseline(*config.baseline);
  if (!baseline.ok()) return PlanError{kExitUsage, baseline.error().to_string()};
  plan.baseline_note = "baseline: " + config.baseline->string() +
                       (a.value("--baseline") != nullptr
                            ? ""
                            : " (PROFILE-DIR/../baselines/" + config.profile.stem().string() +
                                  ".yaml; --baseline FILE or --no-baseline to change)");
  plan.baseline = baseline.value();
  if (baseline->sut != profile.name) {
    io.err << "mikeyconf run: warning: baseline " << config.baseline->string() << " is for SUT '"
           << baseline->sut << "', the profile is '" << profile.name << "'\n";
  }
  return std::nullopt;
}

// Seed, jobs and strictness into `o`, checked before any file is read.
std::optional<PlanError> choose_options(const ParsedArgs& a, harness::RunOptions& o) {
  if (const std::string* s = a.value("--seed")) {
    auto seed = parse_number(*s, 0, UINT64_MAX);
    if (!seed) return PlanError{kExitUsage, "--seed: expected a decimal number", true};
    o.seed = *seed;
  }
  if (const std::string* j = a.value("--jobs")) {
    auto jobs = parse_number(*j, 1, 64);
    if (!jobs) return PlanError{kExitUsage, "--jobs: expected 1 to 64", true};
    o.jobs = static_cast<std::size_t>(*jobs);
  }
  o.strict = a.flag("--strict");
  o.inconclusive_fails = o.strict;
  return std::nullopt;
}

// The case selection into config.options.only; plan.total.
std::optional<PlanError> choose_cases(const ParsedArgs& a, const CaseCatalog& catalog,
                                      const harness::SutProfile& profile, SuitePlan& plan) {
  harness::RunOptions& o = plan.config.options;
  o.only = a.all("--filter");
  for (const std::string& id : a.all("--case")) {
    const harness::Scenario* s = find_case(catalog, id);
    if (s == nullptr)
      return PlanError{kExitUsage, unknown_case_message(catalog, id, plan.config.cases_dir)};
    if (s->sut_role != profile.role) {
      return PlanError{kExitUsage, "case " + id + " is for sut_role " +
                                       std::string(harness::to_string(s->sut_role)) +
                                       ", the profile's role is " +
                                       std::string(harness::to_string(profile.role))};
    }
    o.only.push_back(id);  // ids hold no glob characters ([a-z0-9._-]): a glob of itself
  }
  plan.total = count_selected(catalog, profile.role, o.only);
  if (plan.total == 0) {
    return PlanError{kExitUsage, "no case of sut_role " +
                                     std::string(harness::to_string(profile.role)) +
                                     " matches the selection ('mikeyconf list' shows the ids)"};
  }
  return std::nullopt;
}

mikey::Result<SuitePlan, PlanError> plan_run(const ParsedArgs& a, Io& io) {
  SuitePlan plan;
  plan.command = "run";
  harness::SuiteConfig& config = plan.config;
  config.cases_dir = a.value("--cases") != nullptr ? fs::path(*a.value("--cases")) : "cases";
  config.embedded = a.value("--sut") == nullptr || a.flag("--embedded");
  config.profile = a.value("--sut") != nullptr ? fs::path(*a.value("--sut"))
                                               : config.cases_dir / "profiles" / "reference.yaml";
  plan.out_dir = a.value("--out") != nullptr ? fs::path(*a.value("--out")) : "out";
  plan.progress = !a.flag("--no-progress");
  if (const std::string* w = a.value("--write-baseline")) plan.write_baseline = fs::path(*w);
  if (auto e = choose_options(a, config.options)) return *e;
  if (const std::string* key = a.value("--sign-key")) {
    // Checked now rather than after a long run: unreadable, not PEM or not Ed25519 is exit 2.
    auto usable = reports::check_signing_key(*key);
    if (!usable.ok()) return PlanError{kExitUsage, "--sign-key: " + usable.error()};
    plan.signing_key = fs::path(*key);
  }
  auto catalog = load_catalog(config.cases_dir);
  if (!catalog.ok()) return PlanError{kExitUsage, catalog.error()};
  auto profile = load_sut_profile(config.profile);
  if (!profile.ok()) return profile.error();
  if (auto e = choose_baseline(a, profile.value(), plan, io)) return *e;
  if (auto e = choose_cases(a, catalog.value(), profile.value(), plan)) return *e;
  plan.requirements = std::move(catalog->requirements);
  config.options.sut_argument = replay_sut_argument(a, config.cases_dir);
  plan.target = std::to_string(plan.total) + (plan.total == 1 ? " case" : " cases") + " against " +
                (config.embedded ? "the embedded reference KMS"
                                 : profile->name + " at " + profile->base_url) +
                " (" + config.profile.string() + "), seed " + std::to_string(config.options.seed);
  return plan;
}

int report_plan_error(Io& io, std::string_view command, const PlanError& e,
                      std::string_view usage) {
  if (e.show_usage) return command_usage_error(io, command, e.message, usage);
  io.err << "mikeyconf " << command << ": " << e.message << "\n";
  return e.exit_code;
}

int run_parsed(const ParsedArgs& a, Io& io) {
  auto plan = plan_run(a, io);
  if (!plan.ok()) return report_plan_error(io, "run", plan.error(), kRunUsage);
  io.out << "mikeyconf run: " << plan->target << "\n";
  if (!plan->baseline_note.empty()) io.out << plan->baseline_note << "\n";
  io.out.flush();
  return execute(plan.value(), io);
}

}  // namespace

namespace {

void define_replay(CLI::App& app) {
  positional(app, "BUNDLE");
  value_option(app, "--out");
  value_option(app, "--sut");
  flag_option(app, "--embedded");
  flag_option(app, "--no-progress");
}

mikey::Result<SuitePlan, PlanError> plan_replay(const ParsedArgs& a) {
  if (a.positional.empty()) return PlanError{kExitUsage, "BUNDLE is required", true};
  if (a.flag("--embedded") && a.value("--sut") == nullptr) {
    return PlanError{kExitUsage, "--embedded goes with --sut PROFILE", true};
  }
  auto bundle = reports::load_bundle(a.positional[0]);
  if (!bundle.ok()) return PlanError{kExitUsage, bundle.error()};
  SuitePlan plan;
  plan.command = "replay";
  harness::SuiteConfig& config = plan.config;
  config.cases_dir = bundle->cases_dir;
  const std::string* sut = a.value("--sut");
  config.profile = sut != nullptr ? fs::path(*sut) : bundle->profile;
  config.embedded = sut != nullptr ? a.flag("--embedded") : bundle->embedded;
  config.options.seed = bundle->seed;
  config.options.strict = bundle->strict;
  config.options.inconclusive_fails = bundle->strict;
  config.options.only = {bundle->case_id};
  plan.out_dir = a.value("--out") != nullptr ? fs::path(*a.value("--out"))
                                             : fs::path("out") / "replay" / bundle->case_id;
  plan.progress = !a.flag("--no-progress");
  auto catalog = load_catalog(config.cases_dir);
  if (!catalog.ok()) return PlanError{kExitUsage, catalog.error()};
  if (find_case(catalog.value(), bundle->case_id) == nullptr) {
    return PlanError{kExitUsage, "the bundle's cases hold no case " + bundle->case_id};
  }
  plan.requirements = std::move(catalog->requirements);
  auto profile = load_sut_profile(config.profile);
  if (!profile.ok()) return profile.error();
  plan.total = count_selected(catalog.value(), profile->role, config.options.only);
  if (plan.total == 0) {
    return PlanError{kExitUsage, "case " + bundle->case_id + " is not for the profile's role " +
                                     std::string(harness::to_string(profile->role))};
  }
  config.options.sut_argument = std::string(config.embedded ? "--embedded " : "") + "--sut " +
                                shell_quote(config.profile.string()) + " --cases " +
                                shell_quote(config.cases_dir.string()) + " --no-baseline";
  return plan;
}

int replay_parsed(const ParsedArgs& a, Io& io) {
  auto plan = plan_replay(a);
  if (!plan.ok()) return report_plan_error(io, "replay", plan.error(), kReplayUsage);
  io.out << "mikeyconf replay: " << plan->config.options.only.front() << ", seed "
         << plan->config.options.seed << (plan->config.options.strict ? ", strict" : "")
         << ", profile " << plan->config.profile.string()
         << (plan->config.embedded ? " (embedded reference KMS)" : "") << "\n";
  io.out.flush();
  return execute(plan.value(), io);
}

}  // namespace

int run_main(std::span<const std::string_view> args, Io& io) {
  return run_command({"run", kRunUsage, &define_run, &run_parsed}, args, io);
}

int replay_main(std::span<const std::string_view> args, Io& io) {
  return run_command({"replay", kReplayUsage, &define_replay, &replay_parsed}, args, io);
}

}  // namespace mikeyconf::tools
