#include "harness/refusal_loader.h"

#include <algorithm>

#include "harness/names.h"

namespace mikeyconf::harness::detail {

namespace {

void read_error_numbers(const Ctx& ctx, const YAML::Node& v, RefusalCheck& c) {
  if (v.IsScalar() && v.Scalar() == "any") {
    c.any_error_no = true;
    return;
  }
  auto one = [&](const YAML::Node& n) {
    if (auto i = plain_integer(n)) {
      c.error_nos.push_back(static_cast<int>(ctx.integer(n, "refused.error_no", 0, 255)));
      return;
    }
    const std::string s = ctx.string(n, "refused.error_no");
    auto cp = code_point_value("ErrorNo", s);
    if (!cp) ctx.fail(n, "'" + s + "' is not an Error no name or number (or any)");
    c.error_nos.push_back(static_cast<int>(*cp));
  };
  if (!v.IsSequence()) return one(v);
  if (v.size() == 0) ctx.fail(v, "refused.error_no needs at least one value");
  for (const YAML::Node& n : v) one(n);
}

RefusalClass read_class(const Ctx& ctx, const YAML::Node& n) {
  const std::string s = ctx.string(n, "refused");
  auto c = parse_refusal_class(s);
  if (!c)
    ctx.fail(n, "refused: '" + s +
                    "' is not authenticated, auth_failure, malformed or "
                    "discarded (harness/README.md \"Refusals\")");
  return *c;
}

}  // namespace

std::optional<Check> read_refusal_check(const Ctx& ctx, const std::string& key,
                                        const YAML::Node& key_node, const YAML::Node& value) {
  if (key != "refused") return std::nullopt;
  Check c;
  c.key = CheckKey::refused;
  c.pos = pos_of(key_node);
  RefusalCheck r;
  if (value.IsScalar()) {
    r.refusal = read_class(ctx, value);
  } else {
    MapReader m(ctx, value, "refused");
    if (auto b = m.get("because")) r.refusal = read_class(ctx, *b);
    if (auto e = m.get("error_no")) read_error_numbers(ctx, *e, r);
    m.finish();
  }
  if (r.refusal == RefusalClass::authenticated && r.error_nos.empty() && !r.any_error_no) {
    ctx.fail(value, "refused: an authenticated refusal names its error_no (or error_no: any)");
  }
  c.spec = std::move(r);
  return c;
}

InconclusiveClause read_inconclusive(
    const Ctx& ctx, const YAML::Node& node, const std::vector<Check>& checks,
    const std::function<std::vector<Check>(const YAML::Node&)>& read_checks) {
  if (!node.IsMap() || !node["excuses"]) {
    ctx.fail(node,
             "inconclusive_if: {excuses: [check keys], when: {checks}, because: "
             "latitude id} (harness/README.md)");
  }
  MapReader m(ctx, node, "inconclusive_if");
  InconclusiveClause c;
  c.pos = pos_of(node);
  const YAML::Node excuses = m.require("excuses");
  c.excuses = ctx.strings(excuses, "inconclusive_if.excuses", true);
  for (const std::string& k : c.excuses) {
    const bool named =
        std::any_of(checks.begin(), checks.end(), [&](const Check& x) { return x.name() == k; });
    if (!named) ctx.fail(excuses, "inconclusive_if excuses '" + k + "', not a check of this step");
  }
  c.because = ctx.string(m.require("because"), "inconclusive_if.because");
  if (auto w = m.get("when")) c.when = read_checks(*w);
  m.finish();
  return c;
}

}  // namespace mikeyconf::harness::detail
