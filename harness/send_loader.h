// Internal to the scenario loader (loader.cc): reading a send step and the `set:` / `mutate:`
// entries other steps share. Not a public header: it includes yaml-cpp through yaml_util.h and
// throws LoadFailure like the loaders.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/scenario.h"
#include "harness/yaml_util.h"

namespace mikeyconf::harness::detail {

// Which settings each step kind accepts (harness/README.md "set").
constexpr std::uint8_t kForRequest = 1, kForResolve = 2, kForCreate = 4;

// What the steps before this one did (what a later step may rely on).
struct StepState {
  SutRole role = SutRole::kms;
  bool sent = false;          // a send step came before
  bool resolve_sent = false;  // a RESOLVE_INIT_PSK send came before
  bool request_sent = false;
};

// `set:`: nested mappings flattened into dotted keys, each checked against the step's settings.
void read_settings(const Ctx& ctx, const YAML::Node& node, const std::string& prefix,
                   std::uint8_t step, std::vector<Setting>& out);

// `mutate:` (a list of knobs) and `re_protect:` (only with knobs), as send and kms_answer steps
// take them.
std::vector<Mutation> read_mutations(const Ctx& ctx, const YAML::Node& node);
bool read_re_protect(const Ctx& ctx, MapReader& map, const std::vector<Mutation>& mutate);

// A step with `send: KIND` (`send` is that value), read from the step's map.
SendStep read_send_step(const Ctx& ctx, MapReader& map, const YAML::Node& node,
                        const YAML::Node& send, StepState& state);

}  // namespace mikeyconf::harness::detail
