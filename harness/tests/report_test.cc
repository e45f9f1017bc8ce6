#include "harness/report.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "harness/tests/test_support.h"
#include "wire/hex.h"

namespace mikeyconf::harness {
namespace {

CaseResult make_case(std::string id, Verdict v) {
  CaseResult c;
  c.id = std::move(id);
  c.title = "A <title> & \"quotes\"";
  c.file = "cases/kms/x.yaml";
  c.requirements = {"A.2-10", "T-5.4-2"};
  c.seed = 0xfedcba9876543210ULL;
  c.verdict = v;
  c.reason = v == Verdict::pass ? "" : "step 2: http.status: expected 200, got 500";
  c.duration_ms = 12.5;
  c.replay = "mikeyconf run --embedded --seed 1 --case " + c.id;
  c.expectations.push_back({1, "http.status", "200", "500", false, false});
  TranscriptEntry t;
  t.step = 0;
  t.kind = "http";
  t.label = "REQUEST_INIT_PSK from initiator (alice)";
  t.mikey_built = mikey::wire::from_hex("010b008000000001000105").value();
  t.mikey_sent = mikey::wire::from_hex("010b000000000001000105").value();
  t.mutations = {"set hdr.v = 0"};
  t.request =
      std::string("POST /keymanagement?requesttype=ticketrequest HTTP/1.1\r\n\r\n\x01\xff", 60);
  t.status = 500;
  t.reason = "Internal Server Error";
  t.headers = {{"Content-Type", "text/plain"}};
  t.body = "kms failed";
  t.response_mikey = mikey::wire::from_hex("0106000000000001000c").value();
  t.note = "500";
  c.transcript.push_back(t);
  return c;
}

RunResult make_run() {
  RunResult run;
  run.sut_name = "reference";
  run.sut_url = "http://127.0.0.1:1234";
  run.seed = 1;
  run.started_utc = "2026-11-29T00:00:00Z";
  for (Verdict v : {Verdict::pass, Verdict::fail, Verdict::inconclusive, Verdict::error,
                    Verdict::skipped, Verdict::xfail, Verdict::xpass}) {
    run.cases.push_back(make_case("kms.case." + std::string(to_string(v)), v));
  }
  run.cases[5].original_verdict = Verdict::fail;
  HealthCheck h;
  h.when = "start";
  h.ok = true;
  h.result = make_case("kms.sanity", Verdict::pass);
  run.health.push_back(h);
  run.warnings.push_back("b.yaml:3: baseline names no case 'x'");
  return run;
}

TEST(ReportTest, ResultsJsonIsValidAndLossless) {
  const RunResult run = make_run();
  const std::string json = results_json(run);
  YAML::Node doc = YAML::Load(json);  // JSON is YAML: a parse failure throws
  EXPECT_EQ(doc["schema"].as<std::string>(), "mikeyconf.results/1");
  EXPECT_EQ(doc["summary"]["total"].as<int>(), 7);
  EXPECT_EQ(doc["summary"]["xpass"].as<int>(), 1);
  EXPECT_EQ(doc["run"]["exit_code"].as<int>(), 1);
  ASSERT_EQ(doc["cases"].size(), 7u);
  const YAML::Node c = doc["cases"][5];
  EXPECT_EQ(c["verdict"].as<std::string>(), "xfail");
  EXPECT_EQ(c["original_verdict"].as<std::string>(), "fail");
  EXPECT_EQ(c["seed"].as<std::uint64_t>(), 0xfedcba9876543210ULL);
  EXPECT_EQ(c["title"].as<std::string>(), "A <title> & \"quotes\"");
  EXPECT_EQ(c["expectations"][0]["actual"].as<std::string>(), "500");
  const YAML::Node t = c["transcript"][0];
  EXPECT_EQ(t["mikey_built"]["hex"].as<std::string>(), "010b008000000001000105");
  EXPECT_EQ(t["mikey_sent"]["hex"].as<std::string>(), "010b000000000001000105");
  EXPECT_EQ(t["mutations"][0].as<std::string>(), "set hdr.v = 0");
  EXPECT_EQ(t["request"]["hex"].as<std::string>().size(), 120u);
  EXPECT_EQ(t["request"]["hex"].as<std::string>().substr(116), "01ff");
  EXPECT_EQ(t["response"]["status"].as<int>(), 500);
  EXPECT_EQ(t["response"]["headers"][0][1].as<std::string>(), "text/plain");
  EXPECT_EQ(t["response"]["mikey"]["data_type_name"].as<std::string>(), "Error");
  EXPECT_EQ(doc["health_checks"][0]["when"].as<std::string>(), "start");
  EXPECT_EQ(doc["warnings"][0].as<std::string>(), "b.yaml:3: baseline names no case 'x'");
}

TEST(ReportTest, JunitMapsEveryVerdictAndKeepsItsName) {
  const std::string xml = junit_xml(make_run());
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

TEST(ReportTest, WritesBothFiles) {
  const auto dir = std::filesystem::temp_directory_path() / "mikeyconf_report_test";
  std::filesystem::remove_all(dir);
  auto w = write_reports(make_run(), dir);
  ASSERT_TRUE(w.ok()) << w.error();
  EXPECT_TRUE(std::filesystem::exists(dir / "results.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "junit.xml"));
  std::filesystem::remove_all(dir);
}

TEST(ResultsTest, ExitCodes) {
  RunResult r;
  EXPECT_EQ(r.exit_code(), 0);
  r.cases.push_back(make_case("a", Verdict::xfail));
  r.cases.push_back(make_case("b", Verdict::inconclusive));
  r.cases.push_back(make_case("c", Verdict::skipped));
  EXPECT_EQ(r.exit_code(), 0);
  r.cases.push_back(make_case("d", Verdict::error));
  EXPECT_EQ(r.exit_code(), 3);
  r.cases.push_back(make_case("e", Verdict::xpass));
  EXPECT_EQ(r.exit_code(), 1);
}

}  // namespace
}  // namespace mikeyconf::harness
