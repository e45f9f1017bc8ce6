// What `mikeyconf run` and `mikeyconf replay` print while and after the suite runs: per-case
// progress on standard error (a bar redrawn in place on a terminal, one plain line per case
// otherwise, e.g. in CI logs) and the closing summary on standard output.
#pragma once

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "harness/results.h"

namespace mikeyconf::tools {

enum class ProgressStyle {
  none,   // --no-progress
  lines,  // one line per case: "[12/80] pass  kms.errors.replay  (35 ms)"
  bar,    // one line redrawn with \r; cases that did not pass are kept as lines above it
};

// bar when `fd` is a terminal, else lines.
ProgressStyle progress_style_for(int fd);

// The SGR colour of a verdict (--color): green pass, red fail and xpass, magenta error, yellow
// inconclusive, cyan xfail, dim skipped.
std::string_view verdict_color(harness::Verdict v) noexcept;

// "[12/80] pass  kms.errors.replay  (35 ms)", the reason appended for a case that did not pass
// or skip. Counters are padded to the width of `total`; `color`: the verdict coloured.
std::string progress_line(std::size_t done, std::size_t total, const harness::CaseResult& r,
                          bool color = false);

// Counts the cases as the engine reports them (RunOptions::on_case, one call at a time) and
// draws them on `os`. `total` is the number of cases the run selected. The bar counts every
// verdict as itself (an xfail is not a pass, an inconclusive not an error).
class Progress {
 public:
  Progress(std::ostream& os, ProgressStyle style, std::size_t total, std::size_t width = 80,
           bool color = false);
  void on_case(const harness::CaseResult& r);
  // Clears the bar so the summary starts on a clean line.
  void finish();
  // The counts as the bar shows them: "pass 3  fail 1  error 0", then every other verdict seen
  // ("xfail 1  inconclusive 2").
  std::string counts(bool color = false) const;
  // Cases reported so far.
  std::size_t done() const noexcept { return seen_.total; }

 private:
  void draw_bar(const std::string& current);

  std::ostream& os_;
  ProgressStyle style_;
  std::size_t total_;
  std::size_t width_;
  bool color_;
  harness::Summary seen_;  // per verdict; total = cases done
};

// The terminal's width in columns on `fd` (80 when unknown).
std::size_t terminal_width(int fd);

// "reports in out/: results.json, junit.xml, bundles/ (6 files)": the files written (relative to
// `out_dir`), those at the top by name, deeper ones counted per top-level folder.
std::string reports_text(const std::filesystem::path& out_dir,
                         const std::vector<std::filesystem::path>& written);

// The end-of-run summary: the setup error first when the profile did not match the SUT, counts
// per verdict, every case that failed, passed unexpectedly, errored or was inconclusive (with
// its reason and replay command, errors capped; none after a setup error, when no case ran), one
// line per reason cases were skipped (what the run did not test), warnings, wall time,
// `reports_line` (where the reports are) and what the exit status means.
// `color`: verdicts coloured (verdict_color).
std::string summary_text(const harness::RunResult& run, double wall_ms,
                         const std::string& reports_line, bool color = false);

}  // namespace mikeyconf::tools
