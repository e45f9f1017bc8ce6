// The checks of an expect step, by family (harness/README.md "Checks"): each family declares its
// keys once — how the loader reads them from a case and how the engine judges them against the
// step's Evidence. The loader (loader.cc) and the KMS runners share this table; the UE roles
// judge the same keys against the UE's answer (ue_checks.h).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "harness/checks/evidence.h"
#include "harness/results.h"
#include "harness/scenario.h"

namespace YAML {
class Node;
}

namespace mikeyconf::harness {

namespace detail {
class Ctx;
}

namespace checks {

// Reads `key: value` when `key` is one of the family's (nullopt otherwise); a bad value fails
// through `ctx` (LoadFailure), as every loader error does.
using Reader = std::optional<Check> (*)(const detail::Ctx& ctx, const std::string& key,
                                        const YAML::Node& key_node, const YAML::Node& value,
                                        SutRole role);
// Judges a check of one of the family's keys; `step` is set by the caller.
using Judge = ExpectationResult (*)(const Check& c, const Evidence& e);

struct Family {
  std::string_view name;
  std::span<const CheckKey> keys;
  Reader read;
  Judge judge;
};

// The families (checks_*.cc), in the order the loader asks them.
extern const Family kUeFamily;
extern const Family kForwardedFamily;
extern const Family kTicketFamily;
extern const Family kMikeyFamily;
extern const Family kKeysFamily;
extern const Family kHttpFamily;
std::span<const Family* const> families();

// The family that judges `key`.
const Family& family_of(CheckKey key);

// Reads one check of an expect step; nullopt: no family knows the key.
std::optional<Check> read_check(const detail::Ctx& ctx, const std::string& key,
                                const YAML::Node& key_node, const YAML::Node& value, SutRole role);

// Judges `c` against what the step observed.
ExpectationResult judge(std::size_t step, const Check& c, const Evidence& e);

// The result skeleton every judge starts from: key as reported, expected value, not ok.
ExpectationResult start(const Check& c);

}  // namespace checks
}  // namespace mikeyconf::harness
