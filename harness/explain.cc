#include "harness/explain.h"

#include "harness/embedded_kms.h"
#include "harness/loader.h"
#include "harness/profile.h"
#include "harness/ue_kms.h"
#include "harness/ue_runner.h"

namespace mikeyconf::harness {

std::string list_text(const std::vector<Scenario>& suite) {
  std::size_t width = 0;
  for (const Scenario& s : suite) width = std::max(width, s.id.size());
  std::string out;
  for (const Scenario& s : suite) {
    std::string level(to_string(s.level));
    out += s.id + std::string(width - s.id.size() + 2, ' ') + level +
           std::string(level.size() < 11 ? 11 - level.size() : 1, ' ') +
           std::string(to_string(s.sut_role)) + "  " + s.title + "\n";
  }
  return out;
}

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "-" : out;
}

std::string settings_text(const std::vector<Setting>& set) {
  std::string out;
  for (const Setting& s : set) {
    out += (out.empty() ? "" : ", ") + s.key + ": ";
    if (const auto* b = std::get_if<bool>(&s.value)) out += *b ? "true" : "false";
    if (const auto* i = std::get_if<std::int64_t>(&s.value)) out += std::to_string(*i);
    if (const auto* str = std::get_if<std::string>(&s.value)) out += *str;
    if (const auto* l = std::get_if<std::vector<std::string>>(&s.value))
      out += "[" + join(*l) + "]";
    if (std::holds_alternative<std::monostate>(s.value)) out += "null";
  }
  return out;
}

std::string step_text(const Step& step) {
  if (const auto* s = std::get_if<SendStep>(&step.body)) {
    std::string out =
        "send " + std::string(to_string(s->message)) + " from " + std::string(to_string(s->from));
    if (s->resend) out += " (resend the previous bytes)";
    if (!s->set.empty()) out += "\n        set: " + settings_text(s->set);
    for (const Mutation& m : s->mutate) out += "\n        mutate: " + m.describe();
    if (s->re_protect) out += "\n        re_protect: the V MAC is recomputed after mutating";
    if (s->http.any()) {
      const HttpOverrides& h = s->http;
      out += "\n        http:";
      if (h.method) out += " method=" + *h.method;
      if (h.path) out += " path=" + *h.path;
      if (h.query) out += " query=\"" + *h.query + "\"";
      if (h.content_type) out += " content_type=\"" + *h.content_type + "\"";
      for (const auto& [n, v] : h.headers)
        out += " " + n + "=" + (v ? "\"" + *v + "\"" : "(removed)");
      if (h.body_encoding) out += " body_encoding=" + std::string(to_string(*h.body_encoding));
      if (h.body_raw) out += " body_raw=\"" + *h.body_raw + "\"";
    }
    return out;
  }
  if (const auto* c = std::get_if<CreateTicketStep>(&step.body)) {
    return "create_ticket mode3 (the Initiator makes the ticket with its shared TPK)" +
           (c->set.empty() ? std::string() : "\n        set: " + settings_text(c->set));
  }
  if (const auto* w = std::get_if<WaitStep>(&step.body))
    return "wait " + std::to_string(w->ms) + " ms";
  if (const auto* u = std::get_if<UeStep>(&step.body)) {
    return describe_ue_step(*u) +
           (u->set.empty() ? std::string() : "\n        set: " + settings_text(u->set));
  }
  if (const auto* k = std::get_if<KmsAnswerStep>(&step.body)) return describe_kms_answer(*k);
  const auto& e = std::get<ExpectStep>(step.body);
  std::string out = "expect";
  for (const Check& c : e.checks) {
    out += "\n        " + c.name() + ": " + c.expected_text();
  }
  for (std::size_t n = 0; n < e.any_of.size(); ++n) {
    out += "\n        " + std::string(n == 0 ? "any of: " : "     or: ");
    for (std::size_t k = 0; k < e.any_of[n].size(); ++k) {
      const Check& c = e.any_of[n][k];
      out += (k == 0 ? "" : ", ") + c.name() + ": " + c.expected_text();
    }
  }
  if (const auto& inc = e.inconclusive_if) {
    std::string excuses;
    for (const std::string& k : inc->excuses) excuses += (excuses.empty() ? "" : ", ") + k;
    out += "\n        inconclusive if only " + excuses + " failed (docs/latitude.md \"" +
           inc->because + "\")";
    for (const Check& c : inc->when) out += " and " + c.name() + ": " + c.expected_text();
  }
  return out;
}

}  // namespace

std::string explain_text(const Scenario& s, const RequirementTable* requirements) {
  std::string out = s.id + ": " + s.title + "\n";
  out += "  file:      " + s.file + ":" + std::to_string(s.pos.line) + "\n";
  out += "  level:     " + std::string(to_string(s.level)) + "\n";
  out += "  sut_role:  " + std::string(to_string(s.sut_role)) + "\n";
  out += "  needs:     " + join(s.needs) + "\n";
  out += "  tags:      " + join(s.tags) + "\n";
  if (s.timeout_ms) out += "  timeout:   " + std::to_string(*s.timeout_ms) + " ms\n";
  out += "  requirements:\n";
  for (const std::string& id : s.requirements) {
    const Requirement* r = requirements != nullptr ? requirements->find(id) : nullptr;
    if (r != nullptr) {
      out += "    " + id + " (" + r->level + ", " + r->role + "; " + r->source +
             "): " + r->summary + "\n";
    } else {
      out += "    " + id + "\n";
    }
  }
  out += "  steps:\n";
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    out += "    " + std::to_string(i + 1) + ". " + step_text(s.steps[i]) + "\n";
  }
  return out;
}

}  // namespace mikeyconf::harness
