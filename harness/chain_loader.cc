#include "harness/chain_loader.h"

#include <string_view>

#include "harness/chain.h"

namespace mikeyconf::harness::detail {

namespace {

constexpr std::string_view kForwarded = "forwarded.";
// forwarded.count takes a number, accepted true or false, the others only true.
constexpr std::string_view kTrueOnly[] = {"copied", "own", "keys_kept", "mutual_tls"};

}  // namespace

std::optional<Check> read_chain_check(const Ctx& ctx, const std::string& key,
                                      const YAML::Node& key_node, const YAML::Node& value,
                                      SutRole role) {
  if (key.rfind(kForwarded, 0) != 0) return std::nullopt;
  if (role != SutRole::kms_r) {
    ctx.fail(key_node, key +
                           ": forwarded.* checks are for sut_role kms_r (the tap on the "
                           "harness KMS_I)");
  }
  Check c;
  c.key = CheckKey::forwarded;
  c.pos = pos_of(key_node);
  ForwardedCheck f;
  f.name = key.substr(kForwarded.size());
  if (f.name == "count") {
    f.count = static_cast<int>(ctx.integer(value, key, 0, 100));
    c.spec = std::move(f);
    return c;
  }
  if (f.name == "accepted") {
    f.value = ctx.boolean(value, key);
    c.spec = std::move(f);
    return c;
  }
  for (std::string_view name : kTrueOnly) {
    if (f.name != name) continue;
    if (!ctx.boolean(value, key))
      ctx.fail(value, key + " can only be true (leave it out otherwise)");
    c.spec = std::move(f);
    return c;
  }
  ctx.fail(key_node, "unknown check '" + key +
                         "' (forwarded.count, forwarded.accepted, forwarded.copied, "
                         "forwarded.own, forwarded.keys_kept, forwarded.mutual_tls)");
}

void check_chain_send(const Ctx& ctx, const YAML::Node& step, const SendStep& send, SutRole role) {
  if (send.from == Party::kms_r) {
    const YAML::Node from = step["from"];
    if (role != SutRole::kms_i) {
      ctx.fail(from, "from: kms_r is for sut_role kms_i (the harness plays KMS_R)");
    }
    if (send.message != MessageKind::resolve_init_psk) {
      ctx.fail(from, "the harness KMS_R sends RESOLVE_INIT_PSK only");
    }
  }
  for (const Setting& s : send.set) {
    if (s.key.rfind("kms_i.", 0) == 0) {
      if (role != SutRole::kms_r) ctx.fail(s.pos, s.key + ": is for sut_role kms_r");
      const auto* name = std::get_if<std::string>(&s.value);
      if (name == nullptr || !parse_kms_i_answer(*name)) {
        ctx.fail(s.pos, s.key + " must be one of " + std::string(kms_i_answer_names()));
      }
    }
    if (s.key.rfind("link.", 0) == 0 && send.from != Party::kms_r) {
      ctx.fail(s.pos, s.key + ": is for from: kms_r (the KMS-to-KMS link)");
    }
  }
}

}  // namespace mikeyconf::harness::detail
