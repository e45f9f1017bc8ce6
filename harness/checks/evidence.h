// What one step observed, as the checks of the following expect step judge it (harness/README.md
// "Checks"): the request as sent, how the HTTP exchange ended, the decoded answer, what the
// reference parties made of it (verify, keys_equal) and what a chaining SUT forwarded (chain.h).
// The runners fill it; checks read nothing else.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "codec/message.h"
#include "harness/chain.h"
#include "harness/driver.h"
#include "harness/profile.h"
#include "harness/scenario.h"
#include "wire/bytes.h"

namespace mikeyconf::harness {

struct UeEvidence;  // ue_checks.h

// What the reference party made of the answer with the sender's keys.
struct VerifyOutcome {
  bool ok = false;
  std::string detail;
};

struct Evidence {
  const SutProfile* profile = nullptr;
  bool present = false;  // a send step ran
  MessageKind kind = MessageKind::request_init_psk;
  mikey::Bytes sent;  // the MIKEY message as sent (empty for raw_http)
  HttpExchange http;
  mikey::codec::ParseOutcome answer;  // http.mikey decoded (not ok without one)
  VerifyOutcome verify;
  std::optional<bool> keys_equal;
  std::string keys_detail;
  // sut_role kms_r: what the SUT forwarded to the harness KMS_I for this RESOLVE (chain.h).
  std::optional<std::vector<ForwardedRequest>> forwarded;
  mikey::Bytes responder_psk;  // the key of the last RESOLVE_INIT_PSK sent (forwarded.*)
  // sut_role initiator | responder: what the UE under test did; every key is then judged on it
  // (the UE's answer, hook reply and tap, ue_checks.h) and the fields above stay empty.
  const UeEvidence* ue = nullptr;

  // A new exchange: everything else is reset.
  void record(MessageKind k, mikey::Bytes request, HttpExchange x);
  // "no response (<transport error>: <detail>)".
  std::string no_response() const;
  // "no MIKEY message" with the decoding problem, or no_response() when nothing came back.
  std::string no_mikey() const;
};

}  // namespace mikeyconf::harness
