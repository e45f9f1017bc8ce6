// Code-point tables: values and names as in RFC 3830 §6.1–§6.15 and RFC 6043 §6, §14, and the
// generated helpers.
#include "codec/codepoints.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "codec/errc.h"

namespace mikey::codec {
namespace {

TEST(CodePointsTest, Rfc6043AdditionsHaveTheirIanaValues) {
  // RFC 6043 §14.
  EXPECT_EQ(raw(DataType::request_init_psk), 11);
  EXPECT_EQ(raw(DataType::resolve_resp), 18);
  EXPECT_EQ(raw(PayloadType::tr), 13);
  EXPECT_EQ(raw(PayloadType::ticket), 17);
  EXPECT_EQ(raw(PrfFunc::prf_hmac_sha256), 1);
  EXPECT_EQ(raw(MapType::generic_id), 2);
  EXPECT_EQ(raw(EncrAlg::aes_cm_256), 3);
  EXPECT_EQ(raw(MacAlg::hmac_sha256_256), 2);
  EXPECT_EQ(raw(KeyDataType::mpk), 6);
  EXPECT_EQ(raw(TsType::ntp_utc_32), 3);
  EXPECT_EQ(raw(IdType::byte_string), 2);
  EXPECT_EQ(raw(HashFunc::sha256), 2);
  EXPECT_EQ(raw(ErrorNo::invalid_ticket), 14);
  EXPECT_EQ(raw(ErrorNo::invalid_tppar), 15);
  EXPECT_EQ(raw(IdRole::idrapp), 5);
  EXPECT_EQ(raw(RandRole::randrkms), 3);
  EXPECT_EQ(raw(TsRole::trr), 4);
  EXPECT_EQ(raw(TicketType::three_gpp_base_ticket), 2);
}

TEST(CodePointsTest, KnownValuesHaveNamesAndUnknownOnesDoNot) {
  EXPECT_EQ(to_string(PayloadType::key_data), "Key data");
  EXPECT_TRUE(is_known(PayloadType::general_ext));
  EXPECT_FALSE(is_known(static_cast<PayloadType>(18)));  // unassigned
  EXPECT_EQ(to_string(static_cast<PayloadType>(19)), "");
  EXPECT_FALSE(is_known(static_cast<ErrorNo>(16)));
  EXPECT_FALSE(is_known(static_cast<TicketType>(61440)));  // Private Use
  EXPECT_EQ(to_string(ErrorNo::unsupported_message_type), "Unsupported message type");
}

TEST(CodePointsTest, TableIsCompleteAndUniquePerRegistry) {
  std::map<std::string, std::set<std::uint32_t>> seen;
  for (const CodePoint& cp : all_code_points()) {
    EXPECT_FALSE(cp.name.empty());
    EXPECT_TRUE(seen[std::string(cp.registry)].insert(cp.value).second)
        << cp.registry << " " << cp.value;
  }
  EXPECT_EQ(seen.size(), 24u);
  EXPECT_EQ(seen["DataType"].size(), 27u);     // 0–26
  EXPECT_EQ(seen["PayloadType"].size(), 25u);  // 0–17, 20–26
  EXPECT_EQ(seen["ErrorNo"].size(), 16u);      // 0–15
  EXPECT_EQ(seen["SrtpParam"].size(), 13u);    // 0–12
}

TEST(CodePointsTest, TicketTypeIsSixteenBitsWide) {
  for (const CodePoint& cp : all_code_points()) {
    EXPECT_EQ(cp.width, cp.registry == "TicketType" ? 2 : 1) << cp.registry;
  }
}

TEST(CodecErrcTest, EveryErrorHasADistinctMessage) {
  std::set<std::string> messages;
  for (int i = 1; i <= static_cast<int>(Errc::unsupported_ticket_format); ++i) {
    std::error_code ec = static_cast<Errc>(i);
    EXPECT_EQ(ec.category().name(), std::string("mikey.codec"));
    EXPECT_TRUE(messages.insert(ec.message()).second) << ec.message();
  }
}

}  // namespace
}  // namespace mikey::codec
