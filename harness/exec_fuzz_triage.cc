#include "harness/exec_fuzz_triage.h"

#include <array>
#include <cctype>
#include <cstdio>

namespace mikeyconf::harness {

namespace {

constexpr std::size_t kTopFrames = 3;

// Sanitizer report openings (compiler-rt), the first one on standard error wins. UBSan's
// "runtime error:" follows the source location on the same line.
constexpr std::array<std::string_view, 7> kMarkers = {"ERROR: AddressSanitizer:",
                                                      "ERROR: LeakSanitizer:",
                                                      "ERROR: MemorySanitizer:",
                                                      "ERROR: HWAddressSanitizer:",
                                                      "ERROR: UndefinedBehaviorSanitizer:",
                                                      "WARNING: ThreadSanitizer:",
                                                      ": runtime error: "};

std::string_view line_at(std::string_view text, std::size_t pos) {
  const std::size_t begin =
      text.rfind('\n', pos) == std::string_view::npos ? 0 : text.rfind('\n', pos) + 1;
  const std::size_t end = text.find('\n', pos);
  return text.substr(begin, end == std::string_view::npos ? text.size() - begin : end - begin);
}

// Numbers and addresses become "N": the same bug reports other values in other runs.
std::string without_numbers(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (std::isdigit(static_cast<unsigned char>(s[i])) != 0) {
      out += 'N';
      if (s.substr(i, 2) == "0x") i += 2;
      while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i])) != 0) ++i;
      continue;
    }
    out += s[i++];
  }
  return out;
}

// "    #1 0x55d0c3 in parse_id /src/id.c:42:7" → "parse_id /src/id.c:42:7";
// "    #0 0x7f12 (/lib/libfoo.so+0x1d2e3)" → "(/lib/libfoo.so+0x1d2e3)"; "" for another line.
std::string frame_of(std::string_view line) {
  std::size_t i = line.find_first_not_of(' ');
  if (i == std::string_view::npos || line[i] != '#') return "";
  const std::size_t pc = line.find(" 0x", i);
  if (pc == std::string_view::npos) return "";
  const std::size_t after_pc = line.find(' ', pc + 1);
  if (after_pc == std::string_view::npos) return "";
  std::string_view rest = line.substr(after_pc + 1);
  if (rest.starts_with("in ")) rest.remove_prefix(3);
  return std::string(rest);
}

std::string summary_of(std::string_view line, std::string_view marker, std::size_t at) {
  if (marker == ": runtime error: ") {
    std::string_view what = line.substr(at + marker.size());
    what = what.substr(0, what.find(':'));
    return "runtime error: " + without_numbers(what);
  }
  std::string_view what = line.substr(at + marker.find(' ') + 1);  // after "ERROR: "
  for (std::string_view stop : {" on ", " at ", " (pc"}) {
    what = what.substr(0, what.find(stop));
  }
  return without_numbers(what);
}

}  // namespace

std::optional<SanitizerReport> sanitizer_report(std::string_view err) {
  std::size_t best = std::string_view::npos;
  std::string_view marker;
  for (std::string_view m : kMarkers) {
    const std::size_t at = err.find(m);
    if (at < best) {
      best = at;
      marker = m;
    }
  }
  if (best == std::string_view::npos) return std::nullopt;
  const std::string_view line = line_at(err, best);
  const std::size_t line_start = static_cast<std::size_t>(line.data() - err.data());
  SanitizerReport r;
  r.summary = summary_of(line, marker, best - line_start);
  if (marker == ": runtime error: ") {
    r.frames.push_back(std::string(line.substr(0, best - line_start)));  // file:line:column
  }
  std::size_t pos = line_start + line.size() + 1;
  while (pos < err.size() && r.frames.size() < kTopFrames) {
    const std::string_view next = line_at(err, pos);
    const std::string frame = frame_of(next);
    if (!frame.empty()) r.frames.push_back(frame);
    // The first stack ends at the first blank line after a frame.
    else if (!r.frames.empty() && next.find_first_not_of(' ') == std::string_view::npos)
      break;
    pos += next.size() + 1;
  }
  return r;
}

std::uint64_t fnv1a(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string Outcome::id() const {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(fnv1a(signature) & 0xffffffffU));
  return std::string(to_string(kind)) + "-" + hex;
}

std::optional<Outcome> classify(const ProcessRun& run) {
  Outcome o;
  switch (run.end) {
    case ProcessRun::End::not_started:
      return std::nullopt;
    case ProcessRun::End::timed_out:
      o.kind = ExecFindingKind::hang;
      o.signature = "hang";
      return o;
    case ProcessRun::End::signaled:
      o.signal = run.signal;
      break;
    case ProcessRun::End::exited:
      if (run.exit_code == 0) return std::nullopt;
      o.exit_code = run.exit_code;
      break;
  }
  std::optional<SanitizerReport> report = sanitizer_report(run.err);
  if (!report && !o.signal) return std::nullopt;  // an exit status is the parser's verdict
  o.kind = ExecFindingKind::crash;
  if (report) {
    o.report = std::move(*report);
    o.signature = "crash|" + o.report.summary;
    for (const std::string& f : o.report.frames) o.signature += "|" + f;
  } else {
    o.signature = "crash|" + signal_name(*o.signal);
  }
  return o;
}

mikey::Bytes minimise(const mikey::Bytes& input,
                      const std::function<bool(mikey::ByteView)>& reproduces,
                      std::uint64_t max_runs, std::uint64_t& runs) {
  runs = 0;
  mikey::Bytes current = input;
  std::size_t chunk = std::max<std::size_t>(current.size() / 2, 1);
  while (runs < max_runs && !current.empty()) {
    bool removed = false;
    for (std::size_t offset = 0; offset < current.size() && runs < max_runs;) {
      mikey::Bytes candidate(current.begin(),
                             current.begin() + static_cast<std::ptrdiff_t>(offset));
      const std::size_t end = std::min(current.size(), offset + chunk);
      candidate.insert(candidate.end(), current.begin() + static_cast<std::ptrdiff_t>(end),
                       current.end());
      ++runs;
      if (reproduces(candidate)) {
        current = std::move(candidate);
        removed = true;
      } else {
        offset += chunk;
      }
    }
    if (chunk == 1 && !removed) break;  // one-byte chunks: done once nothing more goes
    chunk = std::max<std::size_t>(chunk / 2, 1);
  }
  return current;
}

}  // namespace mikeyconf::harness
