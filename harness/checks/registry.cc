#include "harness/checks/registry.h"

#include <algorithm>
#include <array>

#include "harness/ue_checks.h"

namespace mikeyconf::harness::checks {

std::span<const Family* const> families() {
  // UE first: it also says which checks a UE role cannot use (ue_loader.h).
  static const std::array<const Family*, 6> all = {&kUeFamily,    &kForwardedFamily, &kTicketFamily,
                                                   &kMikeyFamily, &kKeysFamily,      &kHttpFamily};
  return all;
}

const Family& family_of(CheckKey key) {
  for (const Family* f : families())
    if (std::find(f->keys.begin(), f->keys.end(), key) != f->keys.end()) return *f;
  return kHttpFamily;  // unreachable: every key has one family (check_registry_test)
}

std::optional<Check> read_check(const detail::Ctx& ctx, const std::string& key,
                                const YAML::Node& key_node, const YAML::Node& value, SutRole role) {
  for (const Family* f : families())
    if (auto c = f->read(ctx, key, key_node, value, role)) return c;
  return std::nullopt;
}

ExpectationResult start(const Check& c) {
  ExpectationResult r;
  // forwarded.* and ue.* name themselves (chain.h, ue_checks.h).
  const bool named = c.key == CheckKey::http_header || c.key == CheckKey::ticket;
  r.key = named ? c.name() : std::string(to_string(c.key));
  r.expected = c.expected_text();
  return r;
}

ExpectationResult judge(std::size_t step, const Check& c, const Evidence& e) {
  if (e.ue != nullptr) return judge_ue_check(step, c, *e.ue);
  ExpectationResult r = family_of(c.key).judge(c, e);
  r.step = step;
  return r;
}

}  // namespace mikeyconf::harness::checks
