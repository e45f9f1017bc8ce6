// What one run of the command means for `mikeyconf fuzz --exec` (exec_fuzz.h): the finding it
// shows, if any, with its deduplication signature, and delta-debugging minimisation of an input
// that shows it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/exec_fuzz.h"
#include "harness/exec_fuzz_process.h"
#include "wire/bytes.h"

namespace mikeyconf::harness {

// The first sanitizer report on standard error: its kind ("AddressSanitizer: heap-buffer-
// overflow", "runtime error: signed integer overflow") and its top stack frames (function and
// source location, or module+offset when unsymbolised; addresses dropped so that the same bug
// gives the same frames in every run). nullopt when standard error holds none.
struct SanitizerReport {
  std::string summary;
  std::vector<std::string> frames;
};
std::optional<SanitizerReport> sanitizer_report(std::string_view err);

// A run that is a finding.
struct Outcome {
  ExecFindingKind kind = ExecFindingKind::crash;
  std::optional<int> signal;
  std::optional<int> exit_code;
  SanitizerReport report;  // summary "" when there is none
  std::string signature;   // kind + signal, or kind + sanitizer summary + top frames
  std::string id() const;  // "<kind>-<8 hex digits>"
};

// A signal, a timeout, or a non-zero exit after a sanitizer report; nullopt for any other run
// (whatever its exit status) and for a command that did not start.
std::optional<Outcome> classify(const ProcessRun& run);

// Delta debugging over the bytes (Zeller's ddmin, complements only): removes chunks of halving
// size while `reproduces` still holds, until chunks of one byte were tried or `max_runs` calls
// were made. `runs` receives the number of calls. The result reproduces (it is `input` when
// nothing smaller does).
mikey::Bytes minimise(const mikey::Bytes& input,
                      const std::function<bool(mikey::ByteView)>& reproduces,
                      std::uint64_t max_runs, std::uint64_t& runs);

// FNV-1a, 64 bits: stable across runs and builds, for finding ids.
std::uint64_t fnv1a(std::string_view s) noexcept;

}  // namespace mikeyconf::harness
