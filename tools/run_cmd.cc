// `mikeyconf run` and `mikeyconf replay` (tools/run_cmd.h): load and check everything the run
// needs (so a file that does not load is exit 2 with its FILE:LINE:COL before anything starts),
// run the suite through harness::run_configured_suite with progress on standard error, write
// every report through reports::write_all_reports and print the summary.
#include "tools/run_cmd.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
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
#include "tools/data_dir.h"
#include "tools/progress.h"
#include "tools/suite_cli.h"

namespace mikeyconf::tools {

namespace fs = std::filesystem;

const std::string_view kRunUsage =
    "usage: mikeyconf run [--sut PROFILE] [--embedded] [--baseline FILE | --no-baseline]\n"
    "                     [--write-baseline FILE]\n"
    "                     [--cases DIR] [--filter GLOB]... [--case ID]... [--seed N] [--strict]\n"
    "                     [--jobs N] [--out DIR] [--sign-key PEM] [--no-progress]\n"
    "                     [--color auto|always|never]\n"
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
    "  --cases DIR        the cases folder (holds requirements.csv). Without it: ./cases when\n"
    "                     it holds requirements.csv (the repository root), else\n"
    "                     $MIKEYCONF_DATADIR/cases, else the installed suite,\n"
    "                     EXE/../share/mikeyconf/cases (EXE = this mikeyconf executable)\n"
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
    "  --color WHEN       colour the verdicts: auto (default: when the stream is a terminal,\n"
    "                     NO_COLOR is unset or empty and TERM is not dumb), always, never\n"
    "\n"
    "The --out folder is created and checked before the first case: one that cannot be created\n"
    "or written is a setup error (exit 3). SIGINT or SIGTERM stops the run: no case starts\n"
    "after it, the cases running get 5 s to finish (those still running then are reported as\n"
    "not run), and every report is written for the cases that finished, marked interrupted\n"
    "(exit 3); a second signal exits at once (128 + the signal's number) without reports.\n"
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
    "could not be run (the profile does not match the SUT, SUT unreachable, the --out folder\n"
    "not writable, reports not written, the run interrupted by SIGINT or SIGTERM)\n";

const std::string_view kReplayUsage =
    "usage: mikeyconf replay BUNDLE [--out DIR] [--sut PROFILE [--embedded]] [--no-progress]\n"
    "                        [--color auto|always|never]\n"
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
    "  --color WHEN       colour the verdicts: auto (default), always, never (as 'mikeyconf run')\n"
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
  ColorMode color = ColorMode::automatic;
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

// The signal that asked the run to stop (0: none yet). Lock-free, so the handler may set it.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

// The first SIGINT/SIGTERM stops the run (RunOptions::stop); a second one ends the process at
// once with the shell's status for a signal, 128 + its number. Only async-signal-safe calls.
void stop_run_on_signal(int sig) {
  int none = 0;
  if (!g_stop_signal.compare_exchange_strong(none, sig)) ::_exit(128 + sig);
  constexpr char kNote[] =
      "\nmikeyconf: stopping: the running cases get 5 s to finish, then the reports are written "
      "(signal again to exit at once)\n";
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, kNote, sizeof kNote - 1);
}

// SIGINT and SIGTERM handled by stop_run_on_signal while the suite runs; the previous handlers back
// afterwards.
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal.store(0);
    struct sigaction action {};
    action.sa_handler = &stop_run_on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // the exchanges in flight go on; the scheduler polls the flag
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  const std::atomic<int>* flag() const { return &g_stop_signal; }
  std::string_view name() const { return g_stop_signal.load() == SIGINT ? "SIGINT" : "SIGTERM"; }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// Creates the --out folder and writes a file into it, so a folder that cannot hold the reports
// stops the command before the first case rather than after the whole run. Empty: usable.
std::string out_dir_problem(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create the folder: " + ec.message();
  if (!fs::is_directory(dir, ec)) return "not a folder";
  const fs::path probe = dir / (".mikeyconf-write-check-" + std::to_string(::getpid()));
  std::ofstream f(probe, std::ios::binary);
  const int open_errno = errno;
  if (!f) return std::string("cannot write in the folder: ") + std::strerror(open_errno);
  f.close();
  fs::remove(probe, ec);
  return {};
}

// The summary's first line for a stopped run: "interrupted by SIGTERM after 12 of 80 cases".
std::string interrupted_text(std::string_view signal, std::size_t done, std::size_t total) {
  return "interrupted by " + std::string(signal) + " after " + std::to_string(done) + " of " +
         std::to_string(total) + " cases\n";
}

// Whether `os` gets colour: only the process's real streams (`real`, on `fd`) can be a
// terminal; tests pass other streams, which `always` still colours.
bool color_for(ColorMode mode, const std::ostream& os, const std::ostream& real, int fd) {
  if (&os != &real) return mode == ColorMode::always;
  return use_color(mode, fd);
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
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

// Writes the reports of `run` (`finished` of its cases ran to the end) and prints the summary; the
// exit code of tools/README.md.
int report_run(const SuitePlan& plan, Io& io, const harness::RunResult& run,
               std::chrono::steady_clock::time_point started, std::string_view signal,
               std::size_t finished) {
  reports::ReportOptions options;
  options.out_dir = plan.out_dir;
  options.requirements = &plan.requirements;
  options.signing_key = plan.signing_key;
  auto written = reports::write_all_reports(run, options);
  const std::optional<int> baseline_failed = write_baseline(plan, run, io);
  const double wall_ms = ms_since(started);
  const bool color = color_for(plan.color, io.out, std::cout, STDOUT_FILENO);
  if (run.interrupted) io.out << "\n" << interrupted_text(signal, finished, plan.total);
  if (!written.ok()) {
    io.out << summary_text(run, wall_ms, "reports NOT written: " + written.error(), color);
    io.err << "mikeyconf " << plan.command << ": cannot write the reports: " << written.error()
           << "\n";
    return kExitSetup;
  }
  io.out << summary_text(run, wall_ms, reports_text(plan.out_dir, written->files), color);
  io.out.flush();
  return baseline_failed.value_or(run.exit_code());
}

// Runs the plan, writes the reports, prints the summary; the exit code of tools/README.md.
int execute(SuitePlan& plan, Io& io) {
  if (const std::string why = out_dir_problem(plan.out_dir); !why.empty()) {
    io.err << "mikeyconf " << plan.command << ": --out " << plan.out_dir.string() << ": " << why
           << "\n";
    return kExitSetup;
  }
  const ProgressStyle style = style_for(io, plan.progress);
  Progress progress(io.err, style, plan.total,
                    style == ProgressStyle::bar ? terminal_width(STDERR_FILENO) : 80,
                    color_for(plan.color, io.err, std::cerr, STDERR_FILENO));
  plan.config.options.on_case = [&progress](const harness::CaseResult& r) { progress.on_case(r); };
  const StopSignals signals;
  plan.config.options.stop = signals.flag();
  const auto started = std::chrono::steady_clock::now();
  // Cases still running 5 s after the signal are not waited for: the reports of the rest are
  // written and the process ends here, with the drivers those cases use left untouched.
  plan.config.options.on_stop_timeout = [&](const harness::RunResult& partial) {
    progress.finish();
    io.err << "mikeyconf " << plan.command << ": cases still running "
           << plan.config.options.stop_grace.count() << " ms after " << signals.name()
           << " are not waited for (reported as not run)\n";
    const int code = report_run(plan, io, partial, started, signals.name(), progress.done());
    io.err.flush();
    std::fflush(nullptr);
    std::_Exit(code);
  };
  auto run = harness::run_configured_suite(plan.config);
  progress.finish();
  if (!run.ok()) {
    io.err << "mikeyconf " << plan.command << ": " << run.error().message << "\n";
    return run.error().exit_code;
  }
  return report_run(plan, io, run.value(), started, signals.name(), run->cases.size());
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
  value_option(app, "--color");
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

// --color into plan.color.
std::optional<PlanError> choose_color(const ParsedArgs& a, SuitePlan& plan) {
  const std::string* c = a.value("--color");
  if (c == nullptr) return std::nullopt;
  const std::optional<ColorMode> mode = parse_color_mode(*c);
  if (!mode) return PlanError{kExitUsage, "--color: expected auto, always or never", true};
  plan.color = *mode;
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
  auto located = locate_catalog(a.value("--cases"));
  if (!located.ok()) return PlanError{kExitUsage, located.error()};
  config.cases_dir = located->dir;
  CaseCatalog& catalog = located->catalog;
  config.embedded = a.value("--sut") == nullptr || a.flag("--embedded");
  config.profile = a.value("--sut") != nullptr ? fs::path(*a.value("--sut"))
                                               : config.cases_dir / "profiles" / "reference.yaml";
  plan.out_dir = a.value("--out") != nullptr ? fs::path(*a.value("--out")) : "out";
  plan.progress = !a.flag("--no-progress");
  if (auto e = choose_color(a, plan)) return *e;
  if (const std::string* w = a.value("--write-baseline")) plan.write_baseline = fs::path(*w);
  if (auto e = choose_options(a, config.options)) return *e;
  if (const std::string* key = a.value("--sign-key")) {
    // Checked now rather than after a long run: unreadable, not PEM or not Ed25519 is exit 2.
    auto usable = reports::check_signing_key(*key);
    if (!usable.ok()) return PlanError{kExitUsage, "--sign-key: " + usable.error()};
    plan.signing_key = fs::path(*key);
  }
  auto profile = load_sut_profile(config.profile);
  if (!profile.ok()) return profile.error();
  if (auto e = choose_baseline(a, profile.value(), plan, io)) return *e;
  if (auto e = choose_cases(a, catalog, profile.value(), plan)) return *e;
  plan.requirements = std::move(catalog.requirements);
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
  value_option(app, "--color");
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
  if (auto e = choose_color(a, plan)) return *e;
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
