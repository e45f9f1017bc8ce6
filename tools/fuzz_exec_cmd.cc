// `mikeyconf fuzz --exec [options] -- CMD ARGS...`: the command line around
// harness::run_exec_fuzz (harness/exec_fuzz.h), its progress on standard error and its summary.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <iostream>
#include <ostream>

#include "harness/exec_fuzz.h"
#include "harness/exec_fuzz_process.h"
#include "tools/fuzz_cmd.h"
#include "tools/progress.h"
#include "tools/suite_cli.h"

namespace mikeyconf::tools {

const std::string_view kFuzzExecUsage =
    "usage: mikeyconf fuzz --exec [--timeout-ms N] [--time S] [--runs N] [--seed N] [--out DIR]\n"
    "                             [--corpus DIR]... [--max-len N] [--no-progress] -- CMD ARGS...\n"
    "\n"
    "Fuzzes a MIKEY parser run as a process: one input per run, on standard input, or as a\n"
    "file whose path replaces {input} in ARGS. Seeds: every message the reference builds, plus\n"
    "the files of each --corpus DIR. A signal is a crash (so is a sanitizer report followed by a\n"
    "non-zero exit), running past the timeout a hang; the exit status of CMD is never a finding.\n"
    "\n"
    "  --timeout-ms N   a run taking longer is a hang (default 1000)\n"
    "  --time S         stop after S seconds\n"
    "  --runs N         stop after N mutants (without --time and --runs: until Ctrl-C)\n"
    "  --seed N         the same seed gives the same mutants (default 1)\n"
    "  --out DIR        findings/<kind>-<hash>/ and campaign.json (default out/fuzz-exec)\n"
    "  --corpus DIR     extra seeds, every file of DIR (repeatable), e.g. fuzz/corpus/message\n"
    "  --max-len N      longest mutant in bytes (default 4096)\n"
    "  --no-progress    no progress line on standard error\n"
    "\n"
    "exit status: 0 no finding, 1 findings, 2 usage error, 3 setup error (CMD cannot be\n"
    "started, crashes or hangs on a valid seed, or exits non-zero on every valid seed)\n";

namespace {

volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int /*sig*/) { g_stop = 1; }

// SIGINT and SIGTERM end the campaign after the current run, with its summary written.
class StopOnSignal {
 public:
  StopOnSignal() {
    g_stop = 0;
    old_int_ = std::signal(SIGINT, on_stop_signal);
    old_term_ = std::signal(SIGTERM, on_stop_signal);
  }
  ~StopOnSignal() {
    std::signal(SIGINT, old_int_);
    std::signal(SIGTERM, old_term_);
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

 private:
  void (*old_int_)(int);
  void (*old_term_)(int);
};

void define_fuzz_exec(CLI::App& app) {
  flag_option(app, "--exec");
  for (const char* name : {"--timeout-ms", "--time", "--runs", "--seed", "--out", "--max-len"}) {
    value_option(app, name);
  }
  value_option(app, "--corpus", true);
  flag_option(app, "--no-progress");
}

// The parsed options into `o`; a usage error message otherwise.
std::optional<std::string> to_options(const ParsedArgs& a, harness::ExecFuzzOptions& o) {
  struct Number {
    const char* name;
    std::uint64_t min, max;
  };
  std::map<std::string, std::uint64_t> n;
  for (const Number& spec : {Number{"--timeout-ms", 1, 3'600'000}, Number{"--time", 1, 1u << 30},
                             Number{"--runs", 1, UINT64_MAX}, Number{"--seed", 0, UINT64_MAX},
                             Number{"--max-len", 1, 1u << 20}}) {
    const std::string* v = a.value(spec.name);
    if (v == nullptr) continue;
    auto parsed = parse_number(*v, spec.min, spec.max);
    if (!parsed) {
      return std::string(spec.name) + " wants a whole number from " + std::to_string(spec.min) +
             " to " + std::to_string(spec.max) + ", not '" + *v + "'";
    }
    n[spec.name] = *parsed;
  }
  if (n.count("--timeout-ms")) o.timeout_ms = static_cast<std::uint32_t>(n["--timeout-ms"]);
  if (n.count("--time")) o.time_s = static_cast<double>(n["--time"]);
  if (n.count("--runs")) o.runs = n["--runs"];
  if (n.count("--seed")) o.seed = n["--seed"];
  if (n.count("--max-len")) o.max_size = n["--max-len"];
  if (const std::string* out = a.value("--out")) o.out_dir = *out;
  for (const std::string& dir : a.all("--corpus")) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return "--corpus " + dir + ": not a folder";
    o.corpus_dirs.emplace_back(dir);
  }
  return std::nullopt;
}

std::string progress_text(const harness::ExecFuzzProgress& p) {
  const double rate = p.elapsed_s > 0 ? static_cast<double>(p.execs) / p.elapsed_s : 0;
  return "fuzz --exec: " + std::to_string(std::llround(p.elapsed_s)) + " s  " +
         std::to_string(p.execs) + " execs (" + std::to_string(std::llround(rate)) +
         "/s)  findings " + std::to_string(p.findings) + "  corpus " + std::to_string(p.corpus);
}

std::string finding_text(const harness::ExecFinding& f) {
  const std::string what = f.kind == harness::ExecFindingKind::hang ? "timeout"
                           : !f.sanitizer.empty()                   ? f.sanitizer
                           : f.signal ? harness::signal_name(*f.signal)
                                      : "exit " + std::to_string(f.exit_code.value_or(0));
  return f.id + "  " + what + "  " + std::to_string(f.input.size()) + " bytes (found as " +
         std::to_string(f.original_size) + ")  " + f.dir.string() + "/";
}

std::string summary(const harness::ExecCampaign& c, const harness::ExecFuzzOptions& o) {
  std::string s = std::to_string(c.execs) + " execs in " + std::to_string(std::llround(c.seconds)) +
                  " s (" + std::to_string(c.fuzz_execs) + " mutants of " + std::to_string(c.seeds) +
                  " seeds), " + std::to_string(c.findings.size()) + " finding" +
                  (c.findings.size() == 1 ? "" : "s") + ", stopped: " + c.stop_reason + "\n";
  for (const harness::ExecFinding& f : c.findings) {
    s += "  " + finding_text(f) +
         "\n    replay: " + harness::replay_command(o.command, f.dir / "input.bin") + "\n";
  }
  s += "campaign: " + (o.out_dir / "campaign.json").string() + "\n";
  return s;
}

int run_fuzz_exec(const ParsedArgs& a, std::vector<std::string> command, Io& io) {
  harness::ExecFuzzOptions o;
  if (auto problem = to_options(a, o)) {
    return command_usage_error(io, "fuzz --exec", *problem, kFuzzExecUsage);
  }
  o.command = std::move(command);
  const bool to_terminal =
      &io.err == &std::cerr && progress_style_for(STDERR_FILENO) == ProgressStyle::bar;
  const bool progress = !a.flag("--no-progress");
  std::size_t ticks = 0;
  o.on_progress = [&](const harness::ExecFuzzProgress& p) {
    if (!progress) return;
    if (to_terminal) {
      io.err << "\r\x1b[K" << progress_text(p) << std::flush;
    } else if (ticks++ % 10 == 0) {  // plain lines in logs: one every ten seconds
      io.err << progress_text(p) << "\n" << std::flush;
    }
  };
  o.on_finding = [&](const harness::ExecFinding& f) {
    io.err << (to_terminal ? "\r\x1b[K" : "") << "new finding: " << finding_text(f) << "\n"
           << std::flush;
  };
  StopOnSignal stop;
  o.stop = &g_stop;
  const harness::ExecCampaign c = harness::run_exec_fuzz(o);
  if (to_terminal && progress) io.err << "\r\x1b[K" << std::flush;
  if (c.setup_error) {
    io.err << "mikeyconf fuzz --exec: setup error: " << *c.setup_error << "\n";
    return kExitSetup;
  }
  io.out << summary(c, o);
  return c.findings.empty() ? kExitOk : kExitFailed;
}

}  // namespace

int fuzz_exec_main(std::span<const std::string_view> args, Io& io) {
  const auto dashes = std::find(args.begin(), args.end(), std::string_view("--"));
  CLI::App app;
  define_fuzz_exec(app);
  auto parsed = parse_args(app, std::span(args.begin(), dashes));
  if (!parsed.ok()) {
    return command_usage_error(io, "fuzz --exec", parsed.error(), kFuzzExecUsage);
  }
  if (parsed->help) {
    io.out << kFuzzExecUsage;
    return kExitOk;
  }
  if (dashes == args.end() || dashes + 1 == args.end()) {
    return command_usage_error(io, "fuzz --exec", "give the command to fuzz after --",
                               kFuzzExecUsage);
  }
  return run_fuzz_exec(parsed.value(), std::vector<std::string>(dashes + 1, args.end()), io);
}

}  // namespace mikeyconf::tools
