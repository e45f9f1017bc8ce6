#include "tools/decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "codec/field_names.h"
#include "codec/payloads.h"
#include "codec/ticket_codec.h"
#include "tools/pcap.h"
#include "tools/render.h"
#include "wire/base64.h"
#include "wire/hex.h"

namespace mikeyconf::tools {

namespace codec = mikey::codec;
using mikey::Bytes;
using mikey::ByteView;

// ---------------------------------------------------------------------------------------------
// Input

std::string_view to_string(InputFormat f) noexcept {
  switch (f) {
    case InputFormat::automatic:
      return "auto";
    case InputFormat::hex:
      return "hex";
    case InputFormat::base64:
      return "base64";
    case InputFormat::binary:
      return "binary";
  }
  return "?";
}

namespace {

bool is_ascii_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_hex_digit(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_base64_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

// Replaces '#' comments (to the end of the line) and ':' byte separators (Wireshark's
// "c2:dd:e4") with spaces, so offsets stay those of `raw`.
std::string blank_comments(std::string_view raw) {
  std::string out(raw);
  bool comment = false;
  for (char& c : out) {
    if (c == '\n') {
      comment = false;
    } else if (c == '#' || comment) {
      comment = true;
      c = ' ';
    } else if (c == ':') {
      c = ' ';
    }
  }
  return out;
}

std::string describe_char(std::string_view raw, std::size_t offset) {
  if (offset >= raw.size()) return "end of input";
  auto c = static_cast<unsigned char>(raw[offset]);
  if (c >= 0x21 && c <= 0x7e) return fmt::format("'{}'", static_cast<char>(c));
  return fmt::format("byte 0x{:02x}", c);
}

}  // namespace

InputFormat detect_format(std::string_view raw) noexcept {
  bool hex = true;
  bool any_hex = false;
  bool comment = false;
  for (char c : raw) {
    if (c == '\n') comment = false;
    if (comment || is_ascii_space(c) || c == ':') continue;
    if (c == '#') {
      comment = true;
    } else if (is_hex_digit(c)) {
      any_hex = true;
    } else {
      hex = false;
      break;
    }
  }
  if (hex && any_hex) return InputFormat::hex;
  // Whitespace other than CR/LF is accepted here so that decode_input() can point at it.
  bool any_b64 = false;
  for (char c : raw) {
    if (is_ascii_space(c)) continue;
    if (!is_base64_char(c)) return InputFormat::binary;
    any_b64 = true;
  }
  return any_b64 ? InputFormat::base64 : InputFormat::binary;
}

std::optional<DecodedInput> decode_input(std::string_view raw, InputFormat format,
                                         InputError& error) {
  if (raw.empty()) {
    error.message = "empty input";
    return std::nullopt;
  }
  DecodedInput out;
  out.format = format == InputFormat::automatic ? detect_format(raw) : format;
  switch (out.format) {
    case InputFormat::automatic:  // not returned by detect_format
    case InputFormat::hex: {
      auto r = mikey::wire::from_hex(blank_comments(raw));
      if (!r) {
        error.message = fmt::format("bad hex input at offset {} ({}): {}", r.error().offset,
                                    describe_char(raw, r.error().offset),
                                    mikey::wire::to_string(r.error().code));
        return std::nullopt;
      }
      out.bytes = std::move(r).value();
      break;
    }
    case InputFormat::base64: {
      std::size_t lead = 0;
      while (lead < raw.size() && is_ascii_space(raw[lead])) ++lead;
      std::size_t end = raw.size();
      while (end > lead && is_ascii_space(raw[end - 1])) --end;
      std::string_view body = raw.substr(lead, end - lead);
      auto r = mikey::wire::base64_decode(body, mikey::wire::Base64Mode::lenient);
      if (!r) {
        std::size_t at = lead + r.error().offset;
        error.message = fmt::format("bad base64 input at offset {} ({}): {}", at,
                                    describe_char(raw, at), mikey::wire::to_string(r.error().code));
        return std::nullopt;
      }
      out.bytes = std::move(r).value();
      break;
    }
    case InputFormat::binary: {
      ByteView v = mikey::as_bytes(raw);
      out.bytes.assign(v.begin(), v.end());
      break;
    }
  }
  if (out.bytes.empty()) {
    error.message = fmt::format("empty input (no bytes after {} decoding)", to_string(out.format));
    return std::nullopt;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding

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

// ---------------------------------------------------------------------------------------------
// The subcommand

const std::string_view kDecodeUsage =
    "usage: mikeyconf decode [--hex|--base64|--binary] [--json] [--pcap FILE] [FILE|-]\n"
    "\n"
    "Decodes one MIKEY message (RFC 3830, RFC 6043 MIKEY-TICKET) and prints every field with\n"
    "its offset, length, value and code-point name, including the Key data of a NULL-encrypted\n"
    "KEMAC, the Ticket Data of a TICKET and RFC 4563 Key ID information.\n"
    "\n"
    "  FILE, -       input file; '-' or no FILE reads standard input\n"
    "  --hex         input is hex text (whitespace, ':' and '#' comments are skipped)\n"
    "  --base64      input is base64, e.g. a TS 33.328 Annex A HTTP body (CR/LF skipped)\n"
    "  --binary      input is the message itself\n"
    "                (default: detected from the content)\n"
    "  --json        print one JSON object instead of the tree\n"
    "  --pcap FILE   also write the binary message to FILE as a pcap (link type 147,\n"
    "                DLT_USER0; tshark -o 'uat:user_dlts:\"User 0 (DLT=147)\",\"mikey\",\"0\",\"\","
    "\"0\",\"\"')\n"
    "\n"
    "exit status: 0 valid, 1 malformed message, 2 usage error (bad option, unreadable or\n"
    "empty input, bad hex/base64)\n";

namespace {

struct DecodeArgs {
  InputFormat format = InputFormat::automatic;
  bool json = false;
  std::optional<std::string> pcap;
  std::optional<std::string> file;  // nullopt or "-": stdin
};

int usage_error(Io& io, std::string_view message) {
  io.err << "mikeyconf decode: " << message << "\n"
         << "usage: mikeyconf decode [--hex|--base64|--binary] [--json] [--pcap FILE] "
            "[FILE|-]\n";
  return kExitUsage;
}

bool read_all(std::istream& in, std::string& out) {
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int decode_main(std::span<const std::string_view> args, Io& io) {
  DecodeArgs a;
  bool format_given = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    auto set_format = [&](InputFormat f) {
      if (format_given && a.format != f) return false;
      a.format = f;
      format_given = true;
      return true;
    };
    if (arg == "-h" || arg == "--help") {
      io.out << kDecodeUsage;
      return kExitOk;
    } else if (arg == "--hex" || arg == "--base64" || arg == "--binary") {
      InputFormat f = arg == "--hex"      ? InputFormat::hex
                      : arg == "--base64" ? InputFormat::base64
                                          : InputFormat::binary;
      if (!set_format(f)) return usage_error(io, "--hex, --base64 and --binary exclude each other");
    } else if (arg == "--json") {
      a.json = true;
    } else if (arg == "--pcap" || arg.rfind("--pcap=", 0) == 0) {
      if (arg == "--pcap") {
        if (i + 1 >= args.size()) return usage_error(io, "--pcap needs a file name");
        a.pcap = std::string(args[++i]);
      } else {
        a.pcap = std::string(arg.substr(7));
      }
      if (a.pcap->empty()) return usage_error(io, "--pcap needs a file name");
    } else if (arg == "--") {
      if (i + 2 < args.size()) return usage_error(io, "more than one input file");
      if (i + 1 < args.size()) {
        if (a.file) return usage_error(io, "more than one input file");
        a.file = std::string(args[i + 1]);
      }
      break;
    } else if (arg.size() > 1 && arg[0] == '-') {
      return usage_error(io, fmt::format("unknown option '{}'", arg));
    } else {
      if (a.file) return usage_error(io, "more than one input file");
      a.file = std::string(arg);
    }
  }

  std::string raw;
  if (!a.file || *a.file == "-") {
    if (!read_all(io.in, raw)) return usage_error(io, "cannot read standard input");
  } else {
    std::error_code ec;
    if (std::filesystem::is_directory(*a.file, ec)) {
      return usage_error(io, fmt::format("cannot read {}: is a directory", *a.file));
    }
    errno = 0;
    std::ifstream f(*a.file, std::ios::binary);
    if (!f) {
      return usage_error(io, fmt::format("cannot read {}: {}", *a.file,
                                         errno != 0 ? std::strerror(errno) : "open failed"));
    }
    if (!read_all(f, raw)) return usage_error(io, fmt::format("cannot read {}", *a.file));
  }

  InputError input_error;
  std::optional<DecodedInput> input = decode_input(raw, a.format, input_error);
  if (!input) return usage_error(io, input_error.message);

  if (a.pcap) {
    const PcapPacket packet{input->bytes, 0, 0};
    std::string error;
    if (!write_pcap_file(*a.pcap, std::span(&packet, 1), kLinkTypeUser0, &error)) {
      return usage_error(io, error);
    }
  }

  DecodeResult result = decode_message(input->bytes);
  if (a.json) {
    Json j = render_json(result);
    j.set("input_format", std::string(to_string(input->format)));
    io.out << j.dump(2, 160) << "\n";
  } else {
    io.out << render_tree(result, input->format);
  }
  io.out.flush();
  return result.valid() ? kExitOk : kExitFailed;
}

}  // namespace mikeyconf::tools
