// `mikeyconf profile`: the SUT profile of a KMS from its KMS configuration (harness/README.md
// "SUT profile", configs/README.md), ready for `mikeyconf run --sut`.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "config/kms_config.h"
#include "tools/cli.h"

namespace mikeyconf::tools {

extern const std::string_view kProfileUsage;

// The profile text: role kms at `url`, kms_config naming `config_ref` (as written in the
// profile), every user of the configuration (peer KMSs excepted) named by its identity's user
// part, the first two as Initiator and Responder, and the capabilities the configuration's policy
// and keys give.
std::string profile_from_kms_config(const mikey::config::LoadedKmsConfig& config,
                                    const std::string& name, const std::string& url,
                                    const std::string& config_ref);

// `mikeyconf profile --from-kms-config FILE --url URL [--out FILE]`. The profile goes to standard
// output, or to --out (its kms_config then relative to that file). Exit 0; 2 on a usage error or
// when FILE or the written profile does not load (FILE:LINE:COL); 3 when --out cannot be written.
int profile_main(std::span<const std::string_view> args, Io& io);

}  // namespace mikeyconf::tools
