#include "harness/scenario_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "harness/loader.h"
#include "harness/tests/test_support.h"

namespace mikeyconf::harness {
namespace {

using testing::requirements;

// ---- positions: the one thing a written scenario cannot keep ----

void clear(std::vector<Setting>& set) {
  for (Setting& s : set) s.pos = {};
}

void clear(std::vector<Mutation>& mutate) {
  for (Mutation& m : mutate) m.pos = {};
}

void clear(std::vector<Check>& checks) {
  for (Check& c : checks) c.pos = {};
}

void clear(ExpectStep& e) {
  clear(e.checks);
  for (std::vector<Check>& a : e.any_of) clear(a);
  if (e.inconclusive_if) {
    e.inconclusive_if->pos = {};
    clear(e.inconclusive_if->when);
  }
}

Scenario without_positions(Scenario s) {
  s.file.clear();
  s.pos = {};
  for (Step& st : s.steps) {
    st.pos = {};
    if (auto* send = std::get_if<SendStep>(&st.body)) {
      clear(send->set);
      clear(send->mutate);
    } else if (auto* e = std::get_if<ExpectStep>(&st.body)) {
      clear(*e);
    } else if (auto* c = std::get_if<CreateTicketStep>(&st.body)) {
      clear(c->set);
    } else if (auto* u = std::get_if<UeStep>(&st.body)) {
      clear(u->set);
      clear(u->mutate);
    } else if (auto* k = std::get_if<KmsAnswerStep>(&st.body)) {
      clear(k->mutate);
    }
  }
  return s;
}

// to_yaml → parse_scenario_text → to_yaml gives the same text, and the reloaded scenario is `s`.
void expect_round_trip(const Scenario& s) {
  const std::string text = to_yaml(s);
  auto reloaded = parse_scenario_text(text, s.id + ".yaml", &requirements());
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().to_string() << "\n" << text;
  EXPECT_EQ(to_yaml(*reloaded), text) << s.id;
  EXPECT_TRUE(without_positions(*reloaded) == without_positions(s)) << s.id << "\n" << text;
}

Scenario parsed(const std::string& text) {
  auto s = parse_scenario_text(text, "written.yaml", &requirements());
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  return s.ok() ? std::move(s).value() : Scenario{};
}

TEST(ScenarioWriterTest, EveryShippedCaseReadsBackEqual) {
  ASSERT_GT(testing::suite().size(), 100u);
  for (const Scenario& s : testing::suite()) expect_round_trip(s);
}

TEST(ScenarioWriterTest, ComparisonSeesAChangedField) {
  // The equality the round trip relies on is not vacuous.
  const Scenario& a = testing::suite().front();
  Scenario b = a;
  ASSERT_TRUE(without_positions(a) == without_positions(b));
  std::get<ExpectStep>(b.steps.back().body).checks.clear();
  EXPECT_FALSE(without_positions(a) == without_positions(b));
}

// Constructs no shipped case uses: every knob, every http override, settings of every type.
constexpr const char* kKmsEverything = R"(id: kms.writer.everything
title: 'Every send construct: "quotes", a colon: and # a hash'
requirements: [A.2-10]
level: SHOULD NOT
sut_role: kms
needs: [psk]
tags: [robustness, x-1]
timeout_ms: 9000
steps:
  - send: REQUEST_INIT_PSK
    set:
      as: "~"
      clock_offset_ms: -5000
      ticket_policy: {lifetime_s: null, responders: [bob, "yes", ""], keys: [TGK, TEK],
                      flags: {i: true, o: false}, ticket_type: 2}
      algorithms: suite256
      algorithms.prf: 0
      options.include_idrkms: false
    mutate:
      - {knob: flip_bit, field: "payload[IDR:1].id_data", bit: 7}
      - {knob: flip_mac_bit}
      - {knob: set, field: hdr.version, value: 0x02}
      - {knob: set, field: "payload[V].mac", value: "0102"}
      - {knob: truncate, at: 0}
      - {knob: truncate, drop_last: 3}
      - {knob: truncate, field: "payload[-1]"}
      - {knob: append, bytes: "00ff"}
      - {knob: delete_field, field: "payload[T]"}
      - {knob: duplicate_payload, field: "payload[RAND]"}
      - {knob: swap, field: "payload[T]", with: "payload[RAND]"}
    re_protect: true
    http:
      method: PUT
      path: "/kms/[x]?y#z"
      query: ""
      content_type: "application/mikey; q=1"
      headers: {X-Null: null, X-Star: "*", X-Yes: "yes", X-Num: "200", X-Empty: ""}
      body_encoding: base64_wrapped
      pad_header_bytes: 10
      pad_body_bytes: 11
      send_rest_after_ms: 0
  - wait_ms: 5
  - send: REQUEST_INIT_PSK
    resend: true
  - send: raw_http
    http: {body_raw: "tab\there\r\nnul\u0000 ~ \u00e9 [x]: y", body_encoding: binary}
  - expect:
      http.status: [200, 4xx]
      http.answer: [413, 5xx, closed, timeout]
      http.content_type: application/mikey
      http.header.Allow: "*"
      http.header.Retry-After: null
      mikey.data_type: [REQUEST_RESP, 200]
      mikey.error_no: 12
      mikey.payloads_present: [TICKET, General Ext]
      mikey.payloads_absent: 21
      mikey.hdr.v: 1
      mikey.hdr.copied: true
      verify: fail
      within_ms: 700
      outcome: not_granted
      ticket.lifetime_s: [10, 20]
      ticket.open_ended: false
      ticket.flags.k: true
      refused: {because: malformed, error_no: [12, 13]}
      any_of:
        - {http.status: 200, outcome: granted}
        - {refused: {because: discarded, error_no: any}}
    inconclusive_if:
      excuses: mikey.error_no
      when: {http.status: 4xx, refused: auth_failure}
      because: some-entry
)";

constexpr const char* kResolveAndMode3 = R"(id: kms.writer.resolve
title: Resolve and mode 3
requirements: [A.2-10]
level: MAY
sut_role: kms
steps:
  - create_ticket: mode3
    set: {ticket_policy.start_offset_s: 5, as: alice}
  - send: RESOLVE_INIT_PSK
    set: {to: bob, t_offset_ms: 1}
  - expect:
      keys_equal: true
      ticket.lifetime_s: 3600
)";

// A scenario of `role` whose steps are `steps` (the YAML under `steps:`).
std::string scenario(std::string_view id, std::string_view role, std::string_view steps) {
  return "id: " + std::string(id) + "\ntitle: Written back\nrequirements: [A.2-10]\n" +
         "level: SHALL\nsut_role: " + std::string(role) + "\nsteps:\n" + std::string(steps);
}

const std::string kKmsR = scenario("kms-r.writer", "kms_r", R"(
  - send: RESOLVE_INIT_PSK
    set: {kms_i.answer: normal}
  - expect:
      forwarded.count: 1
      forwarded.accepted: false
      forwarded.copied: true
)");

const std::string kKmsI = scenario("kms-i.writer", "kms_i", R"(
  - send: RESOLVE_INIT_PSK
    from: kms_r
    set: {link.client_certificate: false}
  - expect: {http.status: 200}
)");

constexpr const char* kUeInitiator = R"(id: ue.writer.initiator
title: UE steps and kms_answer
requirements: [A.2-10]
level: SHALL
sut_role: initiator
steps:
  - kms_answer: {error_no: Auth failure, authenticated: true, count: 2}
  - kms_answer: {mutate: [{knob: flip_mac_bit}], re_protect: true}
  - kms_answer: {grant_for: carol}
  - kms_answer: {status: 503}
  - kms_answer: {content_type: "text/plain", body_raw: "~"}
  - kms_answer: {no_answer: true}
  - kms_answer: {}
  - ue: initiate
    mode: 3
    set: {as: alice}
  - ue: transfer_resp
  - expect:
      ue.outcome: accepted
      ue.fresh: true
      ue.hdr.map_type: [GENERIC-ID, 7]
      kms.requests: [1, 2]
      kms.request.mikey.data_type: REQUEST_INIT_PSK
      kms.request.mikey.payloads_present: [RAND, IDR]
      kms.request.mikey.payloads_absent: 99
      kms.request.mikey.hdr.v: 1
      kms.request.hdr.empty_map: true
      kms.request.verify: ok
      kms.request.http: valid
      kms.request.http.content_type: application/mikey
      kms.request.http.header.Host: "*"
      kms.request.http.header.X-Gone: null
      kms.request.identities: fail
      kms.request.fresh: true
      kms.request.rand_min_bytes: psk
      mikey.data_type: TRANSFER_INIT
      keys_equal: true
)";

const std::string kUeResponder = scenario("ue.writer.responder", "responder", R"(
  - create_ticket: mode3
  - ue: transfer_init
    mutate: [{knob: truncate, drop_last: 1}]
  - ue: transfer_init
    resend: true
  - expect: {kms.request.rand_min_bytes: 16, kms.requests: 0}
)");

TEST(ScenarioWriterTest, EveryConstructReadsBackEqual) {
  for (const std::string& text : {std::string(kKmsEverything), std::string(kResolveAndMode3), kKmsR,
                                  kKmsI, std::string(kUeInitiator), kUeResponder}) {
    const Scenario s = parsed(text);
    ASSERT_FALSE(s.id.empty());
    expect_round_trip(s);
  }
}

TEST(ScenarioWriterTest, StringsKeepTheirValue) {
  const Scenario s = parsed(kKmsEverything);
  auto back = parse_scenario_text(to_yaml(s), "w.yaml", &requirements());
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->title, "Every send construct: \"quotes\", a colon: and # a hash");
  const auto& send = std::get<SendStep>(back->steps[0].body);
  EXPECT_EQ(std::get<std::string>(send.set.at(0).value), "~");
  EXPECT_EQ(send.http.path, "/kms/[x]?y#z");
  EXPECT_EQ(send.http.query, "");
  ASSERT_TRUE(send.mutate.at(3).bytes.has_value());
  EXPECT_EQ(*send.mutate.at(3).bytes, (mikey::Bytes{0x01, 0x02}));  // not the integer 102
  const auto& raw = std::get<SendStep>(back->steps[3].body);
  EXPECT_EQ(raw.http.body_raw, std::string("tab\there\r\nnul\0 ~ \xc3\xa9 [x]: y", 26));
}

TEST(ScenarioWriterTest, BytesThatAreNotUtf8BecomeTheReplacementCharacter) {
  // A YAML string is Unicode text (YAML 1.2 §5.1): such bytes of a body cannot be written.
  Scenario s = parsed(kKmsEverything);
  std::get<SendStep>(s.steps[3].body).http.body_raw = std::string("a\xffz");
  auto back = parse_scenario_text(to_yaml(s), "w.yaml", &requirements());
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(std::get<SendStep>(back->steps[3].body).http.body_raw, "a\xef\xbf\xbdz");
}

TEST(ScenarioWriterTest, WritesTheLoadersSpelling) {
  const std::string text = to_yaml(parsed(kResolveAndMode3));
  EXPECT_NE(text.find("id: kms.writer.resolve\n"), std::string::npos) << text;
  EXPECT_NE(text.find("level: MAY\n"), std::string::npos) << text;
  EXPECT_NE(text.find("create_ticket: mode3"), std::string::npos) << text;
  EXPECT_NE(text.find("keys_equal: true"), std::string::npos) << text;
}

}  // namespace
}  // namespace mikeyconf::harness
