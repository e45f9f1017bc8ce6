// What `mikeyconf fuzz --sut` writes for a campaign (reports/README.md "Fuzz campaigns"):
//   DIR/campaign.json, DIR/campaign.html     the campaign: counts, answers, findings
//   DIR/findings/<id>/case.yaml              the minimised regression case of one finding
//   DIR/findings/<id>/bundle/                its repro bundle (`mikeyconf replay` takes it)
//   DIR/regression/                          a suite folder: the sanity case + every finding's
//                                            case (`mikeyconf run --cases DIR/regression`)
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "harness/live_fuzz.h"
#include "harness/profile.h"
#include "wire/result.h"

namespace mikeyconf::reports {

inline constexpr std::string_view kCampaignSchema = "mikeyconf.fuzz-campaign/1";

// Where a campaign's files go (relative to `out_dir`) and the commands that run them again.
struct CampaignPaths {
  std::filesystem::path out_dir;
  std::string profile_file;  // as given on the command line
  std::string sanity_id;
  // Finding id → the loader's error for a case it does not read back (in case.yaml only).
  std::map<std::string, std::string> unreadable;

  std::filesystem::path finding_dir(const harness::Finding& f) const;      // findings/<id>
  std::filesystem::path case_yaml(const harness::Finding& f) const;        // .../case.yaml
  std::filesystem::path bundle_dir(const harness::Finding& f) const;       // .../bundle
  std::filesystem::path regression_yaml(const harness::Finding& f) const;  // regression/<case>.yaml
  std::filesystem::path sanity_yaml() const;                    // regression/<sanity>.yaml
  std::string replay_command(const harness::Finding& f) const;  // mikeyconf replay OUT/.../bundle
  std::string suite_command() const;  // mikeyconf run --sut PROFILE --cases OUT/regression
  std::string run_command(const harness::Finding& f) const;  // the same, --case <its id>
};

// `s` as one word of a POSIX shell command line (single-quoted unless it needs no quoting).
std::string shell_word(std::string_view s);

// Writes every file above; returns the files written (relative to `out_dir`) or a message naming
// the file that could not be written. `sanity` is the sanity case of the campaign's role.
mikey::Result<std::vector<std::filesystem::path>, std::string> write_campaign(
    const harness::Campaign& campaign, const harness::Scenario& sanity,
    const harness::SutProfile& profile, const std::filesystem::path& out_dir);

}  // namespace mikeyconf::reports
