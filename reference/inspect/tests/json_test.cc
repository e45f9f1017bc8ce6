// The JSON form (inspect/json.h): escaping (RFC 8259 §7), invalid UTF-8, integers, insertion
// order, and parsing that never throws.
#include "inspect/json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace mikeyconf::inspect {
namespace {

std::string quoted(std::string_view s) { return dump_json(Json(std::string(s))); }

TEST(JsonTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(quoted("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(quoted(std::string_view("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(quoted("/ stays"), R"("/ stays")");
}

TEST(JsonTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(quoted("RFC 3830 \xc2\xa7"
                   "6.1"),
            "\"RFC 3830 \xc2\xa7"
            "6.1\"");                                             // §
  EXPECT_EQ(quoted("\xf0\x9f\x94\x91"), "\"\xf0\x9f\x94\x91\"");  // U+1F511
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(quoted("\xff"), "\"" + fffd + "\"");
  EXPECT_EQ(quoted("\xc0\xaf"), "\"" + fffd + fffd + "\"");  // overlong '/'
  // Whatever the replacement, the result is valid JSON again.
  for (std::string_view bad : {"\xed\xa0\x80", "\xe2\x82", "a\xffz"}) {
    EXPECT_TRUE(parse_json(quoted(bad))) << quoted(bad);
  }
}

TEST(JsonTest, DumpsCompactAndPrettyInInsertionOrder) {
  Json j = Json::object();
  j["valid"] = true;
  j["error"] = nullptr;
  j["n"] = -3;
  j["list"] = Json::array({1, "x"});
  EXPECT_EQ(dump_json(j), R"({"valid":true,"error":null,"n":-3,"list":[1,"x"]})");
  EXPECT_EQ(dump_json(j, 2),
            "{\n  \"valid\": true,\n  \"error\": null,\n  \"n\": -3,\n  \"list\": [\n"
            "    1,\n    \"x\"\n  ]\n}");
  EXPECT_EQ(dump_json(Json::object(), 2), "{}");
  EXPECT_EQ(dump_json(Json::array(), 2), "[]");
}

TEST(JsonTest, SetReplacesAnExistingKey) {
  Json j = Json::object();
  j["a"] = 1;
  j["b"] = 2;
  j["a"] = 3;
  EXPECT_EQ(dump_json(j), R"({"a":3,"b":2})");
}

TEST(JsonTest, IntegersKeepEveryBit) {
  const std::uint64_t big = std::numeric_limits<std::uint64_t>::max();
  const std::int64_t small = std::numeric_limits<std::int64_t>::min();
  Json j = Json::array({big, small});
  EXPECT_EQ(dump_json(j), "[18446744073709551615,-9223372036854775808]");
  auto back = parse_json(dump_json(j));
  ASSERT_TRUE(back);
  EXPECT_TRUE((*back)[0].is_number_unsigned());
  EXPECT_EQ((*back)[0].get<std::uint64_t>(), big);
  EXPECT_EQ((*back)[1].get<std::int64_t>(), small);
}

TEST(JsonTest, ParsesWhatItWrites) {
  Json j = Json::object();
  j["text"] = "quote \" backslash \\ newline \n nul " + std::string(1, '\0') + " \xc2\xa7";
  j["nested"] = Json::array({Json::object(), Json::array(), nullptr, false});
  j["num"] = 1.5;
  for (int indent : {-1, 0, 2}) {
    auto back = parse_json(dump_json(j, indent));
    ASSERT_TRUE(back) << dump_json(j, indent);
    EXPECT_EQ(*back, j);
  }
}

TEST(JsonTest, ParsesEscapesAndSurrogatePairs) {
  auto j = parse_json(R"(["\u00a7\ud83d\udd11\/\t", -0, 1e3, 2.5E-1])");
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)[0].get<std::string>(), "\xc2\xa7\xf0\x9f\x94\x91/\t");
  EXPECT_EQ((*j)[2].get<double>(), 1000.0);
  EXPECT_EQ((*j)[3].get<double>(), 0.25);
}

TEST(JsonTest, RejectsInvalidTextWithoutThrowing) {
  const std::string_view bad[] = {"",      "{",   "[1,]",     R"({"a" 1})",  "{a:1}",
                                  "01",    "1.",  R"("\x")",  R"("\ud800")", "\"a\nb\"",
                                  "[1] x", "tru", "\"\xff\"", "-",           R"({"a":})",
                                  "[1 2]"};
  for (std::string_view text : bad) EXPECT_FALSE(parse_json(text)) << text;
}

}  // namespace
}  // namespace mikeyconf::inspect
