// campaign.html (reports/README.md "Fuzz campaigns"): one self-contained page for a live fuzzing
// campaign, built like report.html — no external reference, a Content-Security-Policy that allows
// no script at all, every text escaped and what came from the SUT cut (html_text.h).
#pragma once

#include <string>

#include "harness/live_fuzz.h"
#include "harness/profile.h"
#include "reports/campaign.h"

namespace mikeyconf::reports {

std::string campaign_html(const harness::Campaign& campaign, const harness::SutProfile& profile,
                          const CampaignPaths& paths);

}  // namespace mikeyconf::reports
