// The three-party exchange against the real KMS over loopback HTTP (TS 33.328 §6.2.3.1, Annex A;
// RFC 6043 §4): the reference Initiator's REQUEST_INIT and the reference Responder's RESOLVE_INIT
// travel through transport::AnnexAClient to a KmsService serving configs/kms.yaml; TRANSFER_INIT
// and TRANSFER_RESP stay in-process. Both ends must derive identical SRTP master keys and salts.
// Also mode 3 (the Initiator makes the ticket) and curl as the client.
#include <fstream>
#include <string>
#include <tuple>

#include "codec/message.h"
#include "roles/message_util.h"
#include "tests/e2e/e2e_support.h"
#include "wire/base64.h"

namespace mikeyconf::e2e {
namespace {

using transport::RequestType;

constexpr std::string_view kCarol = "sip:carol@example.org";  // the GBA user

class ExchangeE2ETest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(kms_.ok()) << kms_.error(); }

  // TRANSFER_INIT → Responder → RESOLVE_INIT over HTTP → RESOLVE_RESP → TRANSFER_RESP.
  void transfer_and_resolve(roles::Initiator& alice, roles::Responder& bob,
                            std::string_view responder = kBob) {
    roles::TransferOptions o;
    o.responder = roles::Identity::uri(responder);
    auto init = alice.transfer_init(o);
    ASSERT_TRUE(init.ok()) << describe(init.error());
    auto step = bob.process_transfer_init(init.value());
    ASSERT_TRUE(step.ok()) << describe(step.error());
    ASSERT_EQ(step->action, roles::ResponderAction::send_resolve_init);
    Bytes resp = client_.exchange(RequestType::ticket_resolve, step->message);
    ASSERT_EQ(data_type_of(resp), mikey::codec::DataType::resolve_resp)
        << "error " << static_cast<int>(error_no_of(resp).value_or(mikey::codec::ErrorNo{255}));
    step = bob.process_resolve_resp(resp);
    ASSERT_TRUE(step.ok()) << describe(step.error());
    ASSERT_EQ(step->action, roles::ResponderAction::send_transfer_resp);
    auto done = alice.process_transfer_resp(step->message);
    ASSERT_TRUE(done.ok()) << describe(done.error());
  }

  TestClock clock_;
  mikey::crypto::DeterministicRng rng_{7};
  RunningKms kms_{kConfigs + "/kms.yaml", clock_};
  Client client_{kms_.client_options()};
};

class ThreePartyE2ETest : public ExchangeE2ETest,
                          public ::testing::WithParamInterface<std::tuple<int, bool>> {};

TEST_P(ThreePartyE2ETest, BothEndsDeriveIdenticalSrtpKeys) {
  const auto [type, forking] = GetParam();
  const roles::TicketFormat format = type == 1 ? roles::kBaseTicket : roles::kProvisionalType2;
  roles::Initiator alice(initiator_config(kms_, kAlice), clock_, rng_);
  roles::Responder bob(responder_config(kms_, kBob), clock_, rng_);

  auto init = alice.request_ticket(ticket_request(kBob, forking, format));
  ASSERT_TRUE(init.ok()) << describe(init.error());
  Bytes resp = client_.exchange(RequestType::ticket_request, init.value());
  ASSERT_EQ(data_type_of(resp), mikey::codec::DataType::request_resp);
  auto granted = alice.process_request_resp(resp);
  ASSERT_TRUE(granted.ok()) << describe(granted.error());
  EXPECT_EQ(granted->ticket_type, format.type);
  EXPECT_EQ(granted->flags.i, forking);

  transfer_and_resolve(alice, bob);
  expect_same_srtp_keys(alice, bob);
  EXPECT_TRUE(kms_.logged("requesttype=ticketrequest"));
  EXPECT_TRUE(kms_.logged("requesttype=ticketresolve"));
}

INSTANTIATE_TEST_SUITE_P(Tickets, ThreePartyE2ETest,
                         ::testing::Combine(::testing::Values(1, 2), ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<int, bool>>& info) {
                           return "Type" + std::to_string(std::get<0>(info.param)) +
                                  (std::get<1>(info.param) ? "Forking" : "NoForking");
                         });

TEST_F(ExchangeE2ETest, Suite256ExchangeYieldsIdenticalSrtpKeys) {
  roles::Initiator alice(initiator_config(kms_, kAlice, roles::kSuite256), clock_, rng_);
  roles::Responder bob(responder_config(kms_, kBob, roles::kSuite256), clock_, rng_);
  auto init =
      alice.request_ticket(ticket_request(kBob, true, roles::kBaseTicket, roles::kSuite256));
  ASSERT_TRUE(init.ok());
  auto granted = alice.process_request_resp(client_.exchange(RequestType::ticket_request, *init));
  ASSERT_TRUE(granted.ok()) << describe(granted.error());
  transfer_and_resolve(alice, bob);
  expect_same_srtp_keys(alice, bob);
}

TEST_F(ExchangeE2ETest, GbaUserObtainsATicketAndResolvesOne) {
  // Carol's PSK is Ks_NAF and her IDRpsk the B-TID (UNCONFIRMED, A.3-2).
  roles::Initiator carol(initiator_config(kms_, kCarol), clock_, rng_);
  roles::Responder bob(responder_config(kms_, kBob), clock_, rng_);
  auto init = carol.request_ticket(ticket_request(kBob));
  ASSERT_TRUE(init.ok());
  auto granted = carol.process_request_resp(client_.exchange(RequestType::ticket_request, *init));
  ASSERT_TRUE(granted.ok()) << describe(granted.error());
  transfer_and_resolve(carol, bob);
  expect_same_srtp_keys(carol, bob);

  roles::Initiator alice(initiator_config(kms_, kAlice), clock_, rng_);
  roles::Responder carol_r(responder_config(kms_, kCarol), clock_, rng_);
  init = alice.request_ticket(ticket_request(kCarol));
  ASSERT_TRUE(init.ok());
  ASSERT_TRUE(
      alice.process_request_resp(client_.exchange(RequestType::ticket_request, *init)).ok());
  transfer_and_resolve(alice, carol_r, kCarol);
  expect_same_srtp_keys(alice, carol_r);
}

TEST_F(ExchangeE2ETest, Mode3TicketIsResolvedOverHttp) {
  // RFC 6043 §4.1.1 mode 3 (TS 33.328 §6.2.3.1): no Ticket Request; Alice seals the ticket with
  // the TPK she shares with the KMS (configs/kms.yaml tpk-alice), Bob resolves it at the KMS.
  for (bool forking : {false, true}) {
    SCOPED_TRACE(forking ? "forking" : "no forking");
    roles::Initiator alice(initiator_config(kms_, kAlice), clock_, rng_);
    roles::Responder bob(responder_config(kms_, kBob), clock_, rng_);
    auto policy = alice.create_ticket(ticket_request(kBob, forking), kms_.ticket_key("tpk-alice"));
    ASSERT_TRUE(policy.ok()) << describe(policy.error());
    EXPECT_FALSE(policy->flags.d);
    transfer_and_resolve(alice, bob);
    expect_same_srtp_keys(alice, bob);
  }
  EXPECT_FALSE(kms_.logged("requesttype=ticketrequest", {}));  // only RESOLVE went over HTTP
}

TEST_F(ExchangeE2ETest, CurlRequestGetsARequestRespTheInitiatorAccepts) {
  std::string where;
  ASSERT_EQ(run_capture("command -v curl", where), 0)
      << "curl is not installed (Debian package curl, scripts/bootstrap): this test needs it";
  roles::Initiator alice(initiator_config(kms_, kAlice), clock_, rng_);
  auto init = alice.request_ticket(ticket_request(kBob));
  ASSERT_TRUE(init.ok());
  TempDir dir;
  write_file(dir.file("request.b64"), mikey::wire::base64_encode(*init));
  const std::string url = "http://127.0.0.1:" + std::to_string(kms_.port()) +
                          "/keymanagement?requesttype=ticketrequest";
  std::string out;
  const std::string cmd = "curl -sS -X POST -H 'Content-Type: application/mikey' --data-binary @'" +
                          dir.file("request.b64") + "' -o '" + dir.file("response.b64") +
                          "' -w '%{http_code} %{content_type}' --max-time 10 '" + url + "'";
  ASSERT_EQ(run_capture(cmd, out), 0) << cmd << "\n" << out;
  EXPECT_EQ(out, "200 application/mikey");
  auto body = mikey::wire::base64_decode(read_file(dir.file("response.b64")));
  ASSERT_TRUE(body.ok());
  ASSERT_EQ(data_type_of(*body), mikey::codec::DataType::request_resp);
  auto granted = alice.process_request_resp(*body);
  EXPECT_TRUE(granted.ok()) << describe(granted.error());
}

TEST(SampleRequestE2ETest, CommittedSampleIsValidAtItsTimeAndStaleNow) {
  // configs/samples/request_init_alice.b64 (README "Running the reference KMS"): a REQUEST_INIT
  // that configs/kms.yaml grants at the time it was made, and answers with Error 1 today.
  auto bytes = mikey::wire::base64_decode(read_file(kConfigs + "/samples/request_init_alice.b64"),
                                          mikey::wire::Base64Mode::lenient);
  ASSERT_TRUE(bytes.ok());
  auto parsed = mikey::codec::parse_message(*bytes);
  ASSERT_TRUE(parsed.ok());
  const auto* t = roles::find_body<mikey::codec::Timestamp>(parsed.message.payloads);
  ASSERT_NE(t, nullptr);
  auto made = roles::ts_unix_seconds(t->ts_type, t->value);
  ASSERT_TRUE(made.has_value());

  TestClock then(*made);
  RunningKms kms_then(kConfigs + "/kms.yaml", then);
  ASSERT_TRUE(kms_then.ok()) << kms_then.error();
  Client c1(kms_then.client_options());
  EXPECT_EQ(data_type_of(c1.exchange(RequestType::ticket_request, *bytes)),
            mikey::codec::DataType::request_resp);

  TestClock now(*made + 3600);
  RunningKms kms_now(kConfigs + "/kms.yaml", now);
  ASSERT_TRUE(kms_now.ok()) << kms_now.error();
  Client c2(kms_now.client_options());
  EXPECT_EQ(error_no_of(c2.exchange(RequestType::ticket_request, *bytes)),
            mikey::codec::ErrorNo::invalid_ts);
}

}  // namespace
}  // namespace mikeyconf::e2e
