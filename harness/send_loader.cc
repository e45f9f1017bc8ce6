// Reading a send step (harness/README.md "Steps"): the message, `from`, `set:`, `mutate:`,
// `re_protect`, `resend` and the `http:` overrides.
#include "harness/send_loader.h"

#include <algorithm>

#include "harness/chain_loader.h"
#include "harness/mutate.h"
#include "harness/names.h"
#include "harness/ue_loader.h"

namespace mikeyconf::harness::detail {

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
void read_settings_at(const Ctx& ctx, const YAML::Node& node, const std::string& prefix,
                      std::uint8_t step, std::vector<Setting>& out, int depth) {
  // No setting is nested deeper than ticket_policy.flags.x; the limit also stops a
  // self-referencing alias (set: &a {x: *a}).
  if (depth > 3) ctx.fail(node, "set: nested too deeply at '" + prefix + "'");
  MapReader map(ctx, node, prefix.empty() ? "set" : "set." + prefix);
  map.allow_all();
  for (const auto& e : map.entries()) {
    const std::string key = prefix.empty() ? e.key : prefix + "." + e.key;
    if (e.value.IsMap()) {
      read_settings_at(ctx, e.value, key, step, out, depth + 1);
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

}  // namespace

void read_settings(const Ctx& ctx, const YAML::Node& node, const std::string& prefix,
                   std::uint8_t step, std::vector<Setting>& out) {
  read_settings_at(ctx, node, prefix, step, out, 0);
}

std::vector<Mutation> read_mutations(const Ctx& ctx, const YAML::Node& node) {
  if (!node.IsSequence()) ctx.fail(node, "mutate must be a list of knobs");
  std::vector<Mutation> out;
  for (const YAML::Node& m : node) out.push_back(read_mutation(ctx, m));
  return out;
}

bool read_re_protect(const Ctx& ctx, MapReader& map, const std::vector<Mutation>& mutate) {
  auto rp = map.get("re_protect");
  if (!rp) return false;
  const bool on = ctx.boolean(*rp, "re_protect");
  if (on && mutate.empty()) ctx.fail(*rp, "re_protect needs a mutate list");
  return on;
}

SendStep read_send_step(const Ctx& ctx, MapReader& map, const YAML::Node& node,
                        const YAML::Node& send, StepState& state) {
  SendStep s;
  const std::string kind = ctx.string(send, "send");
  auto k = parse_message_kind(kind);
  if (!k) ctx.fail(send, "send must be REQUEST_INIT_PSK, RESOLVE_INIT_PSK or raw_http");
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
    s.mutate = read_mutations(ctx, *mutate);
  }
  s.re_protect = read_re_protect(ctx, map, s.mutate);
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
    ctx.fail(send, "raw_http needs http.body_raw");
  }
  if (s.message != MessageKind::raw_http && s.http.body_raw) {
    ctx.fail(node, "http.body_raw is only for raw_http (the MIKEY message is the body)");
  }
  state.sent = true;
  if (s.message == MessageKind::request_init_psk) state.request_sent = true;
  if (s.message == MessageKind::resolve_init_psk) state.resolve_sent = true;
  return s;
}

// The loader's own reader of `set:`, for the UE-role steps (ue_loader.cc).
std::vector<Setting> read_ue_settings(const Ctx& ctx, const YAML::Node& node) {
  std::vector<Setting> out;
  read_settings(ctx, node, "", kForRequest | kForResolve, out);
  return out;
}

}  // namespace mikeyconf::harness::detail
