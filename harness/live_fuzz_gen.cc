// The live fuzzer's targets, the layout each sample supplies and the generator (live_fuzz_gen.h).
#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <map>
#include <string_view>

#include "codec/message.h"
#include "harness/engine.h"
#include "harness/live_fuzz_gen.h"
#include "harness/mutate.h"

namespace mikeyconf::harness::live_fuzz {

namespace {

Step send_step(MessageKind kind, Party from) {
  SendStep s;
  s.message = kind;
  s.from = from;
  return Step{s, {}};
}

// A prefix send must be granted for the fuzzed resolve to have a ticket (not an oracle: a refusal
// there only means this execution tests nothing).
Step granted_step() {
  ExpectStep e;
  e.checks.push_back(Check{CheckKey::outcome, WordCheck{"granted"}, {}});
  return Step{e, {}};
}

Target target(MessageKind kind, Party from, bool after_request) {
  Target t;
  t.kind = kind;
  t.from = from;
  if (after_request) {
    t.prefix.push_back(send_step(MessageKind::request_init_psk, Party::initiator));
    t.prefix.push_back(granted_step());
  }
  return t;
}

std::optional<long> number(std::string_view s) {
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "payload[N].TYPE" segments of a layout path rewritten "payload[TYPE:k]" (k: the occurrence of
// TYPE among the payloads of the same chain; ":0" left out).
std::string symbolic(const mikey::codec::Layout& layout, const std::string& path) {
  std::string out;
  std::size_t pos = 0;
  for (std::size_t at = path.find("payload["); at != std::string::npos;
       at = path.find("payload[", pos)) {
    const std::size_t close = path.find(']', at);
    if (close == std::string::npos || close + 2 > path.size()) break;
    const auto index = number(std::string_view(path).substr(at + 8, close - at - 8));
    const std::size_t type_end = path.find('.', close + 2);
    const std::string type = path.substr(close + 2, type_end - close - 2);
    if (!index) break;
    const std::string prefix = path.substr(0, at + 8);
    std::map<long, std::string> chain;  // index → type of the payloads of this chain
    for (const auto& f : layout.fields()) {
      if (f.path.compare(0, prefix.size(), prefix) != 0) continue;
      const std::size_t e = f.path.find(']', prefix.size());
      auto i = number(std::string_view(f.path).substr(prefix.size(), e - prefix.size()));
      if (i && e + 2 < f.path.size())
        chain[*i] = f.path.substr(e + 2, f.path.find('.', e + 2) - e - 2);
    }
    long k = 0;
    for (const auto& [i, t] : chain) k += i < *index && t == type ? 1 : 0;
    out += path.substr(pos, at - pos) + "payload[" + type + (k > 0 ? ":" + std::to_string(k) : "") +
           "]";
    pos = type_end == std::string::npos ? path.size() : type_end;
  }
  return out + path.substr(std::min(pos, path.size()));
}

bool varies(const std::string& path) {
  for (std::string_view v : {"ts_value", "rand", "csb_id", ".mac"})
    if (path.find(v) != std::string::npos) return true;
  return false;
}

// ---- The generator's random numbers: splitmix64, deterministic per (seed, exec) ----

class Draw {
 public:
  explicit Draw(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  mikey::Bytes bytes(std::size_t n) {
    mikey::Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(next());
    return b;
  }

 private:
  std::uint64_t state_;
};

// An integer a `set` may write into `f`: boundary values most of the time.
std::uint64_t int_value(Draw& d, const SampleField& f) {
  const unsigned bits =
      f.mask != 0xff ? static_cast<unsigned>(std::popcount(f.mask)) : 8 * f.length;
  const std::uint64_t max = bits >= 64 ? UINT64_MAX : (std::uint64_t{1} << bits) - 1;
  switch (d.below(6)) {
    case 0:
      return 0;
    case 1:
      return max;
    case 2:
      return 1;
    case 3:
      return max >> 1;
    case 4:
      return (max >> 1) + 1;
    default:
      return d.next() & max;
  }
}

Mutation field_knob(Draw& d, const Target& t) {
  Mutation m;
  const SampleField& f = d.pick(t.fields);
  m.field = f.path;
  const unsigned bits =
      f.mask != 0xff ? static_cast<unsigned>(std::popcount(f.mask)) : 8 * f.length;
  const std::size_t kind = d.below(f.varies ? 2 : 4);
  if (kind == 0 && bits > 0) {
    m.knob = Knob::flip_bit;
    m.bit = static_cast<std::uint32_t>(d.below(bits));
  } else if (kind == 1 && f.mask == 0xff) {  // a bit field cannot be cut out
    m.knob = Knob::delete_field;
  } else if (f.length <= 8 && f.length > 0) {
    m.knob = Knob::set;
    m.int_value = int_value(d, f);
  } else {
    m.knob = Knob::set;
    m.bytes = d.bytes(d.below(f.length + 9));
  }
  return m;
}

Mutation payload_knob(Draw& d, const Target& t) {
  Mutation m;
  m.field = d.pick(t.payloads);
  if (d.chance(20) && t.payloads.size() > 1) {
    m.knob = Knob::swap;
    do m.with = d.pick(t.payloads);
    while (m.with == m.field);
  } else {
    m.knob = d.chance(60) ? Knob::duplicate_payload : Knob::delete_field;
  }
  return m;
}

Mutation byte_knob(Draw& d, const Target& t) {
  Mutation m;
  switch (d.below(4)) {
    case 0:
      m.knob = Knob::truncate;
      m.at = d.below(t.sample.size());
      break;
    case 1:
      m.knob = Knob::truncate;
      m.drop_last = 1 + d.below(16);
      break;
    case 2:
      m.knob = Knob::append;
      m.bytes = d.bytes(1 + d.below(16));
      break;
    default:
      m.knob = Knob::flip_mac_bit;
      break;
  }
  return m;
}

Mutation one_knob(Draw& d, const Target& t) {
  const std::size_t k = d.below(10);
  if (k < 5 && !t.fields.empty()) return field_knob(d, t);
  if (k < 8 && !t.payloads.empty()) return payload_knob(d, t);
  return byte_knob(d, t);
}

void http_choices(Draw& d, HttpOverrides& h) {
  static const std::vector<std::string> methods = {"GET",  "PUT",  "HEAD",   "DELETE",
                                                   "post", "P@ST", "OPTIONS"};
  static const std::vector<std::string> paths = {"/",
                                                 "/keymanagement/",
                                                 "/KEYMANAGEMENT",
                                                 "/keymanagement/../keymanagement",
                                                 "/%6beymanagement",
                                                 "/keymanagement;x"};
  static const std::vector<std::string> queries = {
      "",
      "requesttype=",
      "requesttype=ticketrequest&requesttype=ticketresolve",
      "requesttype=TICKETREQUEST",
      "a=1&requesttype=ticketrequest",
      "requesttype=ticketresolve",
      "requesttype=ticketrequest",
      "requesttype=%74icketrequest"};
  static const std::vector<std::string> types = {"text/plain", "application/mikey; version=1",
                                                 "APPLICATION/MIKEY", "application/octet-stream",
                                                 "application/mikey, text/plain"};
  static const std::vector<std::pair<std::string, std::optional<std::string>>> headers = {
      {"User-Agent", std::nullopt},    {"Host", std::nullopt},      {"Host", "other.example"},
      {"Content-Type", std::nullopt},  {"Accept", "*/*"},           {"Connection", "close"},
      {"X-Mikeyconf-Fuzz", "a;b,c=d"}, {"Accept-Encoding", "gzip"}, {"Cache-Control", "no-cache"},
      {"Content-Encoding", "gzip"}};
  const std::size_t n = 1 + d.below(2);
  for (std::size_t i = 0; i < n; ++i) {
    switch (d.below(8)) {
      case 0:
        h.method = d.pick(methods);
        break;
      case 1:
        h.path = d.pick(paths);
        break;
      case 2:
        h.query = d.pick(queries);
        break;
      case 3:
        h.content_type = d.pick(types);
        break;
      case 4:
        h.body_encoding = static_cast<BodyEncoding>(d.below(3));
        break;
      case 5:
        h.pad_header_bytes = 1 + d.below(4096);
        break;
      case 6:
        h.pad_body_bytes = 1 + d.below(4096);
        break;
      default:
        if (h.headers.empty()) h.headers.push_back(d.pick(headers));
        break;
    }
  }
}

}  // namespace

bool protectable(const std::vector<Mutation>& mutate, const Target& t) {
  auto mutated = apply_mutations(t.sample, mutate);
  if (!mutated.ok()) return false;
  // Any key will do: only whether the mutated message parses up to a final V matters here.
  static const mikey::Bytes key(16, 0x5a);
  ProtectionKeys k;
  k.psk = key;
  k.identity_peer = key;
  k.identity_kms = key;
  k.resolve = t.kind == MessageKind::resolve_init_psk;
  return re_protect(mutated.value(), k).ok();
}

std::vector<Target> targets_for(SutRole role) {
  switch (role) {
    case SutRole::kms:
      return {target(MessageKind::request_init_psk, Party::initiator, false),
              target(MessageKind::resolve_init_psk, Party::responder, true),
              target(MessageKind::raw_http, Party::initiator, false)};
    case SutRole::kms_r:
      return {target(MessageKind::resolve_init_psk, Party::responder, true)};
    case SutRole::kms_i:
      return {target(MessageKind::request_init_psk, Party::initiator, false),
              target(MessageKind::resolve_init_psk, Party::kms_r, true)};
    case SutRole::initiator:
    case SutRole::responder:
      break;
  }
  return {};
}

void learn_layout(Target& t) {
  t.fields.clear();
  t.payloads.clear();
  const auto parsed = mikey::codec::parse_message(t.sample, mikey::codec::kWithLayout);
  for (const auto& f : parsed.layout.fields()) {
    if (f.length == 0) continue;
    SampleField s{symbolic(parsed.layout, f.path), f.length, f.mask, varies(f.path)};
    auto r = resolve_field(parsed, s.path);
    if (!r.ok() || r->offset != f.offset || r->length != f.length) s.path = f.path;
    if (resolve_field(parsed, s.path).ok()) t.fields.push_back(std::move(s));
  }
  std::map<std::string, int> seen;
  for (const auto& p : parsed.message.payloads) {
    const std::string name(mikey::codec::to_string(p.type));
    if (name.empty()) continue;
    const int k = seen[name]++;
    t.payloads.push_back("payload[" + name + (k > 0 ? ":" + std::to_string(k) : "") + "]");
  }
}

FuzzInput generate(const std::vector<Target>& targets, std::uint64_t seed, std::uint64_t exec) {
  Draw d(case_seed(seed, "live-fuzz#" + std::to_string(exec)));
  FuzzInput in;
  in.target = d.below(targets.size());
  const Target& t = targets[in.target];
  if (t.kind == MessageKind::raw_http) {
    std::string body;
    const std::size_t n = d.below(64);
    for (std::size_t i = 0; i < n; ++i) body += static_cast<char>(' ' + d.below(95));
    in.http.body_raw = body;
    if (d.chance(50)) http_choices(d, in.http);
    return in;
  }
  // One knob most of the time: a single structural change re-protected reaches the checks behind
  // the MAC (RFC 6043 §5.1.2) without being refused for an earlier fault.
  const std::size_t knobs = d.chance(15) ? 0 : d.chance(70) ? 1 : 2 + d.below(2);
  for (std::size_t i = 0; i < knobs; ++i) in.mutate.push_back(one_knob(d, t));
  in.re_protect = !in.mutate.empty() && d.chance(50) && protectable(in.mutate, t);
  if (in.mutate.empty() || d.chance(25)) http_choices(d, in.http);
  return in;
}

}  // namespace mikeyconf::harness::live_fuzz
