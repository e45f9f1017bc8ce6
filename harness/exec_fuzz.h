// Fuzzing a third-party MIKEY parser run as a process (`mikeyconf fuzz --exec -- CMD ARGS...`):
// one input per run, on standard input or as a file whose path replaces `{input}` in ARGS.
// Seeds are every message the reference builds (codec samples of every RFC 3830 and RFC 6043
// message shape, and a whole MIKEY-TICKET exchange recorded from the reference roles) plus the
// files of the corpus folders given. Each execution mutates one corpus entry with stacked
// byte-level mutations (bit flips, interesting values, code points of the field's registry at the
// offsets of the codec's layout map, range insert/delete/duplicate, splices, code-point tokens)
// and the structure-aware mutator (reference/mutator). The oracle is the process itself, never
// its exit code:
//   - crash: ended by a signal, or a non-zero exit after a sanitizer report on standard error
//     ("ERROR: AddressSanitizer", "runtime error:", ...);
//   - hang: still running at the timeout (its process group is killed).
// Findings are deduplicated by kind and signal, and by the top frames of a sanitizer report when
// there is one; each new one is re-run, minimised by delta debugging over its bytes and written
// to OUT/findings/<kind>-<hash>/ (input.bin, input.hex, finding.json with the decoded tree).
#pragma once

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "wire/bytes.h"

namespace mikeyconf::harness {

struct ExecFuzzProgress {
  double elapsed_s = 0;
  std::uint64_t execs = 0;  // every run of the command (seeds, mutants, minimisation)
  std::size_t findings = 0;
  std::size_t corpus = 0;  // seeds plus the mutants kept for a behaviour not seen before
};

enum class ExecFindingKind : std::uint8_t { crash, hang };
std::string_view to_string(ExecFindingKind k) noexcept;

struct ExecFinding {
  std::string id;  // "<kind>-<8 hex digits of the signature's hash>"
  ExecFindingKind kind = ExecFindingKind::crash;
  std::optional<int> signal;        // the signal that ended the process (crash)
  std::optional<int> exit_code;     // a sanitizer's exit status (crash without a signal)
  std::string sanitizer;            // "AddressSanitizer: heap-buffer-overflow", "" when none
  std::vector<std::string> frames;  // top frames of the sanitizer report
  std::string signature;            // the deduplication key
  mikey::Bytes input;               // minimised
  std::size_t original_size = 0;    // the input as first found
  std::string from;                 // the corpus entry it was mutated from
  std::string stderr_excerpt;       // the start of standard error of the minimised run
  bool reproduced = false;          // a second run of the original input showed it again
  std::uint64_t minimise_runs = 0;
  std::uint64_t hits = 1;  // executions that hit this signature
  std::uint64_t first_exec = 0;
  std::filesystem::path dir;  // OUT/findings/<id>
};

struct ExecFuzzOptions {
  std::vector<std::string> command;  // argv; an argument containing {input} gets the file path
  std::uint32_t timeout_ms = 1000;
  std::optional<double> time_s;       // stop after this long
  std::optional<std::uint64_t> runs;  // stop after this many mutants
  std::uint64_t seed = 1;             // the same seed gives the same sequence of mutants
  std::filesystem::path out_dir = "out/fuzz-exec";
  std::vector<std::filesystem::path> corpus_dirs;  // extra seeds: every regular file
  std::size_t max_size = 4096;                     // a mutant is never longer
  std::uint64_t minimise_runs = 300;               // runs one finding's minimisation may take
  // Set (e.g. from a SIGINT handler) to stop the campaign after the current run.
  const volatile std::sig_atomic_t* stop = nullptr;
  std::function<void(const ExecFuzzProgress&)> on_progress;  // about once a second
  std::function<void(const ExecFinding&)> on_finding;        // each new finding, once written
};

struct ExecCampaign {
  std::uint64_t execs = 0, seed_execs = 0, fuzz_execs = 0, minimise_execs = 0;
  double seconds = 0;
  std::size_t seeds = 0, valid_seeds = 0, corpus_end = 0;
  std::map<int, std::uint64_t> exit_codes;  // of the runs that exited (not findings)
  std::uint64_t hangs_not_reproduced = 0;   // timeouts a second run did not show again
  std::vector<ExecFinding> findings;
  std::string stop_reason;                 // "time", "runs", "interrupted", "setup"
  std::optional<std::string> setup_error;  // the command cannot be fuzzed (exit 3)
};

// Runs the campaign and writes OUT/findings/ and OUT/campaign.json (OUT/work holds the input
// file of `{input}` while it runs). A setup error — the command cannot be started, it crashes or
// hangs on a seed the reference codec reads as valid, or it exits with the same non-zero status
// on every valid seed — stops it before any mutant runs.
ExecCampaign run_exec_fuzz(const ExecFuzzOptions& options);

// Whether an argument of `command` holds {input} (the input goes to a file, not standard input).
bool takes_input_file(const std::vector<std::string>& command);
// `command` with every {input} replaced by `input_file`.
std::vector<std::string> with_input_file(const std::vector<std::string>& command,
                                         const std::string& input_file);

// The command line that replays `input_file` ({input} replaced, else "< input_file"), quoted
// for a POSIX shell.
std::string replay_command(const std::vector<std::string>& command,
                           const std::filesystem::path& input_file);

}  // namespace mikeyconf::harness
