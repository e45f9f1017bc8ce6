#include "tools/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <ostream>
#include <set>

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

std::string progress_line(std::size_t done, std::size_t total, const CaseResult& r) {
  const std::size_t width = std::to_string(total).size();
  std::string verdict(harness::to_string(r.verdict));
  verdict.resize(std::max<std::size_t>(verdict.size(), 5), ' ');
  std::string line = "[" + padded(done, width) + "/" + padded(total, width) + "] " + verdict + " " +
                     r.id + "  (" + milliseconds(r.duration_ms) + ")";
  if (noteworthy(r.verdict) && !r.reason.empty()) line += "  " + first_line(r.reason, 300);
  return line;
}

Progress::Progress(std::ostream& os, ProgressStyle style, std::size_t total, std::size_t width)
    : os_(os), style_(style), total_(total), width_(width) {}

void Progress::on_case(const CaseResult& r) {
  ++done_;
  if (r.verdict == Verdict::pass || r.verdict == Verdict::xfail) ++pass_;
  if (r.verdict == Verdict::fail || r.verdict == Verdict::xpass) ++fail_;
  if (r.verdict == Verdict::error) ++error_;
  switch (style_) {
    case ProgressStyle::none:
      return;
    case ProgressStyle::lines:
      os_ << progress_line(done_, total_, r) << "\n" << std::flush;
      return;
    case ProgressStyle::bar:
      // A case that did not pass stays visible above the bar.
      if (noteworthy(r.verdict)) {
        os_ << "\r\x1b[K" << first_line(progress_line(done_, total_, r), width_ - 1) << "\n";
      }
      draw_bar(r.id);
      return;
  }
}

void Progress::draw_bar(const std::string& current) {
  constexpr std::size_t kBarWidth = 24;
  const std::size_t filled =
      total_ == 0 ? kBarWidth : std::min(kBarWidth, done_ * kBarWidth / total_);
  std::string line = "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] " +
                     std::to_string(done_) + "/" + std::to_string(total_) + "  pass " +
                     std::to_string(pass_) + "  fail " + std::to_string(fail_) + "  error " +
                     std::to_string(error_) + "  " + current;
  // \r returns to the start of the line, \x1b[K clears what a longer previous line left.
  os_ << "\r\x1b[K" << first_line(line, width_ - 1) << std::flush;
}

void Progress::finish() {
  if (style_ == ProgressStyle::bar && done_ > 0) os_ << "\r\x1b[K" << std::flush;
}

namespace {

std::string counts_line(const harness::RunResult& run, double wall_ms) {
  const harness::Summary s = run.summary();
  return std::to_string(s.total) + " case" + (s.total == 1 ? "" : "s") + " in " + seconds(wall_ms) +
         ": " + std::to_string(s.pass) + " pass, " + std::to_string(s.fail) + " fail, " +
         std::to_string(s.inconclusive) + " inconclusive, " + std::to_string(s.error) + " error, " +
         std::to_string(s.skipped) + " skipped, " + std::to_string(s.xfail) + " xfail, " +
         std::to_string(s.xpass) + " xpass\n";
}

std::string problems_text(const harness::RunResult& run) {
  constexpr std::size_t kMaxErrorsShown = 10;
  std::string out;
  std::size_t errors_shown = 0, errors_hidden = 0;
  for (const CaseResult& c : run.cases) {
    if (!noteworthy(c.verdict)) continue;
    if (c.verdict == Verdict::error && errors_shown++ >= kMaxErrorsShown) {
      ++errors_hidden;
      continue;
    }
    std::string verdict(harness::to_string(c.verdict));
    verdict.resize(std::max<std::size_t>(verdict.size(), 12), ' ');
    out += "  " + verdict + " " + c.id + "\n";
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
                         const std::string& reports_line) {
  std::string out = "\n" + run.sut_name + " (" + std::string(harness::to_string(run.sut_role)) +
                    ") at " + run.sut_url + (run.embedded ? " [embedded reference]" : "") +
                    ", seed " + std::to_string(run.seed) + (run.strict ? ", strict" : "") + ", " +
                    std::to_string(run.jobs) + " job" + (run.jobs == 1 ? "" : "s") + "\n";
  if (!run.setup_error.empty()) {
    // Every case is "not run" with the same reason: say it once, first.
    out += "SETUP ERROR: " + run.setup_error + "\n  nothing was judged: correct the profile (" +
           run.profile_file + ") and run again\n";
  }
  out += counts_line(run, wall_ms);
  if (run.setup_error.empty()) out += problems_text(run);
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
