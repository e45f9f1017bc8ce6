// What every `mikeyconf` subcommand gets and returns (shared/design.md "Exit codes").
#pragma once

#include <iosfwd>
#include <span>
#include <string_view>

namespace mikeyconf::tools {

// design.md: 0 all pass, 1 a case failed (for `decode`: the message is malformed), 2 usage or
// configuration error, 3 harness or SUT setup error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSetup = 3;

// The process's standard streams, passed in so tests can run a subcommand in-process.
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

// A subcommand's entry point: `args` are the arguments after the subcommand name.
using SubcommandMain = int (*)(std::span<const std::string_view> args, Io& io);

}  // namespace mikeyconf::tools
