// Mutation knobs (serializers emit only valid encodings, so broken messages come from a
// separate layer of named knobs acting on the codec's layout map, like BoringSSL's ProtocolBugs)
// and re-protection (recomputing the V MAC so the SUT's checks behind the integrity check are
// reached).
//
// Field paths are the layout map's (codec/layout.h): "hdr.version", "hdr.v" (a bit field: mask
// 0x80), "payload[6].V.mac", "payload[4].TP.tp_data.payload[0].TR.ts_value". The top-level
// payload index may also be written symbolically:
//   payload[V]       the first top-level payload of that type (RFC name: T, RANDR, IDR, TP, V, ...)
//   payload[IDR:1]   the second one of that type (0-based occurrence; IDR:-1 the last one)
//   payload[-1]      the last payload (negative indices count from the end)
// and the payload-type segment may be left out: "payload[V].mac" = "payload[6].V.mac". Payloads
// inside a container are addressed the same way ("payload[TICKET].tp_data.payload[TR:1].ts_value",
// the second TR of the ticket's TP Data), so a case does not depend on which optional payloads
// the SUT put before the one it means (docs/latitude.md "granted-idrkms"). A path that
// stops at "payload[...]" names the whole payload (from its Next payload byte to its end).
//
// Every knob re-parses the current bytes first, so knobs compose in order. Structural knobs
// (delete_field on a whole payload, duplicate_payload, swap) rewrite the Next payload bytes so the
// chain stays walkable (HDR's Next payload names the new first payload).
//
// re_protect: the MAC is recomputed over the mutated bytes as they will be sent, with the keys
// the sender shares with the KMS, exactly as RFC 6043 §5.1.2 / §5.5 prescribe for a
// REQUEST_INIT_PSK / RESOLVE_INIT_PSK: auth_key = PRF(PSK, label(const, 0xFF, CSB ID, 0x01,
// RANDRi or RANDRr)) with the PRF, CSB ID and RAND read from the *mutated* message (so a mutated
// CSB ID or RAND is what the SUT sees and keys with), and MAC input = the message minus the MAC
// field of its last V ‖ Identity_i|r ‖ Identity_kms, the identities being the ID Data of the
// mutated IDRi|IDRr / IDRkms payloads or, when those are absent, the sender's configured ones
// (roles::re_protect, reference/roles/reprotect.h, does the work). A mutated message that no
// longer parses up to a final V cannot be re-protected: that is reported as an error, never
// silently skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/message.h"
#include "harness/scenario.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikeyconf::harness {

// A field path resolved against one parsed message.
struct ResolvedField {
  std::string path;  // canonical layout path ("payload[6].V.mac"; "payload[6]" for a payload)
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  std::uint8_t mask = 0xff;
  bool whole_payload = false;
  std::size_t payload_index = 0;  // when the path starts at a top-level payload
};

// Syntax checks that need no message (the loader uses them): nullopt when fine, else why not.
std::optional<std::string> field_path_problem(std::string_view path);
// A reference to one whole top-level payload ("payload[2]", "payload[RANDR]", "payload[-1]").
std::optional<std::string> payload_ref_problem(std::string_view path);

// Resolves `path` against `parsed` (a partial parse is fine for byte-level knobs). Fails with a
// message naming the path and what the message holds instead.
mikey::Result<ResolvedField, std::string> resolve_field(const mikey::codec::ParseOutcome& parsed,
                                                        std::string_view path);

// Applies one knob / all knobs in order. Fails with a message (a harness error: the case asks for
// something this message does not have, e.g. a bit beyond the field).
mikey::Result<mikey::Bytes, std::string> apply_mutation(mikey::ByteView bytes, const Mutation& m);
mikey::Result<mikey::Bytes, std::string> apply_mutations(mikey::ByteView bytes,
                                                         const std::vector<Mutation>& ms);

// What re_protect needs besides the bytes.
struct ProtectionKeys {
  mikey::ByteView psk;            // the sender's PSK towards the KMS
  mikey::ByteView identity_peer;  // Identity_i (request) / Identity_r (resolve) when no IDR
  mikey::ByteView identity_kms;   // Identity_kms when no IDRkms
  bool resolve = false;           // RESOLVE_INIT (RANDRr, IDRr) instead of REQUEST_INIT
  // identity_peer even when the message has an IDRr: a KMS_R whose MAC covers its own identity
  // (docs/latitude.md "link-mac-identity").
  bool identity_peer_wins = false;
};

// Recomputes the MAC of the final V payload in place (see the file comment).
mikey::Result<mikey::Bytes, std::string> re_protect(mikey::ByteView bytes,
                                                    const ProtectionKeys& keys);

}  // namespace mikeyconf::harness
