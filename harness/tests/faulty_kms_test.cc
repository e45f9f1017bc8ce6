// Faulty KMS variants: the suite must catch each of them (at least one fail, and the specific
// case the fault is about), and the engine's health checks must notice a KMS that dies.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>

#include "codec/message.h"
#include "harness/embedded_kms.h"
#include "harness/engine.h"
#include "harness/tests/test_support.h"
#include "roles/error_message.h"

namespace mikeyconf::harness {
namespace {

namespace transport = mikey::transport;
namespace codec = mikey::codec;

bool is_error_message(const mikey::Bytes& m) { return m.size() >= 2 && m[1] == 6; }

std::map<std::string, Verdict> verdicts(const RunResult& run) {
  std::map<std::string, Verdict> v;
  for (const CaseResult& c : run.cases) v[c.id] = c.verdict;
  return v;
}

// Prints the failing cases (so a run shows which variant each case caught) and returns how
// many failed.
std::size_t report(const char* variant, const RunResult& run) {
  std::size_t failed = 0;
  std::string list;
  for (const CaseResult& c : run.cases) {
    if (c.verdict == Verdict::fail) {
      ++failed;
      list += " " + c.id;
    }
  }
  const Summary s = run.summary();
  std::printf("[ variant  ] %s: %zu fail, %zu error, %zu pass, %zu inconclusive; failing:%s\n",
              variant, s.fail, s.error, s.pass, s.inconclusive, list.c_str());
  return failed;
}

RunResult run_against(EmbeddedKmsOptions options, RunOptions run_options = {}) {
  auto kms = EmbeddedKms::start(testing::reference_profile(), std::move(options));
  EXPECT_TRUE(kms.ok()) << (kms.ok() ? "" : kms.error());
  if (!kms.ok()) return {};
  KmsDriver driver(kms.value()->profile());
  run_options.strict = true;
  RunResult run = run_suite(testing::suite(), kms.value()->profile(), driver, nullptr, run_options);
  kms.value()->stop();
  return run;
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
      } else {
        auto p = codec::parse_message(a.mikey);
        auto n = mikey::roles::error_numbers(p.message);
        if (!n.empty() && n.front() == codec::ErrorNo::auth_failure && !cache->second.empty()) {
          a.mikey = cache->second;
        }
      }
      return a;
    };
  };
  RunResult run = run_against(std::move(o));
  EXPECT_GE(report("ignores-mac-failures", run), 1u);
  auto v = verdicts(run);
  EXPECT_EQ(v.at("kms.errors.bad-mac"), Verdict::fail);
  EXPECT_EQ(v.at("kms.robustness.trailing-garbage"), Verdict::fail);
  EXPECT_EQ(v.at("kms.sanity"), Verdict::pass);
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
  EXPECT_GE(report("answers-500-to-valid-requests", run), 1u);
  auto v = verdicts(run);
  EXPECT_EQ(v.at("kms.sanity"), Verdict::fail);
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

TEST(FaultyKmsTest, WrongContentTypeIsCaught) {
  const SutProfile reference = testing::reference_profile();
  testing::EditingServer server(reference.annex_a, testing::reference_handler(reference),
                                [](transport::HttpResponse& r) {
                                  for (auto& [name, value] : r.headers)
                                    if (transport::iequals(name, "Content-Type") && r.status == 200)
                                      value = "text/plain";
                                });
  const std::uint16_t port = server.start();
  ASSERT_NE(port, 0);
  const SutProfile p = reference.with_port(port);
  KmsDriver driver(p);
  RunOptions ro;
  ro.strict = true;
  ro.stop_on_sanity_failure = false;
  RunResult run = run_suite(testing::suite(), p, driver, nullptr, ro);
  server.stop();
  EXPECT_GE(report("wrong-content-type", run), 1u);
  auto v = verdicts(run);
  EXPECT_EQ(v.at("kms.sanity"), Verdict::fail);
}

TEST(FaultyKmsTest, WrongErrorNumbersAreCaught) {
  // Every Error the KMS sends says 12 (Unspecified), unauthenticated.
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner](transport::RequestType t, mikey::ByteView req) {
      transport::KmsAnswer a = inner(t, req);
      if (is_error_message(a.mikey)) {
        auto p = codec::parse_message(a.mikey);
        a.mikey =
            mikey::roles::build_error(mikey::roles::error_context(p), codec::ErrorNo::unspecified,
                                      mikey::roles::SystemClock().now());
      }
      return a;
    };
  };
  RunResult run = run_against(std::move(o));
  EXPECT_GE(report("wrong-error-numbers", run), 1u);
  auto v = verdicts(run);
  EXPECT_EQ(v.at("kms.errors.bad-mac"), Verdict::fail);
  EXPECT_EQ(v.at("kms.errors.resolve-bad-mac"), Verdict::fail);
  // Where another number is allowed the case cannot judge: inconclusive, not fail.
  EXPECT_EQ(v.at("kms.errors.replay"), Verdict::inconclusive);
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
  RunResult run = run_against(std::move(o), ro);
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
