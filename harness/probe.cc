#include "harness/probe.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <map>
#include <optional>
#include <set>

#include "codec/message.h"
#include "harness/engine.h"
#include "harness/loader.h"
#include "harness/names.h"
#include "harness/reference_names.h"
#include "roles/error_message.h"

namespace mikeyconf::harness {

namespace {

// What one probe's answer says about the profile.
enum class Kind {
  ok,
  credential,  // the user's key: Auth failure, 401/403, another 4xx to a valid request
  identity,    // the user's or the KMS's identity: Invalid ID
  profile,     // the same for every user: path, Host, media type, clock, algorithms
  sut,         // nothing points at the profile: the SUT's to answer for (5xx, timeout, ...)
};

struct Reading {
  Kind kind = Kind::ok;
  std::string seen;  // "MIKEY Error 0 Auth failure for its REQUEST_INIT_PSK"
  std::string keys;  // for Kind::profile: "check base_url / annex_a.path"
};

std::string yaml_quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string scenario_head(SutRole role) {
  return "id: setup.probe\ntitle: setup probe\nrequirements: [setup-probe]\nlevel: SHALL\n"
         "sut_role: " +
         std::string(to_string(role)) + "\nsteps:\n";
}

// `user` asks for a ticket for `peer`; granted and verified.
std::string request_probe(SutRole role, const std::string& user, const std::string& peer) {
  return scenario_head(role) + "  - send: REQUEST_INIT_PSK\n    set: {as: " + yaml_quoted(user) +
         ", ticket_policy.responders: [" + yaml_quoted(peer) +
         "]}\n  - expect: {outcome: granted, verify: ok}\n";
}

// `issuer` gets a ticket for `user`, who resolves it; granted and verified.
std::string resolve_probe(SutRole role, const std::string& issuer, const std::string& user) {
  return scenario_head(role) + "  - send: REQUEST_INIT_PSK\n    set: {as: " + yaml_quoted(issuer) +
         ", ticket_policy.responders: [" + yaml_quoted(user) +
         "]}\n  - expect: {outcome: granted}\n  - send: RESOLVE_INIT_PSK\n    set: {as: " +
         yaml_quoted(user) + "}\n  - expect: {outcome: granted, verify: ok}\n";
}

// A case's reason may quote what the SUT sent: a finding keeps one short line of it.
std::string cut(const std::string& reason) {
  std::string line = reason.substr(0, reason.find('\n'));
  return line.size() > 300 ? line.substr(0, 297) + "..." : line;
}

bool contains_ci(std::string_view text, std::string_view word) {
  auto it = std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

// "POST /keymanagement?requesttype=ticketrequest" from the request bytes.
std::string request_line(const std::string& request) {
  const std::string line = request.substr(0, request.find("\r\n"));
  const auto version = line.rfind(" HTTP/");
  return version == std::string::npos ? line.substr(0, 200) : line.substr(0, version);
}

const TranscriptEntry* last_http(const CaseResult& r) {
  for (auto it = r.transcript.rbegin(); it != r.transcript.rend(); ++it)
    if (it->kind == "http") return &*it;
  return nullptr;
}

std::string message_of(const TranscriptEntry& e) { return e.label.substr(0, e.label.find(' ')); }

std::optional<codec::ErrorNo> error_number(const TranscriptEntry& e) {
  if (!e.response_mikey) return std::nullopt;
  const codec::ParseOutcome p = codec::parse_message(*e.response_mikey);
  if (!p.ok() || p.message.hdr.data_type != codec::DataType::error) return std::nullopt;
  const auto numbers = mikey::roles::error_numbers(p.message);
  if (numbers.empty()) return std::nullopt;
  return numbers.front();
}

// An HTTP status other than 200 to a request the harness built by the book.
Reading read_status(const TranscriptEntry& e, const SutProfile& p) {
  // The SUT's reason phrase is quoted short: it is the SUT's text, not ours.
  const std::string seen = "HTTP " + std::to_string(e.status) +
                           (e.reason.empty() ? "" : " " + e.reason.substr(0, 80)) + " for " +
                           request_line(e.request);
  if (e.status >= 500 || e.status < 400) return {Kind::sut, seen, {}};
  const std::string said = e.reason + " " + e.body.substr(0, 512);
  if (e.status == 404 || e.status == 405)
    return {Kind::profile, seen, "check base_url / annex_a.path (" + p.annex_a.path + ")"};
  if (e.status == 415) {
    return {Kind::profile, seen, "check annex_a.content_type / annex_a.body_encoding"};
  }
  if (e.status == 401 || e.status == 403) return {Kind::credential, seen, {}};
  if (contains_ci(said, "host")) return {Kind::profile, seen, "check host_header"};
  if (contains_ci(said, p.annex_a.type_parameter)) {
    return {Kind::profile, seen,
            "check annex_a.type_parameter / ticket_request_value / ticket_resolve_value"};
  }
  // docs/latitude.md "auth-failure-answer": any 4xx may stand for an authentication failure.
  return {Kind::credential, seen, {}};
}

// A MIKEY Error in a 200 (A.2-12): the RFC 3830 §6.12 / RFC 6043 §6.9 number says what the KMS
// did not accept.
Reading read_error(codec::ErrorNo n, const std::string& message) {
  const std::string_view name = code_point_name("ErrorNo", codec::raw(n));
  const std::string seen = "MIKEY Error " + std::to_string(codec::raw(n)) +
                           (name.empty() ? "" : " " + std::string(name)) + " for its " + message;
  switch (codec::raw(n)) {
    case 0:  // Auth failure
      return {Kind::credential, seen, {}};
    case 6:  // Invalid ID
    case 7:
      return {Kind::identity, seen, {}};
    case 1:  // Invalid TS
      return {Kind::profile, seen,
              "this host's clock and the SUT's differ by more than the SUT's allowed skew"};
    case 2:  // Invalid PRF, Invalid MAC, Invalid SP
    case 3:
    case 4:
      return {Kind::profile, seen, "check algorithms (the suite the harness parties use)"};
    case 14:  // Invalid TPpar, Invalid TP... : the desired ticket format and policy
    case 15:
      return {Kind::profile, seen, "check ticket.format and ticket.lifetime_s"};
    default:
      return {Kind::sut, seen, {}};
  }
}

// `first`: no probe reached the SUT before; later, a SUT that cannot be reached has died (the
// health checks' business), it was not misaddressed.
Reading read_probe(const CaseResult& r, const SutProfile& p, bool first) {
  if (r.verdict == Verdict::pass) return {};
  if (r.verdict == Verdict::error) {
    if (r.reason.find("could not be reached") != std::string::npos && first) {
      return {Kind::profile, "cannot reach the SUT at " + p.base_url + ": " + cut(r.reason),
              "check base_url (and tls)"};
    }
    return {Kind::sut, cut(r.reason), {}};
  }
  const TranscriptEntry* e = last_http(r);
  if (e == nullptr) return {Kind::sut, cut(r.reason), {}};
  if (!e->transport_error.empty()) return {Kind::sut, cut(r.reason), {}};
  if (e->status != 200) return read_status(*e, p);
  if (auto n = error_number(*e)) return read_error(*n, message_of(*e));
  return {Kind::sut, cut(r.reason), {}};
}

std::string user_keys(const std::string& user, Kind kind) {
  // The identity is the profile's (users.X); its credential is the kms_config's user of that
  // identity.
  const std::string u = "users." + user;
  return kind == Kind::identity
             ? "check " + u + " and the kms_config psk_id of " + u + " (and kms.identity)"
             : "check the kms_config psk and psk_id of " + u + " (and kms.identity)";
}

std::string user_finding(const std::string& user, Kind kind, const std::string& seen) {
  const std::string lead = kind == Kind::identity
                               ? "the KMS does not know user '" + user + "'"
                               : "user '" + user + "' cannot authenticate to the KMS";
  return lead + ": " + seen + " — " + user_keys(user, kind);
}

bool at_sut(const UserProfile& u) { return u.home != UserHome::peer; }

class Prober {
 public:
  Prober(const SutProfile& profile, SutDriver& driver, std::uint64_t seed)
      : profile_(profile), driver_(driver), seed_(seed) {}

  ProbeReport run() {
    if (profile_.role == SutRole::kms_r) {
      probe_resolvers();
    } else if (profile_.role == SutRole::kms || profile_.role == SutRole::kms_i) {
      probe_users();
    }
    report_.error = conclusion();
    return std::move(report_);
  }

 private:
  // One probe of `user`'s `message` (the exchange judged last). A failure in an earlier
  // exchange (the ticket a resolve probe needs) says nothing about the user: the SUT's.
  Reading probe(const std::string& text, const std::string& user, const std::string& message) {
    SetupProbe probe;
    probe.user = user;
    probe.message = message;
    auto scenario = parse_scenario_text(text, "setup probe");
    if (!scenario.ok()) {
      probe.finding = "the probe does not load: " + scenario.error().to_string();
      report_.probes.push_back(std::move(probe));
      return {Kind::sut, report_.probes.back().finding, {}};
    }
    probe.result = run_case(scenario.value(), profile_, driver_,
                            case_seed(seed_, "setup.probe#" + std::to_string(count_++)));
    Reading reading = read_probe(probe.result, profile_, count_ == 1);
    const TranscriptEntry* last = last_http(probe.result);
    if (reading.kind != Kind::ok && last != nullptr && message_of(*last) != message) {
      reading = {Kind::sut, "no ticket to resolve: " + cut(probe.result.reason), {}};
    }
    probe.ok = reading.kind == Kind::ok;
    probe.finding =
        probe.ok ? "" : reading.seen + (reading.keys.empty() ? "" : " — " + reading.keys);
    report_.probes.push_back(std::move(probe));
    if (reading.kind == Kind::profile && global_.empty())
      global_ = reading.seen + " — " + reading.keys;
    if (reading.kind == Kind::sut) stopped_ = true;
    return reading;
  }

  bool going() const { return global_.empty() && !stopped_; }

  // kms, kms_i: every user at the SUT asks for a ticket; one refused is tried as a Responder.
  void probe_users() {
    std::vector<const UserProfile*> refused;
    for (const UserProfile& u : profile_.users) {
      if (!going()) return;
      if (!at_sut(u)) continue;
      const Reading r =
          probe(request_probe(profile_.role, u.name, peer_of(u.name)), u.name, "REQUEST_INIT_PSK");
      if (r.kind == Kind::ok && issuer_.empty()) issuer_ = u.name;
      if (r.kind == Kind::credential || r.kind == Kind::identity) {
        refused.push_back(&u);
        seen_[u.name] = {r.kind, r.seen, {}};
      }
    }
    for (const UserProfile* u : refused) {
      if (!going() || issuer_.empty()) break;
      resolve_as(*u, true);
    }
    // The resolve request type once, as the default Responder.
    const UserProfile* responder = profile_.user(profile_.responder);
    if (going() && !issuer_.empty() && responder != nullptr && at_sut(*responder) &&
        !resolved_.count(responder->name) && !seen_.count(responder->name)) {
      resolve_as(*responder, false);
    }
  }

  // A RESOLVE_INIT_PSK of a ticket `issuer_` obtained for `u`. `after_refusal`: u's own
  // request was refused; a verified resolve shows u may only be a Responder.
  void resolve_as(const UserProfile& u, bool after_refusal) {
    resolved_.insert(u.name);
    const Reading r =
        probe(resolve_probe(profile_.role, issuer_, u.name), u.name, "RESOLVE_INIT_PSK");
    if (r.kind == Kind::ok) {
      if (after_refusal) {
        report_.probes.back().finding =
            "refused as an Initiator (" + seen_[u.name].seen + "), verified as a Responder";
        seen_.erase(u.name);
      }
      return;
    }
    if (r.kind != Kind::credential && r.kind != Kind::identity) return;
    auto& earlier = seen_[u.name];
    earlier.seen = earlier.seen.empty() ? r.seen : earlier.seen + "; " + r.seen;
    if (earlier.kind == Kind::ok) earlier.kind = r.kind;
  }

  // kms_r: each user at the SUT resolves a ticket the harness KMS_I granted for it.
  void probe_resolvers() {
    issuer_ = profile_.initiator;
    for (const UserProfile& u : profile_.users) {
      if (!going()) return;
      if (at_sut(u) && u.name != issuer_) resolve_as(u, false);
    }
  }

  std::string peer_of(const std::string& user) const {
    return user != profile_.responder ? profile_.responder : profile_.initiator;
  }

  // The one line of ProbeReport::error.
  std::string conclusion() const {
    if (!global_.empty()) return global_;
    if (seen_.empty()) return {};
    const std::size_t at_sut_users = static_cast<std::size_t>(
        std::count_if(profile_.users.begin(), profile_.users.end(), at_sut));
    if (seen_.size() >= 2 && seen_.size() == at_sut_users && issuer_.empty()) {
      // Nobody got through: what they share is the likelier mistake.
      std::string who;
      for (const auto& [user, r] : seen_) who += (who.empty() ? "" : ", ") + user;
      return "the KMS refuses every user (" + who + "; " + seen_.begin()->second.seen +
             ") — check kms.identity of the kms_config (the KMS's own identity, sent as IDRkms) " +
             "and annex_a, then the users' psk, psk_id and identity";
    }
    std::string out;
    for (const auto& [user, r] : seen_) {
      out += (out.empty() ? "" : "; ") + user_finding(user, r.kind, r.seen);
    }
    return out;
  }

  const SutProfile& profile_;
  SutDriver& driver_;
  std::uint64_t seed_;
  std::uint64_t count_ = 0;
  ProbeReport report_;
  std::string issuer_;                   // a user whose ticket request was granted
  std::map<std::string, Reading> seen_;  // users refused, with what was seen
  std::set<std::string> resolved_;
  std::string global_;  // a problem of the whole profile, with the keys to check
  bool stopped_ = false;
};

}  // namespace

ProbeReport probe_profile(const SutProfile& profile, SutDriver& driver, std::uint64_t run_seed) {
  try {
    return Prober(profile, driver, run_seed).run();
  } catch (const std::exception& e) {
    // The probe is a diagnosis: when it cannot run, the sanity case and the suite still judge.
    ProbeReport r;
    r.probes.push_back(SetupProbe{"", "", false, std::string("probe failed: ") + e.what(), {}});
    return r;
  }
}

}  // namespace mikeyconf::harness
