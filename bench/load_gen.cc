// mikey_load_gen: writes fresh, valid Annex A request bodies (base64, one per line) for a load
// test of `mikeyconf kms` (scripts/bench-load), so that every request is sent once and the KMS
// does its full work on each: none is a replay (RFC 3830 §5.4), each is within the clock skew.
//
//   mikey_load_gen --config KMS.yaml --type ticket|resolve --count N --out FILE
//
//   ticket   REQUEST_INIT_PSK from the first PSK user to the second (TS 33.328 Annex A
//            requesttype=ticketrequest).
//   resolve  RESOLVE_INIT_PSK from the second user for a ticket the KMS issued to the first
//            (requesttype=ticketresolve). The tickets come from an in-process roles::Kms with
//            the same configuration: same TPKs, so the KMS under test resolves them as its own;
//            each ticket serves 64 transfers (ticket reuse), each a new RESOLVE_INIT.
// It also prints, on stdout, `answer_b64=...` (the in-process KMS's answer to the last request,
// base64: the body the static baseline returns, same size) and `generated=N`.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/kms_config.h"
#include "crypto/rng.h"
#include "roles/clock.h"
#include "roles/initiator.h"
#include "roles/kms.h"
#include "roles/responder.h"
#include "roles/samples.h"
#include "wire/base64.h"

namespace {

using namespace mikey;

struct Args {
  std::string config, type, out;
  long count = 0;
};

std::optional<Args> parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view k = argv[i];
    const std::string v = argv[i + 1];
    if (k == "--config") {
      a.config = v;
    } else if (k == "--type") {
      a.type = v;
    } else if (k == "--out") {
      a.out = v;
    } else if (k == "--count") {
      a.count = std::stol(v);
    } else {
      return std::nullopt;
    }
  }
  if (a.config.empty() || a.out.empty() || a.count <= 0) return std::nullopt;
  if (a.type != "ticket" && a.type != "resolve") return std::nullopt;
  return a;
}

// The world of one request: the KMS's users, the clock and the RNG every party uses.
struct World {
  explicit World(const roles::KmsConfig& config) : kms(config) {}
  const roles::KmsConfig& kms;
  const roles::KmsUser* initiator = nullptr;
  const roles::KmsUser* responder = nullptr;
  roles::SystemClock clock;
  crypto::OpenSslRng rng;
  std::unique_ptr<roles::Initiator> holder;  // resolve: the Initiator whose ticket is reused
  int holder_uses = 0;
};

bool find_parties(World& w) {
  for (const roles::KmsUser& u : w.kms.users) {
    if (u.peer_kms) continue;
    if (w.initiator == nullptr) {
      w.initiator = &u;
    } else if (w.responder == nullptr) {
      w.responder = &u;
    }
  }
  return w.responder != nullptr;
}

roles::TicketRequest ticket_request(const World& w) {
  roles::TicketRequest r;
  r.responders.push_back(w.responder->identity);
  r.prf = roles::kSuite128.prf;
  return r;
}

template <class Config>
Config party(const World& w, const roles::KmsUser& u) {
  return roles::samples::party_config<Config>(u.identity, w.kms.identity, u.credential,
                                              roles::kSuite128);
}

// One request body each; nullopt when a step fails. The in-process KMS answers a ticket request
// only for the sample answer: the KMS under test must see each request first.
std::optional<Bytes> ticket_request_body(World& w) {
  roles::Initiator alice(party<roles::InitiatorConfig>(w, *w.initiator), w.clock, w.rng);
  auto init = alice.request_ticket(ticket_request(w));
  if (!init.ok()) return std::nullopt;
  return std::move(init.value());
}

// An Initiator holding a ticket the KMS issued, reused for kTransfersPerTicket transfers (the
// KMS grants J, ticket reuse, RFC 6043 §6.10): each TRANSFER_INIT has its own CSB ID, T and
// RAND (§5.3), so each Responder's RESOLVE_INIT is a fresh request for the KMS under test.
constexpr int kTransfersPerTicket = 64;

std::unique_ptr<roles::Initiator> ticket_holder(World& w, roles::Kms& kms) {
  auto alice = std::make_unique<roles::Initiator>(party<roles::InitiatorConfig>(w, *w.initiator),
                                                  w.clock, w.rng);
  roles::TicketRequest request = ticket_request(w);
  request.flags.j = true;  // ask for reuse
  auto init = alice->request_ticket(request);
  if (!init.ok()) return nullptr;
  roles::KmsReply resp = kms.handle_request_init(init.value());
  if (resp.failure || !alice->process_request_resp(resp.message).ok()) return nullptr;
  return alice;
}

std::optional<Bytes> resolve_request_body(World& w, roles::Kms& kms) {
  if (w.holder == nullptr || w.holder_uses == kTransfersPerTicket) {
    w.holder = ticket_holder(w, kms);
    w.holder_uses = 0;
    if (w.holder == nullptr) return std::nullopt;
  }
  ++w.holder_uses;
  roles::TransferOptions o;
  o.responder = w.responder->identity;
  auto transfer = w.holder->transfer_init(o);
  if (!transfer.ok()) return std::nullopt;
  roles::Responder bob(party<roles::ResponderConfig>(w, *w.responder), w.clock, w.rng);
  auto step = bob.process_transfer_init(transfer.value());
  if (!step.ok() || step->action != roles::ResponderAction::send_resolve_init) return std::nullopt;
  return std::move(step->message);
}

int run(const Args& a) {
  auto loaded = config::load_kms_config(a.config);
  if (!loaded.ok()) {
    std::cerr << "mikey_load_gen: " << loaded.error().str() << "\n";
    return 2;
  }
  roles::SystemClock clock;
  crypto::OpenSslRng kms_rng;
  roles::Kms kms(std::move(loaded->kms), clock, kms_rng);
  World w(kms.config());
  if (!find_parties(w)) {
    std::cerr << "mikey_load_gen: the configuration needs two users\n";
    return 2;
  }
  std::ofstream out(a.out, std::ios::binary | std::ios::trunc);
  const bool resolve = a.type == "resolve";
  Bytes last;
  for (long i = 0; i < a.count; ++i) {
    auto e = resolve ? resolve_request_body(w, kms) : ticket_request_body(w);
    if (!e) {
      std::cerr << "mikey_load_gen: request " << i << " could not be built\n";
      return 1;
    }
    out << wire::base64_encode(*e) << '\n';
    last = std::move(*e);
  }
  out.close();
  if (!out) {
    std::cerr << "mikey_load_gen: cannot write " << a.out << "\n";
    return 1;
  }
  // A sample answer from a KMS with a cache of its own: the real KMS answers the same size.
  roles::KmsReply sample = resolve ? kms.handle_resolve_init(last) : kms.handle_request_init(last);
  if (sample.failure) {
    std::cerr << "mikey_load_gen: the sample request was refused: " << sample.detail << "\n";
    return 1;
  }
  std::cout << "answer_b64=" << wire::base64_encode(sample.message) << "\n"
            << "generated=" << a.count << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = parse_args(argc, argv);
  if (!args) {
    std::cerr << "usage: mikey_load_gen --config KMS.yaml --type ticket|resolve --count N "
                 "--out FILE\n";
    return 2;
  }
  return run(*args);
}
