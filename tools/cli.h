// What every `mikeyconf` subcommand gets and returns (tools/README.md "Exit codes"), and how a
// subcommand declares its command line: one function adds its options to a CLI::App (CLI11), and
// run_command parses with it, so every subcommand has the same option syntax and usage errors.
#pragma once

#include <iosfwd>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wire/result.h"

namespace CLI {
class App;
}

namespace mikeyconf::tools {

// Exit codes (tools/README.md): 0 all pass, 1 a case failed (for `decode`: the message is
// malformed), 2 usage or configuration error, 3 harness or SUT setup error.
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

// A command line as parsed by parse_args.
struct ParsedArgs {
  bool help = false;                                                    // -h or --help
  std::map<std::string, std::vector<std::string>, std::less<>> values;  // options with a value
  std::vector<std::string> flags;
  std::vector<std::string> positional;

  // The value of an option (the last one for a repeatable option), or nullptr when not given.
  const std::string* value(std::string_view name) const;
  // Every value of a repeatable option, in command-line order (empty when not given).
  std::vector<std::string> all(std::string_view name) const;
  bool flag(std::string_view name) const;
};

// What a subcommand's define function adds to its CLI::App. `--name VALUE` or `--name=VALUE`;
// a non-repeatable option given twice is a usage error.
void value_option(CLI::App& app, const std::string& name, bool repeatable = false);
// `--name`, without a value; a non-repeatable flag given twice is a usage error.
void flag_option(CLI::App& app, const std::string& name, bool repeatable = false);
// One positional argument (a second one is a usage error).
void positional(CLI::App& app, const std::string& name);

// Parses `args` with `app` (-h/--help is added here). Fails with a one-line message for an
// unknown option, a missing or empty value, a value given to a flag, a repeated non-repeatable
// option or a positional argument too many.
mikey::Result<ParsedArgs, std::string> parse_args(CLI::App& app,
                                                  std::span<const std::string_view> args);

// Prints "mikeyconf CMD: MESSAGE", a blank line and the usage to io.err; returns kExitUsage.
int command_usage_error(Io& io, std::string_view command, std::string_view message,
                        std::string_view usage);

// A subcommand: `define` adds its options to the CLI::App, `run` runs it on what they parsed to.
struct Command {
  std::string_view name;   // "run"
  std::string_view usage;  // printed for -h/--help and after a usage error
  void (*define)(CLI::App& app);
  int (*run)(const ParsedArgs& args, Io& io);
};

// Parses `args` for `command`: -h/--help prints the usage (exit 0), a usage error prints it after
// the message (exit 2); otherwise the exit code of command.run.
int run_command(const Command& command, std::span<const std::string_view> args, Io& io);

// `--color auto|always|never`: whether a command colours what it prints (ANSI SGR sequences).
enum class ColorMode { automatic, always, never };

// "auto", "always" or "never"; nullopt for anything else.
std::optional<ColorMode> parse_color_mode(std::string_view text);

// always: yes; never: no; automatic: the stream is a terminal, NO_COLOR is unset or empty
// (no-color.org) and TERM is not "dumb". `no_color` and `term` are the variables' values (null
// when unset).
bool use_color(ColorMode mode, bool is_terminal, const char* no_color, const char* term);
// The same for file descriptor `fd`, reading NO_COLOR and TERM from the environment.
bool use_color(ColorMode mode, int fd);

// `text` between ESC[`sgr`m and ESC[0m when `on`, else `text` as it is.
std::string paint(std::string_view text, std::string_view sgr, bool on);

}  // namespace mikeyconf::tools
