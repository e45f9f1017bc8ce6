// `mikeyconf decode` run in-process on a given standard input, for the decode tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tools/decode.h"
#include "tools/tests/command_run.h"

namespace mikeyconf::tools {

inline CommandRun run_decode(std::vector<std::string_view> args,
                             const std::string& stdin_text = "") {
  return run_in_process(&decode_main, args, stdin_text);
}

}  // namespace mikeyconf::tools
