// The latitude matrix (docs/latitude.md): every role's suite against
// its embedded reference with one latitude knob flipped at a time, with the reference's clock
// offset inside the allowed skew, and the KMS suite over HTTPS. The reference with any knob
// flipped is still a correct implementation, so every run must end with no `fail` and no
// `error`; a failing case encodes the reference's default reading instead of the specification.
//
// One ctest entry per knob × role (a parameterised test), so `ctest -j2` runs them side by side.
// A knob is one row of knob_table(): its configuration key and value, what it edits (the KMS
// configuration, the KMS's server options, the SUT profile's declaration, the clock, HTTPS) and
// the roles whose reference it flips.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/chain_setup.h"
#include "harness/embedded_kms.h"
#include "harness/engine.h"
#include "harness/tests/chain_knobs.h"
#include "harness/tests/test_support.h"
#include "harness/ue_setup.h"
#include "roles/kms.h"
#include "transport/server.h"

#ifndef MIKEYCONF_BINARY
#error "MIKEYCONF_BINARY must name the built mikeyconf executable"
#endif

namespace mikeyconf::harness {
namespace {

namespace roles = mikey::roles;
namespace transport = mikey::transport;
using KmsEdit = std::function<void(roles::KmsConfig&)>;
using ServerEdit = std::function<void(transport::ServerOptions&)>;

// ---- The knob table ----

struct Knob {
  std::string name;            // the configuration key and value it stands for
  std::vector<SutRole> roles;  // whose embedded reference it flips
  KmsEdit kms;                 // the reference KMS's configuration (kms, kms_r, kms_i)
  ServerEdit server;           // the reference KMS's server options (kms)
  std::function<void(SutProfile&)> declare;  // the profile's PIXIT declaration, if one is needed
  std::int64_t clock_offset_ms = 0;          // the reference's clock (UE: --clock-offset-ms)
  bool https = false;                        // kms: the suite over HTTPS
};

const std::vector<SutRole> kKmsRoles{SutRole::kms, SutRole::kms_r, SutRole::kms_i};
const std::vector<SutRole> kAllRoles{SutRole::kms, SutRole::kms_r, SutRole::kms_i,
                                     SutRole::initiator, SutRole::responder};

Knob row(std::string name, std::vector<SutRole> roles) {
  Knob k;
  k.name = std::move(name);
  k.roles = std::move(roles);
  return k;
}

// A roles::KmsPolicy knob: every KMS role.
Knob policy(std::string name, KmsEdit edit) {
  Knob k = row(std::move(name), kKmsRoles);
  k.kms = std::move(edit);
  return k;
}

// A server knob of the KMS under test (HTTP latitude).
Knob http(std::string name, ServerEdit edit) {
  Knob k = row(std::move(name), {SutRole::kms});
  k.server = std::move(edit);
  return k;
}

// The reference's clock `ms` off the host's (docs/latitude.md "clock-offset"): the KMS's
// KmsLatitude::clock_offset_ms, the reference UE's --clock-offset-ms.
Knob clock_offset(std::int64_t ms) {
  Knob k = row("policy.clock_offset_ms=" + std::to_string(ms), kAllRoles);
  k.kms = [ms](roles::KmsConfig& c) { c.policy.latitude.clock_offset_ms = ms; };
  k.clock_offset_ms = ms;
  return k;
}

std::vector<Knob> policy_knobs() {
  using roles::KmsConfig;
  return {
      policy("policy.answers.auth_failure=401",
             [](KmsConfig& c) { c.policy.latitude.auth_failure_status = 401; }),
      policy("policy.answers.auth_failure=403",
             [](KmsConfig& c) { c.policy.latitude.auth_failure_status = 403; }),
      policy("policy.answers.auth_failure=400",
             [](KmsConfig& c) { c.policy.latitude.auth_failure_status = 400; }),
      policy("policy.answers.malformed=400",
             [](KmsConfig& c) { c.policy.latitude.malformed_status = 400; }),
      policy("policy.answers.discarded=400",
             [](KmsConfig& c) { c.policy.latitude.discarded_status = 400; }),
      policy("policy.granted.idri=omit", [](KmsConfig& c) { c.policy.latitude.add_idri = false; }),
      policy("policy.granted.idrkms=omit",
             [](KmsConfig& c) { c.policy.latitude.add_idrkms = false; }),
      policy("policy.trailing_bytes=ignore",
             [](KmsConfig& c) { c.policy.latitude.ignore_trailing_bytes = true; }),
      policy("policy.idrkms_id_type=any",
             [](KmsConfig& c) { c.policy.latitude.accept_idrkms_other_type = true; }),
      policy("policy.inconsistent_policy=repair",
             [](KmsConfig& c) { c.policy.latitude.repair_inconsistent_policy = true; }),
      policy("lifetimes.open_end=open",
             [](KmsConfig& c) { c.policy.latitude.open_ended_lifetime = true; }),
      policy("policy.ticket_start_grace=300",
             [](KmsConfig& c) { c.policy.latitude.ticket_start_grace_s = 300; }),
      policy("policy.enforce_rand_length=true",
             [](KmsConfig& c) { c.policy.latitude.enforce_rand_length = true; }),
      policy("policy.iv=b",
             [](KmsConfig& c) { c.policy.iv_timestamp = roles::IvTimestamp::initial_message; }),
      policy("policy.errors.malformed=13",
             [](KmsConfig& c) {
               c.policy.errors.malformed = mikey::codec::ErrorNo::unsupported_message_type;
             }),
      policy("policy.errors.ticket_validity=15",
             [](KmsConfig& c) {
               c.policy.errors.ticket_validity = mikey::codec::ErrorNo::invalid_tppar;
             }),
      policy("policy.errors.unauthorized_responder=0",
             [](KmsConfig& c) {
               c.policy.errors.unauthorized_responder = mikey::codec::ErrorNo::auth_failure;
             }),
  };
}

std::vector<Knob> http_knobs() {
  Knob https = row("https (throwaway CA)", {SutRole::kms});
  https.https = true;
  return {
      http("http.unknown_method_status=501",
           [](transport::ServerOptions& o) { o.profile.unknown_method_status = 501; }),
      http("http.oversized_body=close",
           [](transport::ServerOptions& o) { o.oversized_body = transport::OversizedBody::close; }),
      http("http.oversized_body=wait",
           [](transport::ServerOptions& o) { o.oversized_body = transport::OversizedBody::wait; }),
      https,
  };
}

// The chaining knobs (harness/tests/chain_knobs.h), each for its one role.
std::vector<Knob> chain_knob_rows() {
  std::vector<Knob> out;
  for (const testing::ChainKnob& k : testing::chain_knobs()) {
    Knob r = row(std::string(k.name), {k.role});
    r.kms = k.edit_sut_config;
    r.declare = k.declare;
    out.push_back(std::move(r));
  }
  return out;
}

// Every knob flipped by the matrix. Add a row here when the reference gains a knob.
const std::vector<Knob>& knob_table() {
  static const std::vector<Knob> table = [] {
    std::vector<Knob> t = policy_knobs();
    for (std::int64_t ms : {-250'000, -3'000, 3'000, 250'000}) t.push_back(clock_offset(ms));
    for (Knob& k : http_knobs()) t.push_back(std::move(k));
    for (Knob& k : chain_knob_rows()) t.push_back(std::move(k));
    return t;
  }();
  return table;
}

// ---- Running a role's suite against its reference with one knob flipped ----

struct Entry {
  std::size_t knob = 0;
  SutRole role = SutRole::kms;
};

// How ctest lists an entry ("kms / http.oversized_body=wait"); without it gtest would print the
// struct's bytes, padding included, into the test's name.
void PrintTo(const Entry& e, std::ostream* os) {
  *os << to_string(e.role) << " / " << knob_table()[e.knob].name;
}

std::vector<Entry> entries() {
  std::vector<Entry> out;
  for (std::size_t i = 0; i < knob_table().size(); ++i) {
    for (SutRole r : knob_table()[i].roles) out.push_back({i, r});
  }
  return out;
}

SutProfile role_profile(SutRole role) {
  if (role == SutRole::kms) return testing::reference_profile();
  const std::string stem = role == SutRole::kms_r       ? "reference-kms-r"
                           : role == SutRole::kms_i     ? "reference-kms-i"
                           : role == SutRole::initiator ? "reference-initiator"
                                                        : "reference-responder";
  auto p = load_profile(testing::cases_dir() / "profiles" / (stem + ".yaml"));
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().to_string());
  return p.ok() ? std::move(p).value() : SutProfile{};
}

RunOptions strict_options() {
  RunOptions o;
  o.strict = true;  // every level: the SHOULD and MAY cases too
  o.jobs = 2;
  o.seed = 20261207;
  return o;
}

RunResult run_kms(const Knob& k, const SutProfile& profile) {
  EmbeddedKmsOptions o;
  o.edit_config = k.kms;
  o.edit_server = k.server;
  o.https = k.https;
  auto kms = EmbeddedKms::start(profile, o);
  EXPECT_TRUE(kms.ok()) << (kms.ok() ? "" : kms.error());
  if (!kms.ok()) return {};
  const SutProfile target = kms.value()->profile();
  const DriverFactory drivers = [target] { return std::make_unique<KmsDriver>(target); };
  return run_suite(testing::suite(), target, drivers, nullptr, strict_options());
}

RunResult run_chain(const Knob& k, const SutProfile& profile) {
  ChainSetupOptions o;
  o.edit_sut_config = k.kms;
  auto setup = profile.role == SutRole::kms_r ? prepare_kms_r(profile, true, o)
                                              : prepare_kms_i(profile, true, o);
  EXPECT_TRUE(setup.ok()) << (setup.ok() ? "" : setup.error().message);
  if (!setup.ok()) return {};
  return run_suite(testing::suite(), setup->target, setup->make_driver, nullptr, strict_options());
}

// The reference UE is `mikeyconf ue`, a process per case: its clock offset is an argument.
RunResult run_ue(const Knob& k, SutProfile profile) {
  UeHookSpec hook;
  hook.exec = {"{mikeyconf}", "ue", "--profile", "{profile}"};
  if (k.clock_offset_ms != 0) {
    hook.exec.insert(hook.exec.end(), {"--clock-offset-ms", std::to_string(k.clock_offset_ms)});
  }
  if (profile.hook) hook.timeout_ms = profile.hook->timeout_ms;
  profile.hook = hook;
  UeSetupOptions o;
  o.mikeyconf = MIKEYCONF_BINARY;
  auto setup = prepare_ue_with(profile, o);
  EXPECT_TRUE(setup.ok()) << (setup.ok() ? "" : setup.error().message);
  if (!setup.ok()) return {};
  return run_suite(testing::suite(), setup->target, setup->make_driver, nullptr, strict_options());
}

RunResult run_entry(const Knob& k, SutRole role) {
  SutProfile profile = role_profile(role);
  if (k.declare) k.declare(profile);
  switch (role) {
    case SutRole::kms:
      return run_kms(k, profile);
    case SutRole::kms_r:
    case SutRole::kms_i:
      return run_chain(k, profile);
    case SutRole::initiator:
    case SutRole::responder:
      return run_ue(k, std::move(profile));
  }
  return {};
}

std::string ids_with(const RunResult& run, Verdict v) {
  std::string out;
  for (const CaseResult& c : run.cases)
    if (c.verdict == v) out += (out.empty() ? "" : " ") + c.id;
  return out;
}

std::string reasons(const RunResult& run) {
  std::string out;
  for (const CaseResult& c : run.cases) {
    if (c.verdict == Verdict::fail || c.verdict == Verdict::error)
      out += "  " + c.id + ": " + std::string(to_string(c.verdict)) + " — " + c.reason + "\n";
  }
  return out;
}

// One line per run, with the ids that did not pass:
//   [ latitude ] kms × policy.answers.auth_failure=401: 158 pass, 2 inconclusive, 0 skipped
void print(const Knob& k, SutRole role, const RunResult& run, double seconds) {
  const Summary s = run.summary();
  std::printf(
      "[ latitude ] %s × %s: %zu pass, %zu inconclusive, %zu skipped, %zu fail, %zu error"
      " (%.1f s)\n",
      std::string(to_string(role)).c_str(), k.name.c_str(), s.pass, s.inconclusive, s.skipped,
      s.fail, s.error, seconds);
  const std::pair<Verdict, const char*> lists[] = {
      {Verdict::inconclusive, "inconclusive"}, {Verdict::fail, "fail"}, {Verdict::error, "error"}};
  for (const auto& [verdict, label] : lists) {
    const std::string ids = ids_with(run, verdict);
    if (!ids.empty()) std::printf("             %s: %s\n", label, ids.c_str());
  }
}

class LatitudeMatrixTest : public ::testing::TestWithParam<Entry> {};

TEST_P(LatitudeMatrixTest, TheSuiteHasNoFailAndNoError) {
  const Knob& k = knob_table()[GetParam().knob];
  const SutRole role = GetParam().role;
  const auto start = std::chrono::steady_clock::now();
  const RunResult run = run_entry(k, role);
  print(k, role, run,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  const Summary s = run.summary();
  std::size_t role_cases = 0;
  for (const Scenario& c : testing::suite()) role_cases += c.sut_role == role ? 1 : 0;
  EXPECT_EQ(s.total, role_cases);
  EXPECT_GT(s.pass, 0u);
  EXPECT_EQ(s.fail, 0u) << reasons(run);
  EXPECT_EQ(s.error, 0u) << reasons(run);
}

// "kms__policy_answers_auth_failure_401": gtest names are letters, digits and underscores.
std::string entry_name(const ::testing::TestParamInfo<Entry>& info) {
  std::string name = std::string(to_string(info.param.role)) + "__";
  for (char c : knob_table()[info.param.knob].name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    name += alnum ? c : (c == '-' ? 'm' : '_');
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Knobs, LatitudeMatrixTest, ::testing::ValuesIn(entries()), entry_name);

// The other side of "announced-body-too-large": a KMS that accepts a body far over any Annex A
// request's size (a 200) fails both body-size cases, while the reference's three legal answers
// (the http.oversized_body rows above) pass them.
TEST(OversizedBodyCaseTest, AKmsAcceptingTheOversizedBodyFailsBothCases) {
  const SutProfile reference = testing::reference_profile();
  transport::AnnexAProfile limits = reference.annex_a;
  limits.max_body_bytes = 4u << 20;
  testing::EditingServer server(limits, testing::reference_handler(reference), {});
  server.screen = [](transport::HttpRequestView& r) -> std::optional<transport::HttpResponse> {
    if (r.body.size() <= 64 * 1024) return std::nullopt;
    transport::HttpResponse accepted;
    accepted.headers.emplace_back("Content-Type", "application/mikey");
    accepted.body = "AAAA";
    return accepted;
  };
  const std::uint16_t port = server.start();
  ASSERT_NE(port, 0);
  const SutProfile target = reference.with_port(port);
  RunOptions o = strict_options();
  o.jobs = 1;  // the editing server serves one connection at a time
  o.only = {"kms.http.announced-body-too-large", "kms.http.oversized-body"};
  const DriverFactory drivers = [target] { return std::make_unique<KmsDriver>(target); };
  const RunResult run = run_suite(testing::suite(), target, drivers, nullptr, o);
  std::size_t failed = 0;
  for (const CaseResult& c : run.cases) {
    if (c.id == o.only[0] || c.id == o.only[1]) {
      EXPECT_EQ(c.verdict, Verdict::fail) << c.id << ": " << c.reason;
      failed += c.verdict == Verdict::fail ? 1 : 0;
    }
  }
  EXPECT_EQ(failed, 2u);
}

// The table itself: every row flips something for at least one role, and names are unique (they
// become test names).
TEST(LatitudeMatrixTableTest, EveryRowFlipsSomethingUnderAUniqueName) {
  std::vector<std::string> names;
  for (const Knob& k : knob_table()) {
    EXPECT_FALSE(k.roles.empty()) << k.name;
    EXPECT_TRUE(k.kms || k.server || k.declare || k.clock_offset_ms != 0 || k.https) << k.name;
    EXPECT_EQ(std::count(names.begin(), names.end(), k.name), 0) << k.name;
    names.push_back(k.name);
  }
  EXPECT_GE(knob_table().size(), 20u);
}

}  // namespace
}  // namespace mikeyconf::harness
