#include "harness/sut_clock.h"

#include <cstdlib>

#include "codec/message.h"
#include "crypto/rng.h"
#include "harness/chain.h"
#include "harness/party_util.h"
#include "harness/reference_names.h"
#include "roles/clock.h"
#include "roles/message_util.h"

namespace mikeyconf::harness {

std::optional<std::int64_t> clock_offset_of(mikey::ByteView answer, std::uint64_t received_ntp) {
  const codec::ParseOutcome p = codec::parse_message(answer);
  if (!p.ok()) return std::nullopt;
  const auto* t = roles::find_body<codec::Timestamp>(p.message.payloads);
  if (t == nullptr || !roles::ts_unix_seconds(t->ts_type, t->value)) return std::nullopt;
  // Both as 64-bit NTP (a 32-bit NTP-UTC T is padded with a zero fraction, RFC 6043 §6.3).
  const auto theirs = static_cast<std::int64_t>(roles::ts_iv_value(t->ts_type, t->value));
  const auto ours = static_cast<std::int64_t>(received_ntp);
  return (theirs - ours) / ((std::int64_t{1} << 32) / 1000);
}

std::int64_t adopted_offset_ms(std::int64_t measured_ms) noexcept {
  if (std::llabs(measured_ms) < 1'000) return 0;
  return measured_ms - 1'000;
}

std::optional<std::int64_t> measure_sut_clock(const SutProfile& profile, SutDriver& driver) {
  if (profile.role != SutRole::kms && profile.role != SutRole::kms_r &&
      profile.role != SutRole::kms_i) {
    return std::nullopt;
  }
  const UserProfile* user = profile.user(profile.initiator);
  const UserProfile* responder = profile.user(profile.responder);
  if (user == nullptr || responder == nullptr || at_harness_kms(*user)) return std::nullopt;
  PartySettings p;
  p.user = user;
  start_party_settings(p, profile, {});
  p.ticket.responders = {responder->identity};
  roles::SystemClock clock;
  mikey::crypto::OpenSslRng rng;
  roles::Initiator initiator(initiator_config(p, home_kms_identity(profile, *user)), clock, rng);
  auto request = initiator.request_ticket(p.ticket);
  if (!request.ok()) return std::nullopt;
  HttpRequestSpec spec;
  spec.mikey = std::move(request).value();
  const HttpExchange x = driver.exchange(spec);
  if (!x.responded || !x.mikey) return std::nullopt;
  // The answer's T was written between our send and our receipt: take the midpoint.
  const auto half_ms = static_cast<std::int64_t>(x.duration_ms / 2);
  auto offset = clock_offset_of(*x.mikey, roles::shifted(clock.now(), -half_ms));
  if (!offset || std::llabs(*offset) > kMaxAdoptedOffsetMs) return std::nullopt;
  return offset;
}

}  // namespace mikeyconf::harness
