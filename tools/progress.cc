#include "tools/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <ostream>
#include <set>
#include <utility>

#include "tools/cli.h"

namespace mikeyconf::tools {

using harness::CaseResult;
using harness::Verdict;

ProgressStyle progress_style_for(int fd) {
  return ::isatty(fd) == 1 ? ProgressStyle::bar : ProgressStyle::lines;
}

std::size_t terminal_width(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 80;
}

namespace {

std::string padded(std::size_t n, std::size_t width) {
  std::string s = std::to_string(n);
  return std::string(width > s.size() ? width - s.size() : 0, ' ') + s;
}

std::string first_line(const std::string& s, std::size_t max) {
  std::string line = s.substr(0, s.find('\n'));
  if (line.size() > max) line = line.substr(0, max - 3) + "...";
  return line;
}

// Cases whose reason the reader needs next to the verdict.
bool noteworthy(Verdict v) {
  return v == Verdict::fail || v == Verdict::xpass || v == Verdict::error ||
         v == Verdict::inconclusive;
}

std::string milliseconds(double ms) { return std::to_string(std::llround(ms)) + " ms"; }

std::string seconds(double ms) {
  const long long tenths = std::llround(ms / 100.0);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

}  // namespace

std::string_view verdict_color(Verdict v) noexcept {
  switch (v) {
    case Verdict::pass:
      return "32";
    case Verdict::fail:
    case Verdict::xpass:
      return "1;31";
    case Verdict::error:
      return "35";
    case Verdict::inconclusive:
      return "33";
    case Verdict::xfail:
      return "36";
    case Verdict::skipped:
      return "2";
  }
  return "0";
}

namespace {

// A progress line in two parts: what precedes the verdict ("[12/80] ") and what follows it, so
// a terminal line can be shortened without cutting a colour sequence.
struct LineParts {
  std::string head, verdict, tail;
};

LineParts line_parts(std::size_t done, std::size_t total, const CaseResult& r) {
  const std::size_t width = std::to_string(total).size();
  LineParts p;
  p.head = "[" + padded(done, width) + "/" + padded(total, width) + "] ";
  p.verdict = std::string(harness::to_string(r.verdict));
  const std::size_t pad = p.verdict.size() < 5 ? 5 - p.verdict.size() : 0;
  p.tail = std::string(pad, ' ') + " " + r.id + "  (" + milliseconds(r.duration_ms) + ")";
  if (noteworthy(r.verdict) && !r.reason.empty()) p.tail += "  " + first_line(r.reason, 300);
  return p;
}

// `parts` in at most `max` columns; only the tail is shortened.
std::string fitted(const LineParts& parts, std::size_t max, std::string_view sgr, bool color) {
  const std::size_t fixed = parts.head.size() + parts.verdict.size();
  if (fixed + 3 >= max) return first_line(parts.head + parts.verdict, max);
  std::string tail = parts.tail;
  if (fixed + tail.size() > max) tail = first_line(tail, max - fixed);
  return parts.head + paint(parts.verdict, sgr, color) + tail;
}

}  // namespace

std::string progress_line(std::size_t done, std::size_t total, const CaseResult& r, bool color) {
  const LineParts p = line_parts(done, total, r);
  return p.head + paint(p.verdict, verdict_color(r.verdict), color) + p.tail;
}

Progress::Progress(std::ostream& os, ProgressStyle style, std::size_t total, std::size_t width,
                   bool color)
    : os_(os), style_(style), total_(total), width_(width), color_(color) {}

void Progress::on_case(const CaseResult& r) {
  seen_.add(r.verdict);
  switch (style_) {
    case ProgressStyle::none:
      return;
    case ProgressStyle::lines:
      os_ << progress_line(seen_.total, total_, r, color_) << "\n" << std::flush;
      return;
    case ProgressStyle::bar:
      // A case that did not pass stays visible above the bar.
      if (noteworthy(r.verdict)) {
        os_ << "\r\x1b[K"
            << fitted(line_parts(seen_.total, total_, r), width_ - 1, verdict_color(r.verdict),
                      color_)
            << "\n";
      }
      draw_bar(r.id);
      return;
  }
}

std::string Progress::counts(bool color) const {
  constexpr Verdict kShown[] = {Verdict::pass,   Verdict::fail,  Verdict::error,
                                Verdict::xfail,  Verdict::xpass, Verdict::inconclusive,
                                Verdict::skipped};
  std::string out;
  for (const Verdict verdict : kShown) {
    const std::size_t n = seen_.of(verdict);
    const bool always =
        verdict == Verdict::pass || verdict == Verdict::fail || verdict == Verdict::error;
    if (n == 0 && !always) continue;
    const std::string item = std::string(harness::to_string(verdict)) + " " + std::to_string(n);
    out += (out.empty() ? "" : "  ") + paint(item, verdict_color(verdict), color && n > 0);
  }
  return out;
}

void Progress::draw_bar(const std::string& current) {
  constexpr std::size_t kBarWidth = 24;
  const std::size_t done = seen_.total;
  const std::size_t filled =
      total_ == 0 ? kBarWidth : std::min(kBarWidth, done * kBarWidth / total_);
  const std::string head = "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') +
                           "] " + std::to_string(done) + "/" + std::to_string(total_) + "  ";
  const std::string plain_counts = counts(false);
  const std::string plain = head + plain_counts + "  ";
  std::string line;
  if (plain.size() + 3 >= width_ - 1) {
    line = first_line(plain + current, width_ - 1);  // too narrow for colour and the case id
  } else {
    line = head + (color_ ? counts(true) : plain_counts) + "  " +
           first_line(current, width_ - 1 - plain.size());
  }
  // \r returns to the start of the line, \x1b[K clears what a longer previous line left.
  os_ << "\r\x1b[K" << line << std::flush;
}

void Progress::finish() {
  if (style_ == ProgressStyle::bar && seen_.total > 0) os_ << "\r\x1b[K" << std::flush;
}

namespace {

std::string counts_line(const harness::RunResult& run, double wall_ms, bool color) {
  const harness::Summary s = run.summary();
  constexpr Verdict kCounted[] = {Verdict::pass,  Verdict::fail,    Verdict::inconclusive,
                                  Verdict::error, Verdict::skipped, Verdict::xfail,
                                  Verdict::xpass};
  std::string out = std::to_string(s.total) + " case" + (s.total == 1 ? "" : "s") + " in " +
                    seconds(wall_ms) + ": ";
  for (const Verdict verdict : kCounted) {
    const std::string item =
        std::to_string(s.of(verdict)) + " " + std::string(harness::to_string(verdict));
    out += (verdict == Verdict::pass ? "" : ", ") +
           paint(item, verdict_color(verdict), color && s.of(verdict) > 0);
  }
  return out + "\n";
}

std::string problems_text(const harness::RunResult& run, bool color) {
  constexpr std::size_t kMaxErrorsShown = 10;
  std::string out;
  std::size_t errors_shown = 0, errors_hidden = 0;
  for (const CaseResult& c : run.cases) {
    if (!noteworthy(c.verdict)) continue;
    if (c.verdict == Verdict::error && errors_shown++ >= kMaxErrorsShown) {
      ++errors_hidden;
      continue;
    }
    const std::string verdict(harness::to_string(c.verdict));
    const std::string pad(verdict.size() < 12 ? 12 - verdict.size() : 0, ' ');
    out += "  " + paint(verdict, verdict_color(c.verdict), color) + pad + " " + c.id + "\n";
    if (!c.reason.empty()) out += "               " + first_line(c.reason, 400) + "\n";
    if (!c.replay.empty()) out += "               replay: " + c.replay + "\n";
  }
  if (errors_hidden > 0) {
    out += "  ... and " + std::to_string(errors_hidden) + " more errors (results.json)\n";
  }
  return out.empty() ? out : "not passed:\n" + out;
}

}  // namespace

std::string reports_text(const std::filesystem::path& out_dir,
                         const std::vector<std::filesystem::path>& written) {
  struct Folder {
    std::set<std::string> subfolders;
    std::size_t files = 0;
  };
  std::vector<std::string> top;
  std::map<std::string, Folder> folders;
  for (const std::filesystem::path& p : written) {
    auto part = p.begin();
    const std::filesystem::path first = *part;
    if (first == p) {
      top.push_back(p.string());
      continue;
    }
    Folder& f = folders[first.string()];
    ++f.files;
    if (std::distance(p.begin(), p.end()) > 2) f.subfolders.insert((*++part).string());
  }
  std::string out;
  for (const std::string& f : top) out += (out.empty() ? "" : ", ") + f;
  for (const auto& [name, f] : folders) {
    out += (out.empty() ? "" : ", ") + name + "/ (";
    if (const std::size_t n = f.subfolders.size(); n > 0) {
      out += std::to_string(n) + (n == 1 ? " folder, " : " folders, ");
    }
    out += std::to_string(f.files) + " file" + (f.files == 1 ? "" : "s") + ")";
  }
  return "reports in " + out_dir.string() + "/: " + out;
}

namespace {

// One line per reason the run left cases out (RunResult::exclusions): what it did not test.
std::string exclusions_text(const harness::RunResult& run) {
  std::string out;
  for (const harness::Exclusion& e : run.exclusions()) {
    out += "  " + padded(e.ids.size(), 4) + " " + first_line(e.reason, 300) + "\n";
  }
  return out.empty() ? out : "not tested (skipped cases by reason):\n" + out;
}

std::string exit_text(const harness::RunResult& run) {
  const int code = run.exit_code();
  if (!run.setup_error.empty()) return "exit 3: setup error: the profile does not match the SUT";
  if (run.interrupted) return "exit 3: interrupted: the reports hold only the cases that finished";
  switch (code) {
    case 0:
      return "exit 0: no case failed or errored";
    case 1:
      return "exit 1: a case failed (fail or xpass)";
    default:
      return "exit " + std::to_string(code) + ": a case could not be run (error)";
  }
}

}  // namespace

std::string summary_text(const harness::RunResult& run, double wall_ms,
                         const std::string& reports_line, bool color) {
  std::string out = "\n" + run.sut_name + " (" + std::string(harness::to_string(run.sut_role)) +
                    ") at " + run.sut_url + (run.embedded ? " [embedded reference]" : "") +
                    ", seed " + std::to_string(run.seed) + (run.strict ? ", strict" : "") + ", " +
                    std::to_string(run.jobs) + " job" + (run.jobs == 1 ? "" : "s") + "\n";
  if (!run.setup_error.empty()) {
    // Every case is "not run" with the same reason: say it once, first.
    out += "SETUP ERROR: " + run.setup_error + "\n  nothing was judged: correct the profile (" +
           run.profile_file + ") and run again\n";
  }
  out += counts_line(run, wall_ms, color);
  if (run.setup_error.empty()) out += problems_text(run, color);
  out += exclusions_text(run);
  if (!run.warnings.empty()) {
    out += "warnings:\n";
    for (const std::string& w : run.warnings) out += "  " + w + "\n";
  }
  out += reports_line + "\n";
  out += exit_text(run) + "\n";
  return out;
}

}  // namespace mikeyconf::tools
