#include "harness/loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "harness/tests/test_support.h"

namespace mikeyconf::harness {
namespace {

using testing::requirements;

// A valid scenario; tests replace one line to break it.
constexpr const char* kValid =
    "id: kms.example\n"                                 // 1
    "title: An example\n"                               // 2
    "requirements: [A.2-10, A.2-11]\n"                  // 3
    "level: SHALL\n"                                    // 4
    "sut_role: kms\n"                                   // 5
    "needs: [psk]\n"                                    // 6
    "steps:\n"                                          // 7
    "  - send: REQUEST_INIT_PSK\n"                      // 8
    "    from: initiator\n"                             // 9
    "    mutate:\n"                                     // 10
    "      - {knob: flip_bit, field: hdr.v, bit: 0}\n"  // 11
    "    re_protect: true\n"                            // 12
    "  - expect:\n"                                     // 13
    "      http.status: 200\n"                          // 14
    "      mikey.data_type: REQUEST_RESP\n";            // 15

std::string replace_line(std::string text, int line, const std::string& with) {
  std::size_t start = 0;
  for (int i = 1; i < line; ++i) start = text.find('\n', start) + 1;
  const std::size_t end = text.find('\n', start);
  return text.replace(start, end - start, with);
}

// The error as "name:line:col: message".
std::string error_of(const std::string& text) {
  auto r = parse_scenario_text(text, "bad.yaml", &requirements());
  if (r.ok()) return "(accepted)";
  return r.error().to_string();
}

TEST(LoaderTest, AcceptsTheValidExample) {
  auto r = parse_scenario_text(kValid, "ok.yaml", &requirements());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->id, "kms.example");
  EXPECT_EQ(r->pos, (SourcePos{1, 5}));
  ASSERT_EQ(r->steps.size(), 2u);
  const auto& send = std::get<SendStep>(r->steps[0].body);
  EXPECT_EQ(send.message, MessageKind::request_init_psk);
  ASSERT_EQ(send.mutate.size(), 1u);
  EXPECT_EQ(send.mutate[0].knob, Knob::flip_bit);
  EXPECT_EQ(send.mutate[0].field, "hdr.v");
  EXPECT_TRUE(send.re_protect);
  const auto& expect = std::get<ExpectStep>(r->steps[1].body);
  ASSERT_EQ(expect.checks.size(), 2u);
  EXPECT_EQ(expect.checks[0].as<HttpStatusCheck>().codes, std::vector<int>{200});
  EXPECT_EQ(expect.checks[1].as<NumbersCheck>().values, std::vector<int>{13});  // REQUEST_RESP
}

TEST(LoaderTest, AcceptsEveryCaseShippedInCases) {
  auto suite = load_scenarios(testing::cases_dir(), requirements());
  ASSERT_TRUE(suite.ok()) << suite.error().to_string();
  EXPECT_GE(suite->size(), 40u);
  std::set<std::string> ids;
  for (const Scenario& s : suite.value()) {
    EXPECT_TRUE(ids.insert(s.id).second) << s.id;
    EXPECT_FALSE(s.title.empty()) << s.id;
    EXPECT_FALSE(s.requirements.empty()) << s.id;
    for (const std::string& r : s.requirements) EXPECT_NE(requirements().find(r), nullptr) << r;
  }
  EXPECT_EQ(ids.count("kms.sanity"), 1u);
}

TEST(LoaderTest, RejectsAnUnknownTopLevelKeyAtItsPosition) {
  EXPECT_EQ(error_of(replace_line(kValid, 6, "colour: blue")),
            "bad.yaml:6:1: unknown key 'colour' in a scenario (allowed: id, title, requirements, "
            "level, sut_role, needs, tags, timeout_ms, steps)");
}

TEST(LoaderTest, RejectsAnUnknownRequirementIdAtTheItem) {
  EXPECT_EQ(error_of(replace_line(kValid, 3, "requirements: [A.2-10, Z-9-9]")),
            "bad.yaml:3:24: unknown requirement id 'Z-9-9' (not in " + requirements().file() + ")");
}

TEST(LoaderTest, RejectsAnUnknownKnob) {
  EXPECT_EQ(error_of(replace_line(kValid, 11, "      - {knob: twiddle, field: hdr.v}")),
            "bad.yaml:11:16: unknown knob 'twiddle' (flip_bit, flip_mac_bit, set, truncate, "
            "append, delete_field, duplicate_payload, swap)");
}

TEST(LoaderTest, RejectsAnUnknownKeyInsideAMutation) {
  EXPECT_EQ(
      error_of(replace_line(kValid, 11, "      - {knob: flip_bit, field: hdr.v, bit: 0, by: 2}")),
      "bad.yaml:11:48: unknown key 'by' in a mutation (allowed: knob, field, bit)");
}

TEST(LoaderTest, RejectsABadFieldPath) {
  EXPECT_EQ(error_of(replace_line(kValid, 11,
                                  "      - {knob: flip_bit, field: \"payload[XYZ].mac\", bit: 0}")),
            "bad.yaml:11:33: field 'payload[XYZ].mac': 'XYZ' is not a payload type name (T, "
            "RANDR, IDR, TP, V, ...)");
}

TEST(LoaderTest, RejectsANonIntegerBit) {
  EXPECT_EQ(error_of(replace_line(kValid, 11, "      - {knob: flip_bit, field: hdr.v, bit: many}")),
            "bad.yaml:11:45: bit must be an integer");
}

TEST(LoaderTest, RejectsAnUnknownCheck) {
  EXPECT_EQ(error_of(replace_line(kValid, 15, "      mikey.colour: red")),
            "bad.yaml:15:7: unknown check 'mikey.colour' (allowed: http.status, http.content_type, "
            "http.header.<name>, mikey.data_type, mikey.error_no, mikey.payloads_present, "
            "mikey.payloads_absent, mikey.hdr.v, mikey.hdr.copied, verify, keys_equal, within_ms, "
            "outcome, refused, http.answer, forwarded.<name> (sut_role kms_r), ticket.lifetime_s, "
            "ticket.flags.<d..o>, ticket.flags_consistent, ticket.open_ended, any_of)");
}

TEST(LoaderTest, RejectsAnUnknownDataTypeName) {
  EXPECT_EQ(error_of(replace_line(kValid, 15, "      mikey.data_type: REQUEST_REPLY")),
            "bad.yaml:15:24: 'REQUEST_REPLY' is not a DataType name or number");
}

TEST(LoaderTest, RejectsADuplicateKey) {
  EXPECT_EQ(error_of(replace_line(kValid, 6, "level: MAY")),
            "bad.yaml:6:1: duplicate key 'level' in a scenario (first at line 4)");
}

TEST(LoaderTest, RejectsAnUnknownLevel) {
  EXPECT_EQ(error_of(replace_line(kValid, 4, "level: MUST")),
            "bad.yaml:4:8: level must be SHALL, SHALL NOT, SHOULD, SHOULD NOT or MAY");
}

TEST(LoaderTest, RejectsAnUnknownSetting) {
  std::string text = replace_line(kValid, 9, "    set: {ticket_policy.colour: 1}");
  EXPECT_EQ(error_of(text).rfind(
                "bad.yaml:9:11: unknown setting 'ticket_policy.colour' here (allowed: as, ", 0),
            0u)
      << error_of(text);
}

TEST(LoaderTest, RejectsASettingOfTheWrongType) {
  EXPECT_EQ(error_of(replace_line(kValid, 9, "    set: {ticket_policy.flags.i: yes please}")),
            "bad.yaml:9:34: setting 'ticket_policy.flags.i' must be true or false");
}

TEST(LoaderTest, RejectsAStepWithTwoKinds) {
  EXPECT_EQ(error_of(replace_line(kValid, 9, "    wait_ms: 10")),
            "bad.yaml:8:5: a step has exactly one of send, expect, wait_ms, create_ticket");
}

TEST(LoaderTest, RejectsAnExpectBeforeAnySend) {
  const std::string text =
      "id: kms.x\ntitle: t\nrequirements: [A.2-10]\nlevel: SHALL\nsut_role: kms\nsteps:\n"
      "  - expect: {http.status: 200}\n";
  EXPECT_EQ(error_of(text), "bad.yaml:7:13: expect needs an earlier send step");
}

TEST(LoaderTest, RejectsKeysEqualWithoutAResolve) {
  EXPECT_EQ(error_of(replace_line(kValid, 15, "      keys_equal: true")),
            "bad.yaml:15:7: keys_equal needs an earlier RESOLVE_INIT_PSK send");
}

TEST(LoaderTest, RejectsAnUppercaseId) {
  EXPECT_EQ(error_of(replace_line(kValid, 1, "id: KMS.Example")).substr(0, 46),
            "bad.yaml:1:5: id 'KMS.Example' must be lower-c");
}

TEST(LoaderTest, RejectsAMissingKeyAtTheMapping) {
  const std::string text = "id: kms.x\ntitle: t\nlevel: SHALL\n";
  EXPECT_EQ(error_of(text), "bad.yaml:1:1: a scenario needs the key 'requirements'");
}

TEST(LoaderTest, ReportsYamlSyntaxErrorsWithTheParserPosition) {
  const std::string text = replace_line(kValid, 3, "requirements: [A.2-10, A.2-11");
  const std::string e = error_of(text);
  EXPECT_EQ(e.substr(0, 9), "bad.yaml:") << e;
  auto r = parse_scenario_text(text, "bad.yaml", &requirements());
  ASSERT_FALSE(r.ok());
  EXPECT_GT(r.error().line, 0);
  EXPECT_GT(r.error().column, 0);
}

TEST(LoaderTest, RejectsTwoDocuments) {
  EXPECT_EQ(error_of(std::string(kValid) + "---\nid: kms.other\n"),
            "bad.yaml:17:1: one YAML document per file is expected");
}

TEST(LoaderTest, RejectsAnEmptyDocument) {
  EXPECT_EQ(error_of(""), "bad.yaml: the document is empty");
}

TEST(LoaderTest, LoadScenarioNamesTheFileInErrors) {
  const auto path = testing::data_dir() / "bad_unknown_key.yaml";
  auto r = load_scenario(path, &requirements());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(),
            path.string() +
                ":9:5: unknown key 'form' in a step (allowed: send, expect, wait_ms, "
                "create_ticket, from, set, mutate, re_protect, resend, http)");
}

TEST(LoaderTest, LoadScenarioReportsAMissingFile) {
  auto r = load_scenario(testing::data_dir() / "does-not-exist.yaml", &requirements());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 0);
  EXPECT_EQ(r.error().message, "cannot open the file");
}

TEST(LoaderTest, RejectsDuplicateIdsAcrossFiles) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("mikeyconf_dup_ids_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "profiles");
  for (const char* name : {"a.yaml", "b.yaml"}) {
    std::ofstream(dir / name) << kValid;
  }
  std::ofstream(dir / "profiles" / "ignored.yaml") << "not: a scenario\n";
  auto r = load_scenarios(dir, requirements());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().to_string(), (dir / "b.yaml").string() +
                                       ":1:5: duplicate id 'kms.example' (first defined at " +
                                       (dir / "a.yaml").string() + ":1:5)");
  std::filesystem::remove_all(dir);
}

TEST(LoaderTest, WithoutATableAnyRequirementIdIsAccepted) {
  auto r = parse_scenario_text(replace_line(kValid, 3, "requirements: [X-1]"), "x.yaml");
  EXPECT_TRUE(r.ok());
}

TEST(LoaderTest, ParsesEveryCheckAndSettingForm) {
  const std::string text =
      "id: kms.forms\ntitle: t\nrequirements: [A.2-10]\nlevel: MAY\nsut_role: kms\n"
      "tags: [unconfirmed-3gpp]\ntimeout_ms: 1234\nsteps:\n"
      "  - send: REQUEST_INIT_PSK\n"
      "    set:\n"
      "      as: alice\n"
      "      algorithms: suite256\n"
      "      ticket_policy: {ticket_type: 3GPP base ticket, flags: {i: true, e: true}}\n"
      "      ticket_policy.lifetime_s: ~\n"
      "      algorithms.mac: HMAC-SHA-256-256\n"
      "    http:\n"
      "      headers: {X-A: one, Host: ~}\n"
      "      body_encoding: base64_wrapped\n"
      "  - expect:\n"
      "      http.status: [200, 4xx]\n"
      "      http.header.X-B: ~\n"
      "      mikey.error_no: [0, Invalid ID]\n"
      "      mikey.payloads_present: [T, General_Ext]\n"
      "      outcome: granted\n"
      "    inconclusive_if: {excuses: [mikey.error_no], when: {outcome: refused}, because: x}\n"
      "  - wait_ms: 5\n"
      "  - create_ticket: mode3\n";
  auto r = parse_scenario_text(text, "forms.yaml", &requirements());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->timeout_ms, 1234u);
  const auto& send = std::get<SendStep>(r->steps[0].body);
  ASSERT_EQ(send.set.size(), 7u);
  EXPECT_EQ(send.set[2].key, "ticket_policy.ticket_type");
  EXPECT_EQ(std::get<std::int64_t>(send.set[2].value), 2);
  EXPECT_EQ(send.set[3].key, "ticket_policy.flags.i");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(send.set[5].value));
  EXPECT_EQ(std::get<std::int64_t>(send.set[6].value), 2);
  ASSERT_EQ(send.http.headers.size(), 2u);
  EXPECT_FALSE(send.http.headers[1].second.has_value());
  const auto& e = std::get<ExpectStep>(r->steps[1].body);
  EXPECT_EQ(e.checks[0].as<HttpStatusCheck>().codes, std::vector<int>{200});
  EXPECT_EQ(e.checks[0].as<HttpStatusCheck>().classes, std::vector<int>{4});
  EXPECT_TRUE(e.checks[1].as<HttpHeaderCheck>().absent);
  EXPECT_EQ(e.checks[2].as<NumbersCheck>().values, (std::vector<int>{0, 7}));
  EXPECT_EQ(e.checks[3].as<PayloadTypesCheck>().types, (std::vector<std::uint8_t>{5, 21}));
  ASSERT_TRUE(e.inconclusive_if.has_value());
  EXPECT_EQ(e.inconclusive_if->excuses, std::vector<std::string>{"mikey.error_no"});
  EXPECT_EQ(e.inconclusive_if->when.size(), 1u);
  EXPECT_EQ(e.inconclusive_if->because, "x");
  EXPECT_EQ(std::get<WaitStep>(r->steps[2].body).ms, 5u);
  EXPECT_TRUE(std::holds_alternative<CreateTicketStep>(r->steps[3].body));
}

// A one-expect KMS case around `expect` (the YAML of the expect step's body, indented 6).
std::string with_expect(const std::string& expect) {
  return "id: t.x\ntitle: t\nrequirements: [T-4.2.1-1]\nlevel: SHALL\nsut_role: kms\n"
         "steps:\n  - send: REQUEST_INIT_PSK\n  - expect:\n" +
         expect;
}

TEST(LoaderTest, RefusedTakesAClassOrAMap) {
  auto a =
      parse_scenario_text(with_expect("      refused: auth_failure\n"), "a.yaml", &requirements());
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  const Check& ca = std::get<ExpectStep>(a->steps[1].body).checks[0];
  EXPECT_EQ(ca.key, CheckKey::refused);
  EXPECT_EQ(ca.as<RefusalCheck>().refusal, RefusalClass::auth_failure);
  auto b = parse_scenario_text(with_expect("      refused: {error_no: [Invalid ID, 0]}\n"),
                               "b.yaml", &requirements());
  ASSERT_TRUE(b.ok()) << b.error().to_string();
  const Check& cb = std::get<ExpectStep>(b->steps[1].body).checks[0];
  EXPECT_EQ(cb.as<RefusalCheck>().refusal, RefusalClass::authenticated);
  EXPECT_EQ(cb.as<RefusalCheck>().error_nos, (std::vector<int>{7, 0}));
  auto any = parse_scenario_text(with_expect("      refused: {error_no: any}\n"), "c.yaml",
                                 &requirements());
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(std::get<ExpectStep>(any->steps[1].body).checks[0].as<RefusalCheck>().any_error_no);
}

TEST(LoaderTest, RefusedRejectsUnknownClassesAndNumberlessAuthenticatedRefusals) {
  auto bad = parse_scenario_text(with_expect("      refused: nope\n"), "d.yaml", &requirements());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().to_string().find("not authenticated, auth_failure"), std::string::npos);
  auto bare = parse_scenario_text(with_expect("      refused: {because: authenticated}\n"),
                                  "e.yaml", &requirements());
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.error().to_string().find("names its error_no"), std::string::npos);
}

TEST(LoaderTest, InconclusiveIfMustNameChecksOfItsStepAndALatitude) {
  // The old form (a plain map of checks) excused every failed check: now a load error.
  auto old = parse_scenario_text(
      with_expect("      outcome: granted\n    inconclusive_if: {outcome: refused}\n"), "f.yaml",
      &requirements());
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.error().to_string().find("excuses"), std::string::npos);
  auto foreign = parse_scenario_text(
      with_expect("      outcome: granted\n    inconclusive_if: {excuses: [verify], because: x}\n"),
      "g.yaml", &requirements());
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.error().to_string().find("not a check of this step"), std::string::npos);
}

TEST(LoaderTest, AnyOfTakesAlternativeCheckMaps) {
  auto r = parse_scenario_text(with_expect("      verify: ok\n      any_of:\n"
                                           "        - refused: {error_no: 15}\n"
                                           "        - {outcome: granted, ticket.flags.k: true}\n"),
                               "h.yaml", &requirements());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const auto& e = std::get<ExpectStep>(r->steps[1].body);
  EXPECT_EQ(e.checks.size(), 1u);
  ASSERT_EQ(e.any_of.size(), 2u);
  EXPECT_EQ(e.any_of[1].size(), 2u);
  auto one = parse_scenario_text(with_expect("      any_of:\n        - {outcome: granted}\n"),
                                 "i.yaml", &requirements());
  EXPECT_FALSE(one.ok());
}

}  // namespace
}  // namespace mikeyconf::harness
