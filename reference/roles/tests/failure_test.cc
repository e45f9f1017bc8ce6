// The Failure table (failure.h).
#include "roles/failure.h"

#include <gtest/gtest.h>

#include <set>

namespace mikey::roles {
namespace {

using codec::ErrorNo;

TEST(FailureTest, EveryFailureHasANameAMessageAndAKnownErrorNumber) {
  std::set<std::string_view> names;
  for (Failure f : all_failures()) {
    EXPECT_FALSE(to_string(f).empty());
    EXPECT_FALSE(message(f).empty());
    EXPECT_TRUE(codec::is_known(error_no(f))) << to_string(f);
    EXPECT_TRUE(names.insert(to_string(f)).second) << to_string(f);
  }
  EXPECT_EQ(names.size(), all_failures().size());
}

TEST(FailureTest, ErrataE8NumbersAreTheDefaults) {
  EXPECT_EQ(error_no(Failure::auth_failure), ErrorNo::auth_failure);
  EXPECT_EQ(error_no(Failure::unsupported_mac_alg), ErrorNo::invalid_mac);
  EXPECT_EQ(error_no(Failure::unsupported_prf), ErrorNo::invalid_prf);
  EXPECT_EQ(error_no(Failure::unsupported_encr_alg), ErrorNo::invalid_ea);
  EXPECT_EQ(error_no(Failure::malformed_message), ErrorNo::unspecified);
  EXPECT_EQ(error_no(Failure::replayed_message), ErrorNo::invalid_ts);
}

TEST(FailureTest, InterpretationChoicesAreConfigurable) {
  ErrorPolicy p;
  p.malformed = ErrorNo::unsupported_message_type;
  p.ticket_validity = ErrorNo::invalid_tppar;
  p.unauthorized_responder = ErrorNo::auth_failure;
  EXPECT_EQ(error_no(Failure::malformed_message, p), ErrorNo::unsupported_message_type);
  EXPECT_EQ(error_no(Failure::ticket_expired, p), ErrorNo::invalid_tppar);
  EXPECT_EQ(error_no(Failure::ticket_not_yet_valid, p), ErrorNo::invalid_tppar);
  EXPECT_EQ(error_no(Failure::responder_not_authorized, p), ErrorNo::auth_failure);
  EXPECT_EQ(error_no(Failure::ticket_integrity_failure, p), ErrorNo::auth_failure);
}

TEST(FailureTest, OnlyErrorsAndApiMisuseAreLocal) {
  for (Failure f : all_failures()) {
    const bool local = f == Failure::error_message_received || f == Failure::invalid_state;
    EXPECT_EQ(scope(f) == FailureScope::local, local) << to_string(f);
  }
}

}  // namespace
}  // namespace mikey::roles
