// The parts of report.html that say what a run's verdicts rest on: the setup error when the
// profile did not match the SUT (shown above everything else), and "What this run did not test"
// — the capabilities, levels and latitude choices the profile declared, and the skipped cases
// grouped by reason.
#pragma once

#include <string>

#include "harness/results.h"

namespace mikeyconf::reports {

// A banner with the setup error and the probes that found it; "" when there is none.
std::string setup_banner(const harness::RunResult& run);

// <section id="scope">: what the profile declared and every case the run left out, by reason.
std::string scope_section(const harness::RunResult& run);

}  // namespace mikeyconf::reports
