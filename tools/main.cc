// mikeyconf: one executable, git-style subcommands (tools/README.md). A subcommand is one row
// of kSubcommands: its name, a one-line summary and its entry point (cli.h). CLI11 recognises the
// options before the subcommand and the subcommand's name; the arguments after the name are the
// subcommand's own, given to its entry point as they are (run_command parses them there).
#include <CLI/CLI.hpp>
#include <array>
#include <iostream>
#include <span>
#include <string_view>
#include <vector>

#include "harness/results.h"
#include "tools/cli.h"
#include "tools/coverage_cmd.h"
#include "tools/decode.h"
#include "tools/diff_cmd.h"
#include "tools/fuzz_cmd.h"
#include "tools/kms.h"
#include "tools/profile_cmd.h"
#include "tools/report_cmd.h"
#include "tools/run_cmd.h"
#include "tools/ue_cmd.h"

namespace mikeyconf::tools {
namespace {

int help_main(std::span<const std::string_view> args, Io& io);

struct Subcommand {
  std::string_view name;
  std::string_view summary;
  SubcommandMain run;
  std::string_view usage;  // printed by `mikeyconf help NAME`; "" → run NAME --help
};

// Further subcommands (run, list, explain, kms, replay, fuzz, bench) are one row each.
const std::array kSubcommands{
    Subcommand{"run", "run the conformance suite against a SUT or the embedded reference KMS",
               &run_main, kRunUsage},
    Subcommand{"replay", "run the case of a repro bundle again (same seed)", &replay_main,
               kReplayUsage},
    Subcommand{"list", "list the cases: id, level, SUT role, title", &list_main, kListUsage},
    Subcommand{"explain", "show one case: requirement texts, steps", &explain_main, kExplainUsage},
    Subcommand{"diff", "compare two runs' results.json: new failures, fixes, cases added/removed",
               &diff_main, kDiffUsage},
    Subcommand{"decode", "decode a MIKEY message (hex, base64 or binary) to a tree or JSON",
               &decode_main, kDecodeUsage},
    Subcommand{"kms", "serve the reference KMS from a YAML configuration (Annex A HTTP)", &kms_main,
               kKmsUsage},
    Subcommand{"request-init", "print a base64 REQUEST_INIT_PSK for a user of a KMS configuration",
               &request_init_main, kRequestInitUsage},
    Subcommand{"profile", "write the SUT profile of a KMS from its KMS configuration",
               &profile_main, kProfileUsage},
    Subcommand{"report", "print a run's report.html to PDF (--pdf) with headless Chromium",
               &report_main, kReportUsage},
    Subcommand{"coverage", "print, write or check the requirement coverage of the cases",
               &coverage_main, kCoverageUsage},
    Subcommand{"fuzz", "fuzz a KMS over Annex A (--sut) or a MIKEY parser process (--exec)",
               &fuzz_main, kFuzzUsage},
    Subcommand{"ue", "the sample UE hook: reference Initiator/Responder over JSON lines", &ue_main,
               kUeUsage},
    Subcommand{"help", "show this overview, or the usage of one subcommand", &help_main, ""},
};

const Subcommand* find_subcommand(std::string_view name) {
  for (const Subcommand& s : kSubcommands) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

void print_overview(std::ostream& os) {
  os << "usage: mikeyconf <command> [args]\n"
        "       mikeyconf --version\n"
        "\n"
        "Conformance and fuzz harness for MIKEY-TICKET (RFC 6043 on RFC 3830) as profiled by\n"
        "3GPP TS 33.328.\n"
        "\n"
        "commands:\n";
  for (const Subcommand& s : kSubcommands) {
    os << "  " << s.name << std::string(s.name.size() < 10 ? 10 - s.name.size() : 1, ' ')
       << s.summary << "\n";
  }
  os << "\n'mikeyconf help <command>' shows the usage of one command.\n"
        "exit status: 0 pass, 1 failure, 2 usage or configuration error, 3 setup error\n";
}

int help_error(Io& io, std::string_view name) {
  io.err << "mikeyconf help: unknown command '" << name << "'\n";
  print_overview(io.err);
  return kExitUsage;
}

int help_main(std::span<const std::string_view> args, Io& io) {
  CLI::App app;
  positional(app, "COMMAND");
  auto parsed = parse_args(app, args);
  if (!parsed.ok() || parsed->help) return help_error(io, args[0]);
  if (parsed->positional.empty()) {
    print_overview(io.out);
    return kExitOk;
  }
  const Subcommand* s = find_subcommand(args[0]);
  if (s == nullptr) return help_error(io, args[0]);
  if (!s->usage.empty()) {
    io.out << s->usage;
    return kExitOk;
  }
  const std::string_view help_flag[] = {"--help"};
  return s->run(help_flag, io);
}

// The subcommand `argv` starts with, or nullptr; `help` and `version` tell whether those options
// came before any subcommand name.
const Subcommand* parse_top_level(std::span<const std::string_view> argv, bool& help,
                                  bool& version) {
  CLI::App app;
  app.set_help_flag();
  app.prefix_command();          // what follows the subcommand's name is the subcommand's
  app.require_subcommand(0, 1);  // "mikeyconf replay help": 'help' is replay's BUNDLE
  CLI::Option* help_flag = app.add_flag("-h,--help");
  CLI::Option* version_flag = app.add_flag("--version");
  auto add = [&app](std::string_view name, std::string_view summary) {
    CLI::App* sub = app.add_subcommand(std::string(name), std::string(summary));
    sub->set_help_flag();
    sub->prefix_command();
  };
  for (const Subcommand& s : kSubcommands) add(s.name, s.summary);
  add("version", "");  // same as --version
  std::vector<std::string> reversed(argv.rbegin(), argv.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::Error&) {
    return nullptr;  // only a bad top-level flag ("--help=x") gets here: an unknown command
  }
  const std::vector<CLI::App*> chosen = app.get_subcommands();
  help = help_flag->count() > 0;
  version = version_flag->count() > 0 || (!chosen.empty() && chosen[0]->get_name() == "version");
  // Options after the subcommand's name are its own, so the name must come first.
  if (chosen.empty() || chosen[0]->get_name() != argv[0]) return nullptr;
  return find_subcommand(argv[0]);
}

int dispatch(std::span<const std::string_view> argv, Io& io) {
  if (argv.empty()) {
    print_overview(io.err);
    return kExitUsage;
  }
  bool help = false, version = false;
  const Subcommand* s = parse_top_level(argv, help, version);
  if (help) {
    print_overview(io.out);
    return kExitOk;
  }
  if (version) {
    io.out << "mikeyconf " << harness::mikeyconf_version() << "\n";
    return kExitOk;
  }
  if (s == nullptr) {
    io.err << "mikeyconf: unknown command '" << argv[0] << "'\n\n";
    print_overview(io.err);
    return kExitUsage;
  }
  return s->run(argv.subspan(1), io);
}

}  // namespace
}  // namespace mikeyconf::tools

int main(int argc, char** argv) {
  using namespace mikeyconf::tools;
  std::ios::sync_with_stdio(false);
  std::vector<std::string_view> args;
  for (const char* arg : std::span(argv, static_cast<std::size_t>(argc)).subspan(1)) {
    args.emplace_back(arg);
  }
  Io io{std::cin, std::cout, std::cerr};
  try {
    return dispatch(args, io);
  } catch (const std::exception& e) {
    // Configuration errors may throw inside loaders and are reported here.
    std::cerr << "mikeyconf: " << e.what() << "\n";
    return kExitSetup;
  }
}
