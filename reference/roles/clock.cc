#include "roles/clock.h"

#include <chrono>

namespace mikey::roles {

std::int64_t ntp_seconds_to_unix(std::uint32_t ntp_seconds) noexcept {
  // RFC 4330 §3: MSB 1 → era 0 (from 1900), MSB 0 → era 1 (from 2036-02-07 06:28:16 UTC).
  std::int64_t s = ntp_seconds;
  if ((ntp_seconds & 0x80000000u) == 0) s += kNtpEra;
  return s - kNtpUnixOffset;
}

std::uint32_t unix_to_ntp_seconds(std::int64_t unix_seconds) noexcept {
  // Modulo 2^32: era 0 and era 1 share the 32-bit field; the MSB tells them apart on receipt.
  return static_cast<std::uint32_t>(static_cast<std::uint64_t>(unix_seconds + kNtpUnixOffset));
}

NtpTime unix_to_ntp(std::int64_t unix_seconds, std::uint32_t fraction) noexcept {
  return (NtpTime{unix_to_ntp_seconds(unix_seconds)} << 32) | fraction;
}

std::int64_t ntp_to_unix(NtpTime t) noexcept {
  return ntp_seconds_to_unix(static_cast<std::uint32_t>(t >> 32));
}

std::optional<std::int64_t> ts_unix_seconds(codec::TsType type, std::uint64_t value) noexcept {
  switch (type) {
    case codec::TsType::ntp_utc:
    case codec::TsType::ntp:
      return ntp_to_unix(value);
    case codec::TsType::ntp_utc_32:
      return ntp_seconds_to_unix(static_cast<std::uint32_t>(value));
    default:
      return std::nullopt;
  }
}

std::uint64_t ts_iv_value(codec::TsType type, std::uint64_t value) noexcept {
  if (type == codec::TsType::ntp_utc_32) return utc32_to_ntp(static_cast<std::uint32_t>(value));
  return value;  // 64-bit NTP values as sent; COUNTER already zero-extended by the codec
}

NtpTime SystemClock::now() const noexcept {
  using namespace std::chrono;
  const auto since_epoch = system_clock::now().time_since_epoch();
  const auto secs = duration_cast<seconds>(since_epoch);
  const auto nanos = duration_cast<nanoseconds>(since_epoch - secs).count();
  // Fraction = nanoseconds * 2^32 / 10^9.
  const auto fraction =
      static_cast<std::uint32_t>((static_cast<std::uint64_t>(nanos) << 32) / 1'000'000'000u);
  return unix_to_ntp(secs.count(), fraction);
}

namespace {
// Era-aware "a is not later than b" (a plain integer compare breaks at the 2036 era change).
bool not_later(NtpTime a, NtpTime b) noexcept {
  const std::int64_t ua = ntp_to_unix(a);
  const std::int64_t ub = ntp_to_unix(b);
  if (ua != ub) return ua < ub;
  return (a & 0xffffffffu) <= (b & 0xffffffffu);
}
}  // namespace

NtpTime TimestampSource::next(const Clock& clock) noexcept {
  const NtpTime now = clock.now();
  NtpTime last = last_.load();
  NtpTime t = now;
  do {
    t = last != 0 && not_later(now, last) ? last + 1 : now;  // one fraction unit (~233 ps) later
  } while (!last_.compare_exchange_weak(last, t));
  return t;
}

NtpTime shifted(NtpTime t, std::int64_t offset_ms) noexcept {
  const std::int64_t delta = offset_ms * (std::int64_t{1} << 32) / 1000;
  return static_cast<NtpTime>(static_cast<std::int64_t>(t) + delta);
}

}  // namespace mikey::roles
