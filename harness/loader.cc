#include "harness/loader.h"

#include <algorithm>
#include <map>
#include <set>

#include "harness/capabilities.h"
#include "harness/chain_loader.h"
#include "harness/checks/registry.h"
#include "harness/http_answer_loader.h"
#include "harness/mutate.h"
#include "harness/names.h"
#include "harness/refusal_loader.h"
#include "harness/send_loader.h"
#include "harness/suite_digest.h"
#include "harness/ue_loader.h"
#include "harness/yaml_util.h"

namespace mikeyconf::harness {

using detail::Ctx;
using detail::LoadFailure;
using detail::MapReader;
using detail::pos_of;

namespace {

// ---- `expect:` ----

constexpr std::string_view kCheckKeys =
    "http.status, http.content_type, http.header.<name>, mikey.data_type, mikey.error_no, "
    "mikey.payloads_present, mikey.payloads_absent, mikey.hdr.v, mikey.hdr.copied, verify, "
    "keys_equal, within_ms, outcome, refused, http.answer, forwarded.<name> (sut_role kms_r), "
    "ticket.lifetime_s, ticket.flags.<d..o>, ticket.flags_consistent, ticket.open_ended, any_of";

// `skip`: a key read by the caller (an expect step's any_of).
std::vector<Check> read_checks(const Ctx& ctx, const YAML::Node& node, std::string_view what,
                               SutRole role, std::string_view skip = {}) {
  MapReader map(ctx, node, std::string(what));
  map.allow_all();
  std::vector<Check> out;
  if (map.entries().empty()) ctx.fail(node, std::string(what) + " needs at least one check");
  for (const auto& e : map.entries()) {
    if (!skip.empty() && e.key == skip) continue;
    // Each family reads its own keys (checks/registry.h); ue.* first, which also says which
    // checks a UE role cannot use (ue_loader.h).
    auto c = checks::read_check(ctx, e.key, e.key_node, e.value, role);
    if (!c) {
      ctx.fail(e.key_node,
               "unknown check '" + e.key + "' (allowed: " + std::string(kCheckKeys) + ")");
    }
    out.push_back(std::move(*c));
  }
  return out;
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

Step read_step(const Ctx& ctx, const YAML::Node& node, detail::StepState& state) {
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
    step.body = detail::read_send_step(ctx, map, node, *send, state);
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
    if (auto set = map.get("set")) detail::read_settings(ctx, *set, "", detail::kForCreate, c.set);
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
  detail::StepState state;
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
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return LoadError{dir.string(), 0, 0, "not a directory"};
  }
  std::vector<std::filesystem::path> files = scenario_files(dir, ec);
  if (ec) return LoadError{dir.string(), 0, 0, "cannot list: " + ec.message()};
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
