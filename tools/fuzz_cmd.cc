#include "tools/fuzz_cmd.h"

#include <algorithm>
#include <ostream>
#include <string>

namespace mikeyconf::tools {

const std::string_view kFuzzUsage =
    "usage: mikeyconf fuzz --sut PROFILE [options]        live fuzzing of a KMS over Annex A\n"
    "       mikeyconf fuzz --exec [options] -- CMD ARGS...  fuzzing of a MIKEY parser process\n"
    "\n"
    "'mikeyconf fuzz --sut PROFILE --help' and 'mikeyconf fuzz --exec --help' list the options.\n"
    "exit status: 0 no finding, 1 findings, 2 usage error, 3 setup error\n";

int fuzz_main(std::span<const std::string_view> args, Io& io) {
  const auto end = std::find(args.begin(), args.end(), std::string_view("--"));
  const bool exec = std::find(args.begin(), end, std::string_view("--exec")) != end;
  const bool sut = std::any_of(args.begin(), end, [](std::string_view a) {
    return a == "--sut" || a.starts_with("--sut=");
  });
  if (exec) return fuzz_exec_main(args, io);
  if (sut) return fuzz_sut_main(args, io);
  const bool help =
      std::any_of(args.begin(), end, [](std::string_view a) { return a == "-h" || a == "--help"; });
  if (help) {
    io.out << kFuzzUsage;
    return kExitOk;
  }
  io.err << "mikeyconf fuzz: give --sut PROFILE or --exec -- CMD ARGS...\n\n" << kFuzzUsage;
  return kExitUsage;
}

}  // namespace mikeyconf::tools
