// Internal to the harness loaders (loader.cc, profile.cc): the UE-role parts of the scenario and
// profile schemas — `ue:` and `kms_answer:` steps, ue.* / kms.* checks, the profile's `hook:`
// (harness/README.md "UE hooks"). Not a public header: it includes yaml-cpp through yaml_util.h
// and throws LoadFailure like the loaders.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/profile.h"
#include "harness/scenario.h"
#include "harness/yaml_util.h"

namespace mikeyconf::harness::detail {

bool is_ue_role(SutRole role) noexcept;

// Profile `hook:` — exactly one of `exec: [argv...]` / `http: URL`, optional `timeout_ms`.
UeHookSpec read_ue_hook(const Ctx& ctx, const YAML::Node& node);

// A UE is driven with ue: / kms_answer: steps (and create_ticket for a Responder under test);
// a KMS with send: / create_ticket: steps (the loader reads ue: and kms_answer: only in the UE
// roles). Fails on a step kind the UE role cannot run.
void check_step_kind_for_role(const Ctx& ctx, const YAML::Node& step, SutRole role, bool send,
                              bool create_ticket);

// `ue: initiate | transfer_resp | transfer_init` with its set:, mutate:, resend:, mode:.
UeStep read_ue_step(const Ctx& ctx, MapReader& step, const YAML::Node& op, SutRole role);
// `kms_answer: {...}`.
KmsAnswerStep read_kms_answer(const Ctx& ctx, const YAML::Node& node);

// A ue.* or kms.* check (CheckKey::ue, a UeCheck), or nullopt for a check the
// generic reader handles. Fails for a UE check outside the UE roles, for a check a UE role
// cannot use (http.*, outcome: a UE answers through its hook, not over HTTP) and for a bad value.
std::optional<Check> read_ue_check(const Ctx& ctx, const std::string& key,
                                   const YAML::Node& key_node, const YAML::Node& value,
                                   SutRole role);

// Defined in send_loader.cc: its reader of `set:` (the settings of REQUEST and RESOLVE steps);
// `mutate:` is send_loader.h read_mutations.
std::vector<Setting> read_ue_settings(const Ctx& ctx, const YAML::Node& node);

}  // namespace mikeyconf::harness::detail
