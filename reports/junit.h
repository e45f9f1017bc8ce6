// junit.xml for CI (reports/README.md): one <testcase> per case; fail and xpass → <failure>,
// error → <error>, skipped, xfail and inconclusive → <skipped>; the verdict name, seed, level,
// requirements and replay command are kept as <property> elements so nothing is lost.
#pragma once

#include <string>

#include "harness/results.h"

namespace mikeyconf::reports {

std::string junit_xml(const harness::RunResult& run);

}  // namespace mikeyconf::reports
