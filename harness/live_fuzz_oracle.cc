// The live fuzzer's oracles (live_fuzz.h): names, and which oracle a failed execution violated,
// read from its expectation results and transcript.
#include <algorithm>

#include "harness/live_fuzz.h"
#include "harness/live_fuzz_gen.h"
#include "wire/enum_table.h"

namespace mikeyconf::harness {

MIKEY_DEFINE_ENUM_TEXT(to_string, Oracle, "unknown", "server_error", "closed", "timeout",
                       "unparsable_answer", "unauthenticated_success", "sut_dead")

namespace live_fuzz {

namespace {

const TranscriptEntry* last_http(const CaseResult& r) {
  for (auto it = r.transcript.rbegin(); it != r.transcript.rend(); ++it)
    if (it->kind == "http") return &*it;
  return nullptr;
}

// An exchange without a response: closed (reset, or the write failed because of it), timeout,
// or a response the harness could not read as HTTP (bad_response, response_too_large).
Anomaly no_response(const std::string& transport_error) {
  if (transport_error.starts_with("timeout")) return {Oracle::timeout, transport_error};
  if (transport_error.starts_with("connection_closed") ||
      transport_error.starts_with("write_failed") || transport_error.starts_with("read_failed")) {
    return {Oracle::closed, transport_error};
  }
  return {Oracle::unparsable_answer, "no usable HTTP response: " + transport_error};
}

std::string line(const ExpectationResult& e) {
  return e.key + ": expected " + e.expected + ", got " + e.actual;
}

}  // namespace

std::optional<Anomaly> classify(const CaseResult& result) {
  if (result.verdict != Verdict::fail && result.verdict != Verdict::inconclusive) {
    // error: the harness could not run the case (a knob the message does not support, the SUT
    // unreachable before the exchange); only an exchange that ended without an answer counts.
    if (result.verdict != Verdict::error) return std::nullopt;
    // The SUT served the setup: no longer reaching it is a death the liveness probe confirms.
    if (result.reason.find("could not be reached") != std::string::npos)
      return Anomaly{Oracle::sut_dead, result.reason};
    const TranscriptEntry* x = last_http(result);
    if (x == nullptr || x->transport_error.empty()) return std::nullopt;
    Anomaly a = no_response(x->transport_error);
    return a.oracle == Oracle::unparsable_answer ? std::nullopt : std::optional<Anomaly>(a);
  }
  const TranscriptEntry* x = last_http(result);
  const auto failed = [&](auto pred) {
    return std::find_if(result.expectations.begin(), result.expectations.end(),
                        [&](const ExpectationResult& e) { return !e.ok && pred(e); });
  };
  auto answer = failed([](const ExpectationResult& e) { return e.key == "http.answer"; });
  if (answer != result.expectations.end()) {
    if (x != nullptr && !x->transport_error.empty()) return no_response(x->transport_error);
    return Anomaly{Oracle::server_error, line(*answer)};
  }
  auto granted = failed(
      [](const ExpectationResult& e) { return e.key == "outcome" && e.expected == "not_granted"; });
  if (granted != result.expectations.end()) {
    return Anomaly{Oracle::unauthenticated_success,
                   "granted a request changed without re-protection: " + granted->actual};
  }
  const bool parse_failed =
      failed([](const ExpectationResult& e) { return e.key.starts_with("any_of"); }) !=
          result.expectations.end() &&
      failed([](const ExpectationResult& e) { return !e.key.starts_with("any_of"); }) ==
          result.expectations.end();
  if (parse_failed) return Anomaly{Oracle::unparsable_answer, result.reason};
  return std::nullopt;
}

std::string answer_key(const CaseResult& result) {
  const TranscriptEntry* x = last_http(result);
  if (x == nullptr) return "no exchange";
  if (!x->transport_error.empty()) {
    const std::string& t = x->transport_error;
    return t.substr(0, t.find(':'));
  }
  return std::to_string(x->status);
}

}  // namespace live_fuzz

}  // namespace mikeyconf::harness
