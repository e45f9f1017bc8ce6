// `mikeyconf ue`: the sample UE hook (harness/README.md "UE hooks") — the reference Initiator and
// Responder (roles::Initiator, roles::Responder) driven by the hook protocol: one JSON request per
// line on stdin, one JSON reply per line on stdout. The UE's identity and PSK come from a SUT
// profile (the same file the harness runs with). It is the embedded default SUT of the UE roles,
// and the model for a vendor's own hook.
//
// `--fault NAME` makes it misbehave on purpose, so tests can show the suite catching a faulty UE.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "harness/profile.h"
#include "tools/cli.h"

namespace mikeyconf::tools {

// Deliberate faults of the sample UE.
enum class UeFault : std::uint8_t {
  none,
  accept_bad_kms_mac,    // a KMS answer whose MAC fails is accepted (MAC recomputed first)
  wrong_keys,            // reported SRTP master keys have one bit flipped
  crash_on_kms_error,    // abort() when the KMS does not grant (Error, bad MAC, HTTP error)
  hang_on_kms_error,     // stop answering when the KMS does not grant
  garbage_on_kms_error,  // reply a line that is not JSON when the KMS does not grant
  repeat_rands,          // a fixed-seed generator: every process sends the same RANDs, CSB IDs
};

// One UE: the reference roles for `user` of `profile`, state kept across requests (the ticket and
// transfer of the Initiator, the Responder's replay cache).
class SampleUe {
 public:
  // `clock_offset_ms`: the UE's clock runs that far from the host's (docs/latitude.md
  // "clock-offset").
  SampleUe(mikeyconf::harness::SutProfile profile, std::string user, UeFault fault,
           std::int64_t clock_offset_ms = 0);
  ~SampleUe();
  SampleUe(const SampleUe&) = delete;
  SampleUe& operator=(const SampleUe&) = delete;

  // One request line → one reply line (without newline). Never throws.
  std::string handle(std::string_view request_line) noexcept;
  // Whether the fault wants the process to stop answering (hang_on_kms_error has fired).
  bool hanging() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

extern const std::string_view kUeUsage;

// `mikeyconf ue --profile FILE [--user NAME] [--fault NAME] [--clock-offset-ms MS]`: serves
// requests from stdin until end of input. Exit 0 at end of input, 2 usage or configuration error
// (FILE:LINE:COL).
int ue_main(std::span<const std::string_view> args, Io& io);

}  // namespace mikeyconf::tools
