// `mikeyconf fuzz`: live fuzzing of a system under test over Annex A (`--sut PROFILE`,
// fuzz_sut_cmd.cc) or of a third-party MIKEY parser run as a process (`--exec -- CMD ARGS...`,
// fuzz_exec_cmd.cc). Exit codes: 0 no finding, 1 findings, 2 usage, 3 setup.
#pragma once

#include <span>
#include <string_view>

#include "tools/cli.h"

namespace mikeyconf::tools {

extern const std::string_view kFuzzUsage;

// Dispatches on `--exec` (before any `--`) to fuzz_exec_main, else to fuzz_sut_main.
int fuzz_main(std::span<const std::string_view> args, Io& io);

// `mikeyconf fuzz --sut PROFILE [--time S] [--runs N] [--seed N] [--jobs N] [--out DIR]`.
int fuzz_sut_main(std::span<const std::string_view> args, Io& io);
extern const std::string_view kFuzzSutUsage;

// `mikeyconf fuzz --exec [--timeout-ms N] [--time S] [--runs N] [--seed N] [--out DIR]
//  -- CMD ARGS...` ({input} in ARGS: the input as a file; else on standard input).
int fuzz_exec_main(std::span<const std::string_view> args, Io& io);
extern const std::string_view kFuzzExecUsage;

}  // namespace mikeyconf::tools
