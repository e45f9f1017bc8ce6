// Clock and timestamp conversions (clock.h; RFC 3830 §6.6, RFC 4330 §3, RFC 6043 §6.3).
#include "roles/clock.h"

#include <gtest/gtest.h>

#include <chrono>

namespace mikey::roles {
namespace {

TEST(ClockTest, NtpEraRuleMapsMsbSetTo1900AndMsbClearTo2036) {
  EXPECT_EQ(ntp_seconds_to_unix(0x83aa7e80u), 0);  // 1970-01-01 (era 0, MSB set)
  EXPECT_EQ(ntp_seconds_to_unix(0x80000000u), 2147483648LL - kNtpUnixOffset);  // 1968-01-20
  // MSB clear: era 1, counted from 2036-02-07 06:28:16 UTC (Unix 2085978496).
  EXPECT_EQ(ntp_seconds_to_unix(0x00000000u), 2085978496LL);
  EXPECT_EQ(ntp_seconds_to_unix(0x7fffffffu), 2085978496LL + 0x7fffffffLL);  // up to 2104
}

TEST(ClockTest, UnixToNtpRoundTripsAcross2036) {
  // RFC 4330 §3 covers 1968-01-20 03:14:08 (Unix −61505152) to 2104.
  for (std::int64_t unix :
       {-61505152LL, -60000000LL, 0LL, 1800000000LL, 2085978495LL, 2085978496LL, 4000000000LL}) {
    EXPECT_EQ(ntp_to_unix(unix_to_ntp(unix, 0x12345678)), unix) << unix;
  }
}

TEST(ClockTest, NtpUtc32IsPaddedWithAZeroFraction) {
  EXPECT_EQ(utc32_to_ntp(0xe5a1b2c3u), 0xe5a1b2c300000000u);
  EXPECT_EQ(ntp_to_utc32(0xe5a1b2c312345678u), 0xe5a1b2c3u);
  EXPECT_EQ(ts_iv_value(codec::TsType::ntp_utc_32, 0xe5a1b2c3u), 0xe5a1b2c300000000u);
  EXPECT_EQ(ts_iv_value(codec::TsType::ntp_utc, 0xe5a1b2c312345678u), 0xe5a1b2c312345678u);
  EXPECT_EQ(ts_iv_value(codec::TsType::counter, 7), 7u);  // zero-padded (INTERPRETATION)
}

TEST(ClockTest, TimestampSecondsOfEachTsType) {
  EXPECT_EQ(ts_unix_seconds(codec::TsType::ntp_utc, unix_to_ntp(1800000000)), 1800000000);
  EXPECT_EQ(ts_unix_seconds(codec::TsType::ntp, unix_to_ntp(1800000000)), 1800000000);
  EXPECT_EQ(ts_unix_seconds(codec::TsType::ntp_utc_32, unix_to_ntp_seconds(1800000000)),
            1800000000);
  EXPECT_FALSE(ts_unix_seconds(codec::TsType::counter, 5));
  EXPECT_FALSE(ts_unix_seconds(static_cast<codec::TsType>(9), 5));
}

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock c(unix_to_ntp(1800000000));
  EXPECT_EQ(c.now_unix(), 1800000000);
  c.advance_seconds(61);
  EXPECT_EQ(c.now_unix(), 1800000061);
  c.advance_seconds(-120);
  EXPECT_EQ(c.now_unix(), 1799999941);
}

TEST(ClockTest, SystemClockIsCloseToTheHostClock) {
  SystemClock c;
  const auto host = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  EXPECT_LE(std::llabs(c.now_unix() - host), 2);
}

TEST(ClockTest, TimestampSourceNeverRepeatsAValue) {
  ManualClock c(unix_to_ntp(1800000000));
  TimestampSource s;
  NtpTime a = s.next(c);
  NtpTime b = s.next(c);
  EXPECT_EQ(a, c.now());
  EXPECT_EQ(b, a + 1);  // RFC 3830 §5.2: unique timestamps even when the clock stands still
  c.advance_seconds(1);
  EXPECT_EQ(s.next(c), c.now());
}

}  // namespace
}  // namespace mikey::roles
