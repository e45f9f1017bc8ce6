// The check registry (checks/registry.h): every key is judged by exactly one family, and a family
// judges only what the step's Evidence holds.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/checks/registry.h"

namespace mikeyconf::harness {
namespace {

TEST(CheckRegistryTest, EveryKeyHasExactlyOneFamily) {
  for (int k = 0; k <= static_cast<int>(CheckKey::http_answer); ++k) {
    const auto key = static_cast<CheckKey>(k);
    int owners = 0;
    for (const checks::Family* f : checks::families())
      owners += static_cast<int>(std::count(f->keys.begin(), f->keys.end(), key));
    EXPECT_EQ(owners, 1) << to_string(key);
  }
}

TEST(CheckRegistryTest, JudgesAnExchangeWithoutResponse) {
  SutProfile profile;
  Evidence e;
  e.profile = &profile;
  HttpExchange x;
  x.transport_error = "connect";
  x.transport_detail = "refused";
  e.record(MessageKind::request_init_psk, {}, x);
  Check c;
  c.key = CheckKey::http_status;
  HttpStatusCheck status;
  status.codes = {200};
  c.spec = status;
  const ExpectationResult r = checks::judge(3, c, e);
  EXPECT_EQ(r.step, 3U);
  EXPECT_EQ(r.key, "http.status");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.actual, "no response (connect: refused)");
  c.key = CheckKey::mikey_data_type;
  c.spec = NumbersCheck{{200}};
  EXPECT_EQ(checks::judge(3, c, e).actual, "no response (connect: refused)");
}

TEST(CheckRegistryTest, JudgesTheRecordedAnswer) {
  SutProfile profile;
  Evidence e;
  e.profile = &profile;
  HttpExchange x;
  x.responded = true;
  x.status = 200;
  x.mikey = mikey::Bytes{0x01, 0x07, 0x00, 0x80};  // HDR prefix: REQUEST_RESP, V set
  e.record(MessageKind::request_init_psk, {}, x);
  Check c;
  c.key = CheckKey::mikey_hdr_v;
  c.spec = NumbersCheck{{1}};
  const ExpectationResult r = checks::judge(0, c, e);
  EXPECT_TRUE(r.ok) << r.actual;
  EXPECT_EQ(r.actual, "1");
}

}  // namespace
}  // namespace mikeyconf::harness
