// junit.xml read back by a second implementation (Python's xml.etree, as a CI's JUnit reader
// parses it): each verdict's element, type and message, the verdict property of every test case,
// --strict's inconclusive as a failure and the interrupted property.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "reports/junit.h"
#include "reports/tests/test_run.h"

namespace mikeyconf::reports {
namespace {

using harness::RunResult;
using harness::Verdict;

// Per test case "ELEMENT TYPE VERDICT-PROPERTY MESSAGE-PREFIX" (ELEMENT: failure, error,
// skipped or none; the message up to its first ':'), then "suite interrupted=VALUE", as
// xml.etree reads the file.
std::map<std::string, std::string> parsed(const RunResult& run, const std::string& name) {
  const auto dir = testing::fresh_dir(name);
  const auto file = dir / "junit.xml";
  testing::write(file, junit_xml(run));
  const std::string script = R"PY(
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find('testsuite')
props = {p.get('name'): p.get('value') for p in suite.find('properties')}
print('suite interrupted=' + props['interrupted'])
for case in suite.findall('testcase'):
    verdict = {p.get('name'): p.get('value') for p in case.find('properties')}['verdict']
    outcome = [e for e in case if e.tag in ('failure', 'error', 'skipped')]
    if len(outcome) > 1:
        print(case.get('name') + ' TWO-OUTCOMES')
        continue
    if outcome:
        e = outcome[0]
        print(case.get('name'), e.tag, e.get('type'), verdict, e.get('message').split(':')[0])
    else:
        print(case.get('name'), 'none', '-', verdict, '-')
)PY";
  std::string output;
  const int code = testing::run_command(
      "python3 - " + testing::quote(file) + " <<'EOF'\n" + script + "\nEOF", &output);
  EXPECT_EQ(code, 0) << output;
  std::map<std::string, std::string> out;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    const auto space = line.find(' ');
    if (space != std::string::npos) out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

TEST(JunitFidelityTest, EveryVerdictHasItsElementTypeAndProperty) {
  const auto cases = parsed(testing::make_run(), "junit_fidelity");
  EXPECT_EQ(cases.at("suite"), "interrupted=false");
  EXPECT_EQ(cases.at("kms.case.pass"), "none - pass -");
  EXPECT_EQ(cases.at("kms.case.fail"), "failure fail fail fail");
  EXPECT_EQ(cases.at("kms.case.xpass"), "failure xpass xpass xpass");
  EXPECT_EQ(cases.at("kms.case.error"), "error error error error");
  EXPECT_EQ(cases.at("kms.case.skipped"), "skipped skipped skipped skipped");
  // An expected failure is neither a pass nor a failure; its type says which skip it is.
  EXPECT_EQ(cases.at("kms.case.xfail"), "skipped xfail xfail xfail");
  // Inconclusive is visible as such, not as a plain skip.
  EXPECT_EQ(cases.at("kms.case.inconclusive"), "skipped inconclusive inconclusive inconclusive");
}

TEST(JunitFidelityTest, StrictInconclusiveIsAFailureAndInterruptedIsAProperty) {
  RunResult run = testing::make_run();
  run.inconclusive_fails = true;
  run.interrupted = true;
  // What the engine makes of an inconclusive case under --strict (engine.h inconclusive_fails).
  harness::CaseResult& c = run.cases[2];
  ASSERT_EQ(c.verdict, Verdict::inconclusive);
  c.original_verdict = c.verdict;
  c.verdict = Verdict::fail;
  c.reason = "strict: inconclusive counts as fail: " + c.reason;
  const auto cases = parsed(run, "junit_strict");
  EXPECT_EQ(cases.at("suite"), "interrupted=true");
  EXPECT_EQ(cases.at("kms.case.inconclusive"), "failure fail fail fail");
  const std::string xml = junit_xml(run);
  const auto at = xml.find("name=\"kms.case.inconclusive\"");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(xml.substr(at, xml.find("</testcase>", at) - at)
                .find("<property name=\"original_verdict\" value=\"inconclusive\"/>"),
            std::string::npos);
}

}  // namespace
}  // namespace mikeyconf::reports
