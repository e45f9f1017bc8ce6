// The KMS the harness plays opposite a UE under test (sut_role initiator | responder): a reference
// roles::Kms for one case, configured from the profile's users (kms_config_from_profile), serving
// the UE over TS 33.328 Annex A HTTP on the profile's base_url host and port (port 0: the OS
// picks). A tap records every request the UE sends and what was answered, so cases can judge the
// UE's REQUEST_INIT / RESOLVE_INIT; a kms_answer step makes the answers misbehave (a MIKEY Error,
// a mutated or re-protected answer, a ticket granted for someone else, another HTTP status,
// Content-Type or body, no answer at all). The harness's own Initiator and Responder reach the same
// Kms in-process (handle_direct): not tapped, never misbehaving.
//
// The HTTP side is the reference KMS's service (service::KmsService) with a hook that sees every
// request as received (ServiceOptions::http_hook): a wrong Content-Type, status or body goes out
// as is, and no answer drops the connection. Everything a UE sends is data: nothing it sends throws
// or crashes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/profile.h"
#include "harness/scenario.h"
#include "roles/kms.h"
#include "transport/annex_a.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikeyconf::harness {

// One request the UE sent to the harness KMS, and the answer.
struct TapRecord {
  std::string request;  // the HTTP request bytes as received
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<mikey::transport::RequestType> type;  // when requesttype was valid
  mikey::Bytes mikey;        // the MIKEY request, when it is a valid Annex A request
  std::string http_problem;  // why it is not (validate_request: status, requirement, text)
  std::uint16_t status = 0;  // 0: nothing was answered (no_answer, or the connection broke)
  std::vector<std::pair<std::string, std::string>> response_headers;
  std::string response_body;
  std::optional<mikey::Bytes> response_mikey;  // the MIKEY answer the harness KMS produced
  std::string note;           // what the KMS did ("reference answer", "kms_answer: ...")
  std::string harness_error;  // a kms_answer the harness could not carry out
  double at_ms = 0;           // since the KMS started
};

class TapKms {
 public:
  // Binds the profile's host and port; `seed` seeds the Kms's DeterministicRng (keys and RANDs
  // repeat with the case seed); `read_timeout` bounds how long a connection may be silent.
  static mikey::Result<std::unique_ptr<TapKms>, std::string> start(
      const SutProfile& profile, std::uint64_t seed, std::chrono::milliseconds read_timeout);
  ~TapKms();
  TapKms(const TapKms&) = delete;
  TapKms& operator=(const TapKms&) = delete;

  // http://host:port/path — the Annex A resource the UE posts to.
  std::string url() const;
  std::uint16_t port() const noexcept;

  // How the next requests are answered (replaces the previous setting; count: that many
  // requests, then the reference answer again).
  void set_answer(const KmsAnswerStep& answer);
  std::vector<TapRecord> records() const;
  std::size_t request_count() const;

  // The Kms in-process, for the harness's own parties.
  mikey::roles::KmsReply handle_direct(mikey::transport::RequestType type, mikey::ByteView request);

  // Closes the port and ends every connection; idempotent.
  void stop();

 private:
  TapKms();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One line: what a kms_answer step makes the harness KMS do (transcripts, `mikeyconf explain`).
std::string describe_kms_answer(const KmsAnswerStep& answer);

// The profile user whose credential protects `request` (a REQUEST_INIT_PSK or RESOLVE_INIT_PSK):
// found by IDRpsk, else by IDRi (request) / IDRr (resolve); nullptr when none matches.
const UserProfile* requesting_user(const SutProfile& profile, mikey::ByteView request);

// Recomputes the V MAC of a REQUEST_RESP / RESOLVE_RESP after knobs: keys from `psk` with the
// response label type and the RAND of `request` (RFC 6043 §5.1.2), MAC over the answer as it
// stands ‖ the whole request (§5.5).
mikey::Result<mikey::Bytes, std::string> re_protect_answer(mikey::ByteView answer,
                                                           mikey::ByteView request,
                                                           mikey::ByteView psk);

}  // namespace mikeyconf::harness
