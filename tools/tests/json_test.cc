// The JSON writer and parser behind `mikeyconf decode --json` (tools/json.h).
#include "tools/json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace mikeyconf::tools {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(quoted("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(quoted(std::string_view("\x00\x01\x1f\x7f", 4)), R"("\u0000\u0001\u001f\u007f")");
  EXPECT_EQ(quoted("/ stays"), R"("/ stays")");
}

TEST(JsonTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(quoted("RFC 3830 \xc2\xa7"
                   "6.1"),
            "\"RFC 3830 \xc2\xa7"
            "6.1\"");                                             // §
  EXPECT_EQ(quoted("\xf0\x9f\x94\x91"), "\"\xf0\x9f\x94\x91\"");  // U+1F511
  EXPECT_EQ(quoted("\xff"), R"("\ufffd")");
  EXPECT_EQ(quoted("\xc0\xaf"), R"("\ufffd\ufffd")");            // overlong '/'
  EXPECT_EQ(quoted("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // surrogate
  EXPECT_EQ(quoted("\xe2\x82"), R"("\ufffd\ufffd")");            // cut short
}

TEST(JsonTest, DumpsCompactAndPretty) {
  Json j = Json::object();
  j.set("valid", true);
  j.set("error", Json());
  j.set("n", -3);
  j.set("list", Json(Json::Array{Json(1), Json("x")}));
  EXPECT_EQ(j.dump(), R"({"valid":true,"error":null,"n":-3,"list":[1,"x"]})");
  EXPECT_EQ(j.dump(2),
            "{\n  \"valid\": true,\n  \"error\": null,\n  \"n\": -3,\n  \"list\": [\n"
            "    1,\n    \"x\"\n  ]\n}");
  // Short all-scalar containers stay on one line.
  EXPECT_EQ(j.dump(2, 80),
            "{\n  \"valid\": true,\n  \"error\": null,\n  \"n\": -3,\n"
            "  \"list\": [1,\"x\"]\n}");
  EXPECT_EQ(Json::object().dump(2), "{}");
  EXPECT_EQ(Json::array().dump(2), "[]");
}

TEST(JsonTest, SetReplacesAnExistingKey) {
  Json j = Json::object();
  j.set("a", 1);
  j.set("b", 2);
  j.set("a", 3);
  EXPECT_EQ(j.dump(), R"({"a":3,"b":2})");
  ASSERT_NE(j.find("b"), nullptr);
  EXPECT_EQ(j.find("b")->as_int(), 2);
  EXPECT_EQ(j.find("c"), nullptr);
  EXPECT_EQ(Json(1).find("a"), nullptr);
}

TEST(JsonTest, IntegersKeepEveryBit) {
  const std::uint64_t big = std::numeric_limits<std::uint64_t>::max();
  const std::int64_t small = std::numeric_limits<std::int64_t>::min();
  Json j(Json::Array{Json(big), Json(small)});
  EXPECT_EQ(j.dump(), "[18446744073709551615,-9223372036854775808]");
  auto back = parse_json(j.dump());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->as_array()[0].as_uint(), big);
  EXPECT_EQ(back->as_array()[1].as_int(), small);
}

TEST(JsonTest, ParsesWhatItWrites) {
  Json j = Json::object();
  j.set("text", "quote \" backslash \\ newline \n nul " + std::string(1, '\0') + " \xc2\xa7");
  j.set("nested", Json(Json::Array{Json::object(), Json::array(), Json(nullptr), Json(false)}));
  j.set("num", 1.5);
  for (int indent : {-1, 0, 2}) {
    auto back = parse_json(j.dump(indent, 40));
    ASSERT_TRUE(back) << j.dump(indent);
    EXPECT_EQ(*back, j);
  }
}

TEST(JsonTest, NumbersCompareByValue) {
  EXPECT_EQ(Json(1), *parse_json("1"));
  EXPECT_EQ(Json(-1), *parse_json("-1"));
  EXPECT_EQ(Json(2.0), Json(2));
  EXPECT_FALSE(Json(-1) == Json(std::numeric_limits<std::uint64_t>::max()));
  EXPECT_FALSE(Json(1) == Json("1"));
}

TEST(JsonTest, ParsesEscapesAndSurrogatePairs) {
  auto j = parse_json(R"(["\u00a7\ud83d\udd11\/\t", -0, 1e3, 2.5E-1])");
  ASSERT_TRUE(j);
  EXPECT_EQ(j->as_array()[0].as_string(), "\xc2\xa7\xf0\x9f\x94\x91/\t");
  EXPECT_EQ(j->as_array()[2].as_double(), 1000.0);
  EXPECT_EQ(j->as_array()[3].as_double(), 0.25);
}

TEST(JsonTest, RejectsInvalidText) {
  const std::string_view bad[] = {"",      "{",   "[1,]",     R"({"a" 1})",  "{a:1}",
                                  "01",    "1.",  R"("\x")",  R"("\ud800")", "\"a\nb\"",
                                  "[1] x", "tru", "\"\xff\"", "-",           R"({"a":})",
                                  "[1 2]"};
  for (std::string_view text : bad) {
    std::size_t at = 999;
    EXPECT_FALSE(parse_json(text, &at)) << text;
    EXPECT_LE(at, text.size()) << text;
  }
}

TEST(JsonTest, ReportsWhereTheTextGoesWrong) {
  std::size_t at = 0;
  EXPECT_FALSE(parse_json("[1,]", &at));
  EXPECT_EQ(at, 3u);
  EXPECT_FALSE(parse_json(R"({"a" 1})", &at));
  EXPECT_EQ(at, 5u);
  EXPECT_FALSE(parse_json("01", &at));  // no leading zeros: "0" then garbage
  EXPECT_EQ(at, 1u);
  EXPECT_FALSE(parse_json("[1] x", &at));
  EXPECT_EQ(at, 4u);
}

TEST(JsonTest, RejectsNestingDeeperThanItsLimit) {
  std::string deep(300, '[');
  deep += std::string(300, ']');
  EXPECT_FALSE(parse_json(deep));
  std::string fine(100, '[');
  fine += std::string(100, ']');
  EXPECT_TRUE(parse_json(fine));
}

}  // namespace
}  // namespace mikeyconf::tools
