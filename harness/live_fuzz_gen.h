// (internal) The live fuzzer's generator and oracle (live_fuzz.h): what a fuzzed execution sends
// and how its answer is judged.
//
// A target is one message the SUT receives from a party the harness plays (sut_role kms:
// REQUEST_INIT_PSK, RESOLVE_INIT_PSK and raw_http; kms_r: the Responder's RESOLVE_INIT_PSK; kms_i:
// REQUEST_INIT_PSK and KMS_R's RESOLVE_INIT_PSK), with the unmutated steps that must come before
// it (a granted REQUEST_INIT_PSK before a resolve). The sample of a target is that message as the
// reference party built it once at the start; its layout map supplies the field paths and
// payload references the knobs draw from, written symbolically (payload[IDR:1].id_data) where
// that resolves to the same bytes, so a case does not depend on the optional payloads before it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/live_fuzz.h"
#include "harness/scenario.h"
#include "wire/bytes.h"

namespace mikeyconf::harness::live_fuzz {

// One field of a sample's layout map.
struct SampleField {
  std::string path;  // symbolic where it resolves to the same bytes, else the layout's path
  std::uint32_t length = 0;
  std::uint8_t mask = 0xff;
  // The value changes from one build to the next (T, RAND, CSB ID, MAC): `set` could write the
  // value the message already has, so only flips and structural knobs touch it.
  bool varies = false;
};

struct Target {
  MessageKind kind = MessageKind::request_init_psk;
  Party from = Party::initiator;
  // Unmutated steps before the fuzzed send (each send followed by its expect).
  std::vector<Step> prefix;
  // The sample (empty for raw_http).
  mikey::Bytes sample;
  std::vector<SampleField> fields;
  std::vector<std::string> payloads;  // top-level payload references
  // The profile's body encoding: a fuzzed send without other overrides names it, so every fuzzed
  // request is hand-built (the driver's raw mode: no retry on a fresh connection, and the
  // connection closed after it) and a reset belongs to the request that caused it.
  BodyEncoding encoding = BodyEncoding::base64;
};

// The targets of a role, without samples (the campaign fills them from a first run).
std::vector<Target> targets_for(SutRole role);
// The sample's fields and payload references from its layout map.
void learn_layout(Target& t);

// What one execution sends: the part the minimiser shrinks.
struct FuzzInput {
  std::size_t target = 0;
  std::vector<Mutation> mutate;
  bool re_protect = false;
  HttpOverrides http;
};

// Whether `mutate` leaves the sample re-protectable (it parses up to a final V, RFC 6043 §5.1.2):
// the generator asks for re_protect only then, since the harness cannot re-protect otherwise.
bool protectable(const std::vector<Mutation>& mutate, const Target& t);

// Deterministic per (seed, exec).
FuzzInput generate(const std::vector<Target>& targets, std::uint64_t seed, std::uint64_t exec);

// The case of `input`: the target's prefix, the fuzzed send and the oracle's expect step.
Scenario build_scenario(const FuzzInput& input, const std::vector<Target>& targets, SutRole role,
                        const std::string& id);
// Whether the knobs change the sample's bytes (without re_protect the SUT must then not grant).
bool changes_bytes(const FuzzInput& input, const Target& target);

// The names of the HTTP overrides present ("method", "headers.X", "pad_body_bytes", ...).
std::vector<std::string> http_override_keys(const HttpOverrides& h);
// Drops the override named as http_override_keys names it.
void drop_http_override(HttpOverrides& h, const std::string& key);

// The deduplication key of a finding: oracle, message kind, knob kinds, normalised field paths
// (occurrence numbers dropped), re_protect and the HTTP override keys.
std::string signature(Oracle oracle, const FuzzInput& input, const std::vector<Target>& targets);

// What a case's result says about the SUT: the oracle it violated and one line of detail, or
// nullopt (passed, or the harness could not run it: not the SUT's doing).
struct Anomaly {
  Oracle oracle = Oracle::server_error;
  std::string detail;
};
std::optional<Anomaly> classify(const CaseResult& result);

// The status of the last exchange with the SUT ("200", "closed", "timeout", "no exchange").
std::string answer_key(const CaseResult& result);

}  // namespace mikeyconf::harness::live_fuzz
