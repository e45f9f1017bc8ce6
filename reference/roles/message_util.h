// Small helpers the roles share to build and read codec::Message models. Roles never touch bytes:
// they build models here and serialise them with the codec, and read received messages through
// parse_message() and its layout map.
#pragma once

#include <new>
#include <optional>
#include <string>
#include <vector>

#include "codec/message.h"
#include "codec/payloads.h"
#include "roles/clock.h"
#include "roles/failure.h"
#include "roles/types.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace mikey::roles {

// ---- Reading ----

const codec::IdWithRole* find_idr(const std::vector<codec::Payload>& ps,
                                  codec::IdRole role) noexcept;
std::vector<const codec::IdWithRole*> find_all_idr(const std::vector<codec::Payload>& ps,
                                                   codec::IdRole role);
const codec::RandWithRole* find_randr(const std::vector<codec::Payload>& ps,
                                      codec::RandRole role) noexcept;
const codec::TimestampWithRole* find_tr(const std::vector<codec::Payload>& ps,
                                        codec::TsRole role) noexcept;
// The first payload of body type T (nullptr if none).
template <class T>
const T* find_body(const std::vector<codec::Payload>& ps) noexcept {
  for (const codec::Payload& p : ps)
    if (const T* b = p.get<T>()) return b;
  return nullptr;
}
// The V payload when it is the last payload of the message, else nullptr.
const codec::Verification* last_v(const codec::Message& m) noexcept;
// The payload of type `t` (nullptr if none) in the parsed message.
const codec::Payload* find_payload(const codec::Message& m, codec::PayloadType t) noexcept;

Identity identity_of(const codec::IdWithRole& idr);
// The ID Data bytes a MAC input uses for a party: the IDR payload's ID Data when it is present,
// otherwise the identity the verifier associates with the party (INTERPRETATION, README open
// question 6: the RFC leaves "identified by other means" undefined).
ByteView id_data_or(const codec::IdWithRole* idr, const Identity& fallback) noexcept;
// A payload's bytes as received (from its Next payload byte), for MAC inputs over part of a
// message (the base ticket's V, App. A.1).
ByteView payload_bytes(ByteView message, const codec::Payload& p) noexcept;

// A received message: the bytes as they arrived and what the codec read from them.
struct Received {
  Bytes bytes;
  codec::ParseOutcome parsed;
  const codec::Message& message() const noexcept { return parsed.message; }
};
// Parses `bytes`. Never fails or throws: check parsed.ok() (an allocation failure is reported as
// the codec's too_many_payloads). The layout map (a path string per field) is recorded only where
// a reader needs more than the final V's MAC field (final_v_mac): a TRANSFER_INIT (its MAC input,
// RFC 6043 §5.5), a TICKET with Initiator Data (Vr's input, §6.10), and a message that does not
// parse (error_context() reads how far its HDR got).
Received receive(ByteView bytes) noexcept;
// The MAC field of the message's final V payload (RFC 3830 §6.9: Next payload, Auth alg, MAC) in
// r.bytes, found from where the parser saw that payload: what a MAC input of RFC 6043 §5.5 leaves
// out. nullopt when the last payload is not a V whose MAC was read in full.
std::optional<codec::FieldRange> final_v_mac(const Received& r) noexcept;

// ---- Building ----

// HDR for a MIKEY-TICKET message: version 1, no crypto sessions, Empty map (RFC 4563), as every
// Request/Resolve message and every Error message uses (RFC 6043 §4.2.1.1, §4.2.3.1).
codec::Hdr make_hdr(codec::DataType type, bool v, codec::PrfFunc prf, std::uint32_t csb_id);
codec::Payload make_t(NtpTime t);
codec::Payload make_idr(codec::IdRole role, const Identity& id);
codec::Payload make_randr(codec::RandRole role, ByteView rand);
// A V payload whose MAC is zeros of the algorithm's length, filled in by protect_message().
codec::Payload make_v(codec::MacAlg alg);
codec::Payload make_err(codec::ErrorNo no);

// KeySet ↔ the Key data chain inside a KEMAC (RFC 3830 §6.2, §6.13; KV = SPI per RFC 6043
// §6.2.1). The plaintext comes back in `out`; callers wipe() it after use.
Result<Bytes, Failure> encode_keys(const KeySet& keys) noexcept;
// Fails with malformed_message when the plaintext is not a clean Key data chain.
Result<KeySet, Failure> decode_keys(ByteView plaintext) noexcept;

// ---- Refusals ----
Refusal refuse(Failure f, std::string detail = {}) noexcept;
// What `read` returns, or an internal_error refusal when it throws (an allocation failure):
// the roles' entry points are noexcept.
template <class Read>
auto refuse_on_throw(Read&& read) noexcept -> decltype(read()) {
  try {
    return read();
  } catch (const std::bad_alloc&) {
    return refuse(Failure::internal_error);
  }
}

}  // namespace mikey::roles
