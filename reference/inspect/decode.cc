#include "inspect/decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <iterator>

#include "codec/field_names.h"
#include "codec/payloads.h"
#include "codec/ticket_codec.h"
#include "wire/hex.h"

namespace mikeyconf::inspect {

namespace codec = mikey::codec;
using mikey::ByteView;

std::string_view error_code_name(codec::Errc e) noexcept {
  switch (e) {
    case codec::Errc::ok:
      return "ok";
#define MIKEYCONF_NAME(name, msg) \
  case codec::Errc::name:         \
    return #name;
      MIKEY_CODEC_ERRORS(MIKEYCONF_NAME)
#undef MIKEYCONF_NAME
  }
  return "unknown";
}

std::string_view deviation_kind_name(codec::DeviationKind d) noexcept {
  switch (d) {
#define MIKEYCONF_NAME(name, msg)  \
  case codec::DeviationKind::name: \
    return #name;
    MIKEY_DEVIATIONS(MIKEYCONF_NAME)
#undef MIKEYCONF_NAME
  }
  return "unknown";
}

std::string error_where(const DecodeResult& r) {
  if (!r.error) return {};
  codec::PayloadType where = r.error->error.where;
  if (where == codec::PayloadType::last) {
    // PayloadType::last marks HDR and message-level errors (errc.h).
    return r.error->context.empty() && r.message.payloads.empty() ? "HDR" : "message";
  }
  std::string_view name = codec::to_string(where);
  return name.empty() ? "payload type " + std::to_string(codec::raw(where)) : std::string(name);
}

namespace {

std::string_view last_segment(std::string_view path) noexcept {
  std::size_t dot = path.rfind('.');
  std::string_view seg = dot == std::string_view::npos ? path : path.substr(dot + 1);
  std::size_t bracket = seg.find('[');
  return bracket == std::string_view::npos ? seg : seg.substr(0, bracket);
}

std::string_view parent_path(std::string_view path) noexcept {
  std::size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : path.substr(0, dot);
}

// Fields that hold bytes, never a number, whatever their length (names as the payload
// parsers record them).
bool is_byte_string_name(std::string_view name) noexcept {
  static constexpr std::string_view kNames[] = {
      "encr_data",    "mac",          "data",        "dh_value",       "spi",
      "valid_from",   "valid_to",     "signature",   "id_data",        "certificate",
      "hash",         "policy_param", "value",       "rand",           "policies",
      "session_data", "tp_data",      "ticket_data", "initiator_data", "trailing",
      "key_data",     "salt_data",    "key_id",      "sakke_data",     "thdr_data"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

// Fields whose bytes are usually text (ID data, URIs, vendor strings, SDP IDs): shown as
// ASCII too when every byte is printable.
bool is_text_field(std::string_view path) noexcept {
  std::string_view name = last_segment(path);
  if (name == "data") {
    return codec::segment_names_payload(last_segment(parent_path(path)),
                                        codec::PayloadType::general_ext);
  }
  return name == "id_data" || name == "certificate" || name == "key_id" || name == "thdr_data";
}

bool all_printable(ByteView v) noexcept {
  return !v.empty() &&
         std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b >= 0x20 && b <= 0x7e; });
}

// NTP time (RFC 5905 era 0 with the RFC 4330 §3 rule: seconds with MSB 0 are in 2036–2104)
// as "YYYY-MM-DDTHH:MM:SS[.ffffff]Z".
std::string ntp_to_utc(std::uint32_t seconds, std::optional<std::uint32_t> fraction) {
  std::int64_t unix_seconds = static_cast<std::int64_t>(seconds) - 2208988800LL;
  if ((seconds & 0x80000000u) == 0) unix_seconds += std::int64_t{1} << 32;
  std::int64_t days = unix_seconds / 86400;
  std::int64_t rem = unix_seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
  std::int64_t z = days + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", y, m, d, rem / 3600,
                                (rem / 60) % 60, rem % 60);
  if (fraction) {
    auto micros = static_cast<std::uint64_t>((std::uint64_t{*fraction} * 1000000) >> 32);
    out += fmt::format(".{:06}", micros);
  }
  out += 'Z';
  return out;
}

std::uint64_t read_be(ByteView v) noexcept {
  std::uint64_t x = 0;
  for (std::uint8_t b : v) x = (x << 8) | b;
  return x;
}

class Decoder {
 public:
  Decoder(ByteView bytes, const codec::ParseOptions& options, DecodeResult& out)
      : bytes_(bytes), options_(options), out_(out) {}

  void run() {
    codec::ParseOutcome outcome = codec::parse_message(bytes_, options_);
    if (!outcome.ok()) out_.error = DecodeError{outcome.error, {}};
    out_.message = std::move(outcome.message);
    add_deviations(outcome.deviations);
    if (auto dt = outcome.layout.find("hdr.data_type"); dt && dt->offset < bytes_.size()) {
      data_type_ = bytes_[dt->offset];
    }
    expand(outcome.layout.fields(), 0);
    std::stable_sort(
        out_.deviations.begin(), out_.deviations.end(),
        [](const codec::Deviation& a, const codec::Deviation& b) { return a.offset < b.offset; });
  }

 private:
  static constexpr int kMaxEmbedding = 8;

  ByteView field_bytes(const codec::FieldRange& f) const noexcept {
    if (f.offset > bytes_.size()) return {};
    return bytes_.subspan(f.offset, std::min<std::size_t>(f.length, bytes_.size() - f.offset));
  }

  static const codec::FieldRange* sibling(const std::vector<codec::FieldRange>& scope,
                                          std::string_view path, std::string_view name) {
    std::string want(parent_path(path));
    if (!want.empty()) want += '.';
    want += name;
    for (const codec::FieldRange& f : scope) {
      if (f.path == want) return &f;
    }
    return nullptr;
  }

  std::optional<std::uint64_t> sibling_value(const std::vector<codec::FieldRange>& scope,
                                             std::string_view path, std::string_view name) const {
    const codec::FieldRange* f = sibling(scope, path, name);
    if (f == nullptr || f->length == 0 || f->length > 8) return std::nullopt;
    return read_be(field_bytes(*f));
  }

  DecodedField make_field(const codec::FieldRange& f,
                          const std::vector<codec::FieldRange>& scope) const {
    DecodedField d;
    d.path = f.path;
    d.offset = f.offset;
    d.length = f.length;
    d.mask = f.mask;
    ByteView v = field_bytes(f);
    d.value_hex = mikey::wire::to_hex(v);
    std::string_view name = last_segment(f.path);
    if (f.mask != 0xff && v.size() == 1) {
      d.value = static_cast<std::uint64_t>((v[0] & f.mask) >> std::countr_zero(f.mask));
    } else if (!v.empty() && v.size() <= 8 && v.size() == f.length && !is_byte_string_name(name)) {
      std::uint64_t x = read_be(v);
      if (v.size() >= 2) {
        // A length sharing its first byte with bit fields (PKE C | Data len, SIGN S type |
        // Signature len): the bit fields' bits are not part of the value.
        std::uint8_t shared = 0;
        std::string_view parent = parent_path(f.path);
        for (const codec::FieldRange& o : scope) {
          if (o.offset == f.offset && o.length == 1 && o.mask != 0xff &&
              parent_path(o.path) == parent) {
            shared |= o.mask;
          }
        }
        x &= ~(std::uint64_t{shared} << (8 * (v.size() - 1)));
      }
      d.value = x;
    }
    d.registry = codec::code_point_registry(f.path);
    if (!d.registry.empty() && d.value && *d.value <= UINT32_MAX) {
      d.name = codec::code_point_name(f.path, static_cast<std::uint32_t>(*d.value));
    }
    if (is_text_field(f.path) && all_printable(v)) {
      d.text.assign(v.begin(), v.end());
    } else if (name == "ts_value") {
      std::optional<std::uint64_t> ts_type = sibling_value(scope, f.path, "ts_type");
      if (ts_type &&
          (*ts_type == codec::raw(codec::TsType::ntp_utc) ||
           *ts_type == codec::raw(codec::TsType::ntp)) &&
          v.size() == 8) {
        std::uint64_t x = read_be(v);
        d.text = ntp_to_utc(static_cast<std::uint32_t>(x >> 32),
                            static_cast<std::uint32_t>(x & 0xffffffffu));
      } else if (ts_type && *ts_type == codec::raw(codec::TsType::ntp_utc_32) && v.size() == 4) {
        d.text = ntp_to_utc(static_cast<std::uint32_t>(read_be(v)), std::nullopt);
      }
    }
    return d;
  }

  void add_deviations(const std::vector<codec::Deviation>& devs) {
    out_.deviations.insert(out_.deviations.end(), devs.begin(), devs.end());
  }

  void note(const codec::FieldRange& f, std::string text) {
    out_.notes.push_back({f.offset, f.path, std::move(text)});
  }

  // Records the outcome of an embedded decode: its fields (expanded in turn), deviations and
  // error (the first error of the whole decode wins; later ones become notes).
  void embed(const codec::FieldRange& container, const codec::ParseState& st, codec::ParseError e,
             int depth) {
    add_deviations(st.deviations);
    expand(st.layout.fields(), depth + 1);
    if (e.code == codec::Errc::ok) return;
    if (!out_.error) {
      out_.error = DecodeError{e, container.path};
    } else {
      note(container, fmt::format("embedded decode failed at offset {}: {}", e.offset,
                                  codec::to_string(e.code)));
    }
  }

  void expand_kemac(const codec::FieldRange& f, const std::vector<codec::FieldRange>& scope,
                    int depth) {
    std::optional<std::uint64_t> alg = sibling_value(scope, f.path, "encr_alg");
    if (!alg) return;
    if (*alg != codec::raw(codec::EncrAlg::null)) {
      std::string_view name = codec::to_string(static_cast<codec::EncrAlg>(*alg));
      note(f, fmt::format("encrypted with {}: the Key data chain needs the key",
                          name.empty() ? "Encr alg " + std::to_string(*alg) : std::string(name)));
      return;
    }
    ByteView data = field_bytes(f);
    codec::ParseState st;
    st.options = options_;
    std::size_t base = f.offset;
    // RFC 3830 §3.2 / §6.2: in the public-key method the plaintext starts with the Initiator's
    // ID payload (Next payload = Key data), then the Key data chain.
    bool top_level =
        f.path.rfind("payload[", 0) == 0 && f.path.find("payload[", 1) == std::string::npos;
    if (top_level && data_type_ == codec::raw(codec::DataType::pk_init) && !data.empty()) {
      codec::FieldReader r(mikey::wire::Reader(data, base), st, f.path + ".payload[0].ID",
                           codec::PayloadType::id);
      std::uint8_t next = 0;
      codec::Id id;
      codec::ParseError e{};
      if (!r.u8("next_payload", next)) {
        e = r.error();
      } else {
        e = codec::parse_body(r, id);
      }
      if (e.code != codec::Errc::ok) return embed(f, st, e, depth);
      std::size_t used = r.offset() - base;
      data = data.subspan(used);
      base += used;
    }
    codec::KeyDataChain chain;
    codec::ParseError e = codec::parse_key_data_chain(data, base, st, f.path, chain);
    embed(f, st, e, depth);
  }

  void expand_key_id(const codec::FieldRange& f, int depth) {
    codec::ParseState st;
    st.options = options_;
    std::vector<codec::KeyIdEntry> entries;
    codec::ParseError e = codec::parse_key_id_info(field_bytes(f), f.offset, st, f.path, entries);
    embed(f, st, e, depth);
  }

  void expand_ticket(const codec::FieldRange& f, const std::vector<codec::FieldRange>& scope,
                     int depth) {
    std::optional<std::uint64_t> type = sibling_value(scope, f.path, "ticket_type");
    std::optional<std::uint64_t> subtype = sibling_value(scope, f.path, "subtype");
    std::optional<std::uint64_t> version = sibling_value(scope, f.path, "version");
    if (!type || !subtype || !version) return;
    const codec::TicketCodec* tc = codec::find_ticket_codec(static_cast<codec::TicketType>(*type),
                                                            static_cast<std::uint8_t>(*subtype),
                                                            static_cast<std::uint8_t>(*version));
    if (tc == nullptr) {
      note(f, fmt::format("no ticket codec for Ticket Type {}, Subtype {}, Version {}: Ticket "
                          "Data shown as bytes",
                          *type, *subtype, *version));
      return;
    }
    if (tc->provisional()) {
      note(f, fmt::format("Ticket Data decoded with {} (provisional layout, unconfirmed-3gpp)",
                          tc->name()));
    }
    codec::ParseState st;
    st.options = options_;
    codec::TicketData td;
    codec::ParseError e = tc->parse(field_bytes(f), f.offset, st, f.path, td);
    embed(f, st, e, depth);
  }

  void expand(const std::vector<codec::FieldRange>& scope, int depth) {
    for (const codec::FieldRange& f : scope) {
      out_.fields.push_back(make_field(f, scope));
      if (depth >= kMaxEmbedding || f.length == 0) continue;
      std::string_view name = last_segment(f.path);
      std::string_view parent = last_segment(parent_path(f.path));
      if (name == "encr_data" && codec::segment_names_payload(parent, codec::PayloadType::kemac)) {
        expand_kemac(f, scope, depth);
      } else if (name == "data" &&
                 codec::segment_names_payload(parent, codec::PayloadType::general_ext)) {
        if (sibling_value(scope, f.path, "type") == codec::raw(codec::GenExtType::key_id)) {
          expand_key_id(f, depth);
        }
      } else if (name == "ticket_data" &&
                 codec::segment_names_payload(parent, codec::PayloadType::ticket)) {
        expand_ticket(f, scope, depth);
      }
    }
  }

  ByteView bytes_;
  codec::ParseOptions options_;
  DecodeResult& out_;
  std::optional<std::uint8_t> data_type_;
};

}  // namespace

DecodeResult decode_message(ByteView bytes, const codec::ParseOptions& options) {
  DecodeResult out;
  out.bytes.assign(bytes.begin(), bytes.end());
  codec::ParseOptions opts = options;
  opts.record_layout = true;  // the decoder is built on the layout map
  Decoder(out.bytes, opts, out).run();
  return out;
}

}  // namespace mikeyconf::inspect
