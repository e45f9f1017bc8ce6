// Internal to the scenario loader (loader.cc): the `refused:` check and the `inconclusive_if:`
// clause of an expect step. Not a public header: it includes yaml-cpp through yaml_util.h and
// throws LoadFailure like the loaders.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/scenario.h"
#include "harness/yaml_util.h"

namespace mikeyconf::harness::detail {

// `refused: CLASS` or `refused: {because: CLASS, error_no: NUMBER | [NUMBERS] | any}`
// (refusal.h); nullopt for any other key. An authenticated refusal needs error_no.
std::optional<Check> read_refusal_check(const Ctx& ctx, const std::string& key,
                                        const YAML::Node& key_node, const YAML::Node& value);

// `inconclusive_if: {excuses: [KEYS], when: {CHECKS}, because: LATITUDE-ID}` (scenario.h
// InconclusiveClause). `read_checks` reads the `when:` map; every excused key must name a check
// of the same step (`checks`).
InconclusiveClause read_inconclusive(
    const Ctx& ctx, const YAML::Node& node, const std::vector<Check>& checks,
    const std::function<std::vector<Check>(const YAML::Node&)>& read_checks);

}  // namespace mikeyconf::harness::detail
