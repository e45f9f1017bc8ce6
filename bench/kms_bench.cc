// Full Ticket Request + Ticket Resolve cycles per second against the reference KMS over
// keep-alive loopback HTTP (TS 33.328 Annex A), and p50/p99 latency per cycle.
//
//   kms_cycle/...        a real transport::KmsServer with a real roles::Kms behind it; one client
//                        thread runs a cycle: the Initiator builds REQUEST_INIT_PSK, posts it
//                        (AnnexAClient, keep-alive) and processes REQUEST_RESP; it builds
//                        TRANSFER_INIT, the Responder turns it into RESOLVE_INIT_PSK, posts it on
//                        its own keep-alive connection and processes RESOLVE_RESP.
//   kms_cycle_static/... the baseline, measured in the same run: the same server, threads, client
//                        connections and request sizes, but the handler returns a static body of
//                        the size of the KMS's answers and nobody does any MIKEY work.
// The ratio (bench/ratio_reporter.h) is therefore what MIKEY costs on both sides of a cycle over
// the bare HTTP round trips. Loopback only; each run lasts about --benchmark_min_time.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crypto/rng.h"
#include "fuzz/role_world.h"
#include "roles/clock.h"
#include "roles/initiator.h"
#include "roles/kms.h"
#include "roles/responder.h"
#include "transport/client.h"
#include "transport/server.h"

namespace mikey::bench {
namespace {

using Steady = std::chrono::steady_clock;
using transport::RequestType;

// One cycle's messages from an in-process run: the baseline sends and answers these sizes.
struct CycleBytes {
  Bytes request_init, request_resp, resolve_init, resolve_resp;
};

const CycleBytes& recorded_cycle() {
  static const CycleBytes bytes = [] {
    CycleBytes b;
    roles::SystemClock clock;
    crypto::OpenSslRng rng;
    roles::Kms kms(fuzz::kms_config(), clock, rng);
    roles::Initiator alice(fuzz::alice_config(), clock, rng);
    roles::Responder bob(fuzz::bob_config(), clock, rng);
    auto init = alice.request_ticket(fuzz::ticket_request());
    if (!init.ok()) return b;
    b.request_init = init.value();
    b.request_resp = kms.handle_request_init(b.request_init).message;
    if (!alice.process_request_resp(b.request_resp).ok()) return b;
    roles::TransferOptions o;
    o.responder = fuzz::bob_id();
    auto transfer = alice.transfer_init(o);
    if (!transfer.ok()) return b;
    auto step = bob.process_transfer_init(transfer.value());
    if (!step.ok()) return b;
    b.resolve_init = step->message;
    b.resolve_resp = kms.handle_resolve_init(b.resolve_init).message;
    return b;
  }();
  return bytes;
}

transport::ServerOptions server_options() {
  transport::ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = 2;
  o.access_log = [](std::string_view) {};  // measured: the server, not the terminal
  return o;
}

transport::ClientOptions client_options(std::uint16_t port) {
  transport::ClientOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.keep_alive = true;
  return o;
}

// Posts `mikey` and returns the decoded answer, or nullopt (after SkipWithError) on any failure.
std::optional<Bytes> post(benchmark::State& state, transport::AnnexAClient& client,
                          RequestType type, ByteView mikey) {
  auto r = client.post(type, mikey);
  if (!r.ok() || r->status != 200 || !r->mikey) {
    state.SkipWithError("HTTP exchange failed");
    return std::nullopt;
  }
  return std::move(*r->mikey);
}

// Runs `cycle` once per iteration, timing each; reports cycles/s and p50/p99 per cycle.
template <class Cycle>
void timed_cycles(benchmark::State& state, Cycle&& cycle) {
  std::vector<double> latencies;
  for (auto _ : state) {
    const Steady::time_point start = Steady::now();
    const bool ok = cycle();
    const std::chrono::duration<double> took = Steady::now() - start;
    state.SetIterationTime(took.count());
    if (!ok) {
      state.SkipWithError("cycle failed");
      break;
    }
    latencies.push_back(took.count());
  }
  if (latencies.empty()) return;
  double total = 0;
  for (double l : latencies) total += l;
  std::sort(latencies.begin(), latencies.end());
  auto at = [&](double q) {
    const auto i = static_cast<std::size_t>(q * static_cast<double>(latencies.size() - 1));
    return latencies[i] * 1e6;
  };
  state.counters["cycles/s"] = static_cast<double>(latencies.size()) / total;
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
}

void kms_cycle(benchmark::State& state) {
  roles::SystemClock clock;
  crypto::OpenSslRng kms_rng;
  roles::Kms kms(fuzz::kms_config(), clock, kms_rng);
  std::mutex kms_mutex;  // one Kms, one request at a time (kms.h: not thread-safe)
  transport::KmsServer server(server_options(), [&](RequestType type, ByteView request) {
    std::lock_guard<std::mutex> lock(kms_mutex);
    return fuzz::kms_answer(kms, type, request);
  });
  auto port = server.start();
  if (!port.ok()) {
    state.SkipWithError("server did not start");
    return;
  }
  crypto::OpenSslRng rng;
  roles::Initiator alice(fuzz::alice_config(), clock, rng);
  roles::Responder bob(fuzz::bob_config(), clock, rng);
  transport::AnnexAClient alice_http(client_options(port.value()));
  transport::AnnexAClient bob_http(client_options(port.value()));
  const roles::TicketRequest request = fuzz::ticket_request();
  roles::TransferOptions transfer;
  transfer.responder = fuzz::bob_id();
  timed_cycles(state, [&] {
    auto init = alice.request_ticket(request);
    if (!init.ok()) return false;
    auto resp = post(state, alice_http, RequestType::ticket_request, init.value());
    if (!resp || !alice.process_request_resp(*resp).ok()) return false;
    auto ti = alice.transfer_init(transfer);
    if (!ti.ok()) return false;
    auto step = bob.process_transfer_init(ti.value());
    if (!step.ok() || step->action != roles::ResponderAction::send_resolve_init) return false;
    auto resolved = post(state, bob_http, RequestType::ticket_resolve, step->message);
    return resolved && bob.process_resolve_resp(*resolved).ok();
  });
  if (alice_http.connections_opened() != 1 || bob_http.connections_opened() != 1) {
    state.SkipWithError("keep-alive connection was not kept");
  }
}

void kms_cycle_static(benchmark::State& state) {
  const CycleBytes& b = recorded_cycle();
  if (b.resolve_resp.empty()) {
    state.SkipWithError("no recorded cycle");
    return;
  }
  transport::KmsServer server(server_options(), [&b](RequestType type, ByteView) {
    transport::KmsAnswer a;
    a.mikey = type == RequestType::ticket_request ? b.request_resp : b.resolve_resp;
    return a;
  });
  auto port = server.start();
  if (!port.ok()) {
    state.SkipWithError("server did not start");
    return;
  }
  transport::AnnexAClient alice_http(client_options(port.value()));
  transport::AnnexAClient bob_http(client_options(port.value()));
  timed_cycles(state, [&] {
    auto resp = post(state, alice_http, RequestType::ticket_request, b.request_init);
    if (!resp || resp->size() != b.request_resp.size()) return false;
    auto resolved = post(state, bob_http, RequestType::ticket_resolve, b.resolve_init);
    return resolved && resolved->size() == b.resolve_resp.size();
  });
}

}  // namespace

void register_kms_benchmarks() {
  benchmark::RegisterBenchmark("kms_cycle_static/loopback_keepalive", kms_cycle_static)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("kms_cycle/loopback_keepalive", kms_cycle)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace mikey::bench
