// FieldReader / FieldWriter: the wire Reader and Writer plus naming, so that every field a
// payload parser reads and every field its serialiser writes lands in the layout map under
// the same path. Parsers and serialisers are written side by side with the same field names.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/errc.h"
#include "codec/layout.h"
#include "wire/bytes.h"
#include "wire/reader.h"
#include "wire/writer.h"

namespace mikey::codec {

struct ParseOptions {
  std::size_t max_payloads = 256;  // per chain; a real message has fewer than 30
  int max_depth = 4;               // embedded chains (TP Data, Initiator Data, Ticket Data)
  // When true, every field read lands in the layout map under its path (decoders, mutation
  // knobs). Off by default: no layout map and no path string is built, which keeps parsing
  // (and fuzzing it) free of one allocation per field.
  bool record_layout = false;
};
// The options of a parse that records the layout map (decoders, mutation knobs, MAC inputs).
inline constexpr ParseOptions kWithLayout{.record_layout = true};

// State shared by every FieldReader of one parse.
struct ParseState {
  ParseOptions options;
  Layout layout;
  std::vector<Deviation> deviations;
  int depth = 0;

  void deviate(DeviationKind kind, std::size_t offset, std::string detail) {
    deviations.push_back({kind, static_cast<std::uint32_t>(offset), std::move(detail)});
  }
};

// One named bit field inside a byte.
struct BitField {
  std::string_view name;
  std::uint8_t mask;
};

// A length-prefixed byte field: `length` (width bytes, 1 or 2) then that many bytes of `data`
// (RAND, ID, CERT, General Ext, ... RFC 3830 §6).
struct Counted {
  std::string_view length;
  std::string_view data;
  int width;
};

// A code point, then a length-prefixed byte field (ID, CERT RFC 3830 §6.7, General Ext §6.15,
// RANDR RFC 6043 §6.8).
struct Typed {
  std::string_view code;
  Counted data;
};

// A code point, then data whose length the code point implies (CHASH RFC 3830 §6.8, V §6.9);
// an unknown code point is `unknown` at the code point's offset.
template <class E>
struct Implied {
  std::string_view code;
  std::string_view data;
  std::optional<std::size_t> (*length)(E) noexcept;
  Errc unknown;
};

// A 16-bit word: a code point in the bits above `shift`, the data length below, then the data
// (PKE C|Data len RFC 3830 §6.3, SIGN S type|Signature len §6.5).
struct Packed {
  BitField code;
  int shift;
  std::string_view length;
  std::string_view data;
  std::uint16_t length_mask() const noexcept {
    return static_cast<std::uint16_t>((1u << shift) - 1);
  }
};

// "prefix.name" (just `name` at the root).
std::string join_path(std::string_view prefix, std::string_view name);
// "name[index]", the path segment of one element of a repeated structure.
std::string indexed(std::string_view name, std::size_t index);

class FieldReader {
 public:
  // `prefix` is kept only when the parse records a layout (ParseOptions::record_layout).
  FieldReader(wire::Reader reader, ParseState& state, std::string_view prefix, PayloadType where)
      : r_(reader),
        st_(&state),
        prefix_(state.options.record_layout ? std::string(prefix) : std::string()),
        where_(where) {}

  // Each read records `prefix.name` in the layout. On failure it returns false, leaves the
  // cursor unmoved and error() reports truncated at the current offset.
  bool u8(std::string_view name, std::uint8_t& v) noexcept;
  bool u16(std::string_view name, std::uint16_t& v) noexcept;
  bool u32(std::string_view name, std::uint32_t& v) noexcept;
  bool u64(std::string_view name, std::uint64_t& v) noexcept;
  bool bytes(std::string_view name, std::size_t n, Bytes& out) noexcept;
  bool counted(const Counted& f, Bytes& out) noexcept;
  // Reads one byte and records each named bit field over it.
  bool bits(std::uint8_t& byte, std::initializer_list<BitField> fields) noexcept;
  // Two-byte variant (PKE C|Data len, SIGN S type|Signature len).
  bool bits16(std::uint16_t& v, std::initializer_list<BitField> high_byte_fields,
              std::string_view value_name) noexcept;
  // A code point of enum type E (1 or 2 bytes on the wire).
  template <class E>
  bool code(std::string_view name, E& v) noexcept {
    if constexpr (sizeof(E) == 1) {
      std::uint8_t x = 0;
      if (!u8(name, x)) return false;
      v = static_cast<E>(x);
    } else {
      std::uint16_t x = 0;
      if (!u16(name, x)) return false;
      v = static_cast<E>(x);
    }
    return true;
  }

  template <class E>
  ParseError typed(const Typed& f, E& code_out, Bytes& out) noexcept {
    return result(code(f.code, code_out) && counted(f.data, out));
  }
  template <class E>
  ParseError implied(const Implied<E>& f, E& code_out, Bytes& out) noexcept {
    if (!code(f.code, code_out)) return error();
    const std::optional<std::size_t> len = f.length(code_out);
    if (!len) return fail(f.unknown, offset() - sizeof(E));
    return result(bytes(f.data, *len, out));
  }
  template <class E>
  ParseError packed(const Packed& f, E& code_out, Bytes& out) noexcept {
    std::uint16_t word = 0;
    if (!bits16(word, {f.code}, f.length)) return error();
    code_out = static_cast<E>(word >> f.shift);
    return result(bytes(f.data, word & f.length_mask(), out));
  }

  // A reader over the next n bytes for an embedded structure with a longer path prefix.
  bool nested(std::string_view name, std::size_t n, FieldReader& out) noexcept;
  // A reader at the same position whose path prefix is make_path(), called only when the parse
  // records a layout; otherwise the prefix stays empty and costs no allocation.
  template <class MakePath>
  FieldReader child_at(PayloadType where, MakePath&& make_path) const {
    FieldReader c(r_, *st_, std::string_view(), where);
    if (recording()) c.prefix_ = make_path();
    return c;
  }
  // The structure `name` (or `name[index]`) inside this one, at the same position.
  FieldReader child(std::string_view name, PayloadType where) const {
    return child_at(where, [&] { return join_path(prefix_, name); });
  }
  FieldReader child(std::string_view name, std::size_t index, PayloadType where) const {
    return child_at(where, [&] { return join_path(prefix_, indexed(name, index)); });
  }
  bool recording() const noexcept { return st_->options.record_layout; }

  ParseError error() const noexcept { return fail(Errc::truncated, r_.offset()); }
  // No error when every read succeeded (`ok`), else error().
  ParseError result(bool ok) const noexcept { return ok ? ParseError{} : error(); }
  ParseError fail(Errc code, std::size_t offset) const noexcept {
    return {code, static_cast<std::uint32_t>(offset), where_};
  }
  void deviate(DeviationKind kind, std::size_t offset, std::string detail) {
    st_->deviate(kind, offset, std::move(detail));
  }
  void record(std::string_view name, std::size_t offset, std::size_t length,
              std::uint8_t mask = 0xff);

  wire::Reader& reader() noexcept { return r_; }
  const wire::Reader& reader() const noexcept { return r_; }
  std::size_t offset() const noexcept { return r_.offset(); }
  std::size_t remaining() const noexcept { return r_.remaining(); }
  ParseState& state() noexcept { return *st_; }
  const std::string& prefix() const noexcept { return prefix_; }
  PayloadType where() const noexcept { return where_; }

 private:
  template <class T>
  bool number(std::string_view name, T& v, bool (wire::Reader::*read)(T&) noexcept) noexcept;

  wire::Reader r_;
  ParseState* st_;
  std::string prefix_;
  PayloadType where_;
};

// State shared by every FieldWriter of one serialisation.
struct SerializeState {
  wire::Writer writer;
  Layout* layout = nullptr;  // may be null: no layout map wanted
  Errc error = Errc::ok;     // first codec-level error (the writer's own error is sticky too)

  void fail(Errc e) {
    if (error == Errc::ok) error = e;
    writer.fail(wire::Errc::length_overflow);  // stop all later writes
  }
  bool ok() const noexcept { return error == Errc::ok && writer.ok(); }
  // The first error, with a writer overflow reported as field_too_large.
  Errc status() const noexcept {
    if (error != Errc::ok) return error;
    return writer.ok() ? Errc::ok : Errc::field_too_large;
  }
};

class FieldWriter {
 public:
  // `prefix` is kept only when a layout map is wanted (SerializeState::layout).
  FieldWriter(SerializeState& state, std::string_view prefix)
      : st_(&state), prefix_(state.layout != nullptr ? std::string(prefix) : std::string()) {}

  void u8(std::string_view name, std::uint8_t v);
  void u16(std::string_view name, std::uint16_t v);
  void u32(std::string_view name, std::uint32_t v);
  void u64(std::string_view name, std::uint64_t v);
  void bytes(std::string_view name, ByteView v);
  void bits(std::uint8_t byte, std::initializer_list<BitField> fields);
  void bits16(std::uint16_t v, std::initializer_list<BitField> high_byte_fields,
              std::string_view value_name);
  // Writes a length field of `width` bytes (1 or 2) holding n; field_too_large when n does not
  // fit (or exceeds `max`, for fields narrower than their bytes, e.g. PKE's 14 bits).
  void length(std::string_view name, std::size_t n, int width, std::size_t max = 0);
  void counted(const Counted& f, ByteView v);
  template <class E>
  void typed(const Typed& f, E code_in, ByteView v) {
    code(f.code, code_in);
    counted(f.data, v);
  }
  template <class E>
  void implied(const Implied<E>& f, E code_in, ByteView v) {
    const std::optional<std::size_t> len = f.length(code_in);
    if (!len || *len != v.size()) return fail(Errc::inconsistent_model);
    code(f.code, code_in);
    bytes(f.data, v);
  }
  template <class E>
  void packed(const Packed& f, E code_in, ByteView v) {
    const auto c = static_cast<std::uint32_t>(code_in);
    if (c > (0xffffu >> f.shift)) return fail(Errc::inconsistent_model);  // does not fit
    if (v.size() > f.length_mask()) return fail(Errc::field_too_large);
    bits16(static_cast<std::uint16_t>((c << f.shift) | v.size()), {f.code}, f.length);
    bytes(f.data, v);
  }
  template <class E>
  void code(std::string_view name, E v) {
    if constexpr (sizeof(E) == 1) {
      u8(name, static_cast<std::uint8_t>(v));
    } else {
      u16(name, static_cast<std::uint16_t>(v));
    }
  }
  // As FieldReader::child_at / child: the path is built only when a layout map is wanted.
  template <class MakePath>
  FieldWriter child_at(MakePath&& make_path) const {
    FieldWriter c(*st_, std::string_view());
    if (recording()) c.prefix_ = make_path();
    return c;
  }
  FieldWriter child(std::string_view name) const {
    return child_at([&] { return join_path(prefix_, name); });
  }
  FieldWriter child(std::string_view name, std::size_t index) const {
    return child_at([&] { return join_path(prefix_, indexed(name, index)); });
  }
  bool recording() const noexcept { return st_->layout != nullptr; }
  void fail(Errc e) { st_->fail(e); }
  void record(std::string_view name, std::size_t offset, std::size_t length,
              std::uint8_t mask = 0xff);

  wire::Writer& writer() noexcept { return st_->writer; }
  std::size_t offset() const noexcept { return st_->writer.size(); }
  const std::string& prefix() const noexcept { return prefix_; }
  SerializeState& state() noexcept { return *st_; }

 private:
  template <class T>
  void number(std::string_view name, T v, void (wire::Writer::*write)(T));

  SerializeState* st_;
  std::string prefix_;
};

// parse_body and serialize_body of a payload P that is one shape (typed, implied, packed: the
// FieldReader / FieldWriter members) over `spec`, its code point member and its data member.
#define MIKEY_SHAPED_BODY(P, shape, spec, code_member, data_member) \
  ParseError parse_body(FieldReader& r, P& out) noexcept {          \
    return r.shape(spec, out.code_member, out.data_member);         \
  }                                                                 \
  void serialize_body(FieldWriter& w, const P& in) {                \
    w.shape(spec, in.code_member, in.data_member);                  \
  }

}  // namespace mikey::codec
