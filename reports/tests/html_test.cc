// report.html: content an auditor needs, escaping of hostile SUT bytes, size bounds, no
// external reference, and the sequence model read from the engine's transcript labels.
#include <gtest/gtest.h>

#include <algorithm>

#include "reports/digest.h"
#include "reports/html_report.h"
#include "reports/html_text.h"
#include "reports/sequence_diagram.h"
#include "reports/tests/test_run.h"
#include "wire/base64.h"

namespace mikeyconf::reports {
namespace {

using harness::RunResult;
using harness::TranscriptEntry;
using harness::Verdict;

std::size_t count(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

bool has(const std::string& text, std::string_view needle) {
  return text.find(needle) != std::string::npos;
}

TEST(HtmlReportTest, HasEverySectionAnAuditorNeeds) {
  const harness::RequirementTable table = testing::requirement_table();
  const std::string page = report_html(testing::make_run(), &table);
  for (std::string_view s : {"mikeyconf conformance report",
                             "http://127.0.0.1:1234",
                             "2026-11-29T00:00:00Z",
                             "Summary by verdict",
                             "Summary by requirement",
                             "Requirement coverage matrix",
                             "Health checks and warnings",
                             "baseline names no case",
                             "Expected vs actual",
                             "<svg class=\"seq\"",
                             "mikeyconf run --embedded --seed 1 --case kms.case.fail",
                             "The KMS answers with Content-Type application/mikey",
                             "RFC 6043 §5.4",
                             "A requirement no case cites",
                             "id=\"case-kms.case.xpass\"",
                             "id=\"req-A.2-10\"",
                             "data-verdict=\"xfail\"",
                             "REQUEST_INIT_PSK",
                             "RESOLVE_RESP",
                             "TRANSFER_INIT (local)",
                             "<tr class=\"g\"><td colspan=\"5\" class=\"d0\">hdr</td></tr>",
                             "<td class=\"d1\">data_type</td>",
                             "set hdr.v = 0",
                             "HTTP request as sent"}) {
    EXPECT_TRUE(has(page, s)) << s;
  }
  // Requirement texts from the table are escaped like everything else.
  EXPECT_TRUE(has(page, "No &lt;b&gt;bold&lt;/b&gt; claims"));
  EXPECT_FALSE(has(page, "<b>bold</b>"));
  // Header values: seed, jobs, exit code 1 (a fail and an xpass).
  EXPECT_TRUE(has(page, "<tr><th>jobs</th><td>3</td></tr>"));
  EXPECT_TRUE(has(page, "<tr><th>exit code</th><td>1 ("));
  // Worst verdict of A.2-10 over the seven cases is fail.
  const auto req = page.find("id=\"req-A.2-10\"");
  EXPECT_TRUE(has(page.substr(req, page.find("</tr>", req) - req), "class=\"v v-fail\">fail<"));
  // One matrix cell per (requirement, case) the cases cite: 2 ids x 7 cases.
  EXPECT_EQ(count(page, "<td class=\"m m-"), 14u);
  EXPECT_EQ(count(page, "<article class=\"case"), 7u);
  EXPECT_EQ(page.rfind("</html>\n"), page.size() - 8);
}

TEST(HtmlReportTest, WorksWithoutARequirementTable) {
  const std::string page = report_html(testing::make_run(), nullptr);
  EXPECT_TRUE(has(page, "not in the requirement table"));
  EXPECT_TRUE(has(page, "id=\"req-T-5.4-2\""));
}

TEST(HtmlReportTest, EscapesHostileSutBytes) {
  RunResult run = testing::make_run();
  TranscriptEntry& e = run.cases[1].transcript[0];
  e.body = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>";
  e.reason = "<b>OK</b>";
  e.headers.push_back({"X-Evil</pre>", "<script>document.title='pwned'</script>"});
  e.mikey_problem = "</details><script>";
  e.note = "<iframe src=//evil>";
  run.cases[1].reason = "got <script>";
  run.cases[1].expectations[0].actual = "</td><script>";
  run.warnings.push_back("<svg onload=alert(2)>");
  const std::string page = report_html(run, nullptr);
  // Our own script is the only one; no markup of the SUT's survives.
  EXPECT_EQ(count(page, "<script"), 1u);
  for (std::string_view bad : {"<img", "<iframe", "<b>OK", "X-Evil</pre>", "<svg onload"}) {
    EXPECT_FALSE(has(page, bad)) << bad;
  }
  EXPECT_TRUE(has(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
  EXPECT_TRUE(has(page, "&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_TRUE(has(page, "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
}

TEST(HtmlReportTest, AllowsOnlyItsOwnScriptAndNothingExternal) {
  const std::string page = report_html(testing::make_run(), nullptr);
  const auto open = page.find("<script>") + 8;
  const std::string script = page.substr(open, page.find("</script>") - open);
  const std::string hash = mikey::wire::base64_encode(sha256(mikey::as_bytes(script)));
  EXPECT_TRUE(has(page, "script-src 'sha256-" + hash + "'"));
  EXPECT_TRUE(has(page, "default-src 'none'"));
  EXPECT_TRUE(has(script, "document.body.dataset.ready = \"1\""));
  for (std::string_view external :
       {"src=", "href=\"http", "href=\"//", "url(", "@import", "xmlns=\"http"}) {
    EXPECT_FALSE(has(page, external)) << external;
  }
}

TEST(HtmlReportTest, CutsHugeBodiesButNotResultsJson) {
  RunResult run = testing::make_run();
  constexpr std::size_t kHuge = 100u << 20;  // a 100 MiB hostile body
  run.cases[1].transcript[0].body.assign(kHuge, '<');
  run.cases[1].transcript[0].response_mikey = mikey::Bytes(kHuge / 8, 0x01);
  const std::string page = report_html(run, nullptr);
  EXPECT_LT(page.size(), 2u << 20);
  EXPECT_TRUE(has(page, std::to_string(kHuge - kHtmlBodyLimit) + " more bytes not shown"));
  EXPECT_TRUE(has(page, std::to_string(kHuge / 8 - kHtmlHexDumpLimit) + " more bytes not shown"));
}

TEST(HtmlTextTest, EscapesAndMarksBytes) {
  EXPECT_EQ(html_escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(html_escape("§ ok"), "§ ok");                              // valid UTF-8 kept
  EXPECT_EQ(html_escape("a\xff\x01z"), "a\xef\xbf\xbd\xef\xbf\xbdz");  // invalid → U+FFFD
  EXPECT_EQ(html_escape("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(html_bytes("a\r\n\x01<"),
            "a<span class=\"nb\">\\r</span>\n<span class=\"nb\">\\x01</span>&lt;");
  EXPECT_EQ(html_bytes("abcdef", 2), "ab\n" + cut_note(4));
  const mikey::Bytes b = {0x3c, 0x41, 0x00};
  EXPECT_EQ(html_hex_dump(b), "0000  3c 41 00                                          |&lt;A.|\n");
  const mikey::Bytes big(0x10001, 0);
  const std::string dump = html_hex_dump(big, big.size());
  EXPECT_EQ(dump.substr(0, 10), "00000000  ");
  EXPECT_NE(dump.find("\n00010000  00 "), std::string::npos);
}

TEST(SequenceDiagramTest, ReadsTheEngineLabels) {
  harness::CaseResult c = testing::make_case("kms.x", Verdict::pass);
  TranscriptEntry resp = c.transcript[1];
  resp.label = "TRANSFER_RESP -> alice";
  c.transcript.push_back(resp);
  TranscriptEntry created = c.transcript[1];
  created.label = "mode-3 ticket created by alice";
  c.transcript.insert(c.transcript.begin(), created);
  TranscriptEntry raw = c.transcript[1];
  raw.label = "raw HTTP request";
  raw.mikey_sent.clear();
  raw.transport_error = "timeout: no answer";
  c.transcript.push_back(raw);
  const SequenceModel m = sequence_model(c, harness::SutRole::kms);
  std::vector<std::string> names;
  for (const Lifeline& l : m.lifelines) names.push_back(l.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Harness", "Initiator", "SUT (KMS)", "Responder"}));
  EXPECT_EQ(m.lifelines[1].users, std::vector<std::string>{"alice"});
  EXPECT_EQ(m.lifelines[3].users, std::vector<std::string>{"bob"});
  ASSERT_EQ(m.arrows.size(), 9u);
  // mode-3 creation: the Initiator acting on its own.
  EXPECT_EQ(m.arrows[0].from, "Initiator");
  EXPECT_EQ(m.arrows[0].to, "Initiator");
  EXPECT_EQ(m.arrows[0].kind, ArrowKind::local);
  EXPECT_EQ(m.arrows[1].text, "REQUEST_INIT_PSK (mutated)");
  EXPECT_EQ(m.arrows[2].text, "HTTP 500 Error");
  EXPECT_EQ(m.arrows[2].kind, ArrowKind::response);
  EXPECT_EQ(m.arrows[3].from, "Initiator");
  EXPECT_EQ(m.arrows[3].to, "Responder");
  EXPECT_EQ(m.arrows[4].text, "RESOLVE_INIT_PSK");
  EXPECT_EQ(m.arrows[5].text, "HTTP 200 RESOLVE_RESP");
  EXPECT_EQ(m.arrows[6].from, "Responder");
  EXPECT_EQ(m.arrows[6].to, "Initiator");
  EXPECT_EQ(m.arrows[7].from, "Harness");
  EXPECT_EQ(m.arrows[8].kind, ArrowKind::no_response);
  const std::string svg = sequence_svg(m);
  EXPECT_EQ(count(svg, "<g class=\"lifeline\">"), 4u);
  EXPECT_EQ(count(svg, "<g class=\"arrow local\">"), 3u);
  EXPECT_EQ(count(svg, "<g class=\"arrow http\">"), 6u);
}

// The labels of a UE-role case (harness/ue_runner.cc): the UE under test sends its requests to
// the KMS the harness plays, and the hook entries come from the harness.
TEST(SequenceDiagramTest, AUeUnderTestTalksToTheHarnessKms) {
  harness::CaseResult c = testing::make_case("initiator.x", Verdict::pass);
  TranscriptEntry http = c.transcript[0];
  http.kind = "http";
  http.label = "REQUEST_INIT_PSK from initiator (alice, the UE) to the harness KMS";
  TranscriptEntry hook = c.transcript[1];
  hook.kind = "hook";
  hook.label = "initiate harness -> alice (UE hook: towards bob)";
  TranscriptEntry transfer = hook;
  transfer.kind = "local";
  transfer.label = "TRANSFER_INIT alice -> bob";
  TranscriptEntry resolve = transfer;
  resolve.label = "RESOLVE_INIT_PSK bob -> harness KMS (in-process)";
  c.transcript = {hook, http, transfer, resolve};
  const SequenceModel m = sequence_model(c, harness::SutRole::initiator);
  ASSERT_EQ(m.arrows.size(), 5u);
  EXPECT_EQ(m.arrows[0].from, "Harness");
  EXPECT_EQ(m.arrows[0].to, "SUT (INITIATOR)");
  EXPECT_EQ(m.arrows[1].from, "SUT (INITIATOR)");
  EXPECT_EQ(m.arrows[1].to, "KMS (harness)");
  EXPECT_EQ(m.arrows[2].from, "KMS (harness)");
  EXPECT_EQ(m.arrows[2].to, "SUT (INITIATOR)");
  EXPECT_EQ(m.arrows[3].from, "SUT (INITIATOR)");
  EXPECT_EQ(m.arrows[3].to, "Responder");
  EXPECT_EQ(m.arrows[4].from, "Responder");
  EXPECT_EQ(m.arrows[4].to, "KMS (harness)");
}

}  // namespace
}  // namespace mikeyconf::reports
