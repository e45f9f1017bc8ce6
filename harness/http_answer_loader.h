// Internal to the scenario loader (loader.cc): reading the `http.answer:` check (http_answer.h).
// Not a public header: it includes yaml-cpp through yaml_util.h and throws LoadFailure like the
// loaders.
#pragma once

#include <optional>
#include <string>

#include "harness/scenario.h"
#include "harness/yaml_util.h"

namespace mikeyconf::harness::detail {

// `http.answer: VALUE | [VALUES]` with status codes, classes (4xx), `closed` and `timeout`;
// nullopt for any other key.
std::optional<Check> read_http_answer_check(const Ctx& ctx, const std::string& key,
                                            const YAML::Node& key_node, const YAML::Node& value);

}  // namespace mikeyconf::harness::detail
