// A fuzzed execution as a case (live_fuzz_gen.h): the send step, the expect step that is the
// oracle, the HTTP override names the minimiser drops one by one, and the signature a finding is
// deduplicated by.
#include <algorithm>
#include <regex>
#include <set>

#include "harness/live_fuzz_gen.h"
#include "harness/mutate.h"

namespace mikeyconf::harness::live_fuzz {

namespace {

Check status_check(CheckKey key, std::vector<int> codes, std::vector<int> classes) {
  HttpStatusCheck s;
  s.codes = std::move(codes);
  s.classes = std::move(classes);
  return Check{key, s, {}};
}

// Any answer short of a server failure: 2xx-4xx, or 501 for a method the server does not
// implement (RFC 9110 §15.6.2; the HTTP cases accept it for a malformed request line).
Check answered_check() { return status_check(CheckKey::http_answer, {501}, {2, 3, 4}); }

// A 200 carries a MIKEY message the KMS may send (TS 33.328 Annex A.2: REQUEST_RESP,
// RESOLVE_RESP, or an Error, RFC 3830 §6.12) that parses in full; PSK-mode answers never hold
// SIGN (RFC 6043 §4.2), so "SIGN absent" is judged on the parsed message. Anything that is not a
// 200 (3xx, 4xx, 501) is judged by answered_check alone.
std::vector<std::vector<Check>> parsable_answer() {
  std::vector<Check> other{status_check(CheckKey::http_status, {501}, {3, 4})};
  std::vector<Check> mikey{status_check(CheckKey::http_status, {200}, {}),
                           Check{CheckKey::mikey_data_type, NumbersCheck{{13, 18, 6}}, {}},
                           Check{CheckKey::mikey_payloads_absent, PayloadTypesCheck{{4}}, {}}};
  return {other, mikey};
}

// payload[IDR:1] → payload[IDR], payload[3] → payload[#]: the same fault at another occurrence is
// the same finding.
std::string normalised(const std::string& path) {
  static const std::regex occurrence(R"(\[([A-Za-z_ ]+):-?[0-9]+\])");
  static const std::regex index(R"(\[-?[0-9]+\])");
  return std::regex_replace(std::regex_replace(path, occurrence, "[$1]"), index, "[#]");
}

}  // namespace

bool changes_bytes(const FuzzInput& input, const Target& target) {
  if (target.kind == MessageKind::raw_http) return true;
  if (input.mutate.empty()) return false;
  auto mutated = apply_mutations(target.sample, input.mutate);
  if (!mutated.ok()) return true;
  // Bytes only added after the last payload may be ignored and the request granted
  // (docs/latitude.md "trailing-bytes"): that changes nothing the MAC had to cover.
  const mikey::Bytes& m = mutated.value();
  return m.size() < target.sample.size() ||
         !std::equal(target.sample.begin(), target.sample.end(), m.begin());
}

Scenario build_scenario(const FuzzInput& input, const std::vector<Target>& targets, SutRole role,
                        const std::string& id) {
  const Target& t = targets.at(input.target);
  Scenario s;
  s.id = id;
  s.title = "Live fuzzing: a mutated " + std::string(to_string(t.kind)) +
            " is answered without a server failure";
  // The KMS answers a request it cannot serve with a MIKEY Error (A.2-12) or a 4xx (A.3-1), and
  // never grants one it could not authenticate (T-5.4-1).
  s.requirements = {"A.2-12", "A.3-1", "T-5.4-1"};
  s.level = Level::shall;
  s.sut_role = role;
  s.needs = {"psk"};
  s.tags = {"robustness", "live-fuzz"};
  s.steps = t.prefix;
  SendStep send;
  send.message = t.kind;
  send.from = t.from;
  send.mutate = input.mutate;
  send.re_protect = input.re_protect && !input.mutate.empty();
  send.http = input.http;
  if (!send.http.any()) send.http.body_encoding = t.encoding;
  s.steps.push_back(Step{send, {}});
  ExpectStep e;
  e.checks.push_back(answered_check());
  if (!send.re_protect && changes_bytes(input, t)) {
    e.checks.push_back(Check{CheckKey::outcome, WordCheck{"not_granted"}, {}});
  }
  e.any_of = parsable_answer();
  s.steps.push_back(Step{e, {}});
  return s;
}

std::vector<std::string> http_override_keys(const HttpOverrides& h) {
  std::vector<std::string> keys;
  if (h.method) keys.emplace_back("method");
  if (h.path) keys.emplace_back("path");
  if (h.query) keys.emplace_back("query");
  if (h.content_type) keys.emplace_back("content_type");
  for (const auto& [name, value] : h.headers) keys.push_back("headers." + name);
  if (h.body_encoding) keys.emplace_back("body_encoding");
  if (h.pad_header_bytes) keys.emplace_back("pad_header_bytes");
  if (h.pad_body_bytes) keys.emplace_back("pad_body_bytes");
  return keys;
}

void drop_http_override(HttpOverrides& h, const std::string& key) {
  if (key == "method") h.method.reset();
  if (key == "path") h.path.reset();
  if (key == "query") h.query.reset();
  if (key == "content_type") h.content_type.reset();
  if (key == "body_encoding") h.body_encoding.reset();
  if (key == "pad_header_bytes") h.pad_header_bytes.reset();
  if (key == "pad_body_bytes") h.pad_body_bytes.reset();
  if (key.rfind("headers.", 0) == 0) {
    const std::string name = key.substr(8);
    std::erase_if(h.headers, [&](const auto& e) { return e.first == name; });
  }
}

std::string signature(Oracle oracle, const FuzzInput& input, const std::vector<Target>& targets) {
  std::string out =
      std::string(to_string(oracle)) + " " + std::string(to_string(targets.at(input.target).kind));
  std::set<std::string> knobs;
  for (const Mutation& m : input.mutate) {
    std::string k(to_string(m.knob));
    if (!m.field.empty()) k += ":" + normalised(m.field);
    if (!m.with.empty()) k += "," + normalised(m.with);
    knobs.insert(k);
  }
  for (const std::string& k : knobs) out += " " + k;
  if (input.re_protect) out += " re_protect";
  for (const std::string& k : http_override_keys(input.http)) out += " http." + k;
  return out;
}

}  // namespace mikeyconf::harness::live_fuzz
