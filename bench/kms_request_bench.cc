// The reference KMS's own work on one Ticket Request, in process (no HTTP): what
// roles::Kms::handle_request_init costs from a REQUEST_INIT_PSK's bytes to the REQUEST_RESP's
// (RFC 6043 §4.2.1.4, §4.2.1.5: parse, clock skew, replay cache, key lookup, MAC, policy, ticket
// sealing, the response's KEMAC and V).
//
//   kms_handle_request_init/<suite>  the KMS answering fresh requests Alice built beforehand;
//                                    every answer must grant the ticket.
//   kms_request_mac/<suite>          the baseline, measured in the same run: one HMAC of the
//                                    request's bytes with the request's MAC algorithm and a key of
//                                    the suite's length, the least any KMS does per request
//                                    (RFC 6043 §5.5).
// Requests are built in batches outside the timed region; each batch gets a fresh Kms, so that its
// replay cache holds at most one batch (RFC 3830 §5.4: each request is new, none is a replay).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/mac.h"
#include "crypto/rng.h"
#include "fuzz/role_world.h"
#include "roles/clock.h"
#include "roles/initiator.h"
#include "roles/kms.h"
#include "roles/protect.h"

namespace mikey::bench {
namespace {

constexpr std::size_t kBatch = 256;

// `n` fresh REQUEST_INIT_PSKs from Alice to the KMS; empty on failure.
std::vector<Bytes> fresh_requests(roles::Initiator& alice, const roles::Algorithms& algs,
                                  std::size_t n) {
  std::vector<Bytes> out;
  const roles::TicketRequest desired = fuzz::ticket_request(false, roles::kBaseTicket, algs);
  for (std::size_t i = 0; i < n; ++i) {
    auto init = alice.request_ticket(desired);
    if (!init.ok()) return {};
    out.push_back(std::move(init).value());
  }
  return out;
}

void kms_handle_request_init(benchmark::State& state, roles::Algorithms algs) {
  roles::SystemClock clock;
  crypto::OpenSslRng rng;
  roles::Initiator alice(fuzz::alice_config(algs), clock, rng);
  std::vector<Bytes> batch;
  std::size_t next = 0;
  std::optional<roles::Kms> kms;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      batch = fresh_requests(alice, algs, kBatch);
      next = 0;
      kms.emplace(fuzz::kms_config(algs), clock, rng);
      state.ResumeTiming();
      if (batch.empty()) {
        state.SkipWithError("Alice could not build a request");
        break;
      }
    }
    roles::KmsReply reply = kms->handle_request_init(batch[next++]);
    if (reply.failure || reply.message.empty()) {
      state.SkipWithError("the KMS refused a fresh request");
      break;
    }
    benchmark::DoNotOptimize(reply.message.data());
  }
}

void kms_request_mac(benchmark::State& state, roles::Algorithms algs) {
  roles::SystemClock clock;
  crypto::OpenSslRng rng;
  roles::Initiator alice(fuzz::alice_config(algs), clock, rng);
  const std::vector<Bytes> one = fresh_requests(alice, algs, 1);
  if (one.empty()) {
    state.SkipWithError("Alice could not build a request");
    return;
  }
  const Bytes key(algs.key_length(), 0x5a);
  const ByteView parts[] = {one.front()};
  for (auto _ : state) {
    auto mac = crypto::compute_mac(roles::to_crypto(algs.mac), key, parts);
    if (!mac.ok()) {
      state.SkipWithError("HMAC failed");
      break;
    }
    benchmark::DoNotOptimize(mac->data());
  }
}

}  // namespace

void register_kms_request_benchmarks() {
  const std::pair<const char*, roles::Algorithms> suites[] = {{"suite128", roles::kSuite128},
                                                              {"suite256", roles::kSuite256}};
  for (const auto& [name, algs] : suites) {
    // One unit for both: the ratio compares their times as reported.
    benchmark::RegisterBenchmark((std::string("kms_request_mac/") + name).c_str(), kms_request_mac,
                                 algs)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((std::string("kms_handle_request_init/") + name).c_str(),
                                 kms_handle_request_init, algs)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace mikey::bench
