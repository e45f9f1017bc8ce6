// One run of a third-party parser as a process (`mikeyconf fuzz --exec`): fork/exec in a process
// group of its own, the input on standard input, standard output and error read without blocking
// up to a cap, the whole group killed when the run outlives its timeout and the process reaped,
// so a campaign of millions of runs leaves no zombie, no stray process and no open descriptor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "wire/bytes.h"

namespace mikeyconf::harness {

struct ProcessRun {
  enum class End : std::uint8_t {
    exited,       // exit_code holds the status
    signaled,     // signal holds the signal that ended it
    timed_out,    // still running at the timeout: its process group was killed
    not_started,  // fork or exec failed: start_error says why (e.g. "No such file or directory")
  };
  End end = End::not_started;
  int exit_code = 0;
  int signal = 0;
  std::string start_error;
  std::string out;  // standard output, at most the cap
  std::string err;  // standard error, at most the cap
  double ms = 0;    // wall time of the run
};

// Runs `argv` (argv[0] looked up in PATH) with `input` on its standard input, then EOF. The
// process and its descendants get their own process group; SIGPIPE, SIGINT and SIGTERM are back
// to their defaults in the child. Never throws on a failing command: not_started carries why.
// The caller must ignore SIGPIPE (an exiting child closes the pipe we write to).
ProcessRun run_process(const std::vector<std::string>& argv, mikey::ByteView input,
                       std::uint32_t timeout_ms, std::size_t output_cap = 64 * 1024);

// "SIGSEGV" for 11; "signal N" for a number without a name.
std::string signal_name(int signal);

}  // namespace mikeyconf::harness
