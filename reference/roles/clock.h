// Time for the roles: a Clock interface returning 64-bit NTP-UTC timestamps, and the timestamp
// conversions MIKEY needs (RFC 3830 §6.6, RFC 6043 §6.3, RFC 4330 §3).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "codec/codepoints.h"

namespace mikey::roles {

// A 64-bit NTP timestamp: 32-bit seconds (RFC 4330 era rule) and 32-bit fraction.
using NtpTime = std::uint64_t;

// Seconds from 1900-01-01 to 1970-01-01.
inline constexpr std::int64_t kNtpUnixOffset = 2208988800;
// 2^32 seconds: the length of one NTP era.
inline constexpr std::int64_t kNtpEra = std::int64_t{1} << 32;

// RFC 4330 §3: seconds with the MSB set count from 1900-01-01 (1968–2036); with the
// MSB clear they count from 2036-02-07 06:28:16 UTC (2036–2104). Returns Unix seconds.
std::int64_t ntp_seconds_to_unix(std::uint32_t ntp_seconds) noexcept;
// The inverse for 1968–2104 (outside that range the value wraps into it).
std::uint32_t unix_to_ntp_seconds(std::int64_t unix_seconds) noexcept;
NtpTime unix_to_ntp(std::int64_t unix_seconds, std::uint32_t fraction = 0) noexcept;
// Unix seconds of a 64-bit NTP timestamp (fraction dropped).
std::int64_t ntp_to_unix(NtpTime t) noexcept;

// RFC 6043 §6.3: NTP-UTC-32 is the seconds part of an NTP-UTC timestamp, and is padded with a
// zero fraction where 64 bits are needed (e.g. the AES-CM IV).
constexpr std::uint32_t ntp_to_utc32(NtpTime t) noexcept {
  return static_cast<std::uint32_t>(t >> 32);
}
constexpr NtpTime utc32_to_ntp(std::uint32_t v) noexcept { return NtpTime{v} << 32; }

// Unix seconds of a T / TR value; nullopt for COUNTER and unknown TS types (no time).
// NTP (type 1) is read like NTP-UTC: RFC 3830 §4.2.8 recommends UTC and gives no other base.
std::optional<std::int64_t> ts_unix_seconds(codec::TsType type, std::uint64_t value) noexcept;
// The 64-bit T of the AES-CM IV (RFC 3830 §4.2.3): NTP types as sent; NTP-UTC-32 padded with a
// zero fraction (RFC 6043 §6.3); COUNTER zero-padded to 64 bits (INTERPRETATION:
// RFC 3830 §6.6 states that padding for the PRF only).
std::uint64_t ts_iv_value(codec::TsType type, std::uint64_t value) noexcept;

// The current time. Implementations must be cheap and never fail.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual NtpTime now() const noexcept = 0;
  std::int64_t now_unix() const noexcept { return ntp_to_unix(now()); }
};

// The system's wall clock (std::chrono::system_clock, which counts UTC on every platform we use).
class SystemClock final : public Clock {
 public:
  NtpTime now() const noexcept override;
};

// `t` moved by `offset_ms` milliseconds (NTP: 2^32 units per second).
NtpTime shifted(NtpTime t, std::int64_t offset_ms) noexcept;

// Another clock shifted by a fixed offset: a party whose clock is off by a known amount
// (docs/latitude.md "clock-offset"). Without a base clock it shifts the system clock.
class ShiftedClock final : public Clock {
 public:
  ShiftedClock(const Clock* base, std::int64_t offset_ms) noexcept
      : base_(base), offset_ms_(offset_ms) {}
  NtpTime now() const noexcept override {
    return shifted(base_ != nullptr ? base_->now() : system_.now(), offset_ms_);
  }

 private:
  SystemClock system_;
  const Clock* base_;
  std::int64_t offset_ms_;
};

// A clock the test sets by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(NtpTime t) noexcept : t_(t) {}
  NtpTime now() const noexcept override { return t_; }
  void set(NtpTime t) noexcept { t_ = t; }
  void advance_seconds(std::int64_t s) noexcept {
    t_ = static_cast<NtpTime>(static_cast<std::int64_t>(t_) + s * kNtpEra);
  }

 private:
  NtpTime t_;
};

// Timestamps for outgoing messages: the clock's NTP-UTC value, made strictly increasing so no two
// messages of one party share a T (RFC 3830 §5.2: Initiator messages use unique timestamps; a
// manual clock that does not move would otherwise repeat them). Safe for concurrent calls (a KMS
// answers requests on several threads): two callers never get the same T.
class TimestampSource {
 public:
  TimestampSource() = default;
  TimestampSource(const TimestampSource& other) noexcept : last_(other.last_.load()) {}
  TimestampSource& operator=(const TimestampSource& other) noexcept {
    last_.store(other.last_.load());
    return *this;
  }
  NtpTime next(const Clock& clock) noexcept;

 private:
  std::atomic<NtpTime> last_{0};
};

}  // namespace mikey::roles
