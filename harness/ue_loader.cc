// The UE-role parts of the scenario and profile schemas (ue_loader.h; harness/README.md "UE
// hooks").
#include "harness/ue_loader.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "harness/names.h"
#include "harness/send_loader.h"

namespace mikeyconf::harness::detail {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// http://host[:port]/path (the hook's own URL; plain HTTP on a lab network or loopback).
void check_hook_url(const Ctx& ctx, const YAML::Node& n, const std::string& url) {
  if (!starts_with(url, "http://")) ctx.fail(n, "hook http: must be an http:// URL");
  const std::string rest = url.substr(7);
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  if (authority.empty() || authority.front() == ':') ctx.fail(n, "hook http: has no host");
  if (url.find_first_of(" \t\r\n") != std::string::npos) ctx.fail(n, "hook http: has spaces");
}

}  // namespace

bool is_ue_role(SutRole role) noexcept {
  return role == SutRole::initiator || role == SutRole::responder;
}

UeHookSpec read_ue_hook(const Ctx& ctx, const YAML::Node& node) {
  MapReader map(ctx, node, "hook");
  UeHookSpec h;
  auto exec = map.get("exec");
  auto http = map.get("http");
  if (exec.has_value() == http.has_value()) ctx.fail(node, "hook needs exactly one of exec, http");
  if (exec) {
    if (!exec->IsSequence()) ctx.fail(*exec, "hook exec: must be a list (the argv)");
    h.exec = ctx.strings(*exec, "hook exec");
    if (h.exec.empty() || h.exec.front().empty()) ctx.fail(*exec, "hook exec: needs a program");
  } else {
    h.url = ctx.string(*http, "hook http");
    check_hook_url(ctx, *http, h.url);
  }
  if (auto t = map.get("timeout_ms")) {
    h.timeout_ms = static_cast<std::uint32_t>(ctx.integer(*t, "timeout_ms", 1, 3'600'000));
  }
  map.finish();
  return h;
}

void check_step_kind_for_role(const Ctx& ctx, const YAML::Node& step, SutRole role, bool send,
                              bool create_ticket) {
  if (!is_ue_role(role)) return;
  if (send) ctx.fail(step, "send: is for the KMS roles; a UE under test is driven with ue: steps");
  if (create_ticket && role != SutRole::responder) {
    ctx.fail(step,
             "create_ticket: (the harness Initiator's mode-3 ticket) needs sut_role responder");
  }
}

UeStep read_ue_step(const Ctx& ctx, MapReader& step, const YAML::Node& op, SutRole role) {
  UeStep u;
  const std::string name = ctx.string(op, "ue");
  auto parsed = parse_ue_op(name);
  if (!parsed) ctx.fail(op, "ue must be initiate, transfer_resp or transfer_init");
  u.op = *parsed;
  const bool for_initiator = u.op != UeOp::transfer_init;
  if (for_initiator != (role == SutRole::initiator)) {
    ctx.fail(op, "ue: " + name + " is for sut_role " +
                     std::string(for_initiator ? "initiator" : "responder"));
  }
  if (auto set = step.get("set")) {
    if (u.op == UeOp::transfer_resp)
      ctx.fail(*set, "transfer_resp takes no set: (it answers the UE's TRANSFER_INIT)");
    u.set = read_ue_settings(ctx, *set);
  }
  if (auto mutate = step.get("mutate")) {
    if (u.op == UeOp::initiate) ctx.fail(*mutate, "initiate hands the UE no MIKEY message");
    u.mutate = read_mutations(ctx, *mutate);
  }
  if (auto resend = step.get("resend")) {
    if (u.op != UeOp::transfer_init) ctx.fail(*resend, "resend is for ue: transfer_init");
    u.resend = ctx.boolean(*resend, "resend");
    if (u.resend && !u.set.empty()) ctx.fail(*resend, "resend sends the earlier bytes: no set:");
  }
  if (auto mode = step.get("mode")) {
    if (u.op != UeOp::initiate) ctx.fail(*mode, "mode is for ue: initiate");
    const auto m = ctx.integer(*mode, "mode", 1, 3);
    if (m == 2) ctx.fail(*mode, "mode must be 1 (the KMS issues the ticket) or 3 (the UE does)");
    u.mode = static_cast<std::uint8_t>(m);
  }
  return u;
}

KmsAnswerStep read_kms_answer(const Ctx& ctx, const YAML::Node& node) {
  MapReader map(ctx, node, "kms_answer");
  KmsAnswerStep k;
  if (auto e = map.get("error_no")) {
    if (plain_integer(*e)) {
      k.error_no = static_cast<int>(ctx.integer(*e, "error_no", 0, 255));
    } else {
      const std::string s = ctx.string(*e, "error_no");
      auto v = code_point_value("ErrorNo", s);
      if (!v) ctx.fail(*e, "'" + s + "' is not an ErrorNo name or number");
      k.error_no = static_cast<int>(*v);
    }
  }
  if (auto a = map.get("authenticated")) {
    k.authenticated = ctx.boolean(*a, "authenticated");
    if (k.authenticated && !k.error_no) ctx.fail(*a, "authenticated needs error_no");
  }
  if (auto m = map.get("mutate")) {
    k.mutate = read_mutations(ctx, *m);
  }
  k.re_protect = read_re_protect(ctx, map, k.mutate);
  if (auto g = map.get("grant_for")) {
    k.grant_for = ctx.strings(*g, "grant_for", true);
    if (k.grant_for.empty()) ctx.fail(*g, "grant_for needs at least one user");
  }
  if (auto s = map.get("status")) {
    k.status = static_cast<std::uint16_t>(ctx.integer(*s, "status", 100, 599));
  }
  if (auto c = map.get("content_type")) k.content_type = ctx.string(*c, "content_type");
  if (auto b = map.get("body_raw")) k.body_raw = ctx.string(*b, "body_raw");
  if (auto n = map.get("no_answer")) k.no_answer = ctx.boolean(*n, "no_answer");
  if (auto c = map.get("count")) {
    k.count = static_cast<std::uint32_t>(ctx.integer(*c, "count", 1, 1000));
  }
  map.finish();
  const int mikey_level =
      (k.error_no ? 1 : 0) + (!k.mutate.empty() ? 1 : 0) + (!k.grant_for.empty() ? 1 : 0);
  if (mikey_level > 1)
    ctx.fail(node, "kms_answer: error_no, mutate and grant_for exclude each other");
  if (k.no_answer && (mikey_level > 0 || k.status || k.content_type || k.body_raw)) {
    ctx.fail(node, "kms_answer: no_answer excludes every other answer setting");
  }
  if (k.status && (k.content_type || k.body_raw || mikey_level > 0)) {
    ctx.fail(node, "kms_answer: status answers with a text/plain body; nothing else applies");
  }
  return k;
}

namespace {

constexpr std::array kUeAnswerChecks = {"mikey.data_type",
                                        "mikey.error_no",
                                        "mikey.payloads_present",
                                        "mikey.payloads_absent",
                                        "mikey.hdr.v",
                                        "mikey.hdr.copied",
                                        "verify",
                                        "keys_equal",
                                        "within_ms"};

constexpr std::string_view kUeChecks =
    "ue.outcome, ue.fresh, ue.hdr.map_type, kms.requests, kms.request.mikey.data_type, "
    "kms.request.mikey.payloads_present, kms.request.mikey.payloads_absent, "
    "kms.request.mikey.hdr.v, kms.request.hdr.empty_map, kms.request.verify, kms.request.http, "
    "kms.request.http.content_type, kms.request.http.header.<name>, kms.request.identities, "
    "kms.request.fresh, kms.request.rand_min_bytes";

std::string join(const std::vector<std::string>& v) {
  if (v.size() == 1) return v.front();
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return "[" + out + "]";
}

// Code points (names or numbers) as UeCheck::numbers, and their display text.
void code_points(const Ctx& ctx, const YAML::Node& v, std::string_view registry,
                 const std::string& what, std::int64_t max, UeCheck& c) {
  std::vector<std::string> shown;
  auto one = [&](const YAML::Node& n) {
    if (plain_integer(n)) {
      c.numbers.push_back(static_cast<int>(ctx.integer(n, what, 0, max)));
    } else {
      const std::string s = ctx.string(n, what);
      auto cp = code_point_value(registry, s);
      if (!cp) ctx.fail(n, "'" + s + "' is not a " + std::string(registry) + " name or number");
      c.numbers.push_back(static_cast<int>(*cp));
    }
    const std::string_view name =
        code_point_name(registry, static_cast<std::uint32_t>(c.numbers.back()));
    shown.push_back(name.empty() ? std::to_string(c.numbers.back()) : std::string(name));
  };
  if (v.IsSequence()) {
    if (v.size() == 0) ctx.fail(v, what + " needs at least one value");
    for (const YAML::Node& n : v) one(n);
  } else {
    one(v);
  }
  c.expected = join(shown);
}

void word(const Ctx& ctx, const YAML::Node& v, const std::string& what,
          std::initializer_list<std::string_view> allowed, UeCheck& c) {
  c.expected = ctx.string(v, what);
  std::string list;
  for (std::string_view a : allowed) {
    if (c.expected == a) return;
    list += (list.empty() ? "" : " or ") + std::string(a);
  }
  ctx.fail(v, what + " must be " + list);
}

void only_true(const Ctx& ctx, const YAML::Node& v, const std::string& what, UeCheck& c) {
  if (!ctx.boolean(v, what)) ctx.fail(v, what + " can only be true (leave it out otherwise)");
  c.expected = "true";
}

// Fills `c` for a ue.* / kms.* key; false when the key is not one of them.
bool read_ue_value(const Ctx& ctx, const std::string& key, const YAML::Node& v, UeCheck& c) {
  constexpr std::string_view kHeader = "kms.request.http.header.";
  if (key == "ue.outcome") {
    word(ctx, v, key, {"accepted", "refused", "answered"}, c);
  } else if (key == "ue.fresh" || key == "kms.request.fresh" ||
             key == "kms.request.hdr.empty_map") {
    only_true(ctx, v, key, c);
  } else if (key == "ue.hdr.map_type") {
    code_points(ctx, v, "MapType", key, 255, c);
  } else if (key == "kms.requests") {
    std::vector<std::string> shown;
    auto one = [&](const YAML::Node& n) {
      c.numbers.push_back(static_cast<int>(ctx.integer(n, key, 0, 1000)));
      shown.push_back(std::to_string(c.numbers.back()));
    };
    if (v.IsSequence() && v.size() > 0) {
      for (const YAML::Node& n : v) one(n);
    } else {
      one(v);
    }
    c.expected = join(shown);
  } else if (key == "kms.request.mikey.data_type") {
    code_points(ctx, v, "DataType", key, 255, c);
  } else if (key == "kms.request.mikey.payloads_present" ||
             key == "kms.request.mikey.payloads_absent") {
    code_points(ctx, v, "PayloadType", key, 255, c);
    for (int t : c.numbers) c.payload_types.push_back(static_cast<std::uint8_t>(t));
  } else if (key == "kms.request.mikey.hdr.v") {
    c.numbers.push_back(static_cast<int>(ctx.integer(v, key, 0, 1)));
    c.expected = std::to_string(c.numbers.back());
  } else if (key == "kms.request.verify" || key == "kms.request.identities") {
    word(ctx, v, key, {"ok", "fail"}, c);
  } else if (key == "kms.request.http") {
    word(ctx, v, key, {"valid"}, c);
  } else if (key == "kms.request.http.content_type") {
    c.expected = ctx.string(v, key);
  } else if (starts_with(key, kHeader) && key.size() > kHeader.size()) {
    if (is_null(v)) {
      c.absent = true;
      c.expected = "(absent)";
    } else {
      c.expected = ctx.string(v, key);  // "*": present with any value
    }
  } else if (key == "kms.request.rand_min_bytes") {
    // `psk`: RFC 6043 §12.1 (T-12.1-2) — the RAND of a Request or Resolve is the only one of the
    // exchange, so it alone is at least as long as the UE's PSK.
    if (v.IsScalar() && v.Scalar() == "psk") {
      c.min_bytes = 0;
      c.expected = ">= the UE's PSK length";
    } else {
      c.min_bytes = static_cast<std::uint32_t>(ctx.integer(v, key, 1, 255));
      c.expected = ">= " + std::to_string(c.min_bytes) + " bytes";
    }
  } else {
    return false;
  }
  return true;
}

}  // namespace

std::optional<Check> read_ue_check(const Ctx& ctx, const std::string& key,
                                   const YAML::Node& key_node, const YAML::Node& value,
                                   SutRole role) {
  const bool ue_key = starts_with(key, "ue.") || starts_with(key, "kms.");
  if (!is_ue_role(role)) {
    if (ue_key) ctx.fail(key_node, "'" + key + "' is a check for sut_role initiator or responder");
    return std::nullopt;
  }
  if (!ue_key) {
    const bool allowed =
        std::find(kUeAnswerChecks.begin(), kUeAnswerChecks.end(), key) != kUeAnswerChecks.end();
    if (!allowed) {
      ctx.fail(key_node, "'" + key + "' does not apply to a UE under test (UE roles: " +
                             "mikey.*, verify, keys_equal, within_ms on the UE's answer; " +
                             std::string(kUeChecks) + ")");
    }
    return std::nullopt;
  }
  Check c;
  c.key = CheckKey::ue;
  c.pos = pos_of(key_node);
  UeCheck u;
  u.name = key;
  if (!read_ue_value(ctx, key, value, u)) {
    ctx.fail(key_node, "unknown check '" + key + "' (allowed: " + std::string(kUeChecks) + ")");
  }
  c.spec = std::move(u);
  return c;
}

}  // namespace mikeyconf::harness::detail
