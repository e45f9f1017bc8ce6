// Structure-aware mutation of MIKEY messages (RFC 3830 §6, RFC 6043 §6): one call returns one
// mutant of its input, deterministic in `seed`. The input is parsed into the codec model and one
// operator is applied: a field of the layout map changed (bit flip, interesting value, ±1), a
// code point replaced by a registry value or its neighbour, a length field set to ±1, 0 or its
// maximum, a payload inserted (from the codec's sample messages), deleted, duplicated, moved or
// replaced, in the top-level chain or inside TICKET / TP (TP Data, Initiator Data chains) and
// inside a KEMAC's Key data chain; the model is serialised again by the codec, which keeps the
// Next payload chain and the lengths consistent. With Options::protection the mutant is then
// re-protected (its V MAC recomputed, an encrypted KEMAC re-sealed) with keys the caller knows,
// so a receiver's integrity check passes and the logic behind it is reached. An input that does
// not parse still gets a mutant (field operators on the part that parsed, or byte operators).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>

#include "codec/message.h"
#include "wire/bytes.h"

namespace mikey::mutator {

// The keys a mutant is re-protected with, as callbacks: this library knows no keys and links no
// role code (the fuzz targets exist against two role libraries; each supplies its own).
struct Protection {
  // Recomputes the final V MAC of `message` in place (RFC 6043 §5.1.2, §5.5); false when it
  // cannot (the mutant is then kept as mutated).
  std::function<bool(Bytes& message)> re_mac;
  // The plaintext Key data chain of an encrypted KEMAC of `message` (RFC 3830 §4.2.3, §6.2),
  // nullopt when it cannot be opened. A KEMAC with Encr alg NULL needs no callback.
  std::function<std::optional<Bytes>(const codec::Message& message, const codec::Kemac& kemac)>
      open_kemac;
  // `kemac`'s Encr data (and MAC) recomputed from `plain` for `message`; false when it cannot.
  std::function<bool(const codec::Message& message, codec::Kemac& kemac, ByteView plain)>
      seal_kemac;
};

// Operator families, a bit each (Options::operators).
enum Operator : std::uint32_t {
  kFieldValue = 1u << 0,  // bit flip, interesting value, ±1 on a field of the layout map
  kCodePoint = 1u << 1,   // a registry value or a neighbour in a code-point field
  kLength = 1u << 2,      // ±1, 0, max in a length / count field
  kChain = 1u << 3,       // insert, delete, duplicate, move, replace payloads (any chain)
  kHeader = 1u << 4,      // HDR data type, V flag, PRF func, CSB ID through the model
  kKeyData = 1u << 5,     // the Key data chain inside a KEMAC (opened and re-sealed)
  kBytes = 1u << 6,       // plain byte operators (also the fallback for unparsable input)
  kAll = 0x7f,
};

struct Options {
  Options() = default;
  // `mutate(input, seed, {max_size})`.
  Options(std::size_t max) : max_size(max) {}  // NOLINT(google-explicit-constructor)
  Options(std::size_t max, std::uint32_t ops) : max_size(max), operators(ops) {}

  std::size_t max_size = 4096;  // a mutant is never longer
  Protection protection;        // empty: mutants are not re-protected
  std::uint32_t operators = kAll;
};

// One mutant of `input`.
Bytes mutate(ByteView input, std::uint64_t seed, const Options& options = {});
// A mutant combining `a` and `b`: payloads of one of b's chains spliced into one of a's chains
// (byte-level splice when either does not parse), re-protected like mutate().
Bytes cross_over(ByteView a, ByteView b, std::uint64_t seed, const Options& options = {});

}  // namespace mikey::mutator
