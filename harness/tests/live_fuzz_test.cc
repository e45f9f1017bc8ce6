// The live fuzzer's generator (deterministic per seed, knobs that resolve on the sample, the
// oracle's expect step) and its oracle classification (one handcrafted result per oracle).
#include <gtest/gtest.h>

#include <set>

#include "codec/message.h"
#include "codec/samples.h"
#include "harness/live_fuzz_gen.h"
#include "harness/loader.h"
#include "harness/mutate.h"
#include "harness/scenario_writer.h"
#include "harness/tests/test_support.h"

namespace mikeyconf::harness {
namespace {

using live_fuzz::FuzzInput;
using live_fuzz::Target;

mikey::Bytes sample(const std::string& name) {
  for (const auto& m : mikey::codec::sample_messages()) {
    if (m.name == name) return mikey::codec::serialize_message(m.message).value();
  }
  ADD_FAILURE() << "no sample " << name;
  return {};
}

std::vector<Target> kms_targets() {
  std::vector<Target> t = live_fuzz::targets_for(SutRole::kms);
  t[0].sample = sample("ticket_request_init_psk");
  t[1].sample = sample("ticket_resolve_init_psk");
  live_fuzz::learn_layout(t[0]);
  live_fuzz::learn_layout(t[1]);
  return t;
}

std::string text(const FuzzInput& in) {
  std::string s = std::to_string(in.target) + (in.re_protect ? " rp" : "");
  for (const Mutation& m : in.mutate) s += " | " + m.describe();
  for (const std::string& k : live_fuzz::http_override_keys(in.http)) s += " http." + k;
  if (in.http.body_raw) s += " raw:" + *in.http.body_raw;
  return s;
}

TEST(LiveFuzzGenerator, TargetsPerRole) {
  EXPECT_EQ(live_fuzz::targets_for(SutRole::kms).size(), 3u);
  EXPECT_EQ(live_fuzz::targets_for(SutRole::kms_r).size(), 1u);
  const auto kms_i = live_fuzz::targets_for(SutRole::kms_i);
  ASSERT_EQ(kms_i.size(), 2u);
  EXPECT_EQ(kms_i[1].from, Party::kms_r);
  EXPECT_EQ(kms_i[1].prefix.size(), 2u);  // a granted REQUEST_INIT_PSK first
  EXPECT_TRUE(live_fuzz::targets_for(SutRole::initiator).empty());
}

TEST(LiveFuzzGenerator, LayoutPathsAreSymbolicAndResolveToTheSameBytes) {
  const auto targets = kms_targets();
  const Target& t = targets[0];
  ASSERT_FALSE(t.fields.empty());
  const auto parsed = mikey::codec::parse_message(t.sample, mikey::codec::kWithLayout);
  bool symbolic = false;
  for (const auto& f : t.fields) {
    EXPECT_FALSE(field_path_problem(f.path)) << f.path;
    auto r = resolve_field(parsed, f.path);
    ASSERT_TRUE(r.ok()) << f.path;
    EXPECT_EQ(r->length, f.length) << f.path;
    symbolic = symbolic || f.path.find("payload[IDR") != std::string::npos;
  }
  EXPECT_TRUE(symbolic);
  for (const auto& p : t.payloads) EXPECT_FALSE(payload_ref_problem(p)) << p;
  EXPECT_NE(std::find(t.payloads.begin(), t.payloads.end(), "payload[V]"), t.payloads.end());
}

TEST(LiveFuzzGenerator, DeterministicPerSeedAndExec) {
  const auto targets = kms_targets();
  std::set<std::string> seen;
  for (std::uint64_t exec = 0; exec < 50; ++exec) {
    const std::string a = text(live_fuzz::generate(targets, 7, exec));
    EXPECT_EQ(a, text(live_fuzz::generate(targets, 7, exec)));
    seen.insert(a);
  }
  EXPECT_GT(seen.size(), 40u);
  std::size_t differ = 0;
  for (std::uint64_t exec = 0; exec < 50; ++exec) {
    differ +=
        text(live_fuzz::generate(targets, 7, exec)) != text(live_fuzz::generate(targets, 8, exec))
            ? 1
            : 0;
  }
  EXPECT_GT(differ, 40u);
}

TEST(LiveFuzzGenerator, SingleKnobsResolveOnTheBuiltMessage) {
  const auto targets = kms_targets();
  std::size_t single = 0, with_http = 0, raw = 0, re_protected = 0;
  for (std::uint64_t exec = 0; exec < 400; ++exec) {
    const FuzzInput in = live_fuzz::generate(targets, 1, exec);
    const Target& t = targets[in.target];
    with_http += in.http.any() ? 1 : 0;
    re_protected += in.re_protect ? 1 : 0;
    if (t.kind == MessageKind::raw_http) {
      EXPECT_TRUE(in.http.body_raw.has_value());
      EXPECT_TRUE(in.mutate.empty());
      ++raw;
      continue;
    }
    EXPECT_FALSE(in.http.body_raw.has_value());
    if (in.mutate.size() != 1) continue;
    ++single;
    auto m = apply_mutations(t.sample, in.mutate);
    EXPECT_TRUE(m.ok()) << text(in) << ": " << (m.ok() ? "" : m.error());
    if (in.re_protect) EXPECT_TRUE(live_fuzz::protectable(in.mutate, t)) << text(in);
  }
  EXPECT_GT(single, 150u);
  EXPECT_GT(with_http, 50u);
  EXPECT_GT(raw, 50u);
  EXPECT_GT(re_protected, 50u);
}

TEST(LiveFuzzGenerator, EveryGeneratedCaseLoadsBackThroughTheLoader) {
  // The regression case of a finding is the generated scenario written as YAML: the loader's
  // validation rules (names, knobs, http overrides, checks, requirement ids) must accept it.
  for (const SutRole role : {SutRole::kms, SutRole::kms_i}) {
    std::vector<Target> targets = live_fuzz::targets_for(role);
    for (Target& t : targets) {
      if (t.kind == MessageKind::raw_http) continue;
      t.sample = sample(t.kind == MessageKind::request_init_psk ? "ticket_request_init_psk"
                                                                : "ticket_resolve_init_psk");
      live_fuzz::learn_layout(t);
    }
    for (std::uint64_t exec = 0; exec < 300; ++exec) {
      const FuzzInput in = live_fuzz::generate(targets, 3, exec);
      const Scenario s =
          live_fuzz::build_scenario(in, targets, role, "fuzz.exec-" + std::to_string(exec));
      const std::string yaml = to_yaml(s);
      auto loaded = parse_scenario_text(yaml, "generated.yaml", &testing::requirements());
      ASSERT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().to_string()) << "\n" << yaml;
      EXPECT_EQ(loaded->steps.size(), s.steps.size());
    }
  }
}

const ExpectStep& oracle_step(const Scenario& s) {
  return std::get<ExpectStep>(s.steps.back().body);
}

bool has_not_granted(const Scenario& s) {
  for (const Check& c : oracle_step(s).checks)
    if (c.key == CheckKey::outcome && c.as<WordCheck>().word == "not_granted") return true;
  return false;
}

TEST(LiveFuzzGenerator, TheExpectStepIsTheOracle) {
  const auto targets = kms_targets();
  FuzzInput in;
  in.target = 1;  // RESOLVE_INIT_PSK: a granted request first
  Mutation flip;
  flip.knob = Knob::flip_mac_bit;
  in.mutate.push_back(flip);
  Scenario s = live_fuzz::build_scenario(in, targets, SutRole::kms, "fuzz.x");
  ASSERT_EQ(s.steps.size(), 4u);
  EXPECT_EQ(std::get<SendStep>(s.steps[2].body).message, MessageKind::resolve_init_psk);
  EXPECT_EQ(oracle_step(s).checks.front().key, CheckKey::http_answer);
  EXPECT_EQ(oracle_step(s).any_of.size(), 2u);
  EXPECT_TRUE(has_not_granted(s));  // changed, not re-protected: cannot be authenticated
  in.re_protect = true;
  EXPECT_FALSE(has_not_granted(live_fuzz::build_scenario(in, targets, SutRole::kms, "fuzz.x")));
  in.re_protect = false;
  Mutation append;  // a KMS may ignore bytes after the last payload ("trailing-bytes")
  append.knob = Knob::append;
  append.bytes = mikey::Bytes{0xde, 0xad};
  in.mutate = {append};
  EXPECT_FALSE(has_not_granted(live_fuzz::build_scenario(in, targets, SutRole::kms, "fuzz.x")));
  in.mutate.clear();  // the party's own message, hand-built in the profile's encoding
  s = live_fuzz::build_scenario(in, targets, SutRole::kms, "fuzz.x");
  EXPECT_EQ(std::get<SendStep>(s.steps[2].body).http.body_encoding, BodyEncoding::base64);
  EXPECT_FALSE(has_not_granted(s));
  // HTTP overrides only: the MIKEY bytes are the party's own
  in.http.method = "PUT";
  EXPECT_FALSE(has_not_granted(live_fuzz::build_scenario(in, targets, SutRole::kms, "fuzz.x")));
}

TEST(LiveFuzzGenerator, SignatureIgnoresOccurrencesAndValues) {
  const auto targets = kms_targets();
  FuzzInput a;
  Mutation m;
  m.knob = Knob::set;
  m.field = "payload[IDR:1].id_data";
  m.bytes = mikey::Bytes{1, 2};
  a.mutate.push_back(m);
  FuzzInput b = a;
  b.mutate[0].field = "payload[IDR].id_data";
  b.mutate[0].bytes = mikey::Bytes{9};
  EXPECT_EQ(live_fuzz::signature(Oracle::closed, a, targets),
            live_fuzz::signature(Oracle::closed, b, targets));
  EXPECT_NE(live_fuzz::signature(Oracle::closed, a, targets),
            live_fuzz::signature(Oracle::server_error, a, targets));
  b.http.query = "";
  EXPECT_NE(live_fuzz::signature(Oracle::closed, a, targets),
            live_fuzz::signature(Oracle::closed, b, targets));
  live_fuzz::drop_http_override(b.http, "query");
  EXPECT_FALSE(b.http.any());
}

// ---- Oracle classification ----

CaseResult exchanged(Verdict v, std::uint16_t status, std::string transport_error = "") {
  CaseResult r;
  r.verdict = v;
  TranscriptEntry e;
  e.kind = "http";
  e.status = status;
  e.transport_error = std::move(transport_error);
  r.transcript.push_back(e);
  return r;
}

ExpectationResult failed(std::string key, std::string expected = "", std::string actual = "") {
  ExpectationResult e;
  e.key = std::move(key);
  e.expected = std::move(expected);
  e.actual = std::move(actual);
  return e;
}

TEST(LiveFuzzOracle, ClassifiesEachOracle) {
  CaseResult r = exchanged(Verdict::fail, 503);
  r.expectations.push_back(failed("http.answer", "501, 2xx", "503"));
  ASSERT_TRUE(live_fuzz::classify(r));
  EXPECT_EQ(live_fuzz::classify(r)->oracle, Oracle::server_error);

  r = exchanged(Verdict::fail, 0, "connection_closed: reset by peer");
  r.expectations.push_back(failed("http.answer"));
  EXPECT_EQ(live_fuzz::classify(r)->oracle, Oracle::closed);
  EXPECT_EQ(live_fuzz::answer_key(r), "connection_closed");

  r = exchanged(Verdict::fail, 0, "timeout: no response in 10000 ms");
  r.expectations.push_back(failed("http.answer"));
  EXPECT_EQ(live_fuzz::classify(r)->oracle, Oracle::timeout);

  r = exchanged(Verdict::fail, 200);
  r.expectations.push_back(failed("outcome", "not_granted", "200 REQUEST_RESP"));
  EXPECT_EQ(live_fuzz::classify(r)->oracle, Oracle::unauthenticated_success);

  // A SUT no longer accepting connections: the liveness probe decides whether it died.
  r = exchanged(Verdict::error, 0, "connect_failed: refused");
  r.reason = "the SUT could not be reached (connect_failed: refused)";
  EXPECT_EQ(live_fuzz::classify(r)->oracle, Oracle::sut_dead);

  r = exchanged(Verdict::fail, 200);
  r.expectations.push_back(failed("any_of[0].http.status"));
  r.expectations.push_back(failed("any_of[1].mikey.data_type"));
  EXPECT_EQ(live_fuzz::classify(r)->oracle, Oracle::unparsable_answer);
  EXPECT_EQ(live_fuzz::answer_key(r), "200");
}

TEST(LiveFuzzOracle, NotTheSutsDoing) {
  CaseResult r = exchanged(Verdict::pass, 200);
  EXPECT_FALSE(live_fuzz::classify(r));
  // A refused prefix request is no oracle: the execution tested nothing.
  r = exchanged(Verdict::fail, 200);
  r.expectations.push_back(failed("outcome", "granted", "200 ERROR"));
  EXPECT_FALSE(live_fuzz::classify(r));
  // The harness could not run it (a knob the message lacks).
  r = CaseResult{};
  r.verdict = Verdict::error;
  r.reason = "step 1: no field payload[IDR:3]";
  EXPECT_FALSE(live_fuzz::classify(r));
  EXPECT_EQ(live_fuzz::answer_key(r), "no exchange");
}

}  // namespace
}  // namespace mikeyconf::harness
