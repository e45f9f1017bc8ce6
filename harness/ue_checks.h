// Judging a UE under test (internal to the UE runner): the checks of an expect step against what
// the last `ue:` step produced — the UE's hook reply and MIKEY answer, the harness party's
// verification and key comparison, and the requests the tap recorded (harness/README.md "UE
// hooks", "Checks for a UE").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "harness/profile.h"
#include "harness/results.h"
#include "harness/scenario.h"
#include "harness/ue_hook.h"
#include "harness/ue_kms.h"
#include "roles/failure.h"
#include "roles/session_keys.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikeyconf::harness {

struct UeEvidence {
  const SutProfile* profile = nullptr;
  const UserProfile* ue_user = nullptr;  // the UE under test
  const UserProfile* peer = nullptr;     // the party the harness plays opposite it
  bool present = false;                  // a ue: step ran
  UeOp op = UeOp::initiate;
  mikey::Bytes sent;  // the MIKEY message handed to the UE, as sent (empty for initiate)
  HookReply reply;
  bool verify_ok = false;
  std::string verify_detail;
  std::optional<bool> keys_equal;
  std::string keys_detail;
  std::string fresh_problem;           // ue.fresh: "" when the answer's RANDs and CSB ID are new
  std::vector<TapRecord> tap;          // every request the UE sent in this case
  std::vector<std::string> tap_fresh;  // per record: "" when fresh
  std::string kms_authority;           // the Host the UE should send (A.2-4)
};

// Whether the reply does what the op asked (initiate → TRANSFER_INIT; transfer_resp → keys;
// transfer_init → TRANSFER_RESP, or keys alone when no response is due), refuses (an error, or a
// MIKEY Error message), or neither; `what` describes it for the report.
enum class UeOutcome : std::uint8_t { accepted, refused, other };
UeOutcome classify_reply(const UeEvidence& e, std::string& what);

// keys_equal of a transfer: the UE's reported SRTP keys against `mine`, the keys of the harness
// party `who` (RFC 3830 §4.1: both ends derive the same TEK and salt per crypto session).
void compare_ue_keys(
    const mikey::Result<std::vector<mikey::roles::SrtpKeys>, mikey::roles::Refusal>& mine,
    const std::string& who, UeEvidence& e);

// Evaluates one check of an expect step (step index `step`).
ExpectationResult judge_ue_check(std::size_t step, const Check& c, const UeEvidence& e);

}  // namespace mikeyconf::harness
