#include <ostream>

#include "tools/fuzz_cmd.h"

namespace mikeyconf::tools {

const std::string_view kFuzzExecUsage = "usage: mikeyconf fuzz --exec [options] -- CMD ARGS...\n";

int fuzz_exec_main(std::span<const std::string_view> /*args*/, Io& io) {
  io.err << "mikeyconf fuzz --exec: not implemented\n";
  return kExitUsage;
}

}  // namespace mikeyconf::tools
