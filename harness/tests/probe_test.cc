// The setup probe (probe.h): a profile that does not match the SUT is a setup error (exit 3,
// every case error, no fail) naming the profile key, never a failed requirement; a SUT that is
// broken on its own is left to the sanity case and the suite. And --strict (inconclusive counts
// as fail). Each SUT is the embedded reference, the profile the harness runs with an altered copy
// of the one it serves.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "codec/message.h"
#include "harness/chain_setup.h"
#include "harness/embedded_kms.h"
#include "harness/engine.h"
#include "harness/probe.h"
#include "harness/tests/test_support.h"
#include "roles/clock.h"
#include "roles/credential.h"
#include "roles/error_message.h"

namespace mikeyconf::harness {
namespace {

namespace codec = mikey::codec;
namespace roles = mikey::roles;
namespace transport = mikey::transport;

using Edit = std::function<void(SutProfile&)>;

// The whole suite against the reference KMS serving the shipped profile, judged with `edit`
// applied to the profile the harness uses.
RunResult run_with(const Edit& edit, EmbeddedKmsOptions kms_options = {}, RunOptions options = {}) {
  auto kms = EmbeddedKms::start(testing::reference_profile(), kms_options);
  EXPECT_TRUE(kms.ok()) << (kms.ok() ? "" : kms.error());
  if (!kms.ok()) return {};
  SutProfile profile = kms.value()->profile();
  edit(profile);
  KmsDriver driver(profile);
  RunResult run = run_suite(testing::suite(), profile, driver, nullptr, options);
  kms.value()->stop();
  return run;
}

void flip_psk(SutProfile& p, const std::string& user) {
  for (UserProfile& u : p.users)
    if (u.name == user) u.psk.back() ^= 0x01;
}

// Every case is error, says why, and none is blamed on the SUT.
void expect_setup_error(const RunResult& run, const std::string& named) {
  EXPECT_EQ(run.exit_code(), 3);
  EXPECT_NE(run.setup_error.find(named), std::string::npos) << run.setup_error;
  const Summary s = run.summary();
  EXPECT_EQ(s.fail, 0u);
  EXPECT_EQ(s.pass, 0u);
  EXPECT_EQ(s.error, s.total);
  EXPECT_GT(s.total, 100u);
  for (const CaseResult& c : run.cases) {
    EXPECT_EQ(c.reason.rfind("not run: setup: ", 0), 0u) << c.id << ": " << c.reason;
  }
  EXPECT_TRUE(run.health.empty());  // nothing ran, not even the sanity case
}

TEST(ProbeTest, TheShippedProfileProbesCleanAgainstTheReference) {
  RunOptions o;
  o.only = {"kms.sanity"};
  const RunResult run = run_with([](SutProfile&) {}, {}, o);
  EXPECT_EQ(run.setup_error, "");
  EXPECT_EQ(run.exit_code(), 0);
  // alice, bob, carol ask for a ticket; bob (parties.responder) also resolves one.
  ASSERT_EQ(run.setup_probes.size(), 4u);
  for (const SetupProbe& p : run.setup_probes) EXPECT_TRUE(p.ok) << p.user << ": " << p.finding;
  EXPECT_EQ(run.setup_probes.back().message, "RESOLVE_INIT_PSK");
  EXPECT_EQ(run.setup_probes.back().user, "bob");
}

TEST(ProbeTest, AWrongPskForBobIsASetupErrorNamingItsKey) {
  const RunResult run = run_with([](SutProfile& p) { flip_psk(p, "bob"); });
  expect_setup_error(run, "kms_config psk and psk_id of users.bob");
  EXPECT_NE(run.setup_error.find("user 'bob' cannot authenticate to the KMS: MIKEY Error 0 Auth "
                                 "failure for its REQUEST_INIT_PSK; MIKEY Error 0 Auth failure "
                                 "for its RESOLVE_INIT_PSK"),
            std::string::npos)
      << run.setup_error;
  EXPECT_EQ(run.setup_error.find("alice"), std::string::npos) << run.setup_error;
}

TEST(ProbeTest, AWrongKmsIdentityIsASetupErrorNamingKmsIdentity) {
  const RunResult run =
      run_with([](SutProfile& p) { p.kms_identity = *parse_identity("uri:sip:kms.example.net"); });
  expect_setup_error(run, "kms.identity of the kms_config");
  EXPECT_NE(run.setup_error.find("the KMS refuses every user"), std::string::npos)
      << run.setup_error;
}

TEST(ProbeTest, AWrongPathIsASetupErrorNamingThePathKey) {
  const RunResult run = run_with([](SutProfile& p) { p.annex_a.path = "/kms"; });
  expect_setup_error(run, "annex_a.path");
  EXPECT_NE(run.setup_error.find("HTTP 404"), std::string::npos) << run.setup_error;
  EXPECT_NE(run.setup_error.find("POST /kms?requesttype=ticketrequest"), std::string::npos)
      << run.setup_error;
  EXPECT_EQ(run.setup_probes.size(), 1u);  // a problem of the whole profile: one probe says it
}

TEST(ProbeTest, AnUnreachableSutIsASetupErrorNamingBaseUrl) {
  const RunResult run = run_with([](SutProfile& p) { p = p.with_port(1); });
  expect_setup_error(run, "base_url");
  EXPECT_NE(run.setup_error.find("cannot reach the SUT"), std::string::npos) << run.setup_error;
}

TEST(ProbeTest, AnHttp401ForAnAuthenticationFailureIsTreatedLikeAnAuthFailureError) {
  // docs/latitude.md "auth-failure-answer": the KMS answers a bad MAC with 401, no Error.
  EmbeddedKmsOptions o;
  o.edit_config = [](roles::KmsConfig& c) { c.policy.latitude.auth_failure_status = 401; };
  const RunResult run = run_with([](SutProfile& p) { flip_psk(p, "bob"); }, o);
  expect_setup_error(run, "kms_config psk and psk_id of users.bob");
  EXPECT_NE(run.setup_error.find("HTTP 401"), std::string::npos) << run.setup_error;
}

// Whether `request` is a REQUEST_INIT whose IDRi names `who`.
bool requested_by(mikey::ByteView request, std::string_view who) {
  const codec::ParseOutcome p = codec::parse_message(request);
  if (!p.ok()) return false;
  for (const codec::Payload& payload : p.message.payloads) {
    const auto* id = payload.get<codec::IdWithRole>();
    if (id != nullptr && id->role == codec::IdRole::idri)
      return std::string(id->data.begin(), id->data.end()) == who;
  }
  return false;
}

TEST(ProbeTest, AUserWhoMayOnlyResolveIsNoSetupError) {
  // The KMS lets carol resolve but not ask for tickets (Auth failure to her REQUEST_INIT).
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler inner) -> transport::KmsHandler {
    return [inner](transport::RequestType t, mikey::ByteView req) {
      if (t != transport::RequestType::ticket_request ||
          !requested_by(req, "sip:carol@example.org"))
        return inner(t, req);
      transport::KmsAnswer a;
      a.mikey = roles::build_error(roles::error_context(codec::parse_message(req)),
                                   codec::ErrorNo::auth_failure, roles::SystemClock().now());
      return a;
    };
  };
  RunOptions ro;
  ro.only = {"kms.sanity"};
  const RunResult run = run_with([](SutProfile&) {}, o, ro);
  EXPECT_EQ(run.setup_error, "");
  EXPECT_EQ(run.exit_code(), 0);
  const auto carol = std::find_if(
      run.setup_probes.begin(), run.setup_probes.end(),
      [](const SetupProbe& p) { return p.user == "carol" && p.message == "RESOLVE_INIT_PSK"; });
  ASSERT_NE(carol, run.setup_probes.end());
  EXPECT_TRUE(carol->ok);
  EXPECT_NE(carol->finding.find("verified as a Responder"), std::string::npos) << carol->finding;
}

TEST(ProbeTest, AKmsFailingOnItsOwnIsNoSetupError) {
  // 500 to every valid request: the SUT's fault, for the sanity case to judge.
  EmbeddedKmsOptions o;
  o.wrap = [](transport::KmsHandler) -> transport::KmsHandler {
    return [](transport::RequestType, mikey::ByteView) {
      return transport::KmsAnswer{{}, true, "faulty: 500"};
    };
  };
  RunOptions ro;
  ro.only = {"kms.sanity", "kms.http.wrong-method"};
  const RunResult run = run_with([](SutProfile&) {}, o, ro);
  EXPECT_EQ(run.setup_error, "");
  ASSERT_EQ(run.setup_probes.size(), 1u);  // probing stops at the SUT's own failure
  EXPECT_FALSE(run.setup_probes[0].ok);
  ASSERT_FALSE(run.cases.empty());
  EXPECT_EQ(run.cases[0].verdict, Verdict::fail);  // kms.sanity
  EXPECT_EQ(run.exit_code(), 1);
}

TEST(ProbeTest, AKmsRWhoseResponderKeyDiffersIsASetupError) {
  // The SUT (KMS_R) knows bob with another PSK than the profile's: his RESOLVE_INIT is refused.
  auto profile = load_profile(testing::cases_dir() / "profiles" / "reference-kms-r.yaml");
  ASSERT_TRUE(profile.ok()) << profile.error().to_string();
  const roles::Identity bob = profile->user("bob")->identity;
  ChainSetupOptions o;
  o.edit_sut_config = [bob](roles::KmsConfig& c) {
    for (roles::KmsUser& u : c.users) {
      if (u.identity.data != bob.data) continue;
      const auto* psk = roles::as_psk(u.credential.get());
      ASSERT_NE(psk, nullptr);
      mikey::Bytes wrong(psk->psk().begin(), psk->psk().end());
      wrong.back() ^= 0x01;
      u.credential = std::make_shared<const roles::PskCredential>(mikey::crypto::SecureBytes(wrong),
                                                                  psk->psk_id());
    }
  };
  auto setup = prepare_kms_r(profile.value(), true, o);
  ASSERT_TRUE(setup.ok()) << setup.error().message;
  RunResult run =
      run_suite(testing::suite(), setup->target, setup->make_driver, nullptr, RunOptions{});
  EXPECT_EQ(run.exit_code(), 3);
  EXPECT_EQ(run.summary().fail, 0u);
  EXPECT_NE(run.setup_error.find("kms_config psk and psk_id of users.bob"), std::string::npos)
      << run.setup_error;
  EXPECT_NE(run.setup_error.find("RESOLVE_INIT_PSK"), std::string::npos) << run.setup_error;
}

TEST(ProbeTest, TheKmsRProfileProbesClean) {
  auto profile = load_profile(testing::cases_dir() / "profiles" / "reference-kms-r.yaml");
  ASSERT_TRUE(profile.ok()) << profile.error().to_string();
  auto setup = prepare_kms_r(profile.value(), true, {});
  ASSERT_TRUE(setup.ok()) << setup.error().message;
  RunOptions ro;
  ro.only = {"kms_r.sanity"};
  RunResult run = run_suite(testing::suite(), setup->target, setup->make_driver, nullptr, ro);
  EXPECT_EQ(run.setup_error, "");
  EXPECT_EQ(run.exit_code(), 0);
  ASSERT_EQ(run.setup_probes.size(), 2u);  // bob and carol resolve; alice is KMS_I's
  for (const SetupProbe& p : run.setup_probes) {
    EXPECT_TRUE(p.ok) << p.user << ": " << p.finding;
    EXPECT_EQ(p.message, "RESOLVE_INIT_PSK");
  }
}

TEST(ProbeTest, WithoutProbingAWrongPskFailsCasesAsTheIssueSaw) {
  // What the probe prevents: the same profile mistake judged as the SUT's failures.
  RunOptions o;
  o.probe_setup = false;
  o.only = {"kms.sanity", "kms.three-party.basic"};
  const RunResult run = run_with([](SutProfile& p) { flip_psk(p, "bob"); }, {}, o);
  EXPECT_EQ(run.setup_error, "");
  EXPECT_TRUE(run.setup_probes.empty());
  EXPECT_EQ(run.exit_code(), 1);
}

// ---- --strict ----

TEST(StrictTest, AnInconclusiveCaseFailsUnderStrictKeepingItsOwnVerdict) {
  // docs/latitude.md "auth-failure-answer": a 401 instead of an Error leaves the shape of the
  // Error unjudged (inconclusive).
  EmbeddedKmsOptions o;
  o.edit_config = [](roles::KmsConfig& c) { c.policy.latitude.auth_failure_status = 401; };
  RunOptions ro;
  ro.only = {"kms.sanity", "kms.errors.bad-mac-error-unauthenticated"};
  const std::string id = "kms.errors.bad-mac-error-unauthenticated";
  auto verdict_of = [&](const RunResult& run) -> const CaseResult& {
    return *std::find_if(run.cases.begin(), run.cases.end(),
                         [&](const CaseResult& c) { return c.id == id; });
  };
  const RunResult lenient = run_with([](SutProfile&) {}, o, ro);
  ASSERT_EQ(lenient.cases.size(), 2u);
  EXPECT_EQ(verdict_of(lenient).verdict, Verdict::inconclusive) << verdict_of(lenient).reason;
  EXPECT_EQ(lenient.exit_code(), 0);

  ro.inconclusive_fails = true;
  const RunResult strict = run_with([](SutProfile&) {}, o, ro);
  const CaseResult& c = verdict_of(strict);
  EXPECT_EQ(c.verdict, Verdict::fail);
  EXPECT_EQ(c.original_verdict, Verdict::inconclusive);
  EXPECT_EQ(c.reason.rfind("strict: inconclusive counts as fail: ", 0), 0u) << c.reason;
  EXPECT_NE(c.replay.find(" --strict"), std::string::npos) << c.replay;
  EXPECT_TRUE(strict.inconclusive_fails);
  EXPECT_EQ(strict.exit_code(), 1);
  EXPECT_EQ(strict.cases[0].verdict, Verdict::pass);  // kms.sanity is untouched
}

}  // namespace
}  // namespace mikeyconf::harness
