// What the reference parties made of the answer: verify (the sender's keys verify its MAC and
// decrypt its KEMAC, RFC 6043 §5.3/§5.5) and keys_equal (Initiator and Responder derived the
// same SRTP keys, RFC 3830 §4.1).
#include "harness/checks/registry.h"
#include "harness/yaml_util.h"

namespace mikeyconf::harness::checks {

namespace {

using detail::Ctx;

constexpr CheckKey kKeys[] = {CheckKey::verify, CheckKey::keys_equal};

std::optional<Check> read(const Ctx& ctx, const std::string& key, const YAML::Node& key_node,
                          const YAML::Node& v, SutRole /*role*/) {
  Check c;
  c.pos = detail::pos_of(key_node);
  if (key == "keys_equal") {
    c.key = CheckKey::keys_equal;
    c.spec = TrueCheck{};
    if (!ctx.boolean(v, key)) ctx.fail(v, key + " can only be true (leave it out otherwise)");
  } else if (key == "verify") {
    c.key = CheckKey::verify;
    const std::string word = ctx.string(v, key);
    if (word != "ok" && word != "fail") ctx.fail(v, "verify must be ok or fail");
    c.spec = WordCheck{word};
  } else {
    return std::nullopt;
  }
  return c;
}

ExpectationResult judge(const Check& c, const Evidence& e) {
  ExpectationResult r = start(c);
  if (c.key == CheckKey::verify) {
    r.actual = (e.verify.ok ? "ok (" : "fail (") + e.verify.detail + ")";
    r.ok = e.verify.ok == (c.as<WordCheck>().word == "ok");
    return r;
  }
  if (e.kind != MessageKind::resolve_init_psk) {
    r.actual = "no key comparison: the last exchange was not a Ticket Resolve";
    return r;
  }
  r.ok = e.keys_equal.value_or(false);
  r.actual = (r.ok ? "true (" : "false (") + e.keys_detail + ")";
  return r;
}

}  // namespace

constexpr Family kKeysFamily{"keys", kKeys, read, judge};

}  // namespace mikeyconf::harness::checks
