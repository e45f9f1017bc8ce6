#include <ostream>

#include "tools/fuzz_cmd.h"

namespace mikeyconf::tools {

const std::string_view kFuzzSutUsage = "usage: mikeyconf fuzz --sut PROFILE [options]\n";

int fuzz_sut_main(std::span<const std::string_view> /*args*/, Io& io) {
  io.err << "mikeyconf fuzz --sut: not implemented\n";
  return kExitUsage;
}

}  // namespace mikeyconf::tools
