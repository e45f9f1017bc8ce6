// Chaining latitude end to end (docs/latitude.md): the kms_r and kms_i suites against their
// embedded references with each chaining knob (chain_knobs.h) flipped — every legal reading
// passes, no case fails or errors — and what the harness reads from the SUT profile
// (`latitude.link-mac-identity`). Real loopback sockets with mutual TLS (an ephemeral PKI).
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "codec/message.h"
#include "harness/chain.h"
#include "harness/chain_setup.h"
#include "harness/engine.h"
#include "harness/mutate.h"
#include "harness/tests/chain_knobs.h"
#include "harness/tests/test_support.h"
#include "roles/message_util.h"

namespace mikeyconf::harness {
namespace {

namespace codec = mikey::codec;
namespace roles = mikey::roles;
using testing::chain_knobs;
using testing::ChainKnob;

SutProfile load(SutRole role) {
  const char* stem = role == SutRole::kms_r ? "reference-kms-r" : "reference-kms-i";
  auto p = load_profile(testing::cases_dir() / "profiles" / (std::string(stem) + ".yaml"));
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().to_string());
  return p.ok() ? std::move(p).value() : SutProfile{};
}

RunResult run_embedded(const SutProfile& profile, const ChainSetupOptions& options) {
  auto setup = profile.role == SutRole::kms_r ? prepare_kms_r(profile, true, options)
                                              : prepare_kms_i(profile, true, options);
  EXPECT_TRUE(setup.ok()) << (setup.ok() ? "" : setup.error().message);
  if (!setup.ok()) return {};
  RunOptions o;
  o.strict = true;  // the SHOULD case too
  o.seed = 20261207;
  return run_suite(testing::suite(), setup->target, setup->make_driver, nullptr, o);
}

std::map<std::string, Verdict> verdicts(const RunResult& run) {
  std::map<std::string, Verdict> v;
  for (const CaseResult& c : run.cases) v[c.id] = c.verdict;
  return v;
}

std::string ids_with(const RunResult& run, Verdict v) {
  std::string out;
  for (const CaseResult& c : run.cases)
    if (c.verdict == v) out += " " + c.id;
  return out;
}

std::string not_passed(const RunResult& run) {
  std::string out;
  for (const CaseResult& c : run.cases) {
    if (c.verdict != Verdict::pass && c.verdict != Verdict::inconclusive) {
      out += "  " + c.id + ": " + std::string(to_string(c.verdict)) + " — " + c.reason + "\n";
    }
  }
  return out;
}

// The forwards the SUT (KMS_R) sent the harness KMS_I, as the transcripts record them.
std::vector<mikey::Bytes> forwards(const RunResult& run) {
  std::vector<mikey::Bytes> out;
  for (const CaseResult& c : run.cases)
    for (const TranscriptEntry& e : c.transcript)
      if (e.label.find("forwarded to the harness KMS_I") != std::string::npos)
        out.push_back(e.mikey_sent.empty() ? e.mikey_built : e.mikey_sent);
  return out;
}

class ChainKnobTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ChainKnobTest, TheRoleSuitePassesWithTheKnobFlipped) {
  const ChainKnob knob = chain_knobs().at(GetParam());
  SutProfile profile = load(knob.role);
  if (knob.declare) knob.declare(profile);
  ChainSetupOptions options;
  options.edit_sut_config = knob.edit_sut_config;
  const auto start = std::chrono::steady_clock::now();
  const RunResult run = run_embedded(profile, options);
  const Summary s = run.summary();
  std::printf("[ latitude ] %s × %s: %zu pass, %zu inconclusive, %zu skipped (%.1f s)%s%s\n",
              std::string(to_string(knob.role)).c_str(), std::string(knob.name).c_str(), s.pass,
              s.inconclusive, s.skipped,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
              s.inconclusive > 0 ? "; inconclusive:" : "",
              ids_with(run, Verdict::inconclusive).c_str());
  EXPECT_GE(s.total, 10u);
  EXPECT_EQ(s.fail, 0u) << not_passed(run);
  EXPECT_EQ(s.error, 0u) << not_passed(run);
  EXPECT_GE(s.pass, s.total - 2) << not_passed(run);
}

// "kms_r_peers_send_idrpsk_false": the role and the knob's name, one '_' between words.
std::string knob_test_name(const ::testing::TestParamInfo<std::size_t>& info) {
  const ChainKnob k = chain_knobs().at(info.param);
  std::string name(to_string(k.role));
  bool gap = true;
  for (char c : k.name) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      if (gap) name += '_';
      name += c;
      gap = false;
    } else {
      gap = true;
    }
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Chaining, ChainKnobTest,
                         ::testing::Range<std::size_t>(0, chain_knobs().size()), knob_test_name);

// Each knob changes what goes on the wire, so the runs above are not vacuous.

TEST(ChainLatitudeTest, AKmsRWithoutIdrpskIsResolvedByItsLinkCertificate) {
  // Reported: the harness KMS_I found the link key only through IDRpsk (RFC 6043 §4.2.3.2 lets
  // KMS_R leave it out; docs/latitude.md "link-idrpsk").
  ChainSetupOptions o;
  o.edit_sut_config = chain_knobs().at(0).edit_sut_config;
  const RunResult run = run_embedded(load(SutRole::kms_r), o);
  const auto fwd = forwards(run);
  ASSERT_FALSE(fwd.empty());
  for (const mikey::Bytes& f : fwd) {
    const roles::Received r = roles::receive(f);
    ASSERT_TRUE(r.parsed.ok());
    EXPECT_EQ(roles::find_idr(r.message().payloads, codec::IdRole::idrpsk), nullptr);
  }
  auto v = verdicts(run);
  EXPECT_EQ(v.at("kms_r.chain.three-party"), Verdict::pass);
  EXPECT_EQ(v.at("kms_r.link.mutual-tls"), Verdict::pass);
}

TEST(ChainLatitudeTest, ADeclaredMacIdentityIsHeldAgainstTheKmsR) {
  // The profile says the KMS_R MACs over the forwarded IDRr; this one uses its own identity:
  // the harness KMS_I, holding it to the declaration, refuses every forward.
  SutProfile p = load(SutRole::kms_r);
  p.latitude.declared["link-mac-identity"] = "idrr";
  ChainSetupOptions o;
  o.edit_sut_config = [](roles::KmsConfig& c) {
    for (roles::PeerKms& peer : c.peers) peer.mac_identity = roles::LinkMacIdentity::kms_r;
  };
  const RunResult run = run_embedded(p, o);
  EXPECT_EQ(verdicts(run).at("kms_r.sanity"), Verdict::fail);
  EXPECT_EQ(run.exit_code(), 1);
  // Declared as it is, the same KMS_R passes.
  p.latitude.declared["link-mac-identity"] = "kms_r";
  const RunResult declared = run_embedded(p, o);
  EXPECT_EQ(declared.summary().fail + declared.summary().error, 0u) << not_passed(declared);
}

TEST(ChainLatitudeTest, AKmsIThatMacsTheOtherWayNeedsTheDeclaration) {
  // A KMS_I that checks the MAC over KMS_R's own identity only: undeclared, the harness KMS_R
  // MACs over the forwarded IDRr and nothing resolves — the profile must say `kms_r`.
  SutProfile p = load(SutRole::kms_i);
  ChainSetupOptions o;
  o.edit_sut_config = [](roles::KmsConfig& c) {
    for (roles::KmsUser& u : c.users)
      if (u.peer_kms) u.mac_identity = roles::LinkMacIdentity::kms_r;
  };
  EXPECT_EQ(verdicts(run_embedded(p, o)).at("kms_i.sanity"), Verdict::fail);
  p.latitude.declared["link-mac-identity"] = "kms_r";
  const RunResult declared = run_embedded(p, o);
  EXPECT_EQ(declared.summary().fail + declared.summary().error, 0u) << not_passed(declared);
  // Re-protected forwards (a mutated IDRr) are MACed the declared way too.
  EXPECT_EQ(verdicts(declared).at("kms_i.hop-by-hop.not-authorized"), Verdict::pass);
}

TEST(ChainLatitudeTest, AKmsIKeyingTheLinkByCertificateIsInconclusiveOnAnUnknownIdrpsk) {
  ChainSetupOptions o;
  o.edit_sut_config = [](roles::KmsConfig& c) {
    for (roles::KmsUser& u : c.users)
      if (u.peer_kms) u.tls_identity_first = true;
  };
  const RunResult run = run_embedded(load(SutRole::kms_i), o);
  EXPECT_EQ(verdicts(run).at("kms_i.link.unknown-psk-id"), Verdict::inconclusive);
  EXPECT_EQ(run.summary().fail, 0u) << not_passed(run);
}

TEST(ChainLatitudeTest, ForwardedCopiedIsJudgedOnlyAtShouldLevel) {
  // Reported: a SHALL case required the SHOULD of B.0-5.
  bool should_case = false;
  for (const Scenario& s : testing::suite()) {
    if (s.sut_role != SutRole::kms_r) continue;
    bool uses = false;
    for (const Step& step : s.steps) {
      const auto* e = std::get_if<ExpectStep>(&step.body);
      if (e == nullptr) continue;
      for (const Check& c : e->checks)
        uses |= c.key == CheckKey::forwarded && c.name() == "forwarded.copied";
    }
    if (!uses) continue;
    EXPECT_EQ(s.level, Level::should) << s.id;
    should_case = true;
  }
  EXPECT_TRUE(should_case);
}

TEST(ChainLatitudeTest, TheShouldCaseCatchesAForwardNamingTheResponderOtherwise) {
  // What kms_r.chain.forwarded-copied judges, on a forward of the reference KMS_R: as sent it
  // passes; with another IDRr (same length, the MAC left alone: only the check is exercised) it
  // fails, naming both.
  const RunResult run = run_embedded(load(SutRole::kms_r), {});
  const CaseResult* c = nullptr;
  for (const CaseResult& r : run.cases)
    if (r.id == "kms_r.chain.forwarded-copied") c = &r;
  ASSERT_NE(c, nullptr);
  mikey::Bytes responder_request;
  mikey::Bytes forward;
  for (const TranscriptEntry& e : c->transcript) {
    if (e.kind == "http" && e.label.rfind("RESOLVE_INIT_PSK", 0) == 0)
      responder_request = e.mikey_sent;
    if (e.label.find("forwarded to the harness KMS_I") != std::string::npos) forward = e.mikey_sent;
  }
  ASSERT_FALSE(responder_request.empty());
  ASSERT_FALSE(forward.empty());
  Check copied;
  copied.key = CheckKey::forwarded;
  ForwardedCheck spec;
  spec.name = "copied";
  copied.spec = spec;
  std::vector<ForwardedRequest> forwards(1);
  forwards[0].request = forward;
  ForwardedContext x;
  x.forwarded = &forwards;
  x.responder_request = responder_request;
  EXPECT_TRUE(check_forwarded(copied, x).ok) << check_forwarded(copied, x).actual;
  Mutation other;
  other.knob = Knob::set;
  other.field = "payload[IDR].id_data";
  other.bytes = mikey::to_bytes("sip:eve@example.net");  // as long as sip:bob@example.org
  auto renamed = apply_mutation(forward, other);
  ASSERT_TRUE(renamed.ok()) << renamed.error();
  forwards[0].request = renamed.value();
  const ExpectationResult r = check_forwarded(copied, x);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.actual.find("sip:eve@example.net"), std::string::npos) << r.actual;
}

}  // namespace
}  // namespace mikeyconf::harness
