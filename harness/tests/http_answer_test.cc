// The `http.answer` check (http_answer.h): how an exchange ended — a status, or no response
// because the SUT closed the connection (a failed write included) or because nothing came in
// time — and its schema, and the `send_rest_after_ms` send option it pairs with.
#include "harness/http_answer.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "harness/loader.h"
#include "harness/tests/test_support.h"

namespace mikeyconf::harness {
namespace {

std::string scenario_with(const std::string& expect_value) {
  return "id: kms.example\ntitle: t\nrequirements: [A.2-9]\nlevel: SHALL\nsut_role: kms\n"
         "steps:\n  - send: REQUEST_INIT_PSK\n    http:\n      headers: {Content-Length: \"9\"}\n"
         "      send_rest_after_ms: 250\n  - expect:\n      http.answer: " +
         expect_value + "\n";
}

Check answer_check(const std::string& expect_value) {
  auto s = parse_scenario_text(scenario_with(expect_value), "t.yaml", &testing::requirements());
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().to_string());
  if (!s.ok()) return {};
  return std::get<ExpectStep>(s->steps[1].body).checks.at(0);
}

HttpExchange answered(std::uint16_t status) {
  HttpExchange x;
  x.responded = true;
  x.status = status;
  return x;
}

HttpExchange unanswered(const std::string& transport_error) {
  HttpExchange x;
  x.transport_error = transport_error;
  x.transport_detail = "detail";
  return x;
}

TEST(HttpAnswerTest, StatusesAndClosesPassWhenListed) {
  const Check c = answer_check("[4xx, closed]");
  EXPECT_EQ(c.key, CheckKey::http_answer);
  EXPECT_EQ(http_answer_expectation(c), "4xx, closed (no response)");
  EXPECT_TRUE(judge_http_answer(c, answered(413)).ok);
  EXPECT_FALSE(judge_http_answer(c, answered(200)).ok);
  EXPECT_FALSE(judge_http_answer(c, answered(500)).ok);
  EXPECT_TRUE(judge_http_answer(c, unanswered("connection_closed")).ok);
  EXPECT_TRUE(judge_http_answer(c, unanswered("write_failed")).ok);  // the close broke the write
  const ExpectationResult timeout = judge_http_answer(c, unanswered("timeout"));
  EXPECT_FALSE(timeout.ok);
  EXPECT_EQ(timeout.actual, "timeout (timeout: detail)");
  EXPECT_FALSE(judge_http_answer(c, unanswered("bad_response")).ok);  // garbage is no answer kind
}

TEST(HttpAnswerTest, TimeoutAndCodesAreTheirOwnValues) {
  const Check t = answer_check("timeout");
  EXPECT_TRUE(judge_http_answer(t, unanswered("timeout")).ok);
  EXPECT_FALSE(judge_http_answer(t, unanswered("connection_closed")).ok);
  EXPECT_FALSE(judge_http_answer(t, answered(408)).ok);
  const Check code = answer_check("413");
  EXPECT_TRUE(judge_http_answer(code, answered(413)).ok);
  EXPECT_FALSE(judge_http_answer(code, answered(400)).ok);
  EXPECT_EQ(no_response_kind(answered(413)), "");
  EXPECT_EQ(no_response_kind(unanswered("read_failed")), "closed");
}

TEST(HttpAnswerTest, TheSendOptionIsRead) {
  auto s = parse_scenario_text(scenario_with("4xx"), "t.yaml", &testing::requirements());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const SendStep& send = std::get<SendStep>(s->steps[0].body);
  ASSERT_TRUE(send.http.send_rest_after_ms.has_value());
  EXPECT_EQ(*send.http.send_rest_after_ms, 250u);
  EXPECT_TRUE(send.http.any());
}

TEST(HttpAnswerTest, UnknownValuesAreLoadErrors) {
  auto s = parse_scenario_text(scenario_with("[4xx, hung]"), "t.yaml", &testing::requirements());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().to_string().find("http.answer takes status codes"), std::string::npos)
      << s.error().to_string();
  auto empty = parse_scenario_text(scenario_with("[]"), "t.yaml", &testing::requirements());
  EXPECT_FALSE(empty.ok());
}

}  // namespace
}  // namespace mikeyconf::harness
