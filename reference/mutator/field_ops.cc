#include <algorithm>
#include <bit>
#include <string_view>

#include "codec/codepoints.h"
#include "mutator/ops.h"

namespace mikey::mutator {

namespace {

enum class Kind : std::uint8_t { value, code_point, length };

std::string_view field_name(std::string_view path) noexcept {
  const std::size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

// The code-point registry (codepoints.h) a field of that name holds, "" for none. Field names
// are the parsers' (codec/*.cc); "type" is left out: it names several registries.
std::string_view registry_of(std::string_view name) noexcept {
  struct Row {
    std::string_view field, registry;
  };
  static constexpr Row kRows[] = {
      {"data_type", "DataType"}, {"next_payload", "PayloadType"}, {"first_payload", "PayloadType"},
      {"prf_func", "PrfFunc"},   {"map_type", "MapType"},         {"encr_alg", "EncrAlg"},
      {"mac_alg", "MacAlg"},     {"auth_alg", "MacAlg"},          {"kv", "KvType"},
      {"ts_type", "TsType"},     {"id_type", "IdType"},           {"cert_type", "CertType"},
      {"hash_func", "HashFunc"}, {"dh_group", "DhGroup"},         {"s_type", "SignType"},
      {"prot_type", "ProtType"}, {"error_no", "ErrorNo"},         {"key_id_type", "KeyIdType"},
      {"c", "PkeCache"},         {"ts_role", "TsRole"},           {"id_role", "IdRole"},
      {"rand_role", "RandRole"}, {"ticket_type", "TicketType"},
  };
  for (const Row& r : kRows)
    if (r.field == name) return r.registry;
  return {};
}

bool is_length(std::string_view name) noexcept {
  return name.ends_with("_len") || name.ends_with("_length") || name == "length" ||
         name == "cs_count" || name == "policy_count";
}

Kind kind_of(std::string_view path) noexcept {
  const std::string_view name = field_name(path);
  if (!registry_of(name).empty()) return Kind::code_point;
  return is_length(name) ? Kind::length : Kind::value;
}

bool allowed(Kind k, std::uint32_t operators) noexcept {
  if (operators & kFieldValue) return true;
  return (k == Kind::code_point && (operators & kCodePoint)) ||
         (k == Kind::length && (operators & kLength));
}

// A numeric view of a field: up to 8 bytes big-endian, or the bits of its mask.
struct Number {
  std::uint64_t value = 0;
  std::uint64_t max = 0;
};

Number read_number(const Bytes& b, const codec::FieldRange& f) noexcept {
  if (f.mask != 0xff) {
    const int shift = std::countr_zero(f.mask);
    return {static_cast<std::uint64_t>((b[f.offset] & f.mask) >> shift),
            static_cast<std::uint64_t>(f.mask >> shift)};
  }
  Number n;
  for (std::uint32_t i = 0; i < f.length; ++i) n.value = (n.value << 8) | b[f.offset + i];
  n.max = f.length >= 8 ? ~0ull : (1ull << (8 * f.length)) - 1;
  return n;
}

void write_number(Bytes& b, const codec::FieldRange& f, std::uint64_t v) noexcept {
  if (f.mask != 0xff) {
    const int shift = std::countr_zero(f.mask);
    b[f.offset] = static_cast<std::uint8_t>((b[f.offset] & ~f.mask) | ((v << shift) & f.mask));
    return;
  }
  for (std::uint32_t i = f.length; i-- > 0; v >>= 8) b[f.offset + i] = static_cast<std::uint8_t>(v);
}

// A registry value, a neighbour of one (the next value a later RFC might assign), or an edge.
std::uint64_t code_point(std::string_view registry, Number n, Rng& rng) {
  std::vector<std::uint32_t> known;
  for (const codec::CodePoint& c : codec::all_code_points())
    if (c.registry == registry) known.push_back(c.value);
  const std::uint64_t k = known.empty() ? n.value : known[rng.below(known.size())];
  switch (rng.below(4)) {
    case 0:
      return k + 1;
    case 1:
      return k - 1;
    case 2:
      return rng.one_in(2) ? 0 : n.max;
    default:
      return k;
  }
}

std::uint64_t length_value(Number n, Rng& rng) noexcept {
  const std::uint64_t choices[] = {n.value + 1, n.value - 1, 0, n.max, n.max / 2 + 1};
  return rng.pick(choices);
}

std::uint64_t other_value(Number n, Rng& rng) noexcept {
  switch (rng.below(5)) {
    case 0:
      return n.value ^ (1ull << rng.below(static_cast<std::size_t>(std::bit_width(n.max))));
    case 1: {
      const std::uint64_t edges[] = {0, 1, n.max, n.max - 1, n.max / 2 + 1, n.max / 2};
      return rng.pick(edges);
    }
    case 2:
      return n.value + 1 + rng.below(4);
    case 3:
      return n.value - 1 - rng.below(4);
    default:
      return rng.next();
  }
}

// Fields longer than 8 bytes (data, MACs, containers): bytes inside the field.
void mutate_long_field(Bytes& b, const codec::FieldRange& f, Rng& rng) noexcept {
  const std::size_t at = f.offset + rng.below(f.length);
  switch (rng.below(4)) {
    case 0:
      b[at] ^= static_cast<std::uint8_t>(1u << rng.below(8));
      break;
    case 1:
      std::fill(b.begin() + f.offset, b.begin() + f.offset + f.length, rng.one_in(2) ? 0 : 0xff);
      break;
    case 2:
      b[at] = static_cast<std::uint8_t>(rng.next());
      break;
    default:
      b[at] = rng.pick({std::uint8_t{0}, std::uint8_t{1}, std::uint8_t{0x7f}, std::uint8_t{0x80},
                        std::uint8_t{0xff}});
  }
}

}  // namespace

bool mutate_field(Bytes& bytes, const codec::Layout& layout, Rng& rng, std::uint32_t operators) {
  std::vector<const codec::FieldRange*> eligible;
  for (const codec::FieldRange& f : layout.fields()) {
    if (f.length == 0 || f.offset + std::size_t{f.length} > bytes.size()) continue;
    if (allowed(kind_of(f.path), operators)) eligible.push_back(&f);
  }
  if (eligible.empty()) return false;
  const codec::FieldRange& f = *eligible[rng.below(eligible.size())];
  if (f.length > 8) {
    mutate_long_field(bytes, f, rng);
    return true;
  }
  const Kind k = kind_of(f.path);
  const bool typed = (k == Kind::code_point && (operators & kCodePoint)) ||
                     (k == Kind::length && (operators & kLength));
  const bool generic = (operators & kFieldValue) != 0;
  const Number n = read_number(bytes, f);
  std::uint64_t v = 0;
  if (typed && (!generic || !rng.one_in(4))) {
    v = k == Kind::code_point ? code_point(registry_of(field_name(f.path)), n, rng)
                              : length_value(n, rng);
  } else {
    v = other_value(n, rng);
  }
  write_number(bytes, f, v & n.max);
  return true;
}

void mutate_bytes(Bytes& bytes, Rng& rng, std::size_t max_size) {
  if (bytes.empty()) {
    bytes.push_back(static_cast<std::uint8_t>(rng.next()));
    return;
  }
  const std::size_t at = rng.below(bytes.size());
  const std::size_t run = 1 + rng.below(std::min<std::size_t>(bytes.size() - at, 16));
  switch (rng.below(6)) {
    case 0:
      bytes[at] ^= static_cast<std::uint8_t>(1u << rng.below(8));
      break;
    case 1:
      bytes[at] = static_cast<std::uint8_t>(rng.next());
      break;
    case 2:
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), run,
                   static_cast<std::uint8_t>(rng.next()));
      break;
    case 3:
      bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                  bytes.begin() + static_cast<std::ptrdiff_t>(at + run));
      break;
    case 4: {
      const Bytes copy(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                       bytes.begin() + static_cast<std::ptrdiff_t>(at + run));
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(rng.below(bytes.size() + 1)),
                   copy.begin(), copy.end());
      break;
    }
    default:
      bytes.resize(at);
  }
  if (bytes.size() > max_size) bytes.resize(max_size);
}

}  // namespace mikey::mutator
