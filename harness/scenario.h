// The scenario model: one conformance case as data — scenarios are data, not code, so a new
// case is a YAML file and a report can quote it. harness/README.md documents the YAML schema the
// loader accepts; the loader (loader.h) is its authority and produces these structs, fully
// validated: every name is resolved (code points, knobs, check keys), so the engine never re-parses
// text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "harness/load_error.h"
#include "wire/bytes.h"

namespace mikeyconf::harness {

// BCP 14 level of the behaviour a case checks (requirements.csv `level`).
enum class Level : std::uint8_t { shall, shall_not, should, should_not, may };
// The role the system under test plays (harness/README.md "Scenario schema": sut_role).
enum class SutRole : std::uint8_t { kms, kms_r, kms_i, initiator, responder };
// A profile's `sut:` — what the system under test is, for the auditor's report (all optional).
struct SutInfo {
  std::string product;
  std::string version;
  std::string vendor;
};
// What a send step sends. raw_http sends `http.body_raw` as the body, no MIKEY message.
enum class MessageKind : std::uint8_t { request_init_psk, resolve_init_psk, raw_http };
// The reference party that builds the message (the harness plays it). kms_r (sut_role kms_i):
// the harness KMS_R forwards the Responder's resolve to the SUT (chain.h).
enum class Party : std::uint8_t { initiator, responder, kms_r };

std::string_view to_string(Level l) noexcept;        // "SHALL", "SHALL NOT", ...
std::string_view to_string(SutRole r) noexcept;      // "kms", "kms_r", ...
std::string_view to_string(MessageKind k) noexcept;  // "REQUEST_INIT_PSK", ..., "raw_http"
std::string_view to_string(Party p) noexcept;        // "initiator", "responder"
std::optional<Level> parse_level(std::string_view s) noexcept;
std::optional<SutRole> parse_sut_role(std::string_view s) noexcept;
std::optional<MessageKind> parse_message_kind(std::string_view s) noexcept;
std::optional<Party> parse_party(std::string_view s) noexcept;

// ---- Mutation knobs (mutate.h applies them) ----

enum class Knob : std::uint8_t {
  flip_bit,           // field, bit: invert one bit (bit 0 = most significant bit of the field)
  flip_mac_bit,       // shorthand: flip bit 0 of the MAC of the last V payload
  set,                // field, value: integer (masked into bit fields) or hex bytes (spliced)
  truncate,           // at (keep that many bytes) | drop_last N | field (cut where it starts)
  append,             // bytes: hex appended at the end
  delete_field,       // field: remove its bytes; a whole payload is removed and re-chained
  duplicate_payload,  // field: payload[...] copied right after itself, re-chained
  swap,               // field, with: two payloads exchange places, re-chained
};
std::string_view to_string(Knob k) noexcept;
std::optional<Knob> parse_knob(std::string_view s) noexcept;

struct Mutation {
  Knob knob = Knob::flip_bit;
  // Field path on the layout map ("hdr.version", "payload[6].V.mac", "payload[V].mac",
  // "payload[IDR:1].id_data", "payload[-1]"; see mutate.h) or a payload reference.
  std::string field;
  std::string with;  // swap: the second payload
  std::uint32_t bit = 0;
  std::optional<std::uint64_t> int_value;  // set: integer form
  std::optional<mikey::Bytes> bytes;       // set: hex form; append: the bytes
  std::optional<std::size_t> at;           // truncate
  std::optional<std::size_t> drop_last;    // truncate
  SourcePos pos;

  // One line, e.g. "flip_bit payload[6].V.mac bit 0".
  std::string describe() const;
  bool operator==(const Mutation&) const = default;
};

// ---- HTTP overrides of a send step ----

enum class BodyEncoding : std::uint8_t {
  base64,          // TS 33.328 Annex A (A.2-6)
  base64_wrapped,  // base64 with CRLF every 76 characters
  binary,          // RFC 3830 §10.1 also registers binary
};
std::string_view to_string(BodyEncoding e) noexcept;
std::optional<BodyEncoding> parse_body_encoding(std::string_view s) noexcept;

struct HttpOverrides {
  std::optional<std::string> method;
  std::optional<std::string> path;
  std::optional<std::string> query;         // replaces the whole query ("" = none)
  std::optional<std::string> content_type;  // replaces the Content-Type value
  // Header fields: a value replaces (or adds) that header; nullopt removes it.
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  std::optional<BodyEncoding> body_encoding;
  std::optional<std::string> body_raw;  // the exact body bytes (raw_http)
  // Oversized requests without megabytes of YAML: one extra header field with that many bytes of
  // value, and that many bytes appended to the body (Content-Length counts them).
  std::optional<std::size_t> pad_header_bytes;
  std::optional<std::size_t> pad_body_bytes;
  // With a Content-Length header announcing more than the body holds: the missing bytes (base64
  // letters) follow after this many ms, unless the SUT answered or closed by then (a server may
  // wait for an announced body, docs/latitude.md "announced-body-too-large").
  std::optional<std::uint32_t> send_rest_after_ms;

  // Whether the request must be built by hand (any override present).
  bool any() const noexcept;
  bool operator==(const HttpOverrides&) const = default;
};

// ---- `set:` entries ----

// A value of a `set:` entry after validation: null, bool, integer (code-point names already
// resolved to numbers), string, or a list of strings.
using SettingValue =
    std::variant<std::monostate, bool, std::int64_t, std::string, std::vector<std::string>>;

struct Setting {
  std::string key;  // dotted, e.g. "ticket_policy.flags.i" (nested maps are flattened)
  SettingValue value;
  SourcePos pos;
  bool operator==(const Setting&) const = default;
};

// ---- Steps ----

struct SendStep {
  MessageKind message = MessageKind::request_init_psk;
  Party from = Party::initiator;
  std::vector<Setting> set;
  std::vector<Mutation> mutate;
  bool re_protect = false;  // recompute the V MAC after mutating (mutate.h re_protect)
  bool resend = false;      // send the exact bytes of the previous send of this message again
  HttpOverrides http;
  bool operator==(const SendStep&) const = default;
};

// Mode 3 (RFC 6043 §4.1.1; TS 33.328 §6.2.3.1): the Initiator creates the ticket itself with the
// ticket protection key it shares with the KMS (profile `users.<name>.mode3_tpk`).
struct CreateTicketStep {
  std::vector<Setting> set;
  bool operator==(const CreateTicketStep&) const = default;
};

struct WaitStep {
  std::uint32_t ms = 0;
  bool operator==(const WaitStep&) const = default;
};

// ---- UE roles (sut_role initiator | responder; harness/README.md "UE hooks") ----

// What a `ue:` step asks of the UE through its hook.
enum class UeOp : std::uint8_t {
  initiate,       // SUT Initiator: obtain a ticket (mode 3: create it) and return TRANSFER_INIT
  transfer_resp,  // SUT Initiator: take the harness Responder's TRANSFER_RESP, return its keys
  transfer_init,  // SUT Responder: resolve the harness Initiator's TRANSFER_INIT, answer
};
std::string_view to_string(UeOp op) noexcept;  // "initiate", ...
std::optional<UeOp> parse_ue_op(std::string_view s) noexcept;

struct UeStep {
  UeOp op = UeOp::initiate;
  std::vector<Setting> set;
  std::vector<Mutation> mutate;  // knobs on the message the harness hands to the UE
  bool resend = false;           // transfer_init: the previous TRANSFER_INIT bytes again (replay)
  std::uint8_t mode = 1;  // initiate: 3 = the UE creates the ticket itself (RFC 6043 §4.1.1)
  bool operator==(const UeStep&) const = default;
};

// How the harness KMS answers the UE's requests from this step on (`kms_answer:`).
struct KmsAnswerStep {
  std::optional<int> error_no;   // a MIKEY Error with this number instead of the answer
  bool authenticated = false;    // that Error carries a V keyed like the request (RFC 6043 §5.4)
  std::vector<Mutation> mutate;  // knobs on the reference KMS's answer
  bool re_protect = false;       // recompute the answer's MAC after the knobs
  std::vector<std::string> grant_for;   // users the ticket is granted for instead of the asked IDRr
  std::optional<std::uint16_t> status;  // this HTTP status, text/plain body
  std::optional<std::string> content_type;  // the 200's Content-Type
  std::optional<std::string> body_raw;      // the exact 200 body
  bool no_answer = false;                   // close the connection without a response
  std::optional<std::uint32_t> count;       // only the next N requests (default: all)
  bool operator==(const KmsAnswerStep&) const = default;
};

enum class CheckKey : std::uint8_t {
  http_status,             // int, "4xx", or a list of those
  http_content_type,       // media type (parameters allowed in the answer)
  http_header,             // http.header.NAME: exact value, "*" present, null absent
  mikey_data_type,         // data type name or number
  mikey_error_no,          // Error number(s) (any ERR payload matching one passes)
  mikey_payloads_present,  // payload type names that must appear (top level)
  mikey_payloads_absent,   // payload type names that must not appear
  mikey_hdr_v,             // 0 or 1
  mikey_hdr_copied,        // true: version, PRF, CSB ID (+ #CS, map for responses) as sent
  verify,                  // ok | fail: the reference party verifies the answer
  keys_equal,              // true: Initiator and Responder derived the same SRTP keys
  within_ms,               // the exchange took at most this long
  outcome,                 // granted | refused | answered
  ue,                      // a UE-role check named in `header` (ue.*, kms.*; ue_checks.h)
  ticket,                  // ticket.lifetime_s / ticket.flags.X of the granted TICKET (`header`)
  forwarded,               // sut_role kms_r: forwarded.NAME (in `header`) on the tap (chain.h)
  refused,                 // the SUT refused as the refusal class allows (refusal.h)
  http_answer,             // statuses, or no response: closed | timeout (http_answer.h)
};

// Why a `refused:` check expects a refusal; it decides which answers are legal (refusal.h,
// docs/latitude.md).
enum class RefusalClass : std::uint8_t {
  authenticated,  // an authenticated request refused for its meaning: a MIKEY Error in a 200
  auth_failure,   // the MAC does not verify: Error 0, or a 4xx ("auth-failure-answer")
  malformed,      // a fatal parse error: Error 12 or 13, or a 4xx ("malformed-answer")
  discarded,      // outside the clock skew or a replay: an Error, or a 4xx ("discard-answer")
};
std::string_view to_string(RefusalClass c) noexcept;  // "authenticated", "auth_failure", ...
std::optional<RefusalClass> parse_refusal_class(std::string_view s) noexcept;
std::string_view to_string(CheckKey k) noexcept;  // the YAML key ("http.status", ...)

// The parsed value of a check, one form per family of keys, so that no field changes meaning
// with the key (the comment on each form names the keys that carry it).

// http.status, http.answer: status codes and classes; http.answer also accepts the exchange
// ending without a response (http_answer.h).
struct HttpStatusCheck {
  std::vector<int> codes;    // 200, 413, ...
  std::vector<int> classes;  // 4 for "4xx"
  bool closed = false;       // http.answer: the peer closed or reset the connection
  bool timeout = false;      // http.answer: no response within the timeout
  bool operator==(const HttpStatusCheck&) const = default;
};
// http.header.NAME: exact value, "*" present, null absent.
struct HttpHeaderCheck {
  std::string name;
  std::string value;
  bool absent = false;
  bool operator==(const HttpHeaderCheck&) const = default;
};
// http.content_type (a media type), verify (ok | fail), outcome (granted | refused | ...).
struct WordCheck {
  std::string word;
  bool operator==(const WordCheck&) const = default;
};
// mikey.data_type, mikey.error_no, mikey.hdr.v: the values any of which passes.
struct NumbersCheck {
  std::vector<int> values;
  bool operator==(const NumbersCheck&) const = default;
};
// mikey.payloads_present / mikey.payloads_absent.
struct PayloadTypesCheck {
  std::vector<std::uint8_t> types;
  bool operator==(const PayloadTypesCheck&) const = default;
};
// mikey.hdr.copied, keys_equal: the key alone (it can only be true).
struct TrueCheck {
  bool operator==(const TrueCheck&) const = default;
};
// within_ms.
struct DurationCheck {
  std::uint32_t ms = 0;
  bool operator==(const DurationCheck&) const = default;
};
// ticket.lifetime_s ([min, max] seconds), ticket.open_ended, ticket.flags_consistent,
// ticket.flags.<d..o> (true | false) of the granted TICKET.
struct TicketCheck {
  std::string name;  // "lifetime_s", "open_ended", "flags_consistent", "flags.d", ...
  int min_s = 0;
  int max_s = 0;
  bool value = false;
  bool operator==(const TicketCheck&) const = default;
};
// sut_role kms_r: forwarded.NAME on the tap (chain.h).
struct ForwardedCheck {
  std::string name;   // "count", "accepted", "copied", ...
  int count = 0;      // count
  bool value = true;  // accepted: true | false; the others can only be true
  bool operator==(const ForwardedCheck&) const = default;
};
// refused: the SUT refused as the refusal class allows (refusal.h).
struct RefusalCheck {
  RefusalClass refusal = RefusalClass::authenticated;
  std::vector<int> error_nos;  // empty: the class's defaults
  bool any_error_no = false;   // any Error number will do
  bool operator==(const RefusalCheck&) const = default;
};
// ue.* / kms.*: a UE-role check (ue_checks.h).
struct UeCheck {
  std::string name;          // the whole key ("ue.outcome", "kms.request.http.header.Host")
  std::string expected;      // as the report shows it; also the word of ue.outcome, *.verify, ...
  std::vector<int> numbers;  // code points, or kms.requests counts
  std::vector<std::uint8_t> payload_types;  // kms.request.mikey.payloads_*
  bool absent = false;                      // kms.request.http.header.NAME: null
  std::uint32_t min_bytes = 0;              // kms.request.rand_min_bytes; 0: the UE's PSK length
  bool operator==(const UeCheck&) const = default;
};

using CheckSpec =
    std::variant<HttpStatusCheck, HttpHeaderCheck, WordCheck, NumbersCheck, PayloadTypesCheck,
                 TrueCheck, DurationCheck, TicketCheck, ForwardedCheck, RefusalCheck, UeCheck>;

struct Check {
  CheckKey key = CheckKey::http_status;
  CheckSpec spec;  // the form of `key` (above)
  SourcePos pos;

  // The parsed value; the form must be the one of `key` (the readers guarantee it).
  template <class T>
  const T& as() const {
    return std::get<T>(spec);
  }

  // The expected value as the report shows it ("200", "4xx", "REQUEST_RESP", "[0, 7]").
  std::string expected_text() const;
  // The check's YAML key: "http.status", "http.header.Allow", "ticket.lifetime_s", "ue.fresh".
  std::string name() const;
  bool operator==(const Check&) const = default;
};

// When only the checks named in `excuses` failed and every check in `when` holds, the case is
// inconclusive rather than failed: the SUT answered in a way the specification allows (the
// docs/latitude.md entry `because`) but the case cannot judge it. Any other failed check fails.
struct InconclusiveClause {
  std::vector<std::string> excuses;  // check keys as reported ("mikey.error_no", "http.status")
  std::vector<Check> when;
  std::string because;  // the docs/latitude.md entry id
  SourcePos pos;
  bool operator==(const InconclusiveClause&) const = default;
};

struct ExpectStep {
  std::vector<Check> checks;
  // `any_of:` — the step also passes only when one of these sets of checks holds in full: the
  // specification allows each of these answers (docs/latitude.md).
  std::vector<std::vector<Check>> any_of;
  std::optional<InconclusiveClause> inconclusive_if;
  bool operator==(const ExpectStep&) const = default;
};

using StepBody =
    std::variant<SendStep, CreateTicketStep, WaitStep, ExpectStep, UeStep, KmsAnswerStep>;
struct Step {
  StepBody body;
  SourcePos pos;
  bool operator==(const Step&) const = default;
};

struct Scenario {
  std::string id;  // stable, unique across the suite, never reused
  std::string title;
  std::vector<std::string> requirements;  // ids of requirements.csv
  Level level = Level::shall;
  SutRole sut_role = SutRole::kms;
  std::vector<std::string> needs;  // capability names the SUT profile must declare
  std::vector<std::string> tags;   // e.g. sanity, unconfirmed-3gpp, robustness
  std::optional<std::uint32_t> timeout_ms;
  std::vector<Step> steps;
  std::string file;  // where it was loaded from
  SourcePos pos;     // of its `id`

  bool has_tag(std::string_view t) const noexcept;

  // Every field, positions included (compare loaded scenarios with positions cleared).
  bool operator==(const Scenario&) const = default;
};

}  // namespace mikeyconf::harness
