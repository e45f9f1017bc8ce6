// Shared pieces of the case runners (party_util.h).
#include "harness/party_util.h"

#include <algorithm>
#include <string>
#include <utility>

#include "harness/names.h"
#include "harness/reference_names.h"

namespace mikeyconf::harness {

namespace {

constexpr std::pair<char, bool codec::TicketFlags::*> kFlags[] = {
    {'d', &codec::TicketFlags::d}, {'e', &codec::TicketFlags::e}, {'f', &codec::TicketFlags::f},
    {'g', &codec::TicketFlags::g}, {'h', &codec::TicketFlags::h}, {'i', &codec::TicketFlags::i},
    {'j', &codec::TicketFlags::j}, {'k', &codec::TicketFlags::k}, {'l', &codec::TicketFlags::l},
    {'m', &codec::TicketFlags::m}, {'n', &codec::TicketFlags::n}, {'o', &codec::TicketFlags::o}};

}  // namespace

std::shared_ptr<const roles::PskCredential> psk_credential(const UserProfile& u) {
  return std::make_shared<const roles::PskCredential>(mikey::crypto::SecureBytes(u.psk), u.psk_id);
}

roles::TicketKey ticket_key(const TicketKeySpec& s) {
  roles::TicketKey k;
  k.id = s.id;
  k.format = s.format;
  k.tpk = mikey::crypto::SecureBytes(s.key);
  k.encr = s.encr;
  k.mac = s.mac;
  return k;
}

void start_party_settings(PartySettings& p, const SutProfile& profile,
                          const std::vector<Setting>& set) {
  p.algorithms = profile.algorithms;
  p.ticket.format = profile.ticket_format;
  p.ticket.lifetime_s = profile.ticket_lifetime_s;
  for (const Setting& s : set) {
    if (s.key == "algorithms") {
      p.algorithms =
          std::get<std::string>(s.value) == "suite256" ? roles::kSuite256 : roles::kSuite128;
    }
  }
  p.ticket.prf = p.algorithms.prf;
}

bool apply_party_setting(const Setting& s, PartySettings& p) {
  const std::string& k = s.key;
  const auto* i = std::get_if<std::int64_t>(&s.value);
  const auto* b = std::get_if<bool>(&s.value);
  const auto* list = std::get_if<std::vector<std::string>>(&s.value);
  roles::TicketRequest& t = p.ticket;
  if (k == "clock_offset_ms") {
    p.clock_offset_ms = *i;
  } else if (k == "t_offset_ms") {
    p.t_offset_ms = *i;
  } else if (k == "ticket_policy.start_offset_s") {
    t.start_offset_s = *i;
  } else if (k == "algorithms.prf") {
    t.prf = p.algorithms.prf = static_cast<codec::PrfFunc>(*i);
  } else if (k == "algorithms.mac") {
    p.algorithms.mac = static_cast<codec::MacAlg>(*i);
  } else if (k == "algorithms.encr") {
    p.algorithms.encr = static_cast<codec::EncrAlg>(*i);
  } else if (k == "ticket_policy.ticket_type") {
    t.format.type = static_cast<codec::TicketType>(*i);
  } else if (k == "ticket_policy.subtype") {
    t.format.subtype = static_cast<std::uint8_t>(*i);
  } else if (k == "ticket_policy.version") {
    t.format.version = static_cast<std::uint8_t>(*i);
  } else if (k == "ticket_policy.lifetime_s") {
    t.lifetime_s =
        i != nullptr ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*i)) : std::nullopt;
  } else if (k == "ticket_policy.keys") {
    for (const std::string& name : *list) {
      roles::DesiredKey key;
      key.type = static_cast<codec::KeyDataType>(*code_point_value("KeyDataType", name));
      key.length = p.algorithms.key_length();
      t.keys.push_back(key);
    }
  } else if (k == "options.include_idrpsk") {
    p.include_idrpsk = *b;
  } else if (k == "options.include_idrkms") {
    p.include_idrkms = *b;
  } else if (k.rfind("ticket_policy.flags.", 0) == 0) {
    for (const auto& [c, member] : kFlags)
      if (k.back() == c) t.flags.*member = *b;
  } else {
    return false;
  }
  return true;
}

roles::InitiatorConfig initiator_config(const PartySettings& p,
                                        const roles::Identity& kms_identity) {
  roles::InitiatorConfig c;
  c.identity = p.user->identity;
  c.kms_identity = kms_identity;
  c.credential = psk_credential(*p.user);
  c.algorithms = p.algorithms;
  c.include_idrpsk = p.include_idrpsk;
  c.include_idrkms = p.include_idrkms;
  if (std::find(c.ticket_formats.begin(), c.ticket_formats.end(), p.ticket.format) ==
      c.ticket_formats.end()) {
    c.ticket_formats.push_back(p.ticket.format);  // accept a grant of what was asked for
  }
  return c;
}

roles::ResponderConfig responder_config(const PartySettings& p, const UserProfile& to,
                                        const roles::Identity& kms_identity) {
  roles::ResponderConfig rc;
  rc.identity = p.user->identity;
  if (&to != p.user) rc.aliases.push_back(to.identity);
  rc.kms_identity = kms_identity;
  rc.credential = psk_credential(*p.user);
  rc.algorithms = p.algorithms;
  // The harness's Responder resolves any ticket, however far in the future it starts: judging
  // its validity is the SUT's job (kms.errors.ticket-not-yet-valid).
  rc.ticket_start_grace_s = std::int64_t{366} * 86'400;
  return rc;
}

namespace {

// `any_of:`: "" when one alternative holds in full; otherwise what each one missed. Every
// alternative's results go to the report, keyed "any_of[N].<check>".
std::string judge_alternatives(const std::vector<std::vector<Check>>& alternatives,
                               const std::function<ExpectationResult(const Check&)>& judge,
                               CaseResult& out) {
  std::string missed;
  for (std::size_t n = 0; n < alternatives.size(); ++n) {
    std::string first;
    for (const Check& c : alternatives[n]) {
      ExpectationResult r = judge(c);
      if (!r.ok && first.empty()) first = r.key + ": expected " + r.expected + ", got " + r.actual;
      r.key = "any_of[" + std::to_string(n) + "]." + r.key;
      out.expectations.push_back(std::move(r));
    }
    if (first.empty()) return {};
    missed += (missed.empty() ? "" : "; ") + std::string("[") + std::to_string(n) + "] " + first;
  }
  return "any_of: no alternative holds (" + missed + ")";
}

}  // namespace

bool judge_expect_step(std::size_t step, const ExpectStep& e,
                       const std::function<ExpectationResult(const Check&)>& judge,
                       CaseResult& out) {
  std::string first_failure;
  bool only_excused = true;  // every failed check is one the inconclusive_if clause excuses
  for (const Check& c : e.checks) {
    ExpectationResult r = judge(c);
    if (!r.ok) {
      if (first_failure.empty())
        first_failure = r.key + ": expected " + r.expected + ", got " + r.actual;
      only_excused = only_excused && e.inconclusive_if &&
                     std::find(e.inconclusive_if->excuses.begin(), e.inconclusive_if->excuses.end(),
                               r.key) != e.inconclusive_if->excuses.end();
    }
    out.expectations.push_back(std::move(r));
  }
  if (!e.any_of.empty() && first_failure.empty()) {
    first_failure = judge_alternatives(e.any_of, judge, out);
    only_excused = only_excused && e.inconclusive_if &&
                   std::find(e.inconclusive_if->excuses.begin(), e.inconclusive_if->excuses.end(),
                             "any_of") != e.inconclusive_if->excuses.end();
  }
  if (first_failure.empty()) return true;
  bool excused = only_excused && e.inconclusive_if.has_value();
  if (excused) {
    for (const Check& c : e.inconclusive_if->when) {
      ExpectationResult r = judge(c);
      r.inconclusive_clause = true;
      excused = excused && r.ok;
      out.expectations.push_back(std::move(r));
    }
  }
  out.verdict = excused ? Verdict::inconclusive : Verdict::fail;
  out.reason = "step " + std::to_string(step + 1) + ": " + first_failure +
               (excused ? " (an answer the specification allows, docs/latitude.md \"" +
                              e.inconclusive_if->because + "\"; this case cannot judge it)"
                        : "");
  return false;
}

}  // namespace mikeyconf::harness
