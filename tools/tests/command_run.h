// A subcommand run in-process (its `NAME_main(args, io)`, tools/cli.h) on a given standard input,
// for the command tests: the exit code and what it wrote to standard output and error.
#pragma once

#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cli.h"

namespace mikeyconf::tools {

struct CommandRun {
  int code = -1;
  std::string out;
  std::string err;
};

inline CommandRun run_in_process(SubcommandMain command, std::span<const std::string_view> args,
                                 const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  Io io{in, out, err};
  CommandRun r;
  r.code = command(args, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// The same with arguments held as strings.
inline CommandRun run_in_process(SubcommandMain command, const std::vector<std::string>& args,
                                 const std::string& stdin_text = "") {
  const std::vector<std::string_view> views(args.begin(), args.end());
  return run_in_process(command, std::span<const std::string_view>(views), stdin_text);
}

}  // namespace mikeyconf::tools
