// The byte-level mutator of `mikeyconf fuzz --exec` (exec_fuzz_corpus.h).
#include <algorithm>
#include <array>
#include <bit>
#include <map>

#include "codec/codepoints.h"
#include "codec/field_names.h"
#include "harness/exec_fuzz_corpus.h"
#include "mutator/mutator.h"

namespace mikeyconf::harness {

namespace {

using mikey::Bytes;

enum class Op : std::uint8_t {
  bit_flip,
  interesting_byte,
  random_byte,
  field,
  insert_random,
  delete_range,
  duplicate_range,
  splice,
  token,
  structural,
  cross_over,
};

// Relative frequencies: field-aware changes first (they keep the chain readable, so the target
// gets past its framing), then plain byte noise, then the structure-aware mutator.
constexpr std::array<std::pair<Op, unsigned>, 11> kOps = {{
    {Op::bit_flip, 2},
    {Op::interesting_byte, 2},
    {Op::random_byte, 1},
    {Op::field, 5},
    {Op::insert_random, 1},
    {Op::delete_range, 2},
    {Op::duplicate_range, 1},
    {Op::splice, 1},
    {Op::token, 2},
    {Op::structural, 2},
    {Op::cross_over, 1},
}};

constexpr std::array<std::uint8_t, 7> kInterestingBytes = {0x00, 0x01, 0x02, 0x7f,
                                                           0x80, 0xfe, 0xff};

std::size_t below(std::mt19937_64& rng, std::size_t n) { return n == 0 ? 0 : rng() % n; }

Op pick_op(std::mt19937_64& rng) {
  unsigned total = 0;
  for (const auto& [op, w] : kOps) total += w;
  unsigned r = static_cast<unsigned>(rng() % total);
  for (const auto& [op, w] : kOps) {
    if (r < w) return op;
    r -= w;
  }
  return Op::bit_flip;
}

// The code points of one registry ("TsType" → 0, 1, 2, 3).
const std::vector<std::uint32_t>& registry_values(std::string_view registry) {
  static const auto* table = [] {
    auto* t = new std::map<std::string_view, std::vector<std::uint32_t>>;  // NOLINT: immortal
    for (const mikey::codec::CodePoint& cp : mikey::codec::all_code_points()) {
      (*t)[cp.registry].push_back(cp.value);
    }
    return t;
  }();
  static const std::vector<std::uint32_t> none;
  auto it = table->find(registry);
  return it == table->end() ? none : it->second;
}

std::uint64_t read_be(const Bytes& b, std::size_t offset, std::size_t length) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < length; ++i) v = v << 8 | b[offset + i];
  return v;
}

void write_be(Bytes& b, std::size_t offset, std::size_t length, std::uint64_t v) {
  for (std::size_t i = length; i-- > 0;) {
    b[offset + i] = static_cast<std::uint8_t>(v);
    v >>= 8;
  }
}

// A value for a field of `length` bytes (or the bits of `mask`) now holding `current`: the
// boundaries a length or counter check gets wrong, or a random one.
std::uint64_t interesting_value(std::uint64_t current, std::uint64_t max, std::mt19937_64& rng) {
  switch (rng() % 7) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return max;
    case 3:
      return max - 1;
    case 4:
      return (current + 1) & max;
    case 5:
      return (current - 1) & max;
    default:
      return rng() & max;
  }
}

}  // namespace

ByteMutator::ByteMutator(std::size_t max_size) : max_size_(max_size) {
  for (const mikey::codec::CodePoint& cp : mikey::codec::all_code_points()) {
    Bytes t(cp.width);
    write_be(t, 0, cp.width, cp.value);
    tokens_.push_back(std::move(t));
  }
}

void ByteMutator::set_field(Bytes& b, const CorpusEntry& entry, std::mt19937_64& rng) {
  const mikey::codec::FieldRange& f = entry.fields[below(rng, entry.fields.size())];
  if (f.length == 0 || f.offset + f.length > b.size()) return;
  const std::string_view registry = mikey::codec::code_point_registry(f.path);
  const std::vector<std::uint32_t>& codes = registry_values(registry);
  if (f.mask != 0xff) {  // a bit field of one byte
    const int shift = std::countr_zero(f.mask);
    const std::uint64_t max = static_cast<std::uint64_t>(f.mask) >> shift;
    const std::uint64_t current = (b[f.offset] & f.mask) >> shift;
    const std::uint64_t v = !codes.empty() && rng() % 2 == 0 ? codes[below(rng, codes.size())]
                                                             : interesting_value(current, max, rng);
    b[f.offset] = static_cast<std::uint8_t>((b[f.offset] & ~f.mask) | ((v << shift) & f.mask));
    return;
  }
  if (f.length > 8) {  // data: one of its bytes
    b[f.offset + below(rng, f.length)] = kInterestingBytes[below(rng, kInterestingBytes.size())];
    return;
  }
  const std::uint64_t max = f.length == 8 ? ~0ULL : (1ULL << (8 * f.length)) - 1;
  const std::uint64_t v = !codes.empty() && rng() % 4 != 0
                              ? codes[below(rng, codes.size())]
                              : interesting_value(read_be(b, f.offset, f.length), max, rng);
  write_be(b, f.offset, f.length, v);
}

void ByteMutator::apply_one(Bytes& b, const CorpusEntry& entry, const CorpusEntry& other,
                            std::mt19937_64& rng, bool layout_valid) {
  const Op op = pick_op(rng);
  const auto pos = [&] { return below(rng, b.size()); };
  const auto at = [&](std::size_t i) { return b.begin() + static_cast<std::ptrdiff_t>(i); };
  switch (op) {
    case Op::field:
      if (layout_valid && !entry.fields.empty()) {
        set_field(b, entry, rng);
        return;
      }
      [[fallthrough]];
    case Op::bit_flip:
      if (!b.empty()) b[pos()] ^= static_cast<std::uint8_t>(1U << (rng() % 8));
      return;
    case Op::interesting_byte:
      if (!b.empty()) b[pos()] = kInterestingBytes[below(rng, kInterestingBytes.size())];
      return;
    case Op::random_byte:
      if (!b.empty()) b[pos()] = static_cast<std::uint8_t>(rng());
      return;
    case Op::insert_random: {
      Bytes r(1 + below(rng, 16));
      for (std::uint8_t& x : r) x = static_cast<std::uint8_t>(rng());
      b.insert(at(below(rng, b.size() + 1)), r.begin(), r.end());
      return;
    }
    case Op::delete_range: {
      if (b.empty()) return;
      const std::size_t from = pos();
      const std::size_t n = 1 + below(rng, std::min<std::size_t>(b.size() - from, 32));
      b.erase(at(from), at(from + n));
      return;
    }
    case Op::duplicate_range: {
      if (b.empty()) return;
      const std::size_t from = pos();
      const std::size_t n = 1 + below(rng, std::min<std::size_t>(b.size() - from, 64));
      const Bytes copy(at(from), at(from + n));
      b.insert(at(below(rng, b.size() + 1)), copy.begin(), copy.end());
      return;
    }
    case Op::splice: {
      // The head of this input and the tail of another, cut at random points.
      const std::size_t cut = below(rng, b.size() + 1);
      const std::size_t from = below(rng, other.bytes.size() + 1);
      b.resize(cut);
      b.insert(b.end(), other.bytes.begin() + static_cast<std::ptrdiff_t>(from), other.bytes.end());
      return;
    }
    case Op::token: {
      const Bytes& t = tokens_[below(rng, tokens_.size())];
      const std::size_t p = below(rng, b.size() + 1);
      if (rng() % 2 == 0 && p + t.size() <= b.size()) {
        std::copy(t.begin(), t.end(), at(p));
      } else {
        b.insert(at(p), t.begin(), t.end());
      }
      return;
    }
    case Op::structural:
      b = mikey::mutator::mutate(b, rng(), {max_size_});
      return;
    case Op::cross_over:
      b = mikey::mutator::cross_over(b, other.bytes, rng(), {max_size_});
      return;
  }
}

Bytes ByteMutator::mutate(const CorpusEntry& entry, const CorpusEntry& other,
                          std::mt19937_64& rng) {
  Bytes b = entry.bytes;
  const std::size_t stack = std::size_t{1} << below(rng, 4);  // 1, 2, 4 or 8 changes
  for (std::size_t i = 0; i < stack; ++i) {
    // The field map holds while no change has moved bytes.
    apply_one(b, entry, other, rng, b.size() == entry.bytes.size());
    if (b.size() > max_size_) b.resize(max_size_);
  }
  if (b == entry.bytes && !b.empty()) b[below(rng, b.size())] ^= 0x01;  // never the input itself
  return b;
}

}  // namespace mikeyconf::harness
