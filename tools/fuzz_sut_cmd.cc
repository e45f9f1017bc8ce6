// `mikeyconf fuzz --sut PROFILE` (tools/fuzz_cmd.h): loads the cases folder (for the sanity case
// of the profile's role) and the profile, prepares the SUT as `mikeyconf run` does, runs the
// campaign (harness/live_fuzz.h) with a progress line on standard error, writes the campaign
// (reports/campaign.h) and prints its summary.
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <ostream>
#include <string>

#include "harness/live_fuzz.h"
#include "harness/profile.h"
#include "harness/setup.h"
#include "reports/campaign.h"
#include "tools/fuzz_cmd.h"
#include "tools/progress.h"
#include "tools/suite_cli.h"

namespace mikeyconf::tools {

namespace fs = std::filesystem;

const std::string_view kFuzzSutUsage =
    "usage: mikeyconf fuzz --sut PROFILE [--embedded] [--cases DIR] [--time S] [--runs N]\n"
    "                      [--seed N] [--jobs N] [--out DIR] [--no-progress]\n"
    "\n"
    "Fuzzes the KMS of the SUT profile (role kms, kms_r or kms_i; the harness plays the other\n"
    "parties) over TS 33.328 Annex A: every execution is a request the reference parties build,\n"
    "mutated at the HTTP and MIKEY layers (re-protected or not), judged by the oracles: a 5xx,\n"
    "a closed connection or a timeout, a 200 that is not a MIKEY answer, a grant of a request\n"
    "that cannot have been authenticated; after every anomaly the sanity case checks the SUT\n"
    "is alive (a dead SUT is reported once and stops the campaign). Each finding is\n"
    "deduplicated, minimised and written as a regression case.\n"
    "\n"
    "  --sut PROFILE      the SUT profile (as for 'mikeyconf run')\n"
    "  --embedded         fuzz PROFILE's users served by the reference KMS on loopback\n"
    "  --cases DIR        the cases folder holding the role's sanity case (default: as\n"
    "                     'mikeyconf run --help' says)\n"
    "  --time S           stop after S seconds of fuzzing (default 60 when --runs is not given)\n"
    "  --runs N           stop after N executions\n"
    "  --seed N           campaign seed (default 1): the same seed generates the same requests\n"
    "  --jobs N           executions in flight, one connection each (default 1)\n"
    "  --out DIR          where the campaign goes (default out/fuzz): campaign.json,\n"
    "                     campaign.html, findings/ID/, regression/ ('mikeyconf run --sut\n"
    "                     PROFILE --cases DIR/regression' runs the findings again)\n"
    "  --no-progress      no progress line on standard error\n"
    "\n"
    "exit status: 0 no finding, 1 findings, 2 usage or configuration error (a profile or case\n"
    "that does not load), 3 setup error (the profile does not match the SUT, the SUT is\n"
    "unreachable or fails its sanity case before fuzzing, the campaign not written)\n";

namespace {

constexpr std::string_view kCmd = "fuzz --sut";

void define_fuzz_sut(CLI::App& app) {
  for (const char* name : {"--sut", "--cases", "--time", "--runs", "--seed", "--jobs", "--out"})
    value_option(app, name);
  flag_option(app, "--embedded");
  flag_option(app, "--no-progress");
}

std::optional<double> seconds(const std::string& s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !(v > 0) || v > 1e7) return std::nullopt;
  return v;
}

// --time, --runs, --seed, --jobs into `o`; a usage problem otherwise.
std::optional<std::string> fuzz_options(const ParsedArgs& a, harness::LiveFuzzOptions& o) {
  if (const std::string* t = a.value("--time")) {
    o.time_s = seconds(*t);
    if (!o.time_s) return "--time: expected a positive number of seconds";
  }
  if (const std::string* r = a.value("--runs")) {
    o.runs = parse_number(*r, 1, UINT64_MAX);
    if (!o.runs) return "--runs: expected a positive decimal number";
  }
  if (!o.time_s && !o.runs) o.time_s = 60;
  if (const std::string* s = a.value("--seed")) {
    auto seed = parse_number(*s, 0, UINT64_MAX);
    if (!seed) return "--seed: expected a decimal number";
    o.seed = *seed;
  }
  if (const std::string* j = a.value("--jobs")) {
    auto jobs = parse_number(*j, 1, 64);
    if (!jobs) return "--jobs: expected 1 to 64";
    o.jobs = static_cast<std::size_t>(*jobs);
  }
  return std::nullopt;
}

// "1,234,567"
std::string grouped(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

// "fuzz: 12.3 s  4,567 execs  371 exec/s  1 finding"
std::string progress_text(const harness::LiveFuzzProgress& p) {
  char head[32];
  std::snprintf(head, sizeof head, "fuzz: %.1f s", p.elapsed_s);
  const auto rate = static_cast<std::uint64_t>(p.elapsed_s > 0 ? p.execs / p.elapsed_s : 0);
  return std::string(head) + "  " + grouped(p.execs) + " execs  " + grouped(rate) + " exec/s  " +
         std::to_string(p.findings) + (p.findings == 1 ? " finding" : " findings");
}

// The progress line redrawn in place on a terminal (returns true: the line needs ending before
// the summary), one line each second otherwise.
bool set_progress(const ParsedArgs& a, Io& io, harness::LiveFuzzOptions& o) {
  if (a.flag("--no-progress")) return false;
  // Only the process's real standard error can be a terminal; tests pass other streams.
  const bool bar = &io.err == &std::cerr && progress_style_for(STDERR_FILENO) == ProgressStyle::bar;
  o.on_progress = [&io, bar](const harness::LiveFuzzProgress& p) {
    io.err << (bar ? "\r" : "") << progress_text(p) << (bar ? "" : "\n");
    io.err.flush();
  };
  return bar;
}

std::string summary(const harness::Campaign& c, const fs::path& out_dir) {
  std::string s = "mikeyconf fuzz: " + grouped(c.execs) + " executions in " +
                  std::to_string(static_cast<long>(c.seconds)) + " s, seed " +
                  std::to_string(c.seed) + ", stopped: " + c.stop_reason + "\n";
  for (const harness::Finding& f : c.findings) {
    s += "  finding " + f.id + " (" + std::to_string(f.hits) + (f.hits == 1 ? " hit" : " hits") +
         "): " + f.detail + "\n";
  }
  if (c.sut_dead) s += "the SUT died: the campaign stopped there\n";
  s += c.findings.empty()
           ? std::string("no finding\n")
           : std::to_string(c.findings.size()) +
                 " finding(s); regression cases: " + (out_dir / "regression").string() + "\n";
  return s;
}

int fuzz_sut_parsed(const ParsedArgs& a, Io& io) {
  const std::string* sut = a.value("--sut");
  if (sut == nullptr)
    return command_usage_error(io, kCmd, "--sut PROFILE is required", kFuzzSutUsage);
  harness::LiveFuzzOptions options;
  if (auto problem = fuzz_options(a, options))
    return command_usage_error(io, kCmd, *problem, kFuzzSutUsage);
  const fs::path out_dir = a.value("--out") != nullptr ? fs::path(*a.value("--out")) : "out/fuzz";
  auto located = locate_catalog(a.value("--cases"));
  if (!located.ok()) {
    io.err << "mikeyconf fuzz: " << located.error() << "\n";
    return kExitUsage;
  }
  const fs::path& cases_dir = located->dir;
  const CaseCatalog& catalog = located->catalog;
  auto profile = harness::load_profile(*sut);
  if (!profile.ok()) {
    io.err << "mikeyconf fuzz: " << profile.error().to_string() << "\n";
    return kExitUsage;
  }
  const harness::Scenario* sanity = harness::find_sanity(catalog.scenarios, profile->role);
  if (sanity == nullptr) {
    io.err << "mikeyconf fuzz: " << cases_dir.string() << " has no sanity case for sut_role "
           << harness::to_string(profile->role) << "\n";
    return kExitUsage;
  }
  auto setup = harness::prepare_sut(profile.value(), a.flag("--embedded"));
  if (!setup.ok()) {
    io.err << "mikeyconf fuzz: " << setup.error().message << "\n";
    return setup.error().exit_code;
  }
  const bool bar = set_progress(a, io, options);
  harness::Campaign c =
      harness::run_live_fuzz(catalog.scenarios, setup->target, setup->make_driver, options);
  if (bar && c.seconds >= 1) io.err << "\n";
  c.profile_file = *sut;
  if (c.setup_error) {
    io.err << "mikeyconf fuzz: setup: " << *c.setup_error << "\n";
    return kExitSetup;
  }
  auto written = reports::write_campaign(c, *sanity, setup->target, out_dir);
  io.out << summary(c, out_dir);
  if (!written.ok()) {
    io.err << "mikeyconf fuzz: cannot write the campaign: " << written.error() << "\n";
    return kExitSetup;
  }
  io.out << reports_text(out_dir, written.value()) << "\n";
  return c.findings.empty() ? kExitOk : kExitFailed;
}

}  // namespace

int fuzz_sut_main(std::span<const std::string_view> args, Io& io) {
  return run_command({kCmd, kFuzzSutUsage, &define_fuzz_sut, &fuzz_sut_parsed}, args, io);
}

}  // namespace mikeyconf::tools
