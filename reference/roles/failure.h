// Every refusal of the reference roles, one enumerator each, with the MIKEY Error number sent for
// it and the requirement ids (spec/requirements.csv) it enforces. One X-macro table generates the
// enum, the names, messages, numbers and ids (s2n's error-table technique); docs/errors.md lists
// the same rows and tests/errors_doc_test.cc checks the two agree.
//
// Error numbers (RFC 3830 Table 6.12, RFC 4738 §3.9.2, RFC 6043 §5.4, §6.9):
// RFC 3830 §5.3 and Table 6.12 settle "a MAC that fails to verify" = 0 Auth failure and 2/3/4 =
// algorithm not supported. Everything else is this file's INTERPRETATION (no RFC maps every
// failure to a number, nor fixes the receiver action on ticket validity); the three contested
// choices are configurable in ErrorPolicy.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/codepoints.h"
#include "wire/bytes.h"

namespace mikey::roles {

// X(name, default Error no, scope, message, requirement ids)
//   scope `answer`: the role answers with an Error message carrying that number (unauthenticated
//   before the MAC was verified, with V after); `local`: the failure is reported to the caller
//   only (an Error never answers an Error, RFC 6043 §5.4; API misuse is not the peer's fault).
#define MIKEY_ROLE_FAILURES(X)                                                                    \
  X(malformed_message, unspecified, answer,                                                       \
    "the message cannot be parsed (12 by default; 13 Unsupported message type, RFC 4738 "         \
    "§3.9.2, is allowed and configurable)",                                                       \
    "T-5.4-1")                                                                                    \
  X(wrong_data_type, invalid_dt, answer,                                                          \
    "the HDR data type is not the one this exchange expects (RFC 3830 Table 6.12 Invalid DT)",    \
    "T-5.4-1")                                                                                    \
  X(missing_payload, unspecified, answer, "a mandatory payload is missing (RFC 6043 §4.2)",       \
    "T-4.2.1.1-1; T-4.2.2.1-1; T-4.2.3.1-1; T-4.2.3.1-5")                                         \
  X(auth_failure, auth_failure, answer,                                                           \
    "the MAC of the V payload does not verify (RFC 3830 §5.3 Auth failure)",                      \
    "T-5.4-2; T-4.2.1.2-4; T-4.2.3.2-3; T-4.2.3.6-1; T-5.5-1")                                    \
  X(unsupported_prf, invalid_prf, answer, "the PRF func is not supported or not allowed",         \
    "T-6.1-2; T-12.1-9")                                                                          \
  X(unsupported_mac_alg, invalid_mac, answer,                                                     \
    "the MAC (Auth) algorithm is not supported or not allowed (3 = algorithm, not a bad MAC)",    \
    "M-4.2.4-1; T-6.2-2; T-12.1-9")                                                               \
  X(unsupported_encr_alg, invalid_ea, answer,                                                     \
    "the KEMAC encryption algorithm is not supported or not allowed",                             \
    "T-6.2-1; M-4.2.3-2; T-12.1-9")                                                               \
  X(unknown_identity, invalid_id, answer,                                                         \
    "no key for the identity (IDRi/IDRr/IDRpsk), or an identity that contradicts it",             \
    "T-4.2.1.2-1; T-4.2.1.2-2; T-4.2.3.2-1; T-4.2.3.2-2; B.0-6")                                  \
  X(timestamp_skew, invalid_ts, answer, "the timestamp is outside the allowed clock skew",        \
    "M-5.3-1")                                                                                    \
  X(replayed_message, invalid_ts, answer,                                                         \
    "the message is a replay (INTERPRETATION: RFC 3830 §5.3 only discards; we answer 1)",         \
    "M-5.4-1")                                                                                    \
  X(replay_memory_full, unspecified, answer,                                                      \
    "the replay cache holds its bound of messages within the clock skew: the KMS answers HTTP "   \
    "503 with Retry-After (TS 33.328 A.3-1), never a false replay",                               \
    "M-5.4-1; A.3-1")                                                                             \
  X(unsupported_ticket_type, invalid_ticket, answer,                                              \
    "the Ticket Type/Subtype/Version is not supported or not allowed",                            \
    "D.1-4; T-11-1; S-6.2.3.4.2-1")                                                               \
  X(ticket_policy_invalid, invalid_tppar, answer,                                                 \
    "the Ticket Policy violates RFC 6043 §6.10 (flag dependencies, no IDRr, TRe before TRs)",     \
    "T-6.10-1; T-6.10-2; T-6.10-15")                                                              \
  X(policy_unacceptable, invalid_tppar, answer,                                                   \
    "the Ticket Policy is well formed but not acceptable to this party",                          \
    "T-4.2.1.6-3; T-4.2.2.2-1; T-4.2.2.2-2; T-12.1-9")                                            \
  X(unsupported_security_policy, invalid_sp, answer,                                              \
    "the crypto-session map or security policy is not supported (GENERIC-ID/SRTP expected)",      \
    "T-4.2.2.2-1; T-6.1-4; P.1-8")                                                                \
  X(ticket_not_yet_valid, invalid_ticket, answer,                                                 \
    "the ticket's TRs lies in the future (INTERPRETATION: RFC 6043 §6.10 sets no Error)",         \
    "P.1-6; T-6.10-10")                                                                           \
  X(ticket_expired, invalid_ticket, answer,                                                       \
    "the ticket's TRe has passed (INTERPRETATION: RFC 6043 §6.10 sets no Error)",                 \
    "P.1-6; T-6.10-10")                                                                           \
  X(responder_not_authorized, invalid_id, answer,                                                 \
    "the Responder is not among the ticket's authorized IDRr (7 by default; 0 configurable)",     \
    "T-12.5-1; T-4.2.3.4-1; S-6.2.3.8-4")                                                         \
  X(ticket_integrity_failure, auth_failure, answer,                                               \
    "the ticket's V MAC does not verify under the ticket protection key",                         \
    "T-11-1; T-A.1-6; T-A.2.1-1")                                                                 \
  X(initiator_data_failure, auth_failure, answer,                                                 \
    "the Initiator Data check failed (Vr at the KMS, V = Vi at the Responder)",                   \
    "T-4.2.3.4-2; T-4.2.3.6-2; T-6.10-18")                                                        \
  X(ticket_reuse_forbidden, invalid_ticket, answer, "the ticket has J = 0 and was already used",  \
    "T-5.3-3")                                                                                    \
  X(ticket_issuer_unknown, invalid_ticket, answer,                                                \
    "no ticket protection key and no peer KMS for this ticket's issuer", "T-11-1; S-6.2.3.8-2")   \
  X(peer_kms_unreachable, unspecified, answer, "the issuing KMS (KMS_I) could not be reached",    \
    "B.1-6; S-6.2.3.8-2")                                                                         \
  X(peer_kms_refused, unspecified, answer, "the issuing KMS (KMS_I) answered with an Error",      \
    "B.1-6")                                                                                      \
  X(peer_kms_bad_response, unspecified, answer,                                                   \
    "the issuing KMS's RESOLVE_RESP is malformed or its MAC does not verify", "B.1-3; B.1-6")     \
  X(pk_not_implemented, invalid_dt, answer,                                                       \
    "the PK variants (REQUEST_INIT_PK, RESOLVE_INIT_PK: signatures, envelope keys) are not "      \
    "implemented yet",                                                                            \
    "T-4.2.1.3-4; T-4.2.3.3-2")                                                                   \
  X(kms_refused, unspecified, answer,                                                             \
    "the KMS answered the Responder's RESOLVE_INIT with an Error; the Responder tells the "       \
    "Initiator with 12",                                                                          \
    "T-4.2.3.4-1; P.1-2")                                                                         \
  X(error_message_received, unspecified, local,                                                   \
    "an Error message arrived where a response was expected (never answered with an Error)",      \
    "T-5.4-4; M-5.1.2-1")                                                                         \
  X(invalid_state, unspecified, local, "the call does not fit the role's state (API misuse)", "") \
  X(internal_error, unspecified, answer,                                                          \
    "a key derivation or cipher failed inside the role (bad key configuration, out of memory)",   \
    "")

enum class Failure : std::uint8_t {
#define X(name, no, scope, msg, reqs) name,
  MIKEY_ROLE_FAILURES(X)
#undef X
};

// Whether a failure is answered with an Error message (see the table comment).
enum class FailureScope : std::uint8_t { answer, local };

std::string_view to_string(Failure f) noexcept;        // the enumerator name
std::string_view message(Failure f) noexcept;          // one line, cites the spec
std::string_view requirement_ids(Failure f) noexcept;  // "T-5.4-1; M-5.3-1" ("" for none)
codec::ErrorNo default_error_no(Failure f) noexcept;   // the table's number
FailureScope scope(Failure f) noexcept;
std::span<const Failure> all_failures() noexcept;

// The configurable INTERPRETATION choices of the error mapping.
struct ErrorPolicy {
  // An unparseable message: 12 Unspecified error (default) or 13 Unsupported message type.
  codec::ErrorNo malformed = codec::ErrorNo::unspecified;
  // Ticket outside TRs/TRe (INTERPRETATION: RFC 6043 §6.10 names no number): 14 Invalid TICKET by
  // default.
  codec::ErrorNo ticket_validity = codec::ErrorNo::invalid_ticket;
  // Authenticated Responder not authorized for the ticket: 7 Invalid ID by default (the peer's
  // MAC verified, so authentication did not fail; the identity is not one the ticket accepts —
  // docs/errors.md); 0 Auth failure is the alternative.
  codec::ErrorNo unauthorized_responder = codec::ErrorNo::invalid_id;
};

// The Error number sent for `f` under `policy`.
codec::ErrorNo error_no(Failure f, const ErrorPolicy& policy = {}) noexcept;

// A refusal as the roles report it: what failed, a human-readable detail for logs, and the MIKEY
// Error message to send back (empty when none is sent, e.g. when the offending message was itself
// an Error, RFC 6043 §5.4). `peer_errors` holds the Error numbers of an Error message received
// from the peer, when that is what caused the refusal.
struct Refusal {
  Failure failure = Failure::internal_error;
  std::string detail;
  Bytes error_message;
  std::vector<codec::ErrorNo> peer_errors;
  // Non-zero: the request cannot be served now (a busy or unreachable peer KMS): HTTP 503 with
  // this Retry-After (A.3-1) instead of an Error message (KmsReply::unavailable_retry_after_s).
  unsigned retry_after_s = 0;
};

}  // namespace mikey::roles
