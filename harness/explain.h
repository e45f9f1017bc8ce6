// Text for `mikeyconf list` and `mikeyconf explain CASE`. (The suite runner behind `mikeyconf run`
// is in setup.h, included here for its users.)
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/engine.h"
#include "harness/requirements.h"
#include "harness/results.h"
#include "harness/scenario.h"
#include "harness/setup.h"

namespace mikeyconf::harness {

// One line per scenario: "<id>  <level>  <sut_role>  <title>".
std::string list_text(const std::vector<Scenario>& suite);

// Everything about one case: id, title, file:line, level, SUT role, needs, tags, each cited
// requirement with its source and summary (when `requirements` is given), and the steps.
std::string explain_text(const Scenario& s, const RequirementTable* requirements);

}  // namespace mikeyconf::harness
