// Faulty KMS variants: the suite must catch each of them — the cases the fault is about fail, and
// only those — while the unmodified reference fails nothing; and the engine's health checks must
// notice a KMS that dies. Each variant is the reference KMS with one fault: its handler wrapped
// (EmbeddedKmsOptions::wrap), a second roles::Kms configured without one check and consulted when
// the reference refuses for that check, or an HTTP server that edits the reference's answers.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>

#include "codec/message.h"
#include "crypto/rng.h"
#include "harness/embedded_kms.h"
#include "harness/engine.h"
#include "harness/tests/test_support.h"
#include "roles/clock.h"
#include "roles/error_message.h"
#include "roles/kms.h"
#include "roles/policy.h"

namespace mikeyconf::harness {
namespace {

namespace transport = mikey::transport;
namespace codec = mikey::codec;
namespace roles = mikey::roles;
using Ids = std::set<std::string>;

bool is_error_message(const mikey::Bytes& m) { return m.size() >= 2 && m[1] == 6; }

// The first Error number of an Error message, or nullopt.
std::optional<codec::ErrorNo> error_number(const mikey::Bytes& m) {
  if (!is_error_message(m)) return std::nullopt;
  auto numbers = roles::error_numbers(codec::parse_message(m).message);
  if (numbers.empty()) return std::nullopt;
  return numbers.front();
}

std::map<std::string, Verdict> verdicts(const RunResult& run) {
  std::map<std::string, Verdict> v;
  for (const CaseResult& c : run.cases) v[c.id] = c.verdict;
  return v;
}

Ids ids_with(const RunResult& run, Verdict verdict) {
  Ids out;
  for (const CaseResult& c : run.cases)
    if (c.verdict == verdict) out.insert(c.id);
  return out;
}

std::string listed(const Ids& ids) {
  std::string out;
  for (const std::string& id : ids) out += " " + id;
  return out;
}

// Prints what the variant's run gave (so a run shows which cases caught which fault) and returns
// the ids that failed.
Ids report(const char* variant, const RunResult& run) {
  const Ids failed = ids_with(run, Verdict::fail);
  const Summary s = run.summary();
  std::printf(
      "[ variant  ] %s: %zu fail, %zu error, %zu pass, %zu inconclusive in %.0f ms; "
      "failing:%s\n",
      variant, s.fail, s.error, s.pass, s.inconclusive, run.duration_ms, listed(failed).c_str());
  std::size_t shown = 0;
  for (const CaseResult& c : run.cases) {
    if (c.verdict == Verdict::error && shown++ < 3)
      std::printf("             error %s: %s\n", c.id.c_str(), c.reason.c_str());
  }
  return failed;
}

// The whole suite, every level, two workers each with its own connection.
RunResult run_suite_against(const SutProfile& profile, RunOptions options = {}) {
  options.strict = true;
  if (options.jobs == 1) options.jobs = 2;
  const DriverFactory drivers = [profile] { return std::make_unique<KmsDriver>(profile); };
  return run_suite(testing::suite(), profile, drivers, nullptr, options);
}

RunResult run_against(EmbeddedKmsOptions options, RunOptions run_options = {}) {
  auto kms = EmbeddedKms::start(testing::reference_profile(), std::move(options));
  EXPECT_TRUE(kms.ok()) << (kms.ok() ? "" : kms.error());
  if (!kms.ok()) return {};
  RunResult run = run_suite_against(kms.value()->profile(), std::move(run_options));
  kms.value()->stop();
  return run;
}

// The TRs of the ticket a RESOLVE_INIT carries, when that ticket's TRe has passed.
std::optional<roles::NtpTime> expired_ticket_start(mikey::ByteView resolve_init) {
  const codec::ParseOutcome p = codec::parse_message(resolve_init);
  const codec::Payload* payload = p.ok() ? p.message.find(codec::PayloadType::ticket) : nullptr;
  if (payload == nullptr || payload->get<codec::Ticket>() == nullptr) return std::nullopt;
  auto view = roles::view_policy(payload->get<codec::Ticket>()->policy);
  if (!view.ok() || !view->trs || !view->tre) return std::nullopt;
  if (*view->tre >= roles::SystemClock().now_unix()) return std::nullopt;
  return roles::unix_to_ntp(*view->trs);
}

// The reference, except that a resolve it refuses with `refusal` is answered by `fallback` (a KMS
// that skips the check behind that refusal).
EmbeddedKmsOptions falls_back_on(codec::ErrorNo refusal, transport::KmsHandler fallback) {
  EmbeddedKmsOptions o;
  o.wrap = [refusal, fallback](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner, refusal, fallback](transport::RequestType t, mikey::ByteView req) {
      transport::KmsAnswer a = inner(t, req);
      if (t == transport::RequestType::ticket_resolve && error_number(a.mikey) == refusal) {
        return fallback(t, req);
      }
      return a;
    };
  };
  return o;
}

// Every case whose steps are all HTTP-level refusals the reference answers with a 4xx
// (kms.http.oversized-header also accepts a KMS serving the big header, as the editing server
// does).
const Ids kHttp4xxCases{
    "kms.http.bad-base64",
    "kms.http.empty-body",
    "kms.http.missing-requesttype",
    "kms.http.unknown-path",
    "kms.http.unknown-requesttype",
    "kms.http.wrong-content-type",
    "kms.http.wrong-method",
    "kms.http.missing-host",
    "kms.http.missing-content-type",
    "kms.http.missing-content-length",
    "kms.http.repeated-requesttype",
    "kms.http.mikey-too-short",
    "kms.http.malformed-request-line",
    "kms.http.head-method",
    "kms.http.path-case",
    "kms.http.announced-body-too-large",
    "kms.http.oversized-body",
    "kms.errors.error-message-posted",
};

TEST(FaultyKmsTest, TheUnmodifiedReferenceFailsNothing) {
  RunResult run = run_against({});
  report("unmodified reference", run);
  EXPECT_EQ(run.cases.size(), run.summary().pass)
      << listed(ids_with(run, Verdict::fail)) << listed(ids_with(run, Verdict::error));
  EXPECT_GT(run.cases.size(), 100u);
  EXPECT_EQ(run.jobs, 2u);
}

TEST(FaultyKmsTest, IgnoringMacFailuresIsCaught) {
  // Answers a request whose MAC fails with the last REQUEST_RESP it issued (a KMS that skips the
  // integrity check and serves from a cache).
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    auto cache = std::make_shared<std::pair<std::mutex, mikey::Bytes>>();
    return [inner, cache](transport::RequestType t, mikey::ByteView req) {
      transport::KmsAnswer a = inner(t, req);
      std::lock_guard<std::mutex> lock(cache->first);
      if (t != transport::RequestType::ticket_request) return a;
      if (!is_error_message(a.mikey)) {
        cache->second = a.mikey;
      } else if (error_number(a.mikey) == codec::ErrorNo::auth_failure && !cache->second.empty()) {
        a.mikey = cache->second;
      }
      return a;
    };
  };
  RunResult run = run_against(std::move(o));
  const Ids failed = report("ignores-mac-failures", run);
  for (const char* id :
       {"kms.errors.bad-mac", "kms.errors.bad-mac-error-unauthenticated",
        "kms.errors.error-message-shape", "kms.algorithms.suite256-bad-mac",
        "kms.replay.unauthenticated-not-cached", "kms.robustness.hdr-csb-id-bit"}) {
    EXPECT_TRUE(failed.count(id)) << id;
  }
  // Resolves go through untouched: no resolve case can notice.
  for (const std::string& id : failed) EXPECT_EQ(id.find("resolve"), std::string::npos) << id;
  EXPECT_EQ(verdicts(run).at("kms.sanity"), Verdict::pass);
}

TEST(FaultyKmsTest, AcceptingReplaysIsCaught) {
  // A KMS without a replay cache that answers a message it has seen from its answer cache.
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    auto seen = std::make_shared<std::pair<std::mutex, std::map<mikey::Bytes, mikey::Bytes>>>();
    return [inner, seen](transport::RequestType t, mikey::ByteView req) {
      const mikey::Bytes key(req.begin(), req.end());
      {
        std::lock_guard<std::mutex> lock(seen->first);
        auto it = seen->second.find(key);
        if (it != seen->second.end()) return transport::KmsAnswer{it->second, false, "cached"};
      }
      transport::KmsAnswer a = inner(t, req);
      std::lock_guard<std::mutex> lock(seen->first);
      if (!is_error_message(a.mikey)) seen->second[key] = a.mikey;
      return a;
    };
  };
  RunResult run = run_against(std::move(o));
  EXPECT_EQ(
      report("accepts-replays", run),
      (Ids{"kms.errors.replay", "kms.replay.resolve-resent", "kms.replay.request-resent-rewrapped",
           "kms.replay.request-resent-twice", "kms.replay.fresh-request-after-replay"}));
}

TEST(FaultyKmsTest, IgnoringTheTicketValidityPeriodIsCaught) {
  // TRs/TRe are not enforced: a resolve the reference refuses with 14 goes to a KMS that lets
  // tickets start a year late and judges an expired ticket at its TRs (its T checks still pass:
  // the suite's expired tickets start less than the 300 s clock skew before their resolve).
  auto ignores_validity = [](roles::KmsConfig& c) {
    c.policy.latitude.ticket_start_grace_s = 366 * 86'400;
  };
  RunResult run =
      run_against(falls_back_on(codec::ErrorNo::invalid_ticket,
                                testing::altered_kms(ignores_validity, expired_ticket_start)));
  EXPECT_EQ(report("ignores-ticket-validity", run),
            (Ids{"kms.errors.expired-ticket", "kms.errors.mode3-ticket-expired",
                 "kms.errors.ticket-not-yet-valid"}));
}

TEST(FaultyKmsTest, LettingUnlistedRespondersResolveIsCaught) {
  // Every user may resolve for every other user: the IDRr list of the ticket is not enforced.
  auto everyone = [](roles::KmsConfig& c) {
    for (roles::KmsUser& u : c.users)
      for (const roles::KmsUser& other : c.users)
        if (&other != &u) u.resolves_for.push_back(other.identity);
  };
  RunResult run =
      run_against(falls_back_on(codec::ErrorNo::invalid_id, testing::altered_kms(everyone)));
  EXPECT_EQ(report("unlisted-responders-resolve", run),
            (Ids{"kms.errors.wrong-responder", "kms.errors.authenticated-error-resolve",
                 "kms.authorization.initiator-resolves-own-ticket",
                 "kms.authorization.idrr-spoofed", "kms.authorization.unlisted-responder-forking",
                 "kms.authorization.mode3-unlisted-responder"}));
}

TEST(FaultyKmsTest, DroppingKeyForkingIsCaught) {
  // A KMS that silently grants tickets without the I flag (and so never forks).
  EmbeddedKmsOptions o;
  auto no_forking =
      testing::altered_kms([](roles::KmsConfig& c) { c.policy.allow_forking = false; });
  o.wrap = [no_forking](transport::KmsHandler) { return no_forking; };
  RunResult run = run_against(std::move(o));
  EXPECT_EQ(
      report("drops-key-forking", run),
      (Ids{"kms.three-party.forking", "kms.forking.granted-policy", "kms.forking.two-responders",
           "kms.forking.suite256", "kms.forking.type2", "kms.forking.gtgk-not-forked",
           "kms.forking.request-resp-mpkr", "kms.forking.tek-not-forked",
           "kms.errors.initiator-data-missing", "kms.errors.initiator-data-tampered",
           "kms.authorization.unlisted-responder-forking"}));
  EXPECT_EQ(ids_with(run, Verdict::error), Ids{});
}

TEST(FaultyKmsTest, NotCappingLifetimesIsCaught) {
  // The profile declares max-ticket-lifetime:86400, but this KMS grants up to ten years.
  EmbeddedKmsOptions o;
  auto uncapped =
      testing::altered_kms([](roles::KmsConfig& c) { c.policy.max_lifetime_s = 10 * 365 * 86400; });
  o.wrap = [uncapped](transport::KmsHandler) { return uncapped; };
  RunResult run = run_against(std::move(o));
  EXPECT_EQ(report("lifetime-not-capped", run), Ids{"kms.ticket-policy.lifetime-capped"});
}

TEST(FaultyKmsTest, NotCopyingTheHdrIntoErrorsIsCaught) {
  // Unauthenticated Errors name another CSB ID than the message in error (RFC 6043 §5.4).
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner](transport::RequestType t, mikey::ByteView req) {
      transport::KmsAnswer a = inner(t, req);
      const auto no = error_number(a.mikey);
      const codec::ParseOutcome p = codec::parse_message(a.mikey);
      if (no && p.ok() && p.message.find(codec::PayloadType::v) == nullptr) {
        roles::ErrorContext ctx = roles::error_context(p);
        ctx.csb_id = ~ctx.csb_id;
        a.mikey = roles::build_error(ctx, *no, roles::SystemClock().now());
      }
      return a;
    };
  };
  RunResult run = run_against(std::move(o));
  EXPECT_EQ(report("error-hdr-not-copied", run),
            (Ids{"kms.errors.error-message-shape", "kms.errors.resolve-error-message-shape",
                 "kms.algorithms.suite256-bad-mac"}));
}

TEST(FaultyKmsTest, CorruptingResolvedKeysIsCaught) {
  // One byte of the RESOLVE_RESP KEMAC (the keys for the Responder) altered on the way out.
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner](transport::RequestType t, mikey::ByteView req) {
      transport::KmsAnswer a = inner(t, req);
      if (t != transport::RequestType::ticket_resolve || is_error_message(a.mikey)) return a;
      const codec::ParseOutcome p = codec::parse_message(a.mikey, codec::kWithLayout);
      for (const codec::FieldRange& f : p.layout.fields()) {
        if (f.path.ends_with(".KEMAC.encr_data") && f.length > 0) {
          a.mikey[f.offset] ^= 0x01;
          break;
        }
      }
      return a;
    };
  };
  RunResult run = run_against(std::move(o));
  const Ids failed = report("corrupts-resolved-keys", run);
  // Every case that completes a Ticket Resolve and verifies it notices; nothing else does
  // (kms.three-party.resolve-response-hdr and kms.three-party.empty-map-no-sp check only the HDR
  // and the payload list).
  const Ids resolving{
      "kms.three-party.basic",
      "kms.three-party.forking",
      "kms.three-party.suite256",
      "kms.three-party.type2-provisional",
      "kms.mode3.resolve",
      "kms.mode3.resolve-tek",
      "kms.three-party.resolve-response-timestamp",
      "kms.three-party.resolve-unexpected-payload-ignored",
      "kms.three-party.resolve-protection",
      "kms.forking.gtgk-not-forked",
      "kms.forking.two-responders",
      "kms.forking.suite256",
      "kms.forking.type2",
      "kms.forking.tek-not-forked",
      "kms.algorithms.suite128",
      "kms.algorithms.suite256-type2",
      "kms.algorithms.suite128-tek",
      "kms.algorithms.suite256-tek",
      "kms.authorization.second-listed-responder",
      "kms.ticket-policy.within-validity",
      "kms.http.resolve-extra-uri-parameters",
      "kms.replay.resolve-resent",
  };
  EXPECT_EQ(failed, resolving);
}

TEST(FaultyKmsTest, Answering500ToValidRequestsIsCaught) {
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner](transport::RequestType t, mikey::ByteView req) {
      transport::KmsAnswer a = inner(t, req);
      if (!is_error_message(a.mikey)) return transport::KmsAnswer{{}, true, "faulty: 500"};
      return a;
    };
  };
  RunResult run = run_against(std::move(o));
  EXPECT_EQ(report("answers-500-to-valid-requests", run), Ids{"kms.sanity"});
  // The opening sanity case failed: the SUT is not usable, nothing else is judged.
  for (const CaseResult& c : run.cases) {
    if (c.id != "kms.sanity") {
      EXPECT_EQ(c.verdict, Verdict::error) << c.id;
      EXPECT_NE(c.reason.find("opening sanity case"), std::string::npos) << c.reason;
    }
  }
  EXPECT_EQ(run.exit_code(), 1);
}

TEST(FaultyKmsTest, Answering500ToValidRequestsFailsEachCaseWhenTheRunGoesOn) {
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner](transport::RequestType t, mikey::ByteView req) {
      transport::KmsAnswer a = inner(t, req);
      if (!is_error_message(a.mikey)) return transport::KmsAnswer{{}, true, "faulty: 500"};
      return a;
    };
  };
  RunOptions ro;
  ro.stop_on_sanity_failure = false;
  ro.only = {"kms.sanity", "kms.http.*", "kms.errors.bad-mac"};
  RunResult run = run_against(std::move(o), ro);
  report("answers-500 (run continued)", run);
  auto v = verdicts(run);
  EXPECT_EQ(v.at("kms.sanity"), Verdict::fail);
  EXPECT_EQ(v.at("kms.http.extra-uri-parameters"), Verdict::fail);  // 500 instead of 200
  EXPECT_EQ(v.at("kms.http.wrong-method"), Verdict::pass);          // 405 is still right
  EXPECT_EQ(v.at("kms.errors.bad-mac"), Verdict::pass);             // Errors still go through
  EXPECT_EQ(run.health.size(), 1u);  // no probes after a failed opening sanity
}

// The reference behind testing::EditingServer with `edit` applied to every response.
RunResult run_edited(const testing::EditingServer::Edit& edit) {
  const SutProfile reference = testing::reference_profile();
  testing::EditingServer server(reference.annex_a, testing::reference_handler(reference), edit);
  const std::uint16_t port = server.start();
  EXPECT_NE(port, 0);
  RunOptions ro;
  ro.stop_on_sanity_failure = false;
  RunResult run = run_suite_against(reference.with_port(port), ro);
  server.stop();
  return run;
}

TEST(FaultyKmsTest, WrongContentTypeIsCaught) {
  RunResult run = run_edited([](transport::HttpResponse& r) {
    for (auto& [name, value] : r.headers)
      if (transport::iequals(name, "Content-Type") && r.status == 200) value = "text/plain";
  });
  const Ids failed = report("wrong-content-type", run);
  // Whatever checks the media type, or needs a grant (outcome: granted), fails.
  for (const char* id : {"kms.sanity", "kms.http.response-format", "kms.errors.bad-mac",
                         "kms.three-party.basic", "kms.robustness.truncated-mac"}) {
    EXPECT_TRUE(failed.count(id)) << id;
  }
  // Refusals the cases expect at the HTTP level are still right.
  EXPECT_EQ(verdicts(run).at("kms.http.wrong-method"), Verdict::pass);
}

TEST(FaultyKmsTest, BlamingItselfForClientErrorsIsCaught) {
  // Every 4xx becomes a 500: the KMS reports its own failure for the UE's errors (A.3-1).
  RunResult run = run_edited([](transport::HttpResponse& r) {
    if (r.status / 100 == 4) r.status = 500;
  });
  Ids expected = kHttp4xxCases;
  for (const char* id :
       {"kms.http.body-type-mismatch", "kms.http.resolve-posted-as-request",
        "kms.robustness.hdr-data-type-bit", "kms.robustness.resolve-data-type-bit"}) {
    expected.insert(id);
  }
  EXPECT_EQ(report("500-for-client-errors", run), expected);
}

TEST(FaultyKmsTest, AProxyTurningEveryErrorIntoABare400IsCaught) {
  // Every MIKEY Error becomes a bare 400: legal where the Error is optional (an authentication
  // failure, a parse failure, a discarded message; docs/latitude.md), a failure of A.2-12 where
  // the request was valid and authenticated, and never a mere "inconclusive".
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner](transport::RequestType t, mikey::ByteView req) {
      transport::KmsAnswer a = inner(t, req);
      if (is_error_message(a.mikey)) {
        a.mikey.clear();
        a.client_error_status = 400;
      }
      return a;
    };
  };
  RunResult run = run_against(std::move(o));
  const Ids failed = report("bare-400-proxy", run);
  EXPECT_EQ(ids_with(run, Verdict::inconclusive),
            (Ids{"kms.algorithms.suite256-bad-mac", "kms.errors.bad-mac-error-unauthenticated",
                 "kms.errors.error-message-shape", "kms.errors.resolve-error-message-shape"}));
  for (const char* id :
       {"kms.errors.wrong-responder", "kms.errors.expired-ticket", "kms.errors.unknown-ticket-type",
        "kms.ticket-policy.no-responder", "kms.errors.authenticated-error-request"}) {
    EXPECT_TRUE(failed.count(id)) << id;
  }
  auto v = verdicts(run);
  for (const char* id : {"kms.errors.bad-mac", "kms.errors.replay", "kms.errors.malformed-request"})
    EXPECT_EQ(v.at(id), Verdict::pass) << id;
}

TEST(FaultyKmsTest, WrongErrorNumbersAreCaught) {
  // Every Error the KMS sends says 12 (Unspecified), unauthenticated.
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner](transport::RequestType t, mikey::ByteView req) {
      transport::KmsAnswer a = inner(t, req);
      if (is_error_message(a.mikey)) {
        auto p = codec::parse_message(a.mikey);
        a.mikey = roles::build_error(roles::error_context(p), codec::ErrorNo::unspecified,
                                     roles::SystemClock().now());
      }
      return a;
    };
  };
  RunResult run = run_against(std::move(o));
  const Ids failed = report("wrong-error-numbers", run);
  for (const char* id :
       {"kms.errors.bad-mac", "kms.errors.resolve-bad-mac", "kms.algorithms.suite256-bad-mac",
        "kms.errors.authenticated-error-request", "kms.errors.authenticated-error-resolve"}) {
    EXPECT_TRUE(failed.count(id)) << id;
  }
  auto v = verdicts(run);
  // A discarded message may draw any Error number (docs/latitude.md "discard-answer") ...
  EXPECT_EQ(v.at("kms.errors.replay"), Verdict::pass);
  // ... an unauthorized Responder 7 or 0 ("unauthorized-responder-error"), an unsupported MAC
  // algorithm 3 (or 0): 12 is neither.
  EXPECT_EQ(v.at("kms.errors.wrong-responder"), Verdict::fail);
  EXPECT_EQ(v.at("kms.errors.null-mac"), Verdict::fail);
  EXPECT_EQ(v.at("kms.errors.malformed-request"), Verdict::pass);  // 12 is what it asks for
  EXPECT_EQ(v.at("kms.sanity"), Verdict::pass);
}

TEST(FaultyKmsTest, AKmsThatDiesMidRunMakesLaterResultsErrors) {
  // Serves normally for 25 requests, then answers 500 to everything.
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    auto count = std::make_shared<std::atomic<int>>(0);
    return [inner, count](transport::RequestType t, mikey::ByteView req) {
      if (++*count > 25) return transport::KmsAnswer{{}, true, "dead"};
      return inner(t, req);
    };
  };
  RunResult run = run_against(std::move(o));
  report("dies-mid-run", run);
  const Summary s = run.summary();
  EXPECT_GE(s.pass, 5u);
  EXPECT_GE(s.fail, 1u);   // the case it died in
  EXPECT_GE(s.error, 5u);  // everything after it
  bool saw_dead = false;
  for (const CaseResult& c : run.cases) {
    if (c.verdict == Verdict::error &&
        c.reason.find("failed the health check after") != std::string::npos) {
      saw_dead = true;
    }
  }
  EXPECT_TRUE(saw_dead);
  ASSERT_FALSE(run.health.empty());
  EXPECT_FALSE(run.health.back().ok);
}

TEST(FaultyKmsTest, AFailedClosingSanityCheckTurnsRecentResultsIntoErrors) {
  // Alive for exactly the opening probe and the two selected cases; dead for the closing probe.
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    auto count = std::make_shared<std::atomic<int>>(0);
    return [inner, count](transport::RequestType t, mikey::ByteView req) {
      if (++*count > 3) return transport::KmsAnswer{{}, true, "dead"};
      return inner(t, req);
    };
  };
  RunOptions ro;
  ro.only = {"kms.sanity", "kms.http.extra-uri-parameters", "kms.http.extra-header-fields"};
  ro.strict = true;
  ro.probe_setup = false;  // the KMS counts requests: only the cases' may reach it
  auto kms = EmbeddedKms::start(testing::reference_profile(), std::move(o));
  ASSERT_TRUE(kms.ok()) << kms.error();
  KmsDriver driver(kms.value()->profile());
  RunResult run = run_suite(testing::suite(), kms.value()->profile(), driver, nullptr, ro);
  kms.value()->stop();
  ASSERT_EQ(run.cases.size(), 3u);
  EXPECT_EQ(run.cases[0].verdict, Verdict::pass);  // before the last passing health check
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(run.cases[i].verdict, Verdict::error) << run.cases[i].id;
    EXPECT_EQ(run.cases[i].original_verdict, Verdict::pass);
    EXPECT_NE(run.cases[i].reason.find("closing sanity check failed"), std::string::npos);
  }
  ASSERT_EQ(run.health.size(), 2u);
  EXPECT_EQ(run.health[1].when, "end");
  EXPECT_FALSE(run.health[1].ok);
  EXPECT_EQ(run.exit_code(), 3);
}

}  // namespace
}  // namespace mikeyconf::harness
