// The command line of every converted subcommand (tools/cli.h), on CLI11. CLI11 collects unknown
// arguments instead of failing on them (allow_extras) and value options take 0 or 1 value, so
// this file words every usage error itself, naming the option as the user wrote it.
#include "tools/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <vector>

namespace mikeyconf::tools {

const std::string* ParsedArgs::value(std::string_view name) const {
  auto it = values.find(name);
  return it == values.end() || it->second.empty() ? nullptr : &it->second.back();
}

std::vector<std::string> ParsedArgs::all(std::string_view name) const {
  auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

bool ParsedArgs::flag(std::string_view name) const {
  return std::find(flags.begin(), flags.end(), name) != flags.end();
}

void value_option(CLI::App& app, const std::string& name, bool repeatable) {
  // 0 or 1 value: CLI11 would otherwise take the next argument as the value even when it is
  // an option ("--out --strict"); an option given without a value is reported below.
  app.add_option(name)->expected(0, 1)->multi_option_policy(
      repeatable ? CLI::MultiOptionPolicy::TakeAll : CLI::MultiOptionPolicy::TakeLast);
}

void flag_option(CLI::App& app, const std::string& name, bool repeatable) {
  CLI::Option* o = app.add_flag(name)->disable_flag_override();
  if (repeatable) o->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

void positional(CLI::App& app, const std::string& name) { app.add_option(name); }

namespace {

constexpr std::string_view kHelp = "--help";

bool is_flag(const CLI::Option& o) { return o.get_expected_max() == 0; }

// CLI11's only ParseError for a value given to a flag ("--strict=yes") is "NAME was given a
// disallowed flag override", NAME without dashes.
std::string parse_error_message(const CLI::App& app, const CLI::Error& e) {
  const std::string what = e.what();
  for (const CLI::Option* o : app.get_options()) {
    if (!is_flag(*o)) continue;
    for (const std::string& l : o->get_lnames()) {
      if (what.rfind(l + " was given", 0) == 0) return o->get_name() + " takes no value";
    }
  }
  return what;
}

// What CLI11 did not take: an unknown option first, else a positional argument too many. "--"
// ends the options (what follows is positional).
std::optional<std::string> leftover_message(const std::vector<std::string>& rest) {
  bool options_ended = false;
  for (const std::string& r : rest) {
    if (r == "--") options_ended = true;
    if (!options_ended && r.size() > 1 && r[0] == '-') return "unknown option '" + r + "'";
  }
  for (const std::string& r : rest) {
    if (r != "--") return "unexpected argument '" + r + "'";
  }
  return std::nullopt;
}

// One parsed option into `out`; a usage error message for an empty value or a repetition.
std::optional<std::string> collect(const CLI::Option& o, ParsedArgs& out) {
  const std::string name = o.get_name();
  if (o.count() == 0) return std::nullopt;
  if (name == kHelp) {
    out.help = true;
    return std::nullopt;
  }
  if (o.get_positional()) {
    out.positional.insert(out.positional.end(), o.results().begin(), o.results().end());
    return std::nullopt;
  }
  if (o.count() > 1 && o.get_multi_option_policy() != CLI::MultiOptionPolicy::TakeAll) {
    return name + " given twice";
  }
  if (is_flag(o)) {
    out.flags.push_back(name);
    return std::nullopt;
  }
  for (const std::string& v : o.results()) {
    if (v.empty()) return name + " needs a value";
  }
  out.values[name] = o.results();
  return std::nullopt;
}

}  // namespace

mikey::Result<ParsedArgs, std::string> parse_args(CLI::App& app,
                                                  std::span<const std::string_view> args) {
  app.set_help_flag();  // -h/--help prints our usage text, not CLI11's
  app.allow_extras();
  if (app.get_option_no_throw(std::string(kHelp)) == nullptr) app.add_flag("-h,--help");
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
  } catch (const CLI::Error& e) {
    return parse_error_message(app, e);
  }
  if (auto message = leftover_message(app.remaining())) return *message;
  ParsedArgs parsed;
  for (const CLI::Option* o : app.get_options()) {
    if (auto message = collect(*o, parsed)) return *message;
  }
  return parsed;
}

int command_usage_error(Io& io, std::string_view command, std::string_view message,
                        std::string_view usage) {
  io.err << "mikeyconf " << command << ": " << message << "\n\n" << usage;
  return kExitUsage;
}

int run_command(const Command& command, std::span<const std::string_view> args, Io& io) {
  CLI::App app;
  command.define(app);
  auto parsed = parse_args(app, args);
  if (!parsed.ok()) return command_usage_error(io, command.name, parsed.error(), command.usage);
  if (parsed->help) {
    io.out << command.usage;
    return kExitOk;
  }
  return command.run(parsed.value(), io);
}

std::optional<ColorMode> parse_color_mode(std::string_view text) {
  if (text == "auto") return ColorMode::automatic;
  if (text == "always") return ColorMode::always;
  if (text == "never") return ColorMode::never;
  return std::nullopt;
}

bool use_color(ColorMode mode, bool is_terminal, const char* no_color, const char* term) {
  if (mode != ColorMode::automatic) return mode == ColorMode::always;
  const bool no_color_set = no_color != nullptr && *no_color != '\0';
  const bool dumb = term != nullptr && std::string_view(term) == "dumb";
  return is_terminal && !no_color_set && !dumb;
}

bool use_color(ColorMode mode, int fd) {
  return use_color(mode, ::isatty(fd) == 1, std::getenv("NO_COLOR"), std::getenv("TERM"));
}

std::string paint(std::string_view text, std::string_view sgr, bool on) {
  if (!on) return std::string(text);
  return "\x1b[" + std::string(sgr) + "m" + std::string(text) + "\x1b[0m";
}

}  // namespace mikeyconf::tools
