// results.json (schema "mikeyconf.results/1", reports/README.md): the lossless record of a run.
// Every case, verdict, expectation, seed and timing, and the transcript with every byte in hex;
// each MIKEY message also with its decoded summary (decoded.h).
#pragma once

#include <string>

#include "harness/results.h"

namespace mikeyconf::reports {

// The whole document (ends with a newline).
std::string results_json(const harness::RunResult& run);

// One case exactly as it appears in results.json's "cases" array (a bundle's transcript.json).
std::string case_json(const harness::CaseResult& c);

}  // namespace mikeyconf::reports
