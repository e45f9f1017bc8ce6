// The access-log line format (access_log.h) and its escaping of client-supplied text.
#include "transport/access_log.h"

#include <gtest/gtest.h>

namespace mikey::transport {
namespace {

TEST(AccessLogTest, FormatsOneLogfmtLine) {
  AccessLogEntry e;
  e.remote = "127.0.0.1:40312";
  e.method = "POST";
  e.target = "/keymanagement?requesttype=ticketrequest";
  e.status = 200;
  e.bytes = 88;
  e.duration_ms = 1.2345;
  e.request_type = "ticketrequest";
  EXPECT_EQ(format_access_log(e),
            "remote=127.0.0.1:40312 method=POST "
            "target=\"/keymanagement?requesttype=ticketrequest\" status=200 bytes=88 "
            "duration_ms=1.234 requesttype=ticketrequest");
  e.detail = "the request body is empty";
  EXPECT_EQ(format_access_log(e).substr(format_access_log(e).find(" detail=")),
            " detail=\"the request body is empty\"");
}

TEST(AccessLogTest, UnknownPartsAreDashes) {
  AccessLogEntry e;
  e.status = 431;
  EXPECT_EQ(format_access_log(e),
            "remote=- method=- target=\"-\" status=431 bytes=0 duration_ms=0.000 requesttype=-");
}

TEST(AccessLogTest, EscapesQuotesControlsAndCutsLongTargets) {
  EXPECT_EQ(escape_log_value("a\"b\\c\r\nd\x7f\xff"), "a\\\"b\\\\c\\x0d\\x0ad\\x7f\\xff");
  EXPECT_EQ(escape_log_value(std::string(600, 'x')), std::string(512, 'x') + "...");
  AccessLogEntry e;
  e.target = "/x\n127.0.0.1 forged=1";
  EXPECT_EQ(format_access_log(e).find('\n'), std::string::npos);
}

}  // namespace
}  // namespace mikey::transport
