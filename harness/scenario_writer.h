// A Scenario written back as YAML that the scenario loader (loader.h) reads to an equal scenario:
// the form of the regression cases `mikeyconf fuzz --sut` writes for its findings.
#pragma once

#include <string>

#include "harness/scenario.h"

namespace mikeyconf::harness {

std::string to_yaml(const Scenario& scenario);

}  // namespace mikeyconf::harness
