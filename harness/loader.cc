#include "harness/loader.h"

#include <algorithm>
#include <map>
#include <set>

#include "harness/capabilities.h"
#include "harness/chain_loader.h"
#include "harness/http_answer_loader.h"
#include "harness/mutate.h"
#include "harness/names.h"
#include "harness/refusal_loader.h"
#include "harness/ue_loader.h"
#include "harness/yaml_util.h"

namespace mikeyconf::harness {

using detail::Ctx;
using detail::LoadFailure;
using detail::MapReader;
using detail::pos_of;

namespace {

// ---- `set:` ----

enum class SettingType : std::uint8_t {
  string,
  boolean,
  integer,
  integer_or_null,
  string_list,
  code_point,  // integer or a name of `registry`
  suite,       // suite128 | suite256
};

struct SettingSpec {
  std::string_view key;
  SettingType type;
  std::string_view registry = {};  // code_point
  std::int64_t min = 0, max = 0;   // integers and code points
};

// Which settings each step kind accepts (harness/README.md "set").
constexpr std::uint8_t kForRequest = 1, kForResolve = 2, kForCreate = 4;
struct AllowedSetting {
  SettingSpec spec;
  std::uint8_t steps;
};

constexpr std::int64_t kDay = 86'400'000;
const AllowedSetting kSettings[] = {
    {{"as", SettingType::string}, kForRequest | kForResolve | kForCreate},
    {{"to", SettingType::string}, kForResolve},
    {{"clock_offset_ms", SettingType::integer, {}, -kDay, kDay},
     kForRequest | kForResolve | kForCreate},
    {{"t_offset_ms", SettingType::integer, {}, -kDay, kDay}, kForRequest | kForResolve},
    {{"ticket_policy.start_offset_s", SettingType::integer, {}, -kDay / 1000, kDay / 1000},
     kForRequest | kForCreate},
    {{"algorithms", SettingType::suite}, kForRequest | kForResolve | kForCreate},
    {{"algorithms.prf", SettingType::code_point, "PrfFunc", 0, 127},
     kForRequest | kForResolve | kForCreate},
    {{"algorithms.mac", SettingType::code_point, "MacAlg", 0, 255},
     kForRequest | kForResolve | kForCreate},
    {{"algorithms.encr", SettingType::code_point, "EncrAlg", 0, 255},
     kForRequest | kForResolve | kForCreate},
    {{"ticket_policy.ticket_type", SettingType::code_point, "TicketType", 0, 65535},
     kForRequest | kForCreate},
    {{"ticket_policy.subtype", SettingType::integer, {}, 0, 255}, kForRequest | kForCreate},
    {{"ticket_policy.version", SettingType::integer, {}, 0, 255}, kForRequest | kForCreate},
    {{"ticket_policy.prf", SettingType::code_point, "PrfFunc", 0, 127}, kForRequest | kForCreate},
    {{"ticket_policy.lifetime_s", SettingType::integer_or_null, {}, 1, 0x7fffffff},
     kForRequest | kForCreate},
    {{"ticket_policy.responders", SettingType::string_list}, kForRequest | kForCreate},
    {{"ticket_policy.keys", SettingType::string_list}, kForRequest | kForCreate},
    {{"options.include_idrpsk", SettingType::boolean}, kForRequest},
    {{"options.include_idrkms", SettingType::boolean}, kForRequest},
    // Chaining (chain_loader.h checks where they apply).
    {{"kms_i.answer", SettingType::string}, kForResolve},
    {{"link.client_certificate", SettingType::boolean}, kForResolve},
};
constexpr std::string_view kFlags = "defghijklmno";

std::optional<SettingSpec> setting_spec(std::string_view key, std::uint8_t step) {
  constexpr std::string_view kFlagPrefix = "ticket_policy.flags.";
  if (key.substr(0, kFlagPrefix.size()) == kFlagPrefix) {
    const std::string_view flag = key.substr(kFlagPrefix.size());
    if ((step & (kForRequest | kForCreate)) != 0 && flag.size() == 1 &&
        kFlags.find(flag[0]) != std::string_view::npos) {
      return SettingSpec{key, SettingType::boolean};
    }
    return std::nullopt;
  }
  for (const AllowedSetting& s : kSettings)
    if (s.spec.key == key && (s.steps & step) != 0) return s.spec;
  return std::nullopt;
}

std::string allowed_settings(std::uint8_t step) {
  std::string out;
  for (const AllowedSetting& s : kSettings)
    if ((s.steps & step) != 0) out += (out.empty() ? "" : ", ") + std::string(s.spec.key);
  if ((step & (kForRequest | kForCreate)) != 0) out += ", ticket_policy.flags.{d..o}";
  return out;
}

Setting read_setting(const Ctx& ctx, const std::string& key, const YAML::Node& key_node,
                     const YAML::Node& value, std::uint8_t step) {
  auto spec = setting_spec(key, step);
  if (!spec) {
    ctx.fail(key_node,
             "unknown setting '" + key + "' here (allowed: " + allowed_settings(step) + ")");
  }
  Setting s{key, std::monostate{}, pos_of(key_node)};
  const std::string what = "setting '" + key + "'";
  switch (spec->type) {
    case SettingType::string:
      s.value = ctx.string(value, what);
      break;
    case SettingType::boolean:
      s.value = ctx.boolean(value, what);
      break;
    case SettingType::integer:
      s.value = ctx.integer(value, what, spec->min, spec->max);
      break;
    case SettingType::integer_or_null:
      if (!detail::is_null(value)) s.value = ctx.integer(value, what, spec->min, spec->max);
      break;
    case SettingType::string_list: {
      auto items = ctx.strings(value, what);
      if (key == "ticket_policy.keys") {
        for (const std::string& k : items) {
          if (!code_point_value("KeyDataType", k)) {
            ctx.fail(value, "'" + k + "' is not a key data type (TGK, TEK, GTGK, ...)");
          }
        }
      }
      s.value = std::move(items);
      break;
    }
    case SettingType::code_point:
      if (auto n = detail::plain_integer(value)) {
        s.value = ctx.integer(value, what, spec->min, spec->max);
      } else {
        const std::string name = ctx.string(value, what);
        auto v = code_point_value(spec->registry, name);
        if (!v) {
          ctx.fail(value, "'" + name + "' is not a " + std::string(spec->registry) +
                              " name (use the RFC name or a number)");
        }
        s.value = static_cast<std::int64_t>(*v);
      }
      break;
    case SettingType::suite: {
      const std::string v = ctx.string(value, what);
      if (v != "suite128" && v != "suite256")
        ctx.fail(value, what + " must be suite128 or suite256");
      s.value = v;
      break;
    }
  }
  return s;
}

// Flattens nested mappings into dotted keys.
void read_settings(const Ctx& ctx, const YAML::Node& node, const std::string& prefix,
                   std::uint8_t step, std::vector<Setting>& out, int depth = 0) {
  // No setting is nested deeper than ticket_policy.flags.x; the limit also stops a
  // self-referencing alias (set: &a {x: *a}).
  if (depth > 3) ctx.fail(node, "set: nested too deeply at '" + prefix + "'");
  MapReader map(ctx, node, prefix.empty() ? "set" : "set." + prefix);
  map.allow_all();
  for (const auto& e : map.entries()) {
    const std::string key = prefix.empty() ? e.key : prefix + "." + e.key;
    if (e.value.IsMap()) {
      read_settings(ctx, e.value, key, step, out, depth + 1);
      continue;
    }
    for (const Setting& s : out) {
      if (s.key == key) ctx.fail(e.key_node, "setting '" + key + "' is given twice");
    }
    out.push_back(read_setting(ctx, key, e.key_node, e.value, step));
  }
}

// ---- `mutate:` ----

Mutation read_mutation(const Ctx& ctx, const YAML::Node& node) {
  MapReader map(ctx, node, "a mutation");
  Mutation m;
  m.pos = pos_of(node);
  const YAML::Node knob_node = map.require("knob");
  const std::string knob = ctx.string(knob_node, "knob");
  auto k = parse_knob(knob);
  if (!k) {
    ctx.fail(knob_node, "unknown knob '" + knob +
                            "' (flip_bit, flip_mac_bit, set, truncate, append, delete_field, "
                            "duplicate_payload, swap)");
  }
  m.knob = *k;
  auto field = [&](bool whole_payload) {
    const YAML::Node f = map.require("field");
    m.field = ctx.string(f, "field");
    auto problem = whole_payload ? payload_ref_problem(m.field) : field_path_problem(m.field);
    if (problem) ctx.fail(f, "field '" + m.field + "': " + *problem);
  };
  switch (m.knob) {
    case Knob::flip_bit:
      field(false);
      m.bit = static_cast<std::uint32_t>(ctx.integer(map.require("bit"), "bit", 0, 1 << 20));
      break;
    case Knob::flip_mac_bit:
      break;
    case Knob::set: {
      field(false);
      const YAML::Node v = map.require("value");
      if (auto n = detail::plain_integer(v)) {
        if (*n < 0) ctx.fail(v, "value must not be negative");
        m.int_value = static_cast<std::uint64_t>(*n);
      } else {
        m.bytes = ctx.hex(v, "value");
      }
      break;
    }
    case Knob::truncate: {
      auto at = map.get("at");
      auto drop = map.get("drop_last");
      auto f = map.get("field");
      const int given = (at ? 1 : 0) + (drop ? 1 : 0) + (f ? 1 : 0);
      if (given != 1) ctx.fail(node, "truncate needs exactly one of at, drop_last, field");
      if (at) m.at = static_cast<std::size_t>(ctx.integer(*at, "at", 0, 1 << 24));
      if (drop) m.drop_last = static_cast<std::size_t>(ctx.integer(*drop, "drop_last", 1, 1 << 24));
      if (f) {
        m.field = ctx.string(*f, "field");
        if (auto problem = field_path_problem(m.field))
          ctx.fail(*f, "field '" + m.field + "': " + *problem);
      }
      break;
    }
    case Knob::append: {
      const YAML::Node b = map.require("bytes");
      m.bytes = ctx.hex(b, "bytes");
      if (m.bytes->empty()) ctx.fail(b, "append needs at least one byte");
      break;
    }
    case Knob::delete_field:
      field(false);
      break;
    case Knob::duplicate_payload:
      field(true);
      break;
    case Knob::swap: {
      field(true);
      const YAML::Node w = map.require("with");
      m.with = ctx.string(w, "with");
      if (auto problem = payload_ref_problem(m.with))
        ctx.fail(w, "with '" + m.with + "': " + *problem);
      break;
    }
  }
  map.finish();
  return m;
}

// ---- `http:` ----

HttpOverrides read_http(const Ctx& ctx, const YAML::Node& node) {
  MapReader map(ctx, node, "http");
  HttpOverrides h;
  if (auto v = map.get("method")) {
    h.method = ctx.string(*v, "http.method");
    if (h.method->empty() || h.method->find_first_of(" \t\r\n") != std::string::npos) {
      ctx.fail(*v, "http.method must be one token");
    }
  }
  if (auto v = map.get("path")) h.path = ctx.string(*v, "http.path");
  if (auto v = map.get("query")) h.query = detail::is_null(*v) ? "" : ctx.string(*v, "http.query");
  if (auto v = map.get("content_type")) h.content_type = ctx.string(*v, "http.content_type");
  if (auto v = map.get("headers")) {
    MapReader headers(ctx, *v, "http.headers");
    headers.allow_all();
    for (const auto& e : headers.entries()) {
      if (e.key.empty() || e.key.find_first_of(" \t\r\n:") != std::string::npos) {
        ctx.fail(e.key_node, "'" + e.key + "' is not a header field name");
      }
      if (detail::is_null(e.value)) {
        h.headers.emplace_back(e.key, std::nullopt);
      } else {
        std::string value = ctx.string(e.value, "header " + e.key);
        if (value.find_first_of("\r\n") != std::string::npos) {
          ctx.fail(e.value, "header values must not contain CR or LF");
        }
        h.headers.emplace_back(e.key, std::move(value));
      }
    }
  }
  if (auto v = map.get("body_encoding")) {
    const std::string e = ctx.string(*v, "http.body_encoding");
    h.body_encoding = parse_body_encoding(e);
    if (!h.body_encoding)
      ctx.fail(*v, "http.body_encoding must be base64, base64_wrapped or binary");
  }
  if (auto v = map.get("body_raw")) h.body_raw = ctx.string(*v, "http.body_raw");
  if (auto v = map.get("pad_header_bytes"))
    h.pad_header_bytes =
        static_cast<std::size_t>(ctx.integer(*v, "http.pad_header_bytes", 1, 16 << 20));
  if (auto v = map.get("pad_body_bytes"))
    h.pad_body_bytes =
        static_cast<std::size_t>(ctx.integer(*v, "http.pad_body_bytes", 1, 16 << 20));
  if (auto v = map.get("send_rest_after_ms"))
    h.send_rest_after_ms =
        static_cast<std::uint32_t>(ctx.integer(*v, "http.send_rest_after_ms", 0, 60'000));
  map.finish();
  return h;
}

// ---- `expect:` ----

std::vector<int> status_list(const Ctx& ctx, const YAML::Node& v, std::vector<int>& classes) {
  std::vector<int> codes;
  auto one = [&](const YAML::Node& n) {
    if (auto i = detail::plain_integer(n)) {
      codes.push_back(static_cast<int>(ctx.integer(n, "http.status", 100, 599)));
      return;
    }
    const std::string s = ctx.string(n, "http.status");
    if (s.size() == 3 && s[0] >= '1' && s[0] <= '5' && s[1] == 'x' && s[2] == 'x') {
      classes.push_back(s[0] - '0');
      return;
    }
    ctx.fail(n, "http.status must be a status code (200) or a class (4xx)");
  };
  if (v.IsSequence()) {
    if (v.size() == 0) ctx.fail(v, "http.status needs at least one value");
    for (const YAML::Node& n : v) one(n);
  } else {
    one(v);
  }
  return codes;
}

std::vector<int> code_point_list(const Ctx& ctx, const YAML::Node& v, std::string_view registry,
                                 std::string_view what, std::int64_t max) {
  std::vector<int> out;
  auto one = [&](const YAML::Node& n) {
    if (detail::plain_integer(n)) {
      out.push_back(static_cast<int>(ctx.integer(n, what, 0, max)));
      return;
    }
    const std::string s = ctx.string(n, what);
    auto cp = code_point_value(registry, s);
    if (!cp) ctx.fail(n, "'" + s + "' is not a " + std::string(registry) + " name or number");
    out.push_back(static_cast<int>(*cp));
  };
  if (v.IsSequence()) {
    if (v.size() == 0) ctx.fail(v, std::string(what) + " needs at least one value");
    for (const YAML::Node& n : v) one(n);
  } else {
    one(v);
  }
  return out;
}

constexpr std::string_view kCheckKeys =
    "http.status, http.content_type, http.header.<name>, mikey.data_type, mikey.error_no, "
    "mikey.payloads_present, mikey.payloads_absent, mikey.hdr.v, mikey.hdr.copied, verify, "
    "keys_equal, within_ms, outcome, refused, http.answer, forwarded.<name> (sut_role kms_r), "
    "ticket.lifetime_s, ticket.flags.<d..o>, ticket.flags_consistent, ticket.open_ended, any_of";

// ticket.lifetime_s: seconds, or [min, max] (inclusive); ticket.flags.<d..o>: true | false. Both
// judge the Ticket Policy of the TICKET in the answer (the granted one, RFC 6043 §6.10).
std::optional<Check> read_ticket_check(const Ctx& ctx, const std::string& key,
                                       const YAML::Node& key_node, const YAML::Node& v) {
  constexpr std::string_view kFlags = "ticket.flags.";
  constexpr std::int64_t kMaxSeconds = 0x7fffffff;
  Check c;
  c.key = CheckKey::ticket;
  c.pos = pos_of(key_node);
  if (key == "ticket.lifetime_s") {
    c.header = "lifetime_s";
    if (!v.IsSequence()) {
      const int n = static_cast<int>(ctx.integer(v, key, 0, kMaxSeconds));
      c.numbers = {n, n};
      return c;
    }
    if (v.size() != 2) ctx.fail(v, "ticket.lifetime_s takes seconds or [min, max]");
    c.numbers = {static_cast<int>(ctx.integer(v[0], key, 0, kMaxSeconds)),
                 static_cast<int>(ctx.integer(v[1], key, 0, kMaxSeconds))};
    if (c.numbers[0] > c.numbers[1]) ctx.fail(v, "ticket.lifetime_s: min is above max");
    return c;
  }
  if (key == "ticket.open_ended") {  // the granted policy has no TRe (no defined end, §6.10)
    c.header = "open_ended";
    c.numbers = {ctx.boolean(v, key) ? 1 : 0};
    return c;
  }
  if (key == "ticket.flags_consistent") {  // the §6.10 flag rules hold (roles::flag_violation)
    c.header = "flags_consistent";
    c.numbers = {ctx.boolean(v, key) ? 1 : 0};
    return c;
  }
  if (key.rfind(kFlags, 0) != 0) return std::nullopt;
  const std::string flag = key.substr(kFlags.size());
  if (flag.size() != 1 || flag[0] < 'd' || flag[0] > 'o') {
    ctx.fail(key_node, "'" + key + "': the Ticket Policy flags are d .. o");
  }
  c.header = "flags." + flag;
  c.numbers = {ctx.boolean(v, key) ? 1 : 0};
  return c;
}

// `skip`: a key read by the caller (an expect step's any_of).
std::vector<Check> read_checks(const Ctx& ctx, const YAML::Node& node, std::string_view what,
                               SutRole role, std::string_view skip = {}) {
  MapReader map(ctx, node, std::string(what));
  map.allow_all();
  std::vector<Check> checks;
  if (map.entries().empty()) ctx.fail(node, std::string(what) + " needs at least one check");
  for (const auto& e : map.entries()) {
    if (!skip.empty() && e.key == skip) continue;
    // ue.* / kms.* checks, and which checks a UE role cannot use (ue_loader.h).
    if (auto ue = detail::read_ue_check(ctx, e.key, e.key_node, e.value, role)) {
      checks.push_back(std::move(*ue));
      continue;
    }
    if (auto fwd = detail::read_chain_check(ctx, e.key, e.key_node, e.value, role)) {
      checks.push_back(std::move(*fwd));
      continue;
    }
    if (auto ticket = read_ticket_check(ctx, e.key, e.key_node, e.value)) {
      checks.push_back(std::move(*ticket));
      continue;
    }
    if (auto refused = detail::read_refusal_check(ctx, e.key, e.key_node, e.value)) {
      checks.push_back(std::move(*refused));
      continue;
    }
    if (auto answer = detail::read_http_answer_check(ctx, e.key, e.key_node, e.value)) {
      checks.push_back(std::move(*answer));
      continue;
    }
    Check c;
    c.pos = pos_of(e.key_node);
    const YAML::Node& v = e.value;
    constexpr std::string_view kHeader = "http.header.";
    if (e.key.substr(0, kHeader.size()) == kHeader && e.key.size() > kHeader.size()) {
      c.key = CheckKey::http_header;
      c.header = e.key.substr(kHeader.size());
      if (detail::is_null(v)) {
        c.absent = true;
      } else {
        c.text = ctx.string(v, e.key);
      }
    } else if (e.key == "http.status") {
      c.key = CheckKey::http_status;
      c.numbers = status_list(ctx, v, c.status_classes);
    } else if (e.key == "http.content_type") {
      c.key = CheckKey::http_content_type;
      c.text = ctx.string(v, e.key);
    } else if (e.key == "mikey.data_type") {
      c.key = CheckKey::mikey_data_type;
      c.numbers = code_point_list(ctx, v, "DataType", e.key, 255);
    } else if (e.key == "mikey.error_no") {
      c.key = CheckKey::mikey_error_no;
      c.numbers = code_point_list(ctx, v, "ErrorNo", e.key, 255);
    } else if (e.key == "mikey.payloads_present" || e.key == "mikey.payloads_absent") {
      c.key = e.key == "mikey.payloads_present" ? CheckKey::mikey_payloads_present
                                                : CheckKey::mikey_payloads_absent;
      for (int t : code_point_list(ctx, v, "PayloadType", e.key, 255)) {
        c.payload_types.push_back(static_cast<std::uint8_t>(t));
      }
    } else if (e.key == "mikey.hdr.v") {
      c.key = CheckKey::mikey_hdr_v;
      c.numbers.push_back(static_cast<int>(ctx.integer(v, e.key, 0, 1)));
    } else if (e.key == "mikey.hdr.copied" || e.key == "keys_equal") {
      c.key = e.key == "keys_equal" ? CheckKey::keys_equal : CheckKey::mikey_hdr_copied;
      if (!ctx.boolean(v, e.key)) ctx.fail(v, e.key + " can only be true (leave it out otherwise)");
    } else if (e.key == "verify") {
      c.key = CheckKey::verify;
      c.text = ctx.string(v, e.key);
      if (c.text != "ok" && c.text != "fail") ctx.fail(v, "verify must be ok or fail");
    } else if (e.key == "within_ms") {
      c.key = CheckKey::within_ms;
      c.ms = static_cast<std::uint32_t>(ctx.integer(v, e.key, 1, 600'000));
    } else if (e.key == "outcome") {
      c.key = CheckKey::outcome;
      c.text = ctx.string(v, e.key);
      if (c.text != "granted" && c.text != "refused" && c.text != "answered" &&
          c.text != "not_granted") {
        ctx.fail(v, "outcome must be granted, refused, answered or not_granted");
      }
    } else {
      ctx.fail(e.key_node,
               "unknown check '" + e.key + "' (allowed: " + std::string(kCheckKeys) + ")");
    }
    checks.push_back(std::move(c));
  }
  return checks;
}

// The checks of an expect step and its `any_of:` alternatives (each a map of checks).
void read_expect(const Ctx& ctx, const YAML::Node& node, SutRole role, ExpectStep& e) {
  if (!node.IsMap()) ctx.fail(node, "expect must be a mapping of checks");
  if (const YAML::Node alternatives = node["any_of"]) {
    if (!alternatives.IsSequence() || alternatives.size() < 2)
      ctx.fail(alternatives, "any_of takes a list of at least two maps of checks");
    for (const YAML::Node& a : alternatives)
      e.any_of.push_back(read_checks(ctx, a, "an any_of alternative", role));
    if (node.size() == 1) return;
  }
  e.checks = read_checks(ctx, node, "expect", role, "any_of");
}

// ---- steps ----

struct StepState {
  SutRole role = SutRole::kms;
  bool sent = false;          // a send step came before
  bool resolve_sent = false;  // a RESOLVE_INIT_PSK send came before
  bool request_sent = false;
};

Step read_step(const Ctx& ctx, const YAML::Node& node, StepState& state) {
  if (!node.IsMap())
    ctx.fail(node, "a step must be a mapping (send:, expect:, wait_ms:, create_ticket:)");
  MapReader map(ctx, node, "a step");
  Step step;
  step.pos = pos_of(node);
  auto send = map.get("send");
  auto expect = map.get("expect");
  auto wait = map.get("wait_ms");
  auto create = map.get("create_ticket");
  // The UE roles' step kinds (ue_loader.h) exist only in their scenarios.
  const bool ue_role = detail::is_ue_role(state.role);
  auto ue = ue_role ? map.get("ue") : std::nullopt;
  auto kms_answer = ue_role ? map.get("kms_answer") : std::nullopt;
  const int kinds = (send ? 1 : 0) + (expect ? 1 : 0) + (wait ? 1 : 0) + (create ? 1 : 0) +
                    (ue ? 1 : 0) + (kms_answer ? 1 : 0);
  if (kinds != 1) {
    ctx.fail(node, ue_role ? "a step has exactly one of ue, kms_answer, expect, wait_ms, "
                             "create_ticket"
                           : "a step has exactly one of send, expect, wait_ms, create_ticket");
  }
  detail::check_step_kind_for_role(ctx, node, state.role, send.has_value(), create.has_value());
  if (ue) {
    UeStep u = detail::read_ue_step(ctx, map, *ue, state.role);
    state.sent = true;
    state.resolve_sent = state.resolve_sent || u.op != UeOp::initiate;  // keys_equal needs it
    step.body = std::move(u);
  } else if (kms_answer) {
    step.body = detail::read_kms_answer(ctx, *kms_answer);
  } else if (send) {
    SendStep s;
    const std::string kind = ctx.string(*send, "send");
    auto k = parse_message_kind(kind);
    if (!k) ctx.fail(*send, "send must be REQUEST_INIT_PSK, RESOLVE_INIT_PSK or raw_http");
    s.message = *k;
    s.from = s.message == MessageKind::resolve_init_psk ? Party::responder : Party::initiator;
    if (auto from = map.get("from")) {
      const std::string f = ctx.string(*from, "from");
      auto p = parse_party(f);
      if (!p) ctx.fail(*from, "from must be initiator, responder or kms_r");
      if (s.message == MessageKind::request_init_psk && *p != Party::initiator) {
        ctx.fail(*from, "REQUEST_INIT_PSK is sent by the initiator");
      }
      if (s.message == MessageKind::resolve_init_psk && *p == Party::initiator) {
        ctx.fail(*from, "RESOLVE_INIT_PSK is sent by the responder (or from: kms_r)");
      }
      s.from = *p;
    }
    const std::uint8_t allowed = s.message == MessageKind::request_init_psk   ? kForRequest
                                 : s.message == MessageKind::resolve_init_psk ? kForResolve
                                                                              : 0;
    if (auto set = map.get("set")) {
      if (allowed == 0) ctx.fail(*set, "raw_http takes no set:");
      read_settings(ctx, *set, "", allowed, s.set);
    }
    if (auto mutate = map.get("mutate")) {
      if (s.message == MessageKind::raw_http)
        ctx.fail(*mutate, "raw_http has no MIKEY message to mutate");
      if (!mutate->IsSequence()) ctx.fail(*mutate, "mutate must be a list of knobs");
      for (const YAML::Node& m : *mutate) s.mutate.push_back(read_mutation(ctx, m));
    }
    if (auto rp = map.get("re_protect")) {
      s.re_protect = ctx.boolean(*rp, "re_protect");
      if (s.re_protect && s.mutate.empty()) ctx.fail(*rp, "re_protect needs a mutate list");
    }
    if (auto rs = map.get("resend")) {
      s.resend = ctx.boolean(*rs, "resend");
      if (s.resend) {
        const bool before = s.message == MessageKind::request_init_psk   ? state.request_sent
                            : s.message == MessageKind::resolve_init_psk ? state.resolve_sent
                                                                         : false;
        if (!before) ctx.fail(*rs, "resend needs an earlier send of " + kind);
        if (!s.set.empty()) ctx.fail(*rs, "resend sends the earlier bytes: set: has no effect");
      }
    }
    if (auto http = map.get("http")) s.http = read_http(ctx, *http);
    detail::check_chain_send(ctx, node, s, state.role);
    if (s.message == MessageKind::raw_http && !s.http.body_raw) {
      ctx.fail(*send, "raw_http needs http.body_raw");
    }
    if (s.message != MessageKind::raw_http && s.http.body_raw) {
      ctx.fail(node, "http.body_raw is only for raw_http (the MIKEY message is the body)");
    }
    state.sent = true;
    if (s.message == MessageKind::request_init_psk) state.request_sent = true;
    if (s.message == MessageKind::resolve_init_psk) state.resolve_sent = true;
    step.body = std::move(s);
  } else if (expect) {
    if (!state.sent) ctx.fail(*expect, "expect needs an earlier send step");
    ExpectStep e;
    read_expect(ctx, *expect, state.role, e);
    for (const Check& c : e.checks) {
      if (c.key == CheckKey::forwarded && !state.resolve_sent) {
        ctx.fail(c.pos, "forwarded.* checks need an earlier RESOLVE_INIT_PSK send");
      }
      if (c.key == CheckKey::keys_equal && !state.resolve_sent) {
        ctx.fail(c.pos, detail::is_ue_role(state.role)
                            ? "keys_equal needs an earlier ue: transfer_resp or transfer_init"
                            : "keys_equal needs an earlier RESOLVE_INIT_PSK send");
      }
    }
    if (auto inc = map.get("inconclusive_if")) {
      e.inconclusive_if = detail::read_inconclusive(ctx, *inc, e.checks, [&](const YAML::Node& n) {
        return read_checks(ctx, n, "inconclusive_if.when", state.role);
      });
    }
    step.body = std::move(e);
  } else if (wait) {
    step.body = WaitStep{static_cast<std::uint32_t>(ctx.integer(*wait, "wait_ms", 1, 600'000))};
  } else {
    const std::string mode = ctx.string(*create, "create_ticket");
    if (mode != "mode3") ctx.fail(*create, "create_ticket must be mode3");
    CreateTicketStep c;
    if (auto set = map.get("set")) read_settings(ctx, *set, "", kForCreate, c.set);
    step.body = std::move(c);
  }
  map.finish();
  return step;
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(id.front())) return false;
  for (char c : id)
    if (!lower_or_digit(c) && c != '.' && c != '-' && c != '_') return false;
  return true;
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == ':' || c == '.' || c == '/';
    if (!ok) return false;
  }
  return true;
}

Scenario read_scenario(const Ctx& ctx, const YAML::Node& root, const RequirementTable* table) {
  MapReader map(ctx, root, "a scenario");
  Scenario s;
  s.file = ctx.file();
  const YAML::Node id = map.require("id");
  s.id = ctx.string(id, "id");
  s.pos = pos_of(id);
  if (!valid_id(s.id)) {
    ctx.fail(id, "id '" + s.id +
                     "' must be lower-case letters, digits, '.', '-', '_' (a stable name "
                     "such as kms.request.psk-basic)");
  }
  const YAML::Node title = map.require("title");
  s.title = ctx.string(title, "title");
  if (s.title.empty() || s.title.find('\n') != std::string::npos) {
    ctx.fail(title, "title must be one non-empty line");
  }
  const YAML::Node reqs = map.require("requirements");
  s.requirements = ctx.strings(reqs, "requirements");
  if (s.requirements.empty()) ctx.fail(reqs, "requirements needs at least one id");
  for (std::size_t i = 0; i < s.requirements.size(); ++i) {
    const std::string& r = s.requirements[i];
    const YAML::Node item = reqs[i];
    if (r.empty()) ctx.fail(item, "empty requirement id");
    if (table != nullptr && table->find(r) == nullptr) {
      ctx.fail(item, "unknown requirement id '" + r + "' (not in " + table->file() + ")");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (s.requirements[j] == r) ctx.fail(item, "requirement '" + r + "' is listed twice");
    }
  }
  const YAML::Node level = map.require("level");
  auto l = parse_level(ctx.string(level, "level"));
  if (!l) ctx.fail(level, "level must be SHALL, SHALL NOT, SHOULD, SHOULD NOT or MAY");
  s.level = *l;
  const YAML::Node role = map.require("sut_role");
  auto r = parse_sut_role(ctx.string(role, "sut_role"));
  if (!r) ctx.fail(role, "sut_role must be kms, kms_r, kms_i, initiator or responder");
  s.sut_role = *r;
  if (auto needs = map.get("needs")) {
    s.needs = ctx.strings(*needs, "needs");
    for (std::size_t i = 0; i < s.needs.size(); ++i)  // the vocabulary of capabilities.h
      if (auto problem = capability_problem(s.needs[i])) ctx.fail((*needs)[i], *problem);
  }
  if (auto tags = map.get("tags")) {
    s.tags = ctx.strings(*tags, "tags");
    for (std::size_t i = 0; i < s.tags.size(); ++i)
      if (!valid_name(s.tags[i])) ctx.fail((*tags)[i], "'" + s.tags[i] + "' is not a tag name");
  }
  if (auto t = map.get("timeout_ms")) {
    s.timeout_ms = static_cast<std::uint32_t>(ctx.integer(*t, "timeout_ms", 1, 3'600'000));
  }
  const YAML::Node steps = map.require("steps");
  if (!steps.IsSequence() || steps.size() == 0) ctx.fail(steps, "steps must be a non-empty list");
  StepState state;
  state.role = s.sut_role;
  for (const YAML::Node& st : steps) s.steps.push_back(read_step(ctx, st, state));
  if (!std::any_of(s.steps.begin(), s.steps.end(),
                   [](const Step& st) { return std::holds_alternative<ExpectStep>(st.body); })) {
    ctx.fail(steps, "a scenario needs at least one expect step");
  }
  map.finish();
  return s;
}

}  // namespace

// The loader's own readers of `set:` and `mutate:`, for the UE-role steps (ue_loader.cc).
std::vector<Setting> detail::read_ue_settings(const Ctx& ctx, const YAML::Node& node) {
  std::vector<Setting> out;
  read_settings(ctx, node, "", kForRequest | kForResolve, out);
  return out;
}

Mutation detail::read_step_mutation(const Ctx& ctx, const YAML::Node& node) {
  return read_mutation(ctx, node);
}

LoadResult<Scenario> parse_scenario_text(std::string_view text, std::string_view name,
                                         const RequirementTable* requirements) {
  return detail::guarded_load<Scenario>(name, "scenario", [&](const Ctx& ctx) {
    if (text.size() > kMaxScenarioBytes) {
      ctx.fail(SourcePos{}, "the scenario exceeds " + std::to_string(kMaxScenarioBytes) + " bytes");
    }
    return read_scenario(ctx, detail::parse_document(ctx, text), requirements);
  });
}

LoadResult<Scenario> load_scenario(const std::filesystem::path& path,
                                   const RequirementTable* requirements) {
  std::string text;
  try {
    text = detail::read_file(path.string(), kMaxScenarioBytes);
  } catch (const LoadFailure& e) {
    return e.error();
  }
  return parse_scenario_text(text, path.string(), requirements);
}

LoadResult<std::vector<Scenario>> load_scenarios(const std::filesystem::path& dir,
                                                 const RequirementTable& requirements) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return LoadError{dir.string(), 0, 0, "not a directory"};
  }
  std::filesystem::recursive_directory_iterator it(dir, ec), end;
  if (ec) return LoadError{dir.string(), 0, 0, "cannot list: " + ec.message()};
  for (; it != end; it.increment(ec)) {
    if (ec) return LoadError{dir.string(), 0, 0, "cannot list: " + ec.message()};
    const auto& p = it->path();
    if (it->is_directory() && (p.filename() == "profiles" || p.filename() == "baselines")) {
      it.disable_recursion_pending();
      continue;
    }
    // not-covered.yaml holds the coverage reasons and mutation-registry.yaml the faulty variants
    // behind them (harness/coverage.h), not scenarios.
    const bool data =
        p.filename() == "not-covered.yaml" || p.filename() == "mutation-registry.yaml";
    if (it->is_regular_file() && p.extension() == ".yaml" && !data) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<Scenario> out;
  std::map<std::string, std::size_t> seen;
  for (const auto& f : files) {
    auto s = load_scenario(f, &requirements);
    if (!s.ok()) return s.error();
    if (auto prior = seen.find(s->id); prior != seen.end()) {
      const Scenario& first = out[prior->second];
      return LoadError{s->file, s->pos.line, s->pos.column,
                       "duplicate id '" + s->id + "' (first defined at " + first.file + ":" +
                           std::to_string(first.pos.line) + ":" + std::to_string(first.pos.column) +
                           ")"};
    }
    seen.emplace(s->id, out.size());
    out.push_back(std::move(s).value());
  }
  if (out.empty()) return LoadError{dir.string(), 0, 0, "no scenario files (*.yaml) found"};
  return out;
}

}  // namespace mikeyconf::harness
