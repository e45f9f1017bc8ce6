#include "harness/mutate.h"

#include <algorithm>
#include <bit>
#include <charconv>

#include "harness/names.h"
#include "harness/reference_names.h"
#include "roles/failure.h"
#include "roles/reprotect.h"

namespace mikeyconf::harness {

using mikey::codec::ParseOutcome;
using mikey::codec::PayloadType;

namespace {

using Fail = std::string;

// The top-level payload reference of a path: "payload[<ref>]" and what follows it.
struct PayloadRef {
  std::string ref;   // inside the brackets
  std::string rest;  // after ']' ("" or ".V.mac")
};

std::optional<PayloadRef> split_payload_ref(std::string_view path) {
  constexpr std::string_view kPrefix = "payload[";
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::size_t close = path.find(']', kPrefix.size());
  if (close == std::string_view::npos) return std::nullopt;
  return PayloadRef{std::string(path.substr(kPrefix.size(), close - kPrefix.size())),
                    std::string(path.substr(close + 1))};
}

std::optional<long> parse_long(std::string_view s) {
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::string> ref_problem(std::string_view ref) {
  if (ref.empty()) return "empty payload reference []";
  if (parse_long(ref)) return std::nullopt;
  std::string_view name = ref;
  if (auto colon = ref.find(':'); colon != std::string_view::npos) {
    name = ref.substr(0, colon);
    auto n = parse_long(ref.substr(colon + 1));
    if (!n) return "the occurrence after ':' must be a number (negative: from the last)";
  }
  if (!code_point_value("PayloadType", name)) {
    return "'" + std::string(name) + "' is not a payload type name (T, RANDR, IDR, TP, V, ...)";
  }
  return std::nullopt;
}

// Index of the referenced top-level payload in `m`.
mikey::Result<std::size_t, Fail> resolve_ref(const mikey::codec::Message& m, std::string_view ref) {
  const auto count = static_cast<long>(m.payloads.size());
  if (auto n = parse_long(ref)) {
    const long i = *n < 0 ? count + *n : *n;
    if (i < 0 || i >= count) {
      return Fail("payload[" + std::string(ref) + "] does not exist: the message has " +
                  std::to_string(count) + " payloads");
    }
    return static_cast<std::size_t>(i);
  }
  std::string_view name = ref;
  long occurrence = 0;
  if (auto colon = ref.find(':'); colon != std::string_view::npos) {
    name = ref.substr(0, colon);
    occurrence = parse_long(ref.substr(colon + 1)).value_or(0);
  }
  auto type = code_point_value("PayloadType", name);
  if (!type) return Fail("'" + std::string(name) + "' is not a payload type name");
  std::vector<std::size_t> of_type;
  for (std::size_t i = 0; i < m.payloads.size(); ++i)
    if (mikey::codec::raw(m.payloads[i].type) == *type) of_type.push_back(i);
  const long n = static_cast<long>(of_type.size());
  const long k = occurrence < 0 ? n + occurrence : occurrence;
  if (k >= 0 && k < n) return of_type[static_cast<std::size_t>(k)];
  return Fail("payload[" + std::string(ref) + "] does not exist: the message has " +
              std::to_string(n) + " payload(s) of that type");
}

// A symbolic payload reference inside a container ("tp_data.payload[TR:1]", "payload[IDR:-1]")
// rewritten to the index the layout map uses, so a case addresses "the second TR" or "the last
// IDR" of a ticket whatever optional payloads the SUT put before it. `path` is a full layout
// path; its first (top-level) reference is already numeric.
// nullopt when a reference names no payload of the message.
std::optional<std::string> expand_nested_refs(const mikey::codec::Layout& layout,
                                              std::string path) {
  constexpr std::string_view kSeg = ".payload[";
  for (std::size_t at = path.find(kSeg); at != std::string::npos; at = path.find(kSeg, at + 1)) {
    const std::size_t open = at + kSeg.size();
    const std::size_t close = path.find(']', open);
    if (close == std::string::npos) return std::nullopt;
    const std::string ref = path.substr(open, close - open);
    if (auto n = parse_long(ref); n && *n >= 0) continue;
    const std::string prefix = path.substr(0, open);    // "...tp_data.payload["
    std::vector<std::pair<long, std::string>> entries;  // index, type segment
    for (const auto& f : layout.fields()) {
      if (f.path.compare(0, prefix.size(), prefix) != 0) continue;
      const std::size_t e = f.path.find(']', prefix.size());
      auto index = parse_long(std::string_view(f.path).substr(prefix.size(), e - prefix.size()));
      if (!index || e + 2 > f.path.size()) continue;
      std::string type = f.path.substr(e + 2, f.path.find('.', e + 2) - (e + 2));
      if (entries.empty() || entries.back().first != *index) entries.emplace_back(*index, type);
    }
    const auto colon = ref.find(':');
    const std::string name = ref.substr(0, colon);
    const long occurrence =
        colon == std::string::npos ? 0 : parse_long(ref.substr(colon + 1)).value_or(0);
    std::vector<long> matching;
    for (const auto& [index, type] : entries)
      if (type == name) matching.push_back(index);
    const long n = static_cast<long>(matching.size());
    const long k = occurrence < 0 ? n + occurrence : occurrence;
    if (k < 0 || k >= n) return std::nullopt;
    // "payload[TR:1].ts_value" names the type, so the layout's type segment may be left out.
    const std::string index = std::to_string(matching[static_cast<std::size_t>(k)]);
    const std::string after = path.substr(close + 1);
    const bool typed = after.rfind("." + name + ".", 0) == 0 || after == "." + name;
    path = path.substr(0, open) + index + "]" + (typed ? after : "." + name + after);
  }
  return path;
}

// The type segment the layout uses for top-level payload `i` ("V" in "payload[6].V.mac").
std::string type_segment(const mikey::codec::Layout& layout, std::size_t i) {
  const std::string prefix = "payload[" + std::to_string(i) + "].";
  for (const auto& f : layout.fields()) {
    if (f.path.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = f.path.substr(prefix.size());
    return rest.substr(0, rest.find('.'));
  }
  return {};
}

std::string known_fields_hint(const mikey::codec::Layout& layout, std::string_view near) {
  std::string hint;
  int n = 0;
  for (const auto& f : layout.fields()) {
    if (!near.empty() && f.path.compare(0, near.size(), near) != 0) continue;
    if (n++ == 8) {
      hint += ", ...";
      break;
    }
    hint += (hint.empty() ? "" : ", ") + f.path;
  }
  return hint.empty() ? "" : " (fields: " + hint + ")";
}

ParseOutcome parse(ByteView bytes) {
  mikey::codec::ParseOptions options;
  options.record_layout = true;
  return mikey::codec::parse_message(bytes, options);
}

// Rebuilds the message with its top-level payloads in `order` (indices into the parsed message;
// repeats and omissions allowed) and the Next payload chain rewritten to match.
mikey::Result<Bytes, Fail> rechain(ByteView bytes, const ParseOutcome& p,
                                   const std::vector<std::size_t>& order) {
  if (!p.ok()) {
    return Fail("structural knobs need a message that parses (it fails with " +
                std::string(mikey::codec::to_string(p.error.code)) + " at offset " +
                std::to_string(p.error.offset) + ")");
  }
  const auto& ps = p.message.payloads;
  if (ps.empty()) return Fail("the message has no payloads");
  for (const auto& pl : ps) {
    if (pl.type == PayloadType::sign) return Fail("structural knobs do not handle SIGN payloads");
  }
  auto next = p.layout.find("hdr.next_payload");
  if (!next) return Fail("the layout map has no hdr.next_payload");
  Bytes out(bytes.begin(), bytes.begin() + ps.front().offset);
  out[next->offset] = order.empty() ? 0 : mikey::codec::raw(ps[order.front()].type);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto& pl = ps[order[k]];
    const std::size_t at = out.size();
    out.insert(out.end(), bytes.begin() + pl.offset, bytes.begin() + pl.offset + pl.length);
    out[at] = k + 1 < order.size() ? mikey::codec::raw(ps[order[k + 1]].type) : 0;
  }
  const std::size_t end = ps.back().offset + ps.back().length;
  out.insert(out.end(), bytes.begin() + static_cast<std::ptrdiff_t>(end), bytes.end());
  return out;
}

// The bit positions (as masks) of a one-byte bit field, most significant first.
std::vector<std::uint8_t> mask_bits(std::uint8_t mask) {
  std::vector<std::uint8_t> bits;
  for (int b = 7; b >= 0; --b)
    if (mask & (1u << b)) bits.push_back(static_cast<std::uint8_t>(1u << b));
  return bits;
}

mikey::Result<Bytes, Fail> flip_bit(Bytes b, const ResolvedField& f, std::uint32_t bit) {
  if (f.mask != 0xff) {
    auto bits = mask_bits(f.mask);
    if (bit >= bits.size()) {
      return Fail(f.path + " is a " + std::to_string(bits.size()) + "-bit field: bit " +
                  std::to_string(bit) + " does not exist");
    }
    b[f.offset] ^= bits[bit];
    return b;
  }
  if (bit >= f.length * 8u) {
    return Fail(f.path + " has " + std::to_string(f.length * 8u) + " bits: bit " +
                std::to_string(bit) + " does not exist");
  }
  b[f.offset + bit / 8] ^= static_cast<std::uint8_t>(0x80u >> (bit % 8));
  return b;
}

mikey::Result<Bytes, Fail> set_value(Bytes b, const ResolvedField& f, const Mutation& m) {
  if (m.bytes) {
    if (f.mask != 0xff) return Fail(f.path + " is a bit field: give an integer value");
    Bytes out(b.begin(), b.begin() + f.offset);
    out.insert(out.end(), m.bytes->begin(), m.bytes->end());
    out.insert(out.end(), b.begin() + f.offset + f.length, b.end());
    return out;
  }
  const std::uint64_t v = m.int_value.value_or(0);
  if (f.mask != 0xff) {
    const int shift = std::countr_zero(static_cast<unsigned>(f.mask));
    const std::uint64_t limit = static_cast<std::uint64_t>(f.mask) >> shift;
    if (v > limit) {
      return Fail("value " + std::to_string(v) + " does not fit the " +
                  std::to_string(std::popcount(static_cast<unsigned>(f.mask))) + "-bit field " +
                  f.path);
    }
    b[f.offset] = static_cast<std::uint8_t>((b[f.offset] & ~f.mask) | ((v << shift) & f.mask));
    return b;
  }
  if (f.length == 0 || f.length > 8) {
    return Fail(f.path + " is " + std::to_string(f.length) +
                " bytes long: give the value as a hex string");
  }
  if (f.length < 8 && v >> (8 * f.length) != 0) {
    return Fail("value " + std::to_string(v) + " does not fit the " + std::to_string(f.length) +
                "-byte field " + f.path);
  }
  for (std::uint32_t i = 0; i < f.length; ++i) {
    b[f.offset + i] = static_cast<std::uint8_t>(v >> (8 * (f.length - 1 - i)));
  }
  return b;
}

}  // namespace

std::optional<std::string> field_path_problem(std::string_view path) {
  if (path.empty()) return "empty field path";
  if (path.substr(0, 4) == "hdr.") {
    return path.size() > 4 ? std::nullopt : std::optional<std::string>("nothing after 'hdr.'");
  }
  auto ref = split_payload_ref(path);
  if (!ref) return "a field path starts with 'hdr.' or 'payload[...]'";
  if (auto p = ref_problem(ref->ref)) return p;
  if (!ref->rest.empty() && (ref->rest[0] != '.' || ref->rest.size() == 1)) {
    return "expected '.<field>' after ']'";
  }
  return std::nullopt;
}

std::optional<std::string> payload_ref_problem(std::string_view path) {
  auto ref = split_payload_ref(path);
  if (!ref || !ref->rest.empty()) return "expected a whole payload: payload[<index or type>]";
  return ref_problem(ref->ref);
}

mikey::Result<ResolvedField, std::string> resolve_field(const ParseOutcome& parsed,
                                                        std::string_view path) {
  if (auto problem = field_path_problem(path)) return *problem;
  const auto& layout = parsed.layout;
  if (path.substr(0, 4) == "hdr.") {
    auto f = layout.find(path);
    if (!f) return Fail("no field " + std::string(path) + known_fields_hint(layout, "hdr."));
    return ResolvedField{f->path, f->offset, f->length, f->mask, false, 0};
  }
  auto ref = split_payload_ref(path);
  auto index = resolve_ref(parsed.message, ref->ref);
  if (!index.ok()) return index.error();
  const std::size_t i = index.value();
  const std::string base = "payload[" + std::to_string(i) + "]";
  if (ref->rest.empty()) {
    const auto& pl = parsed.message.payloads[i];
    return ResolvedField{base, pl.offset, pl.length, 0xff, true, i};
  }
  const std::string segment = type_segment(layout, i);
  for (const std::string& candidate :
       {base + ref->rest, segment.empty() ? std::string() : base + "." + segment + ref->rest}) {
    if (candidate.empty()) continue;
    auto expanded = expand_nested_refs(layout, candidate);
    if (!expanded) continue;
    if (auto f = layout.find(*expanded)) {
      return ResolvedField{f->path, f->offset, f->length, f->mask, false, i};
    }
  }
  return Fail("no field " + std::string(path) + " (resolved to " + base + ref->rest + ")" +
              known_fields_hint(layout, base + "."));
}

namespace {

// truncate: keep `at` bytes, drop the last `drop_last`, or cut where `field` starts.
mikey::Result<Bytes, std::string> truncate(Bytes b, const ParseOutcome& p, const Mutation& m) {
  std::size_t keep = b.size();
  if (m.at) {
    if (*m.at > b.size()) {
      return Fail("truncate at " + std::to_string(*m.at) + ": the message has only " +
                  std::to_string(b.size()) + " bytes");
    }
    keep = *m.at;
  } else if (m.drop_last) {
    if (*m.drop_last > b.size()) {
      return Fail("truncate drop_last " + std::to_string(*m.drop_last) + ": the message has only " +
                  std::to_string(b.size()) + " bytes");
    }
    keep = b.size() - *m.drop_last;
  } else {
    auto f = resolve_field(p, m.field);
    if (!f.ok()) return f.error();
    keep = f->offset;
  }
  b.resize(keep);
  return b;
}

// duplicate_payload and swap: the payloads in a new order, re-chained.
mikey::Result<Bytes, std::string> reorder(ByteView bytes, const ParseOutcome& p,
                                          const Mutation& m) {
  auto a = resolve_field(p, m.field);
  if (!a.ok()) return a.error();
  std::vector<std::size_t> order;
  if (m.knob == Knob::duplicate_payload) {
    if (!a->whole_payload) return Fail("duplicate_payload needs a whole payload reference");
    for (std::size_t i = 0; i < p.message.payloads.size(); ++i) {
      order.push_back(i);
      if (i == a->payload_index) order.push_back(i);
    }
    return rechain(bytes, p, order);
  }
  auto c = resolve_field(p, m.with);
  if (!c.ok()) return c.error();
  if (!a->whole_payload || !c->whole_payload) return Fail("swap needs two payloads");
  for (std::size_t i = 0; i < p.message.payloads.size(); ++i) order.push_back(i);
  std::swap(order[a->payload_index], order[c->payload_index]);
  return rechain(bytes, p, order);
}

}  // namespace

mikey::Result<Bytes, std::string> apply_mutation(ByteView bytes, const Mutation& m) {
  const ParseOutcome p = parse(bytes);
  Bytes b(bytes.begin(), bytes.end());
  switch (m.knob) {
    case Knob::flip_bit: {
      auto f = resolve_field(p, m.field);
      if (!f.ok()) return f.error();
      return flip_bit(std::move(b), f.value(), m.bit);
    }
    case Knob::flip_mac_bit: {
      const auto& ps = p.message.payloads;
      if (ps.empty() || ps.back().type != PayloadType::v) {
        return Fail("flip_mac_bit: the message does not end with a V payload");
      }
      auto f = resolve_field(p, "payload[-1].mac");
      if (!f.ok()) return f.error();
      if (f->length == 0) return Fail("flip_mac_bit: the V payload has an empty MAC");
      return flip_bit(std::move(b), f.value(), 0);
    }
    case Knob::set: {
      auto f = resolve_field(p, m.field);
      if (!f.ok()) return f.error();
      if (f->whole_payload && !m.bytes) return Fail("set on a whole payload needs hex bytes");
      return set_value(std::move(b), f.value(), m);
    }
    case Knob::truncate:
      return truncate(std::move(b), p, m);
    case Knob::append:
      b.insert(b.end(), m.bytes->begin(), m.bytes->end());
      return b;
    case Knob::delete_field: {
      auto f = resolve_field(p, m.field);
      if (!f.ok()) return f.error();
      if (f->whole_payload) {
        std::vector<std::size_t> order;
        for (std::size_t i = 0; i < p.message.payloads.size(); ++i)
          if (i != f->payload_index) order.push_back(i);
        return rechain(bytes, p, order);
      }
      if (f->mask != 0xff) return Fail(f->path + " is a bit field: it cannot be deleted");
      b.erase(b.begin() + f->offset, b.begin() + f->offset + f->length);
      return b;
    }
    case Knob::duplicate_payload:
    case Knob::swap:
      return reorder(bytes, p, m);
  }
  return Fail("unknown knob");
}

mikey::Result<Bytes, std::string> apply_mutations(ByteView bytes, const std::vector<Mutation>& ms) {
  Bytes current(bytes.begin(), bytes.end());
  for (std::size_t i = 0; i < ms.size(); ++i) {
    auto next = apply_mutation(current, ms[i]);
    if (!next.ok())
      return "mutation " + std::to_string(i + 1) + " (" + ms[i].describe() + "): " + next.error();
    current = std::move(next).value();
  }
  return current;
}

mikey::Result<Bytes, std::string> re_protect(ByteView bytes, const ProtectionKeys& keys) {
  namespace roles = mikey::roles;
  const roles::ReprotectKeys k{keys.psk, keys.identity_peer, keys.identity_kms, keys.resolve,
                               keys.identity_peer_wins};
  auto out = roles::re_protect(bytes, k);
  if (out.ok()) return std::move(out).value();
  const roles::ReprotectError& e = out.error();
  switch (e.code) {
    case roles::ReprotectErrc::unparsable:
      return Fail("re_protect: the mutated message does not parse (" +
                  std::string(mikey::codec::to_string(e.parse.code)) + " at offset " +
                  std::to_string(e.parse.offset) +
                  "); only a message that parses up to a final V can be re-protected");
    case roles::ReprotectErrc::no_final_v:
      return Fail("re_protect: the mutated message does not end with a V payload");
    case roles::ReprotectErrc::no_auth_key:
      return Fail("re_protect: no auth_key for PRF func " +
                  std::to_string(mikey::codec::raw(e.prf)) + " / Auth alg " +
                  std::to_string(mikey::codec::raw(e.auth_alg)) + ": " +
                  std::string(roles::to_string(e.failure)));
    case roles::ReprotectErrc::no_mac_input:
      return Fail("re_protect: the MAC input cannot be located");
    case roles::ReprotectErrc::mac_failed:
      return Fail("re_protect: the MAC computation failed");
    case roles::ReprotectErrc::mac_length:
      break;
  }
  return Fail("re_protect: the MAC field does not have the algorithm's length");
}

}  // namespace mikeyconf::harness
