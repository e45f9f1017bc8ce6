// Internal to the scenario loader (loader.cc): the chaining parts of the scenario schema
// (sut_role kms_r / kms_i; harness/README.md "Chaining") — `from: kms_r`, the `kms_i.*` and
// `link.*` settings and the forwarded.* checks. Not a public header: it includes yaml-cpp
// through yaml_util.h and throws LoadFailure like the loaders.
#pragma once

#include <optional>
#include <string>

#include "harness/scenario.h"
#include "harness/yaml_util.h"

namespace mikeyconf::harness::detail {

// A forwarded.* check (CheckKey::forwarded, a ForwardedCheck), or nullopt for a key the
// generic reader handles. Fails outside sut_role kms_r and for an unknown name or a bad value.
std::optional<Check> read_chain_check(const Ctx& ctx, const std::string& key,
                                      const YAML::Node& key_node, const YAML::Node& value,
                                      SutRole role);

// The chaining rules of one send step, after the generic reader: `from: kms_r` only for
// RESOLVE_INIT_PSK in sut_role kms_i; `kms_i.answer` only in sut_role kms_r (and one of
// KmsIAnswer's names); `link.*` only with from: kms_r.
void check_chain_send(const Ctx& ctx, const YAML::Node& step, const SendStep& send, SutRole role);

}  // namespace mikeyconf::harness::detail
