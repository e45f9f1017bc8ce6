// results.json (lossless, schema mikeyconf.results/1), junit.xml, the decoded message summary
// and the exit codes.
#include <gtest/gtest.h>

#include "inspect/json.h"
#include "reports/decoded.h"
#include "reports/decoded_json.h"
#include "reports/junit.h"
#include "reports/results_json.h"
#include "reports/tests/test_run.h"
#include "wire/hex.h"

namespace mikeyconf::reports {
namespace {

using harness::RunResult;
using harness::Verdict;
using inspect::Json;

const Json& at(const Json& j, std::string_view key) {
  static const Json kNull;
  const Json* v = inspect::find_member(j, key);
  return v != nullptr ? *v : kNull;
}

TEST(ResultsJsonTest, IsValidJsonAndLossless) {
  const RunResult run = testing::make_run();
  const std::string text = results_json(run);
  std::size_t error_at = 0;
  const auto doc = inspect::parse_json(text, &error_at);
  ASSERT_TRUE(doc) << "invalid JSON at byte " << error_at;
  EXPECT_EQ(at(*doc, "schema").get<std::string>(), "mikeyconf.results/1");
  EXPECT_EQ(at(at(*doc, "summary"), "total").get<std::uint64_t>(), 7u);
  EXPECT_EQ(at(at(*doc, "summary"), "xpass").get<std::uint64_t>(), 1u);
  const Json& r = at(*doc, "run");
  EXPECT_EQ(at(r, "exit_code").get<std::int64_t>(), 1);
  EXPECT_EQ(at(r, "jobs").get<std::uint64_t>(), 3u);
  EXPECT_EQ(at(r, "cases_dir").get<std::string>(), "cases");
  EXPECT_TRUE(at(at(*doc, "sut"), "embedded").get<bool>());
  EXPECT_EQ(at(at(*doc, "sut_info"), "product").get<std::string>(), "mikeyconf reference KMS");
  EXPECT_EQ(at(at(*doc, "sut_info"), "vendor").get<std::string>(), "");
  EXPECT_EQ(at(at(*doc, "suite"), "digest").get<std::string>(), std::string(64, 'a'));
  EXPECT_FALSE(at(at(*doc, "suite"), "matches_shipped").get<bool>());
  const Json& cases = at(*doc, "cases");
  ASSERT_EQ(cases.size(), 7u);
  const Json& c = cases[5];
  EXPECT_EQ(at(c, "verdict").get<std::string>(), "xfail");
  EXPECT_EQ(at(c, "original_verdict").get<std::string>(), "fail");
  EXPECT_EQ(at(c, "seed").get<std::uint64_t>(), 0xfedcba9876543210ULL);
  EXPECT_EQ(at(c, "title").get<std::string>(), "A <title> & \"quotes\"");
  EXPECT_EQ(at(at(c, "expectations")[0], "actual").get<std::string>(), "500");
  const Json& t = at(c, "transcript")[0];
  EXPECT_EQ(at(at(t, "mikey_built"), "hex").get<std::string>(), "010b008000000001000105");
  EXPECT_EQ(at(at(t, "mikey_sent"), "hex").get<std::string>(), "010b000000000001000105");
  EXPECT_EQ(at(t, "mutations")[0].get<std::string>(), "set hdr.v = 0");
  const std::string request_hex = at(at(t, "request"), "hex").get<std::string>();
  EXPECT_EQ(request_hex.size(), 120u);
  EXPECT_EQ(request_hex.substr(116), "01ff");
  const Json& resp = at(t, "response");
  EXPECT_EQ(at(resp, "status").get<std::uint64_t>(), 500u);
  EXPECT_EQ(resp.at("headers")[0][1].get<std::string>(), "text/plain");
  EXPECT_EQ(at(at(resp, "mikey"), "data_type_name").get<std::string>(), "Error");
  // The base64 body of an Annex A exchange is kept exactly as received.
  const Json& annex = at(c, "transcript")[2];
  const std::string body_hex = at(at(annex, "response"), "body_hex").get<std::string>();
  EXPECT_EQ(body_hex.size(), 2 * run.cases[5].transcript[2].body.size());
  EXPECT_EQ(at(at(at(annex, "response"), "mikey"), "hex").get<std::string>(),
            mikey::wire::to_hex(testing::sample("ticket_resolve_resp")));
  const Json& health = at(*doc, "health_checks")[0];
  EXPECT_EQ(at(health, "when").get<std::string>(), "start");
  EXPECT_EQ(at(*doc, "warnings")[0].get<std::string>(), "b.yaml:3: baseline names no case 'x'");
}

TEST(ResultsJsonTest, CaseJsonIsTheResultsEntry) {
  const RunResult run = testing::make_run();
  const auto whole = inspect::parse_json(results_json(run));
  const auto one = inspect::parse_json(case_json(run.cases[1]));
  ASSERT_TRUE(whole && one);
  EXPECT_EQ(*one, whole->at("cases")[1]);
}

// Every message of the transcript in the one shape `mikeyconf decode --json` also writes.
TEST(ResultsJsonTest, MessagesHaveTheOneDecodedShape) {
  const RunResult run = testing::make_run();
  const auto doc = inspect::parse_json(results_json(run));
  ASSERT_TRUE(doc);
  const harness::TranscriptEntry& e = run.cases[5].transcript[0];
  const Json& t = at(at(*doc, "cases")[5], "transcript")[0];
  EXPECT_EQ(at(t, "mikey_built"), decoded_message_json(e.mikey_built));
  EXPECT_EQ(at(t, "mikey_sent"), decoded_message_json(e.mikey_sent));
  const Json& resp = at(at(t, "response"), "mikey");
  EXPECT_EQ(resp, decoded_message_json(*e.response_mikey));
  EXPECT_EQ(at(resp, "data_type_name"), "Error");
  EXPECT_EQ(at(resp, "error_numbers"), Json(decode_message(*e.response_mikey).error_numbers));
  for (const char* key :
       {"hex", "length", "valid", "parses", "error", "data_type", "data_type_name", "payloads",
        "error_numbers", "deviations", "notes", "fields", "message"}) {
    EXPECT_NE(inspect::find_member(resp, key), nullptr) << key;
  }
  // A message that does not parse: where it stops, and nothing more invented.
  const Json bad = decoded_message_json(mikey::wire::from_hex("01").value());
  EXPECT_FALSE(bad.at("parses").get<bool>());
  EXPECT_FALSE(bad.at("valid").get<bool>());
  EXPECT_EQ(bad.at("error").at("code").get<std::string>(), "truncated");
  EXPECT_TRUE(bad.at("data_type").is_null());
  EXPECT_TRUE(bad.at("data_type_name").is_null());
}

TEST(ResultsJsonTest, EscapesControlAndNonAsciiBytes) {
  RunResult run = testing::make_run();
  run.cases[0].transcript[0].reason = std::string("\x00\x1f\"\\\xff", 5);
  const std::string text = results_json(run);
  EXPECT_NE(text.find(R"(\u0000\u001f\"\\\u00ff)"), std::string::npos);
  EXPECT_TRUE(inspect::parse_json(text));
}

TEST(DecodedTest, NamesDataTypeFieldsAndErrorNumbers) {
  const DecodedMessage d = decode_message(testing::sample("ticket_error"));
  EXPECT_TRUE(d.parses);
  EXPECT_EQ(d.data_type_name, "Error");
  EXPECT_TRUE(d.is_error_message);
  EXPECT_FALSE(d.error_numbers.empty());
  bool named = false;
  for (const inspect::DecodedField& f : d.fields)
    named = named || (f.path == "hdr.data_type" && f.name == "Error");
  EXPECT_TRUE(named);
  const DecodedMessage bad = decode_message(mikey::wire::from_hex("01").value());
  EXPECT_FALSE(bad.parses);
  EXPECT_FALSE(bad.data_type);
  EXPECT_EQ(data_type_label(testing::sample("ticket_request_init_psk")), "REQUEST_INIT_PSK");
}

TEST(JunitTest, MapsEveryVerdictAndKeepsItsName) {
  const std::string xml = junit_xml(testing::make_run());
  EXPECT_NE(xml.find("tests=\"7\" failures=\"2\" errors=\"1\" skipped=\"3\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<property name=\"verdict\" value=\"xpass\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"verdict\" value=\"inconclusive\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"xpass: step 2"), std::string::npos);
  EXPECT_NE(xml.find("<error message=\"error: "), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"xfail: "), std::string::npos);
  EXPECT_NE(xml.find("A &lt;title&gt; &amp; &quot;quotes&quot;"), std::string::npos);
  EXPECT_EQ(xml.find("\x01"), std::string::npos);
  // The pass case has no failure element of its own.
  const auto pass = xml.find("name=\"kms.case.pass\"");
  const auto next = xml.find("</testcase>", pass);
  EXPECT_EQ(xml.substr(pass, next - pass).find("<failure"), std::string::npos);
  EXPECT_EQ(xml.rfind("</testsuites>\n"), xml.size() - 14);
}

TEST(ResultsTest, ExitCodes) {
  RunResult r;
  EXPECT_EQ(r.exit_code(), 0);
  r.cases.push_back(testing::make_case("a", Verdict::xfail));
  r.cases.push_back(testing::make_case("b", Verdict::inconclusive));
  r.cases.push_back(testing::make_case("c", Verdict::skipped));
  EXPECT_EQ(r.exit_code(), 0);
  r.cases.push_back(testing::make_case("d", Verdict::error));
  EXPECT_EQ(r.exit_code(), 3);
  r.cases.push_back(testing::make_case("e", Verdict::xpass));
  EXPECT_EQ(r.exit_code(), 1);
}

}  // namespace
}  // namespace mikeyconf::reports
