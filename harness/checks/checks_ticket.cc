// The ticket.* checks: the Ticket Policy of the TICKET in the answer, i.e. what the KMS granted
// (RFC 6043 §6.10: lifetime TRe − TRs; the flags, K = 1 when it changed the desired policy).
#include "harness/checks/registry.h"
#include "harness/reference_names.h"
#include "harness/yaml_util.h"
#include "roles/policy.h"

namespace mikeyconf::harness::checks {

namespace {

using detail::Ctx;

constexpr CheckKey kKeys[] = {CheckKey::ticket};

// ticket.lifetime_s: seconds, or [min, max] (inclusive); ticket.flags.<d..o>: true | false.
std::optional<Check> read(const Ctx& ctx, const std::string& key, const YAML::Node& key_node,
                          const YAML::Node& v, SutRole /*role*/) {
  constexpr std::string_view kFlags = "ticket.flags.";
  constexpr std::int64_t kMaxSeconds = 0x7fffffff;
  Check c;
  c.key = CheckKey::ticket;
  c.pos = detail::pos_of(key_node);
  if (key == "ticket.lifetime_s") {
    TicketCheck t;
    t.name = "lifetime_s";
    if (!v.IsSequence()) {
      t.min_s = t.max_s = static_cast<int>(ctx.integer(v, key, 0, kMaxSeconds));
      c.spec = std::move(t);
      return c;
    }
    if (v.size() != 2) ctx.fail(v, "ticket.lifetime_s takes seconds or [min, max]");
    t.min_s = static_cast<int>(ctx.integer(v[0], key, 0, kMaxSeconds));
    t.max_s = static_cast<int>(ctx.integer(v[1], key, 0, kMaxSeconds));
    if (t.min_s > t.max_s) ctx.fail(v, "ticket.lifetime_s: min is above max");
    c.spec = std::move(t);
    return c;
  }
  if (key == "ticket.open_ended" || key == "ticket.flags_consistent") {
    // open_ended: the granted policy has no TRe (no defined end, §6.10); flags_consistent: the
    // §6.10 flag rules hold (roles::flag_violation).
    c.spec = TicketCheck{key.substr(std::string_view("ticket.").size()), 0, 0, ctx.boolean(v, key)};
    return c;
  }
  if (key.rfind(kFlags, 0) != 0) return std::nullopt;
  const std::string flag = key.substr(kFlags.size());
  if (flag.size() != 1 || flag[0] < 'd' || flag[0] > 'o') {
    ctx.fail(key_node, "'" + key + "': the Ticket Policy flags are d .. o");
  }
  c.spec = TicketCheck{"flags." + flag, 0, 0, ctx.boolean(v, key)};
  return c;
}

bool ticket_flag(const codec::TicketFlags& f, char name) {
  const std::pair<char, bool> flags[] = {{'d', f.d}, {'e', f.e}, {'f', f.f}, {'g', f.g},
                                         {'h', f.h}, {'i', f.i}, {'j', f.j}, {'k', f.k},
                                         {'l', f.l}, {'m', f.m}, {'n', f.n}, {'o', f.o}};
  for (const auto& [n, value] : flags)
    if (n == name) return value;
  return false;
}

void judge_lifetime(const Check& c, const codec::Ticket& ticket, ExpectationResult& r) {
  auto view = roles::view_policy(ticket.policy);
  if (!view.ok() || !view->trs || !view->tre) {
    r.actual =
        !view.ok() ? "the TP Data cannot be read" : "the granted Ticket Policy lacks TRs or TRe";
    return;
  }
  const std::int64_t lifetime = *view->tre - *view->trs;
  r.actual = std::to_string(lifetime) + " s";
  const auto& want = c.as<TicketCheck>();
  r.ok = lifetime >= want.min_s && lifetime <= want.max_s;
}

ExpectationResult judge(const Check& c, const Evidence& e) {
  ExpectationResult r = start(c);
  const codec::ParseOutcome& p = e.answer;
  const codec::Payload* payload = p.ok() ? p.message.find(codec::PayloadType::ticket) : nullptr;
  const codec::Ticket* ticket = payload != nullptr ? payload->get<codec::Ticket>() : nullptr;
  if (ticket == nullptr) {
    r.actual = !e.http.mikey ? "no MIKEY message"
               : !p.ok()     ? "the answer does not parse"
                             : "no TICKET payload in the answer";
    return r;
  }
  const auto& want = c.as<TicketCheck>();
  const bool expected = want.value;
  if (want.name == "open_ended") {
    auto view = roles::view_policy(ticket->policy);
    const bool open = view.ok() && !view->tre;
    r.actual = !view.ok() ? "the TP Data cannot be read" : open ? "true (no TRe)" : "false";
    r.ok = view.ok() && open == expected;
  } else if (want.name == "flags_consistent") {
    const auto broken = roles::flag_violation(ticket->policy.flags);
    r.actual = broken ? "false (" + std::string(*broken) + ")" : "true";
    r.ok = !broken == expected;
  } else if (want.name != "lifetime_s") {
    const bool value = ticket_flag(ticket->policy.flags, want.name.back());
    r.actual = value ? "true" : "false";
    r.ok = value == expected;
  } else {
    judge_lifetime(c, *ticket, r);
  }
  return r;
}

}  // namespace

constexpr Family kTicketFamily{"ticket", kKeys, read, judge};

}  // namespace mikeyconf::harness::checks
