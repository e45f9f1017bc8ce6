// What `mikeyconf fuzz --sut` writes for a campaign (reports/README.md "Fuzz campaigns"):
//   DIR/campaign.json, DIR/campaign.html     the campaign: counts, answers, findings
//   DIR/findings/<id>/case.yaml              the minimised regression case of one finding
//   DIR/findings/<id>/bundle/                its repro bundle (`mikeyconf replay` takes it)
//   DIR/regression/                          a suite folder: the sanity case + every finding's
//                                            case (`mikeyconf run --cases DIR/regression`)
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "harness/live_fuzz.h"
#include "harness/profile.h"
#include "wire/result.h"

namespace mikeyconf::reports {

// Writes every file above; returns the files written (relative to `out_dir`) or a message naming
// the file that could not be written. `sanity` is the sanity case of the campaign's role.
mikey::Result<std::vector<std::filesystem::path>, std::string> write_campaign(
    const harness::Campaign& campaign, const harness::Scenario& sanity,
    const harness::SutProfile& profile, const std::filesystem::path& out_dir);

}  // namespace mikeyconf::reports
