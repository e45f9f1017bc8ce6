// How far the clock of the KMS under test is from ours (docs/latitude.md "clock-offset"). A
// correct KMS may run up to the allowed clock skew (RFC 3830 §5.3) away from the harness; the
// parties the harness plays then keep the KMS's time, so the Ticket Policies they ask for (TRs,
// TRe) and the ticket validity the cases test mean the same to both sides.
#pragma once

#include <cstdint>
#include <optional>

#include "harness/driver.h"
#include "harness/profile.h"

namespace mikeyconf::harness {

// The largest offset the harness adopts: a KMS further away fails its timestamp checks
// (T-4.2.1.5-4: a fresh T) instead of being followed.
inline constexpr std::int64_t kMaxAdoptedOffsetMs = 300'000;

// The parties' clock offset for a measured one: none below a second (a KMS on time: the
// measurement's own error would only add noise), otherwise the measurement moved one second into
// the past, so a desired TRs never lies in the KMS's future for a moment (TRs has whole seconds).
std::int64_t adopted_offset_ms(std::int64_t measured_ms) noexcept;

// The KMS's T minus our clock, in milliseconds, from the T of an answer received at
// `received_ntp` (our clock); nullopt when the answer has no T with a time in it.
std::optional<std::int64_t> clock_offset_of(mikey::ByteView answer, std::uint64_t received_ntp);

// Sends one REQUEST_INIT_PSK from the profile's Initiator (sut_role kms; a KMS_R or KMS_I whose
// Initiator is registered at the SUT) and reads the T of the answer, granted or not (an Error
// message carries a T too). nullopt when the role has no such request, the SUT does not answer
// with a MIKEY message, or the offset is beyond kMaxAdoptedOffsetMs.
std::optional<std::int64_t> measure_sut_clock(const SutProfile& profile, SutDriver& driver);

}  // namespace mikeyconf::harness
