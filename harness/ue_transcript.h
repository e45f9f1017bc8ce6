// How the UE-role runner (ue_runner.h) writes what it saw into the case's transcript: hook calls,
// requests the UE sent the harness KMS, and the names of the MIKEY messages involved.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "harness/results.h"
#include "harness/ue_hook.h"
#include "harness/ue_kms.h"
#include "wire/bytes.h"

namespace mikeyconf::harness {

// The MIKEY data type's name (RFC 3830 §6.1), or "no MIKEY message".
std::string ue_data_type_of(const std::optional<mikey::Bytes>& m);

// A transcript entry of step `i` with the message as built and as sent.
TranscriptEntry ue_entry(std::size_t i, std::string kind, std::string label,
                         const mikey::Bytes& built, const mikey::Bytes& sent);

// What a hook reply held, for the entry's note.
std::string hook_reply_note(const HookReply& r);

// `s`, cut after 600 characters (the size noted), for a transcript note.
std::string clipped(const std::string& s);

// The HTTP entry of one request the UE (`ue_name`, playing `role`) sent the harness KMS.
TranscriptEntry tap_entry(std::size_t i, const TapRecord& t, std::string_view role,
                          const std::string& ue_name);

}  // namespace mikeyconf::harness
