// Internal to the check readers (checks_*.cc, http_answer.cc): a check's value that may be one
// scalar or a list of them. Includes yaml-cpp through yaml_util.h; fails through Ctx.
#pragma once

#include <string>
#include <string_view>

#include "harness/yaml_util.h"

namespace mikeyconf::harness::detail {

// `key: VALUE | [VALUES]`: `one(node)` for each value; an empty list fails.
template <class F>
void each_value(const Ctx& ctx, const YAML::Node& v, std::string_view what, F&& one) {
  if (!v.IsSequence()) {
    one(v);
    return;
  }
  if (v.size() == 0) ctx.fail(v, std::string(what) + " needs at least one value");
  for (const YAML::Node& n : v) one(n);
}

}  // namespace mikeyconf::harness::detail
