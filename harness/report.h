// Report writers for a RunResult: results.json (lossless: every case, verdict, expectations,
// transcript with all bytes in hex, seeds, timing) and junit.xml (CI). HTML, pcap and repro
// bundles are not written yet. (design.md puts writers in a later `reports/` library; they live
// here until it exists and only read the result types.)
#pragma once

#include <filesystem>
#include <string>

#include "harness/results.h"
#include "wire/result.h"

namespace mikeyconf::harness {

// Schema "mikeyconf.results/1" (harness/README.md "results.json"). Every MIKEY message appears as
// hex with a decoded summary (data type, payloads, Error numbers, deviations, layout fields).
std::string results_json(const RunResult& run);

// JUnit XML: one <testcase> per case; fail and xpass → <failure>, error → <error>, skipped,
// xfail and inconclusive → <skipped>; the verdict name, seed, level, requirements and replay
// command are kept as <property> elements so nothing is lost.
std::string junit_xml(const RunResult& run);

// Writes `dir`/results.json and `dir`/junit.xml (creating `dir`). Fails with a message.
mikey::Result<bool, std::string> write_reports(const RunResult& run,
                                               const std::filesystem::path& dir);

}  // namespace mikeyconf::harness
