#include "harness/exec_fuzz.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <random>
#include <set>

#include "harness/exec_fuzz_corpus.h"
#include "harness/exec_fuzz_process.h"
#include "harness/exec_fuzz_report.h"
#include "harness/exec_fuzz_triage.h"

namespace mikeyconf::harness {

std::string_view to_string(ExecFindingKind k) noexcept {
  return k == ExecFindingKind::hang ? "hang" : "crash";
}

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using mikey::Bytes;
using mikey::ByteView;

constexpr std::size_t kMaxCorpus = 1000;      // seeds plus kept mutants
constexpr std::uint64_t kMaxHangRepros = 16;  // each costs a whole timeout
constexpr std::size_t kStderrExcerpt = 4096;

// A child that exits while we write its standard input must not kill us with SIGPIPE.
class IgnoreSigpipe {
 public:
  IgnoreSigpipe() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old_);
  }
  ~IgnoreSigpipe() { ::sigaction(SIGPIPE, &old_, nullptr); }
  IgnoreSigpipe(const IgnoreSigpipe&) = delete;
  IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

 private:
  struct sigaction old_ {};
};

std::string first_line(std::string_view s) {
  const std::size_t start = s.find_first_not_of("\r\n");
  if (start == std::string_view::npos) return "";
  std::string_view line = s.substr(start, s.find_first_of("\r\n", start) - start);
  return std::string(line.substr(0, 200));
}

std::string last_line(std::string_view s) {
  const std::size_t end = s.find_last_not_of("\r\n");
  if (end == std::string_view::npos) return "";
  const std::size_t start = s.find_last_of('\n', end);
  const std::size_t from = start == std::string_view::npos ? 0 : start + 1;
  return std::string(s.substr(from, end + 1 - from));
}

// The first words of `line`, a word holding a digit (a number, an offset, hex data) as "N":
// what the line says, not the values it quotes.
std::string folded_words(std::string_view line) {
  constexpr std::size_t kWords = 8;
  std::string out;
  std::size_t words = 0;
  for (std::size_t i = 0; i < line.size() && words < kWords;) {
    const std::size_t start = line.find_first_not_of(" \t", i);
    if (start == std::string_view::npos) break;
    const std::size_t end = std::min(line.find_first_of(" \t", start), line.size());
    const std::string_view word = line.substr(start, end - start);
    const bool number = word.find_first_of("0123456789") != std::string_view::npos;
    out += (number ? std::string("N") : std::string(word)) + " ";
    ++words;
    i = end;
  }
  return out;
}

// What a run that is not a finding looked like: its exit status and the gist of the first line
// of standard error and of the last line of standard output. A new one keeps the mutant as a
// corpus entry (black-box feedback: the target took another path to say something else).
std::uint64_t behaviour(const ProcessRun& run) {
  return fnv1a(std::to_string(run.exit_code) + "|" + folded_words(first_line(run.err)) + "|" +
               folded_words(last_line(run.out)));
}

class Engine {
 public:
  explicit Engine(const ExecFuzzOptions& o)
      : o_(o), rng_(o.seed), mutator_(o.max_size), start_(Clock::now()), last_progress_(start_) {}

  ExecCampaign run() {
    IgnoreSigpipe sigpipe;
    if (setup() && dry_run()) fuzz();
    c_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    c_.corpus_end = corpus_.size();
    if (c_.setup_error) c_.stop_reason = "setup";
    std::error_code ec;
    fs::remove_all(o_.out_dir / "work", ec);
    if (auto e = write_campaign(c_, o_); e && !c_.setup_error) c_.setup_error = *e;
    report_progress(true);
    return std::move(c_);
  }

 private:
  bool fail(std::string why) {
    c_.setup_error = std::move(why);
    return false;
  }

  bool setup() {
    std::error_code ec;
    fs::create_directories(o_.out_dir / "work", ec);
    if (ec) return fail("cannot create " + (o_.out_dir / "work").string() + ": " + ec.message());
    if (takes_input_file(o_.command)) {
      input_file_ = fs::absolute(o_.out_dir / "work" / "input.bin").string();
    }
    argv_ = with_input_file(o_.command, input_file_);
    corpus_ = builtin_seeds();
    for (const fs::path& dir : o_.corpus_dirs) {
      if (auto e = load_corpus_dir(dir, o_.max_size, corpus_)) return fail(*e);
    }
    c_.seeds = corpus_.size();
    return true;
  }

  ProcessRun exec(ByteView input) {
    ++c_.execs;
    if (!input_file_.empty()) {
      std::ofstream f(input_file_, std::ios::binary | std::ios::trunc);
      f.write(reinterpret_cast<const char*>(input.data()),  // NOLINT
              static_cast<std::streamsize>(input.size()));
      f.close();  // flushed before the command opens it
      return run_process(argv_, {}, o_.timeout_ms);
    }
    return run_process(argv_, input, o_.timeout_ms);
  }

  std::string seed_problem(const CorpusEntry& e, const Outcome& o) const {
    const std::string what =
        o.kind == ExecFindingKind::hang
            ? "does not finish within " + std::to_string(o_.timeout_ms) + " ms (--timeout-ms)"
        : o.signal ? "crashes (" + signal_name(*o.signal) + ")"
                   : "crashes (" + o.report.summary + ")";
    return "'" + o_.command.front() + "' " + what + " on the valid seed " + e.name +
           ": a command that fails on a valid MIKEY message cannot be fuzzed" +
           (o.kind == ExecFindingKind::hang
                ? "; raise --timeout-ms, and check that it reads standard input to its end or "
                  "that {input} is in its arguments"
                : "");
  }

  // Every seed once: the command must start and must survive every valid seed; an invalid seed
  // (from a corpus folder) that crashes it is already a finding.
  bool dry_run() {
    std::map<int, std::size_t> valid_exits;
    std::string first_err;
    for (std::size_t i = 0; i < corpus_.size(); ++i) {
      if (stopped()) return true;
      const CorpusEntry& e = corpus_[i];
      ProcessRun r = exec(e.bytes);
      ++c_.seed_execs;
      if (r.end == ProcessRun::End::not_started) {
        return fail("cannot start '" + o_.command.front() + "': " + r.start_error);
      }
      std::optional<Outcome> o = classify(r);
      if (o && e.valid && o->kind == ExecFindingKind::hang) {
        ProcessRun again = exec(e.bytes);  // a loaded machine is not a hang
        ++c_.seed_execs;
        o = classify(again);
      }
      if (o && e.valid) return fail(seed_problem(e, *o));
      if (o) {
        found(*o, e.bytes, e.name);
        continue;
      }
      ++c_.exit_codes[r.exit_code];
      behaviours_.insert(behaviour(r));
      if (!e.valid) continue;
      ++c_.valid_seeds;
      ++valid_exits[r.exit_code];
      if (first_err.empty()) first_err = first_line(r.err);
    }
    if (valid_exits.size() == 1 && valid_exits.begin()->first != 0) {
      return fail("'" + o_.command.front() + "' exits with status " +
                  std::to_string(valid_exits.begin()->first) + " on every valid seed" +
                  (first_err.empty() ? "" : " (\"" + first_err + "\")") +
                  ": it does not read the message as given; check its arguments, and {input}");
    }
    return !c_.setup_error;
  }

  bool stopped() const {
    if (o_.stop != nullptr && *o_.stop != 0) return true;
    if (o_.time_s && std::chrono::duration<double>(Clock::now() - start_).count() >= *o_.time_s) {
      return true;
    }
    return o_.runs && c_.fuzz_execs >= *o_.runs;
  }

  void fuzz() {
    while (!stopped() && !c_.setup_error) {
      const CorpusEntry& entry = corpus_[rng_() % corpus_.size()];
      const CorpusEntry& other = corpus_[rng_() % corpus_.size()];
      Bytes mutant = mutator_.mutate(entry, other, rng_);
      ProcessRun r = exec(mutant);
      ++c_.fuzz_execs;
      if (r.end == ProcessRun::End::not_started) {
        fail("cannot start '" + o_.command.front() + "': " + r.start_error);
        break;
      }
      if (std::optional<Outcome> o = classify(r)) {
        found(*o, mutant, entry.name);
      } else {
        ++c_.exit_codes[r.exit_code];
        if (corpus_.size() < kMaxCorpus && behaviours_.insert(behaviour(r)).second) {
          corpus_.push_back(make_corpus_entry("found/" + std::to_string(corpus_.size() - c_.seeds),
                                              std::move(mutant)));
        }
      }
      report_progress(false);
    }
    if (c_.setup_error) return;
    if (o_.stop != nullptr && *o_.stop != 0) {
      c_.stop_reason = "interrupted";
    } else {
      c_.stop_reason = o_.runs && c_.fuzz_execs >= *o_.runs ? "runs" : "time";
    }
  }

  // Whether `input` shows the finding `want` again (same signature); `err` gets its stderr.
  bool shows(const Outcome& want, ByteView input, std::string& err) {
    ProcessRun r = exec(input);
    ++c_.minimise_execs;
    std::optional<Outcome> o = classify(r);
    if (!o || o->signature != want.signature) return false;
    err = std::move(r.err);
    return true;
  }

  void found(const Outcome& o, const Bytes& input, const std::string& from) {
    if (auto it = by_signature_.find(o.signature); it != by_signature_.end()) {
      ++c_.findings[it->second].hits;
      return;
    }
    std::string err;
    const bool reproduced = shows(o, input, err);
    if (!reproduced && o.kind == ExecFindingKind::hang) {
      ++c_.hangs_not_reproduced;  // slow once, not stuck
      return;
    }
    ExecFinding f;
    f.id = o.id();
    f.kind = o.kind;
    f.signal = o.signal;
    f.exit_code = o.exit_code;
    f.sanitizer = o.report.summary;
    f.frames = o.report.frames;
    f.signature = o.signature;
    f.original_size = input.size();
    f.from = from;
    f.reproduced = reproduced;
    f.first_exec = c_.execs;
    f.input = input;
    if (reproduced) {
      std::uint64_t hang_repros = 0;
      f.input = minimise(
          input,
          [&](ByteView candidate) {
            if (o.kind == ExecFindingKind::hang && hang_repros >= kMaxHangRepros) return false;
            std::string candidate_err;
            if (!shows(o, candidate, candidate_err)) return false;
            ++hang_repros;
            err = std::move(candidate_err);
            return true;
          },
          o_.minimise_runs, f.minimise_runs);
    }
    f.stderr_excerpt = err.substr(0, kStderrExcerpt);
    f.dir = o_.out_dir / "findings" / f.id;
    if (auto e = write_finding(f, o_)) {
      fail(*e);
      return;
    }
    by_signature_[o.signature] = c_.findings.size();
    c_.findings.push_back(std::move(f));
    if (o_.on_finding) o_.on_finding(c_.findings.back());
  }

  void report_progress(bool force) {
    const auto now = Clock::now();
    if (!o_.on_progress || (!force && now - last_progress_ < std::chrono::seconds(1))) return;
    last_progress_ = now;
    o_.on_progress(ExecFuzzProgress{std::chrono::duration<double>(now - start_).count(), c_.execs,
                                    c_.findings.size(), corpus_.size()});
  }

  const ExecFuzzOptions& o_;
  ExecCampaign c_;
  std::vector<std::string> argv_;
  std::string input_file_;  // "" when the input goes to standard input
  std::vector<CorpusEntry> corpus_;
  std::map<std::string, std::size_t> by_signature_;  // → index in c_.findings
  std::set<std::uint64_t> behaviours_;
  std::mt19937_64 rng_;
  ByteMutator mutator_;
  Clock::time_point start_, last_progress_;
};

}  // namespace

ExecCampaign run_exec_fuzz(const ExecFuzzOptions& options) { return Engine(options).run(); }

}  // namespace mikeyconf::harness
