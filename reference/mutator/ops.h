// The operators mutate() and cross_over() choose from (mutator.h). Byte and field operators act
// on bytes (the field ones through the codec's layout map); model operators act on the parsed
// message, which the codec serialises again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "codec/layout.h"
#include "codec/message.h"
#include "mutator/mutator.h"
#include "mutator/rng.h"
#include "wire/bytes.h"

namespace mikey::mutator {

// ---- Bytes (field_ops.cc) ----

// One field of `layout` changed in `bytes`, by the families `operators` allows (kFieldValue,
// kCodePoint, kLength). False when no field qualifies.
bool mutate_field(Bytes& bytes, const codec::Layout& layout, Rng& rng, std::uint32_t operators);
// One plain byte operator (flip, set, insert, erase, duplicate, truncate); never longer than
// max_size.
void mutate_bytes(Bytes& bytes, Rng& rng, std::size_t max_size);

// ---- Model (chain_ops.cc) ----

// A payload chain of a message: the top level, or a container's (TP Data, Initiator Data).
struct ChainRef {
  std::vector<codec::Payload>* payloads = nullptr;
  codec::Chain* container = nullptr;  // nullptr for the top level
};
// Every chain of `m`, the top level first, then the containers in document order.
std::vector<ChainRef> chains_of(codec::Message& m);
std::vector<const std::vector<codec::Payload>*> chains_of(const codec::Message& m);
// Payloads of every chain of every codec sample message (codec/samples.h), for insertion.
const std::vector<codec::Payload>& sample_pool();

// Insert, delete, duplicate, move or replace a payload of one chain.
bool mutate_chain(codec::Message& m, Rng& rng);
// HDR fields through the model (data type, V flag, PRF func, CSB ID).
bool mutate_header(codec::Message& m, Rng& rng);
// A run of b's payloads inserted into, or replacing a run of, one of a's chains.
bool splice(codec::Message& a, const codec::Message& b, Rng& rng);

// ---- KEMAC Key data (key_data_ops.cc) ----

// The Key data chain of one KEMAC of `m` opened (Encr alg NULL, or protection.open_kemac),
// mutated and sealed again. False when `m` has no KEMAC that can be opened and sealed.
bool mutate_key_data(codec::Message& m, Rng& rng, const Protection& protection);

}  // namespace mikey::mutator
