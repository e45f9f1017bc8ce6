#include "mutator/mutator.h"

#include <algorithm>
#include <optional>

#include "mutator/ops.h"

namespace mikey::mutator {

namespace {

constexpr int kAttempts = 6;

codec::ParseOutcome parse(ByteView input, bool layout) noexcept {
  codec::ParseOptions o;
  o.record_layout = layout;  // the field operators need the layout map: always said explicitly
  return codec::parse_message(input, o);
}

std::optional<Bytes> serialise(const codec::Message& m) {
  auto out = codec::serialize_message(m);
  if (!out.ok()) return std::nullopt;
  return std::move(out).value();
}

// One operator family among those allowed, by weight (model families only for a message that
// parsed: the field operators also work on the part of a message that parsed).
Operator pick_family(std::uint32_t operators, bool parsed, Rng& rng) noexcept {
  struct Weighted {
    Operator family;
    std::size_t weight;
  };
  static constexpr Weighted kFamilies[] = {{kChain, 4},      {kHeader, 1},    {kKeyData, 1},
                                           {kFieldValue, 3}, {kCodePoint, 3}, {kLength, 2},
                                           {kBytes, 1}};
  constexpr std::uint32_t kModel = kChain | kHeader | kKeyData;
  std::size_t total = 0;
  for (const Weighted& w : kFamilies)
    if ((operators & w.family) && (parsed || !(w.family & kModel))) total += w.weight;
  std::size_t roll = rng.below(total);
  for (const Weighted& w : kFamilies) {
    if (!(operators & w.family) || (!parsed && (w.family & kModel))) continue;
    if (roll < w.weight) return w.family;
    roll -= w.weight;
  }
  return kBytes;
}

// One mutant by one family, nullopt when the family does not apply to this input.
std::optional<Bytes> apply(Operator family, ByteView input, const codec::ParseOutcome& parsed,
                           Rng& rng, const Options& options) {
  if (family == kChain || family == kHeader || family == kKeyData) {
    if (!parsed.ok()) return std::nullopt;
    codec::Message m = parsed.message;
    const bool changed = family == kChain    ? mutate_chain(m, rng)
                         : family == kHeader ? mutate_header(m, rng)
                                             : mutate_key_data(m, rng, options.protection);
    if (!changed) return std::nullopt;
    return serialise(m);
  }
  Bytes out(input.begin(), input.end());
  if (family == kBytes) {
    mutate_bytes(out, rng, options.max_size);
    return out;
  }
  if (!mutate_field(out, parsed.layout, rng, family)) return std::nullopt;
  return out;
}

// The mutant re-protected when the caller can (a failure keeps it as mutated).
Bytes protect(Bytes mutant, const Options& options) {
  if (!options.protection.re_mac) return mutant;
  Bytes copy = mutant;
  return options.protection.re_mac(copy) ? copy : mutant;
}

Bytes fallback(ByteView input, Rng& rng, const Options& options) {
  Bytes out(input.begin(), input.begin() + std::min(input.size(), options.max_size));
  mutate_bytes(out, rng, options.max_size);
  if (out.empty()) out.push_back(0);
  return out;
}

}  // namespace

Bytes mutate(ByteView input, std::uint64_t seed, const Options& options) {
  Rng rng(seed);
  const codec::ParseOutcome parsed = parse(input, true);
  for (int i = 0; i < kAttempts; ++i) {
    const Operator family = pick_family(options.operators, parsed.ok(), rng);
    std::optional<Bytes> out = apply(family, input, parsed, rng, options);
    // An unchanged input is a wasted execution: another operator is tried.
    if (!out || out->empty() || out->size() > options.max_size || std::ranges::equal(*out, input)) {
      continue;
    }
    Bytes mutant = protect(std::move(*out), options);
    if (mutant.size() <= options.max_size) return mutant;
  }
  return fallback(input, rng, options);
}

Bytes cross_over(ByteView a, ByteView b, std::uint64_t seed, const Options& options) {
  Rng rng(seed);
  const codec::ParseOutcome pa = parse(a, false);
  const codec::ParseOutcome pb = parse(b, false);
  if (pa.ok() && pb.ok()) {
    for (int i = 0; i < kAttempts; ++i) {
      codec::Message m = pa.message;
      if (!splice(m, pb.message, rng)) continue;
      std::optional<Bytes> out = serialise(m);
      if (!out || out->size() > options.max_size) continue;
      Bytes mutant = protect(std::move(*out), options);
      if (mutant.size() <= options.max_size) return mutant;
    }
  }
  // Byte-level: a prefix of a, then a suffix of b.
  const std::size_t cut_a = rng.below(a.size() + 1);
  const std::size_t cut_b = rng.below(b.size() + 1);
  Bytes out(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(cut_a));
  out.insert(out.end(), b.begin() + static_cast<std::ptrdiff_t>(cut_b), b.end());
  if (out.size() > options.max_size) out.resize(options.max_size);
  return out;
}

}  // namespace mikey::mutator
