// `mikeyconf run` (the conformance suite against a SUT, or against the embedded reference KMS),
// `mikeyconf replay` (one case again from a repro bundle), `mikeyconf list` and
// `mikeyconf explain` (what the suite contains). Exit codes (tools/README.md): 0 every case that
// ran passed, 1 a case failed (fail or xpass), 2 usage or configuration error (a file that does not
// load: FILE:LINE:COL), 3 setup error or a case that could not be run (SUT unreachable).
#pragma once

#include <span>
#include <string_view>

#include "tools/cli.h"

namespace mikeyconf::tools {

extern const std::string_view kRunUsage;
extern const std::string_view kReplayUsage;
extern const std::string_view kListUsage;
extern const std::string_view kExplainUsage;

// `mikeyconf run [--sut PROFILE] [--embedded] [--baseline FILE | --no-baseline] [--cases DIR]
// [--filter GLOB]... [--case ID]... [--seed N] [--strict] [--jobs N] [--out DIR]
// [--sign-key PEM] [--no-progress]` (kRunUsage).
int run_main(std::span<const std::string_view> args, Io& io);

// `mikeyconf replay BUNDLE [--out DIR] [--sut PROFILE [--embedded]] [--no-progress]`.
int replay_main(std::span<const std::string_view> args, Io& io);

// `mikeyconf list [--cases DIR] [--filter GLOB]... [--role ROLE]`.
int list_main(std::span<const std::string_view> args, Io& io);

// `mikeyconf explain CASE [--cases DIR]`; an unknown id exits 2 naming the closest ids.
int explain_main(std::span<const std::string_view> args, Io& io);

}  // namespace mikeyconf::tools
