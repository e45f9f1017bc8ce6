// What `mikeyconf fuzz --exec` writes (exec_fuzz.h): a finding's folder and the campaign summary.
#pragma once

#include <optional>
#include <string>

#include "harness/exec_fuzz.h"

namespace mikeyconf::harness {

// OUT/findings/<id>/: input.bin, input.hex (32 bytes a line) and finding.json (kind, signal or
// timeout, sanitizer report, command and replay line, sizes, the decoded tree of the input as
// `mikeyconf decode --json` prints it). An error message when a file cannot be written.
std::optional<std::string> write_finding(const ExecFinding& f, const ExecFuzzOptions& options);

// OUT/campaign.json: options, executions, seeds, exit statuses, findings, why it stopped.
std::optional<std::string> write_campaign(const ExecCampaign& c, const ExecFuzzOptions& options);

}  // namespace mikeyconf::harness
