// Re-protection of a mutated REQUEST_INIT_PSK / RESOLVE_INIT_PSK: the V MAC is recomputed over
// the bytes as they will be sent, with the keys the sender shares with the KMS, exactly as
// RFC 6043 §5.1.2 / §5.5 prescribe: auth_key = PRF(PSK, label(const, 0xFF, CSB ID, 0x01,
// RANDRi or RANDRr)) with the PRF, CSB ID and RAND read from the *mutated* message (so a mutated
// CSB ID or RAND is what the receiver sees and keys with), and MAC input = the message minus the
// MAC field of its last V ‖ Identity_i|r ‖ Identity_kms, the identities being the ID Data of the
// mutated IDRi|IDRr / IDRkms payloads or, when those are absent, the sender's configured ones.
// A message that no longer parses up to a final V cannot be re-protected: a typed error says why.
// Used by the conformance harness (`re_protect:` knob) and the fuzzers' structure-aware mutator.
#pragma once

#include <cstdint>

#include "codec/codepoints.h"
#include "codec/errc.h"
#include "roles/failure.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::roles {

// What re_protect needs besides the bytes.
struct ReprotectKeys {
  ByteView psk;            // the sender's PSK towards the KMS
  ByteView identity_peer;  // Identity_i (request) / Identity_r (resolve) when no IDR
  ByteView identity_kms;   // Identity_kms when no IDRkms
  bool resolve = false;    // RESOLVE_INIT (RANDRr, IDRr) instead of REQUEST_INIT
  // identity_peer even when the message has an IDRr: a KMS_R whose MAC covers its own identity
  // (RFC 6043 §10 chaining, TS 33.328 Annex B).
  bool identity_peer_wins = false;
};

enum class ReprotectErrc : std::uint8_t {
  unparsable,    // `parse` says where the message stops parsing
  no_final_v,    // the last payload is not a V
  no_auth_key,   // `failure` from message_keys for `prf` / `auth_alg`
  no_mac_input,  // the MAC input cannot be located through the layout map
  mac_failed,    // the MAC computation failed
  mac_length,    // the V MAC field does not have the algorithm's length
};

struct ReprotectError {
  ReprotectErrc code = ReprotectErrc::unparsable;
  codec::ParseError parse;  // unparsable
  codec::PrfFunc prf = codec::PrfFunc::mikey_1;
  codec::MacAlg auth_alg = codec::MacAlg::null;
  Failure failure = Failure::internal_error;  // no_auth_key
};

// `bytes` with the MAC of its final V payload recomputed (see the file comment).
Result<Bytes, ReprotectError> re_protect(ByteView bytes, const ReprotectKeys& keys);

}  // namespace mikey::roles
