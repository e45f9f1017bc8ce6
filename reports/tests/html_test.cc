// report.html: content an auditor needs, escaping of hostile SUT bytes, size bounds, no
// external reference, and the sequence model read from the engine's transcript labels.
#include <gtest/gtest.h>

#include <algorithm>

#include "reports/decoded.h"
#include "reports/digest.h"
#include "reports/html_messages.h"
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
                             "<section id=\"summary\">",
                             "<section id=\"failures\">",
                             "<section id=\"breakdown\">",
                             "<section id=\"requirements\">",
                             "Health checks and warnings",
                             "baseline names no case",
                             "Expected vs actual",
                             "\"q\":{\"l\":[[\"Initiator\",\"alice\"]",
                             "mikeyconf run --embedded --seed 1 --case kms.case.fail",
                             "The KMS answers with Content-Type application/mikey",
                             "RFC 6043 §5.4",
                             "id=\"case-kms.case.xpass\"",
                             "id=\"req-A.2-10\"",
                             "data-verdict=\"xfail\"",
                             "\"d\":\"REQUEST_INIT_PSK\"",
                             "\"d\":\"RESOLVE_RESP\"",
                             "TRANSFER_INIT (local)",
                             "\"hdr.data_type\"",
                             ",1,1,\"11 REQUEST_INIT_PSK\"]",
                             "set hdr.v = 0",
                             "HTTP request as sent"}) {
    EXPECT_TRUE(has(page, s)) << s;
  }
  // Requirement texts from the table are escaped like everything else.
  EXPECT_TRUE(has(page, "No &lt;b&gt;bold&lt;/b&gt; claims"));
  EXPECT_FALSE(has(page, "<b>bold</b>"));
  // Run details: seed, jobs, exit code 1 (a fail and an xpass).
  EXPECT_TRUE(has(page, "<tr><th>jobs</th><td>3</td></tr>"));
  EXPECT_TRUE(has(page, "NOT PASSED — exit code 1 (a case failed or passed unexpectedly)"));
  // Worst verdict of A.2-10 over the seven cases is fail.
  const auto req = page.find("id=\"req-A.2-10\"");
  EXPECT_TRUE(has(page.substr(req, page.find("</tr>", req) - req), "class=\"v v-fail\">fail<"));
  // Only claimed requirements are rows; the one no case claims is counted.
  EXPECT_FALSE(has(page, "id=\"req-T-9.9-9\""));
  EXPECT_TRUE(has(page, "; 1 requirement(s) of the table no case claims"));
  EXPECT_FALSE(has(page, "class=\"matrix\""));
  EXPECT_EQ(count(page, "<article class=\"case"), 7u);
  EXPECT_EQ(page.rfind("</html>\n"), page.size() - 8);
}

// The executive summary comes first and says what was tested with which suite; failures follow
// with their reasons, then the per-requirement view, then the cases worst first.
TEST(HtmlReportTest, PutsTheExecutiveSummaryAndFailuresFirst) {
  RunResult run = testing::make_run();
  run.sut_info.vendor = "Example <Corp>";
  run.cases[1].reason = "expected http.status 200, got 500";
  const std::string page = report_html(run, nullptr);
  const auto summary = page.find("<section id=\"summary\">");
  const auto failures = page.find("<section id=\"failures\">");
  const auto requirements = page.find("<section id=\"requirements\">");
  const auto table = page.find("<table id=\"case-table\">");
  EXPECT_LT(page.find("<body>"), summary);
  EXPECT_LT(summary, failures);
  EXPECT_LT(failures, requirements);
  EXPECT_LT(requirements, table);
  const std::string top = page.substr(summary, failures - summary);
  for (std::string_view s : {"<b>mikeyconf reference KMS</b> version 0.1.0 · Example &lt;Corp&gt;",
                             "http://127.0.0.1:1234", "2026-11-29T00:00:00Z", "mikeyconf 0.1.0",
                             "DIFFERS from the shipped suite: locally edited", "levels none"}) {
    EXPECT_TRUE(has(top, s)) << s;
  }
  EXPECT_TRUE(has(top, std::string(64, 'a')));
  run.suite_matches_shipped = true;
  EXPECT_TRUE(has(report_html(run, nullptr), "matches the shipped suite"));
  // Every fail, xpass and error with its reason and a link to its case; nothing else.
  const std::string failed = page.substr(failures, page.find("</section>", failures) - failures);
  EXPECT_TRUE(has(failed, "<a href=\"#case-kms.case.fail\">kms.case.fail</a>"));
  EXPECT_TRUE(has(failed, "expected http.status 200, got 500"));
  EXPECT_TRUE(has(failed, "#case-kms.case.xpass"));
  EXPECT_TRUE(has(failed, "#case-kms.case.error"));
  EXPECT_FALSE(has(failed, "#case-kms.case.inconclusive"));
  EXPECT_FALSE(has(failed, "#case-kms.case.pass"));
  // The cases table: worst first, with the reason column and the filters.
  std::vector<std::string> order;
  for (auto at = page.find("data-case=\"case-", table); at != std::string::npos;
       at = page.find("data-case=\"case-", at + 1)) {
    order.push_back(page.substr(at + 25, page.find('"', at + 25) - at - 25));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"fail", "xpass", "error", "inconclusive", "xfail",
                                             "skipped", "pass"}));
  for (std::string_view s : {"<th>reason</th>", "id=\"f-level\"", "id=\"f-group\"", "id=\"f-text\"",
                             "<option>A.2</option>", "data-groups=\"A.2 T-5.4\""}) {
    EXPECT_TRUE(has(page, s)) << s;
  }
  // Counts by level and by requirement group.
  const auto breakdown = page.find("<section id=\"breakdown\">");
  EXPECT_TRUE(
      has(page.substr(breakdown, requirements - breakdown), "<td class=\"mono\">T-5.4</td>"));
}

TEST(HtmlReportTest, DecodesFlagBitsAndIdentities) {
  const DecodedMessage d = decode_message(testing::sample("ticket_request_init_psk"));
  std::vector<std::string> identities;
  for (const inspect::DecodedField& f : d.fields) {
    if (f.path.size() > 8 && f.path.substr(f.path.size() - 8) == ".id_data") {
      identities.push_back(field_value_text(f));
    }
    if (f.mask != 0xff && f.value)
      EXPECT_EQ(field_value_text(f).rfind(std::to_string(*f.value), 0), 0u);
  }
  EXPECT_EQ(identities.front(), "sip:alice@example.org");
  EXPECT_NE(std::find(identities.begin(), identities.end(), "sip:kms.example.org"),
            identities.end());
  harness::CaseResult c = testing::make_case("kms.x", Verdict::pass);
  c.transcript[0].mikey_built = testing::sample("ticket_request_init_psk");
  MessageData message_data;
  const std::string data = message_data.case_json(c, sequence_model(c, harness::SutRole::kms));
  EXPECT_TRUE(has(data, "identities: IDRi sip:alice@example.org")) << data.substr(0, 2000);
  // The bit fields carry their mask and value under it (the page's script lists them as flags).
  const std::string tables = message_data.tables_json();
  EXPECT_TRUE(has(tables, "\"hdr.v\""));
  EXPECT_TRUE(has(tables, ",3,1,\"1\",128]")) << tables.substr(0, 2000);
}

// A passing run of a full suite's size stays small: messages are data rendered on demand. (The
// real suite's page is checked in reports_e2e_test.)
TEST(HtmlReportTest, APassingRunOf160CasesStaysUnder1point5MB) {
  RunResult run = testing::make_run();
  run.cases.clear();
  for (int i = 0; i < 160; ++i) {
    run.cases.push_back(testing::make_case("kms.size." + std::to_string(i), Verdict::pass));
  }
  const std::string page = report_html(run, nullptr);
  EXPECT_LE(page.size(), 1'500'000u);
  EXPECT_EQ(count(page, "<script type=\"application/json\" id=\"data-"), 160u);
  EXPECT_FALSE(has(page, "<table class=\"tree\""));  // no decode tree until a case is opened
}

// A run stopped by SIGINT/SIGTERM (exit 3) says so, not "could not be judged".
TEST(HtmlReportTest, SaysARunWasInterrupted) {
  harness::RunResult run = testing::make_run();
  run.interrupted = true;
  const std::string page = report_html(run, nullptr);
  EXPECT_TRUE(has(page, "exit code 3 (interrupted: the report holds only the cases that finished)"))
      << page.substr(0, 2000);
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
  // Our own script is the only one that runs; the rest are JSON data blocks that nothing can
  // close early. No markup of the SUT's survives.
  EXPECT_EQ(count(page, "<script>"), 1u);
  EXPECT_EQ(count(page, "<script"),
            2u + count(page, "<script type=\"application/json\" id=\"data-"));
  EXPECT_EQ(count(page, "</script>"), count(page, "<script"));
  for (std::string_view bad : {"<img", "<iframe", "<b>OK", "X-Evil</pre>", "<svg onload"}) {
    EXPECT_FALSE(has(page, bad)) << bad;
  }
  // The body and headers are text in the case's data (the page's script inserts them as text);
  // JSON-escaped so that nothing in them can close the data block.
  EXPECT_TRUE(has(page, "\\u003cscript\\u003ealert('x')\\u003c/script\\u003e"));
  EXPECT_TRUE(has(page, "\\u003cimg src=x onerror=alert(1)\\u003e"));
  EXPECT_TRUE(has(page, "\\u003cscript\\u003edocument.title='pwned'\\u003c/script\\u003e"));
  EXPECT_TRUE(has(page, "got &lt;script&gt;"));
}

TEST(HtmlReportTest, AllowsOnlyItsOwnScriptAndNothingExternal) {
  const std::string page = report_html(testing::make_run(), nullptr);
  const auto open = page.find("<script>") + 8;
  const std::string script = page.substr(open, page.find("</script>", open) - open);
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
  // The body: its first kHtmlBodyLimit bytes and its size, from which the page's script writes
  // the note of what is not shown.
  std::string body;
  for (std::size_t k = 0; k < kHtmlBodyLimit; ++k) body += "\\u003c";
  EXPECT_TRUE(has(page, "[\"" + body + "\"," + std::to_string(kHuge) + "]"));
  EXPECT_FALSE(has(page, body + "\\u003c"));
  // The hex dump is drawn from at most kHtmlHexDumpLimit bytes; the page's script adds the note
  // from the message's size.
  const std::string shown = mikey::wire::base64_encode(mikey::Bytes(kHtmlHexDumpLimit, 0x01));
  EXPECT_TRUE(has(page, "\"b\":\"" + shown + "\",\"n\":" + std::to_string(kHuge / 8)));
}

TEST(HtmlTextTest, EscapesAndMarksBytes) {
  EXPECT_EQ(html_escape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  EXPECT_EQ(html_escape("§ ok"), "§ ok");                              // valid UTF-8 kept
  EXPECT_EQ(html_escape("a\xff\x01z"), "a\xef\xbf\xbd\xef\xbf\xbdz");  // invalid → U+FFFD
  EXPECT_EQ(html_escape("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(html_bytes("a\r\n\x01<"),
            "a<span class=\"nb\">\\r</span>\n<span class=\"nb\">\\x01</span>&lt;");
  EXPECT_EQ(html_bytes("abcdef", 2), "ab\n" + cut_note(4));
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
