// The crypto error table and its std::error_category.
#include "crypto/errc.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace mikey::crypto {
namespace {

TEST(CryptoErrcTest, EveryCodeHasItsOwnMessage) {
  std::set<std::string> messages;
  int count = 0;
#define X(name, msg)                                   \
  EXPECT_EQ(to_string(Errc::name), std::string(msg));  \
  messages.insert(std::string(to_string(Errc::name))); \
  ++count;
  MIKEY_CRYPTO_ERRORS(X)
#undef X
  EXPECT_EQ(messages.size(), static_cast<std::size_t>(count));
  EXPECT_EQ(to_string(Errc::ok), "ok");
  EXPECT_EQ(to_string(static_cast<Errc>(200)), "unknown crypto error");
}

TEST(CryptoErrcTest, ErrorCodeUsesCryptoCategory) {
  std::error_code ec = Errc::integrity_failure;
  EXPECT_STREQ(ec.category().name(), "mikey.crypto");
  EXPECT_EQ(ec.message(), std::string(to_string(Errc::integrity_failure)));
  EXPECT_TRUE(static_cast<bool>(ec));
  EXPECT_FALSE(static_cast<bool>(make_error_code(Errc::ok)));
  EXPECT_EQ(Error{Errc::bad_length}, Error{Errc::bad_length});
  EXPECT_NE(Error{Errc::bad_length}, Error{Errc::bad_key_length});
}

}  // namespace
}  // namespace mikey::crypto
