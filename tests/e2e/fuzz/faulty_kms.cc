// A faulty reference KMS for the live fuzzer's acceptance test: `mikeyconf kms --config FILE
// --listen HOST:PORT` (the same configuration loader, KmsService and listening line) whose process
// dies (std::abort: the connection resets and the SUT is dead) on one request only — one the KMS
// authenticated and granted (its V MAC verified, RFC 6043 §5.1.2) that holds the same payload
// twice at the top level. Only a mutation re-protected with the sender's key reaches it: a
// crash behind a deep condition, as a real KMS's bug would be.
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "codec/message.h"
#include "config/kms_config.h"
#include "crypto/rng.h"
#include "roles/clock.h"
#include "service/kms_service.h"

namespace {

namespace codec = mikey::codec;

// Two top-level payloads of one type with the same bytes (their Next payload bytes aside).
bool repeats_a_payload(mikey::ByteView request) {
  const codec::ParseOutcome p = codec::parse_message(request);
  if (!p.ok()) return false;
  const auto& pls = p.message.payloads;
  for (std::size_t i = 0; i < pls.size(); ++i) {
    for (std::size_t j = i + 1; j < pls.size(); ++j) {
      if (pls[i].type != pls[j].type || pls[i].length != pls[j].length || pls[i].length < 2)
        continue;
      if (pls[j].offset + pls[j].length > request.size()) continue;
      const auto a = request.subspan(pls[i].offset + 1, pls[i].length - 1);
      const auto b = request.subspan(pls[j].offset + 1, pls[j].length - 1);
      if (std::equal(a.begin(), a.end(), b.begin())) return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 || std::string_view(argv[1]) != "--config" ||
      std::string_view(argv[3]) != "--listen") {
    std::cerr << "usage: faulty_kms --config FILE --listen HOST:PORT\n";
    return 2;
  }
  auto loaded = mikey::config::load_kms_config(argv[2]);
  if (!loaded.ok()) {
    std::cerr << "faulty_kms: " << loaded.error().str() << "\n";
    return 2;
  }
  auto listen = mikey::config::parse_listen_address(argv[4]);
  if (!listen.ok()) {
    std::cerr << "faulty_kms: --listen: " << listen.error() << "\n";
    return 2;
  }
  mikey::service::ServiceOptions so;
  so.server = mikey::service::server_options(loaded.value());
  so.server.host = listen->host;
  so.server.port = listen->port;
  so.answer_hook = [](mikey::service::Answered& a) -> mikey::transport::ServerReply {
    if (!a.reply.failure && a.reply.http_status == 0 && repeats_a_payload(a.request)) std::abort();
    return a.answer;
  };
  mikey::roles::SystemClock clock;
  mikey::crypto::OpenSslRng rng;
  mikey::service::KmsService service(std::move(loaded).value(), clock, rng, std::move(so));
  auto port = service.start();
  if (!port.ok()) {
    std::cerr << "faulty_kms: cannot start\n";
    return 3;
  }
  service.server().stop_on_signals();
  std::cout << "faulty_kms: listening on " << service.url() << std::endl;
  service.server().wait();
  return 0;
}
