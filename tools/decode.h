// `mikeyconf decode`: MIKEY bytes (hex, base64 or binary) → the annotated field tree or its JSON
// form (reference/inspect: input.h, decode.h, render.h), optionally written to a pcap as well.
#pragma once

#include <span>
#include <string_view>

#include "tools/cli.h"

namespace mikeyconf::tools {

// mikeyconf decode [--hex|--base64|--binary] [--json] [--pcap FILE] [FILE|-]
// Exit codes: 0 valid, 1 malformed (partial tree and the failing offset printed), 2 usage
// (unknown option, unreadable file, empty input, bad hex/base64).
int decode_main(std::span<const std::string_view> args, Io& io);
extern const std::string_view kDecodeUsage;

}  // namespace mikeyconf::tools
