// Live fuzzing against embedded KMS variants that stay alive: a KMS that fails (500) behind its
// MAC check and one that grants requests whose MAC does not verify are found; each finding is
// deduplicated, minimised to the knob that matters, and its regression case fails against the
// variant and passes against the reference. The reference itself yields nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

#include "codec/message.h"
#include "harness/embedded_kms.h"
#include "harness/live_fuzz.h"
#include "harness/tests/test_support.h"

namespace mikeyconf::harness {
namespace {

namespace transport = mikey::transport;
namespace codec = mikey::codec;

bool is_error_message(const mikey::Bytes& m) { return m.size() >= 2 && m[1] == 6; }

// Two top-level payloads of one type with the same bytes (their Next payload bytes aside).
bool repeats_a_payload(mikey::ByteView request) {
  const codec::ParseOutcome p = codec::parse_message(request);
  const auto& pls = p.message.payloads;
  for (std::size_t i = 0; p.ok() && i < pls.size(); ++i) {
    for (std::size_t j = i + 1; j < pls.size(); ++j) {
      if (pls[i].type != pls[j].type || pls[i].length != pls[j].length || pls[i].length < 2 ||
          pls[j].offset + pls[j].length > request.size())
        continue;
      const auto a = request.subspan(pls[i].offset + 1, pls[i].length - 1);
      if (std::equal(a.begin(), a.end(), request.begin() + pls[j].offset + 1)) return true;
    }
  }
  return false;
}

// The faults' deep condition: a grant (the MAC verified) of a request that repeats a payload.
bool granted_repeat(const transport::KmsAnswer& a, mikey::ByteView req) {
  return !is_error_message(a.mikey) && a.client_error_status == 0 && repeats_a_payload(req);
}

Campaign fuzz(const SutProfile& profile, std::uint64_t runs) {
  LiveFuzzOptions o;
  o.runs = runs;
  o.seed = 1;
  const DriverFactory drivers = [profile] { return std::make_unique<KmsDriver>(profile); };
  return run_live_fuzz(testing::suite(), profile, drivers, o);
}

Verdict rerun(const Scenario& s, const SutProfile& profile) {
  KmsDriver d(profile);
  return run_case(s, profile, d, 1).verdict;
}

const SendStep& fuzzed_send(const Scenario& s) {
  return std::get<SendStep>(s.steps[s.steps.size() - 2].body);
}

TEST(LiveFuzzE2E, TheReferenceYieldsNothing) {
  auto kms = EmbeddedKms::start(testing::reference_profile());
  ASSERT_TRUE(kms.ok());
  const Campaign c = fuzz(kms.value()->profile(), 300);
  EXPECT_FALSE(c.setup_error) << c.setup_error.value_or("");
  EXPECT_EQ(c.execs, 300u);
  EXPECT_EQ(c.stop_reason, "runs");
  for (const Finding& f : c.findings) ADD_FAILURE() << f.id << ": " << f.detail;
}

TEST(LiveFuzzE2E, AFailureBehindTheMacCheckIsFoundAndMinimised) {
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner](transport::RequestType t, mikey::ByteView req) {
      transport::KmsAnswer a = inner(t, req);
      if (granted_repeat(a, req)) return transport::KmsAnswer{{}, true, "injected failure"};
      return a;
    };
  };
  auto kms = EmbeddedKms::start(testing::reference_profile(), o);
  ASSERT_TRUE(kms.ok());
  const SutProfile& profile = kms.value()->profile();
  const Campaign c = fuzz(profile, 400);
  EXPECT_FALSE(c.sut_dead);
  ASSERT_FALSE(c.findings.empty());
  std::uint64_t hits = 0;
  for (const Finding& f : c.findings) {
    EXPECT_EQ(f.oracle, Oracle::server_error) << f.id << ": " << f.detail;
    EXPECT_EQ(f.id.rfind("server_error-", 0), 0u);
    EXPECT_EQ(f.regression.id, "fuzz." + f.id);
    const SendStep& send = fuzzed_send(f.regression);
    // Minimised: the duplication and the re-protection that reach the fault, nothing else.
    ASSERT_EQ(send.mutate.size(), 1u) << f.signature;
    EXPECT_EQ(send.mutate[0].knob, Knob::duplicate_payload);
    EXPECT_TRUE(send.re_protect);
    EXPECT_EQ(f.result.verdict, Verdict::fail);
    EXPECT_EQ(rerun(f.regression, profile), Verdict::fail);
    hits += f.hits;
  }
  // Signatures deduplicate: fewer findings than executions that hit them.
  EXPECT_GE(hits, c.findings.size());
  auto reference = EmbeddedKms::start(testing::reference_profile());
  ASSERT_TRUE(reference.ok());
  EXPECT_EQ(rerun(c.findings.front().regression, reference.value()->profile()), Verdict::pass);
}

TEST(LiveFuzzE2E, NoAnswerIsATimeoutAndTheCampaignGoesOn) {
  // Sits on a request behind the MAC check that repeats a payload for longer than the harness
  // waits, then answers as usual: a timeout, not a dead SUT.
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner](transport::RequestType t, mikey::ByteView req) {
      transport::KmsAnswer a = inner(t, req);
      if (granted_repeat(a, req)) std::this_thread::sleep_for(std::chrono::milliseconds(600));
      return a;
    };
  };
  auto kms = EmbeddedKms::start(testing::reference_profile(), o);
  ASSERT_TRUE(kms.ok());
  SutProfile profile = kms.value()->profile();
  profile.timeouts.request_ms = 300;
  const Campaign c = fuzz(profile, 150);
  EXPECT_FALSE(c.sut_dead);
  EXPECT_EQ(c.stop_reason, "runs");
  ASSERT_FALSE(c.findings.empty());
  for (const Finding& f : c.findings) {
    EXPECT_EQ(f.oracle, Oracle::timeout) << f.id << ": " << f.detail;
    EXPECT_FALSE(f.liveness.has_value());
  }
  EXPECT_GT(c.answers.count("timeout"), 0u);
}

// A KMS that answers every REQUEST_INIT it refuses with the last grant it issued (one that does
// not check MACs and serves from a cache).
class LastGrant {
 public:
  transport::KmsAnswer serve(transport::RequestType t, transport::KmsAnswer a) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const bool granted = !is_error_message(a.mikey) && a.client_error_status == 0;
    if (t == transport::RequestType::ticket_request && granted) grant_ = a.mikey;
    if (t == transport::RequestType::ticket_request && !granted && !grant_.empty())
      return transport::KmsAnswer{grant_, false, "served from the cache"};
    return a;
  }

 private:
  std::mutex mutex_;
  mikey::Bytes grant_;
};

TEST(LiveFuzzE2E, AGrantWithoutAuthenticationIsFound) {
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    auto last = std::make_shared<LastGrant>();
    return [inner, last](transport::RequestType t, mikey::ByteView req) {
      return last->serve(t, inner(t, req));
    };
  };
  auto kms = EmbeddedKms::start(testing::reference_profile(), o);
  ASSERT_TRUE(kms.ok());
  const Campaign c = fuzz(kms.value()->profile(), 200);
  bool found = false;
  for (const Finding& f : c.findings) {
    if (f.oracle != Oracle::unauthenticated_success) continue;
    found = true;
    EXPECT_FALSE(fuzzed_send(f.regression).re_protect) << f.signature;
    EXPECT_FALSE(fuzzed_send(f.regression).mutate.empty()) << f.signature;
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace mikeyconf::harness
