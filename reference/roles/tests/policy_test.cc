// Ticket Policy semantics (policy.h; RFC 6043 §6.10).
#include "roles/policy.h"

#include <gtest/gtest.h>

#include "roles/clock.h"
#include "roles/message_util.h"

namespace mikey::roles {
namespace {

codec::TicketFlags ok_flags() {
  codec::TicketFlags f;
  f.d = f.f = f.h = true;
  return f;
}

TEST(PolicyTest, EachFlagDependencyIsEnforced) {
  EXPECT_FALSE(flag_violation(ok_flags()));
  struct Case {
    void (*breaks)(codec::TicketFlags&);
    const char* rule;
  };
  const Case cases[] = {
      {[](codec::TicketFlags& f) {
         f.d = false;
         f.l = false;
       },
       "NOT D => L"},
      {[](codec::TicketFlags& f) {
         f.g = true;
         f.f = false;
       },
       "G => F"},
      {[](codec::TicketFlags& f) {
         f.g = false;
         f.h = false;
       },
       "NOT G => H"},
      {[](codec::TicketFlags& f) {
         f.i = true;
         f.e = false;
       },
       "I => E"},
      {[](codec::TicketFlags& f) {
         f.k = true;
         f.d = false;
         f.l = true;
       },
       "K => D"},
      {[](codec::TicketFlags& f) {
         f.m = true;
         f.f = false;
       },
       "M => F"},
  };
  for (const Case& c : cases) {
    codec::TicketFlags f = ok_flags();
    c.breaks(f);
    auto v = flag_violation(f);
    ASSERT_TRUE(v) << c.rule;
    EXPECT_EQ(*v, c.rule);
  }
}

codec::TicketPolicy policy_with(std::vector<codec::Payload> tp_data) {
  codec::TicketPolicy tp;
  tp.flags = ok_flags();
  tp.tp_data.present = true;
  tp.tp_data.payloads = std::move(tp_data);
  return tp;
}

TEST(PolicyTest, ReadsTheTpDataAndChecksValidity) {
  const Identity bob = Identity::uri("sip:bob@example.org");
  auto tp = policy_with({make_tr(codec::TsRole::trs, 1000), make_tr(codec::TsRole::tre, 2000),
                         make_idr(codec::IdRole::idrr, bob)});
  auto view = view_policy(tp);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->trs, 1000);
  EXPECT_EQ(view->tre, 2000);
  EXPECT_TRUE(authorizes(view.value(), {bob}));
  EXPECT_FALSE(authorizes(view.value(), {Identity::uri("sip:eve@example.org")}));
  EXPECT_EQ(check_ticket_policy(tp, 999).error(), Failure::ticket_not_yet_valid);
  EXPECT_TRUE(check_ticket_policy(tp, 1500).ok());
  EXPECT_EQ(check_ticket_policy(tp, 2001).error(), Failure::ticket_expired);
}

TEST(PolicyTest, MalformedPoliciesAreInvalid) {
  const Identity bob = Identity::uri("sip:bob@example.org");
  EXPECT_EQ(check_ticket_policy(policy_with({}), 0).error(),
            Failure::ticket_policy_invalid);  // no IDRr
  auto backwards =
      policy_with({make_tr(codec::TsRole::trs, 2000), make_tr(codec::TsRole::tre, 1000),
                   make_idr(codec::IdRole::idrr, bob)});
  EXPECT_EQ(view_policy(backwards).error(), Failure::ticket_policy_invalid);
  auto counter = policy_with(
      {codec::make_payload(codec::TimestampWithRole{codec::TsRole::tre, codec::TsType::counter, 5}),
       make_idr(codec::IdRole::idrr, bob)});
  EXPECT_EQ(view_policy(counter).error(), Failure::ticket_policy_invalid);
}

}  // namespace
}  // namespace mikey::roles
