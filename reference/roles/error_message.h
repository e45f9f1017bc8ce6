// MIKEY Error messages (RFC 6043 §5.4; RFC 3830 §5.1.2, §6.12):
//   Request/Resolve: HDR, T, (ERR), [V|SIGNx]      Transfer: HDR, T, (ERR), {SP}, [V]
// HDR: version, PRF func and CSB ID of the message in error, V = 0, data type 6, no crypto
// sessions; T fresh (NTP-UTC). The V, when present, is keyed with the auth_key of the message in
// error and covers the Error message alone. An Error is never sent in answer to an Error.
#pragma once

#include <optional>
#include <vector>

#include "codec/message.h"
#include "roles/clock.h"
#include "roles/failure.h"
#include "roles/protect.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::roles {

// The HDR fields an Error copies from the message in error. When the offending message could not
// even be parsed up to its HDR, the defaults (version 1, PRF 0, CSB ID 0) are used.
struct ErrorContext {
  std::uint8_t version = 1;
  codec::PrfFunc prf = codec::PrfFunc::mikey_1;
  std::uint32_t csb_id = 0;
};
ErrorContext error_context(const codec::ParseOutcome& offending) noexcept;

// Builds the Error message. With `auth` (the keys of the message in error; its inkey, RANDs and
// direction) and `mac` (not NULL) the Error carries V (RFC 6043 §5.4 "[V]"); without, it is
// unauthenticated (RFC 3830 §5.1.2 recommends that after an authentication failure). Returns an
// empty vector when even that fails (it only can when memory runs out).
Bytes build_error(const ErrorContext& ctx, codec::ErrorNo no, NtpTime t,
                  const MessageProtection* auth = nullptr,
                  codec::MacAlg mac = codec::MacAlg::null) noexcept;

// The Error numbers of a parsed Error message (empty if it is not one, or memory ran out).
std::vector<codec::ErrorNo> error_numbers(const codec::Message& m) noexcept;

}  // namespace mikey::roles
