// RFC 3830 §5.4 on the KMS_R→KMS_I link (TS 33.328 A.3-1): a forwarded RESOLVE_INIT goes through
// KMS_I's replay cache like any request, so a KMS_I holding its bound answers the link 503 with
// Retry-After, never a MIKEY Error that would call the forward a replay. configs/kms_i.yaml and
// configs/kms_r.yaml as shipped, KMS_I's replay cache bounded to one message (Alice's
// REQUEST_INIT fills it), certificates from configs/make-test-certs.sh.
#include <string>

#include "tests/e2e/e2e_support.h"

namespace mikeyconf::e2e {
namespace {

using transport::RequestType;

// Alice (KMS_I's user, over mutual TLS) obtains a ticket for Bob and transfers it: Bob's
// RESOLVE_INIT to KMS_R.
Bytes bob_resolve_init(const RunningKms& kms_i, const RunningKms& kms_r, const TempDir& dir,
                       const roles::Clock& clock, mikey::crypto::Rng& rng) {
  transport::ClientTlsOptions tls;
  tls.ca_file = dir.file("certs/ca.crt");
  tls.cert_file = dir.file("certs/ue.crt");
  tls.key_file = dir.file("certs/ue.key");
  Client to_kms_i(kms_i.client_options(tls));
  roles::Initiator alice(initiator_config(kms_i, kAlice), clock, rng);
  auto init = alice.request_ticket(ticket_request(kBob));
  EXPECT_TRUE(init.ok());
  if (!init.ok()) return {};
  auto granted = alice.process_request_resp(to_kms_i.exchange(RequestType::ticket_request, *init));
  EXPECT_TRUE(granted.ok());
  roles::TransferOptions o;
  o.responder = roles::Identity::uri(kBob);
  auto transfer = alice.transfer_init(o);
  EXPECT_TRUE(transfer.ok());
  if (!transfer.ok()) return {};
  roles::Responder bob(responder_config(kms_r, kBob), clock, rng);
  auto step = bob.process_transfer_init(*transfer);
  EXPECT_TRUE(step.ok());
  return step.ok() ? step->message : Bytes{};
}

TEST(KmsIReplayBoundE2ETest, KmsIAtItsBoundAnswersTheLink503) {
  TempDir dir;
  ASSERT_EQ(make_test_certs(dir.file("certs")), "");
  write_file(dir.file("kms_i.yaml"),
             read_file(kConfigs + "/kms_i.yaml") + "\npolicy:\n  replay_cache_size: 1\n");
  TestClock clock;
  mikey::crypto::DeterministicRng rng{29};
  RunningKms kms_i(dir.file("kms_i.yaml"), clock);
  ASSERT_TRUE(kms_i.ok()) << kms_i.error();
  write_file(dir.file("kms_r.yaml"),
             replace_all(read_file(kConfigs + "/kms_r.yaml"), "https://127.0.0.1:8443/",
                         "https://127.0.0.1:" + std::to_string(kms_i.port()) + "/"));
  RunningKms kms_r(dir.file("kms_r.yaml"), clock);
  ASSERT_TRUE(kms_r.ok()) << kms_r.error();

  const Bytes resolve = bob_resolve_init(kms_i, kms_r, dir, clock, rng);
  ASSERT_FALSE(resolve.empty());
  Client to_kms_r(kms_r.client_options());
  ASSERT_TRUE(to_kms_r.post(RequestType::ticket_resolve, resolve).has_value());
  // What KMS_R answers Bob then is KMS_R's choice; KMS_I's answer on the link is the 503.
  EXPECT_TRUE(kms_i.logged("replay_memory_full"));
  bool answered_503 = false;
  for (const std::string& line : kms_i.log_lines()) {
    if (line.find("requesttype=ticketresolve") == std::string::npos) continue;
    EXPECT_NE(line.find("status=503"), std::string::npos) << line;
    answered_503 = line.find("status=503") != std::string::npos;
  }
  EXPECT_TRUE(answered_503);
}

}  // namespace
}  // namespace mikeyconf::e2e
