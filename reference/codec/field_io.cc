#include "codec/field_io.h"

namespace mikey::codec {

std::string join_path(std::string_view prefix, std::string_view name) {
  std::string p;
  p.reserve(prefix.size() + 1 + name.size());
  p.append(prefix);
  if (!prefix.empty() && !name.empty()) p.push_back('.');
  p.append(name);
  return p;
}

std::string indexed(std::string_view name, std::size_t index) {
  std::string s(name);
  s.push_back('[');
  s.append(std::to_string(index));
  s.push_back(']');
  return s;
}

void FieldReader::record(std::string_view name, std::size_t offset, std::size_t length,
                         std::uint8_t mask) {
  if (recording()) st_->layout.add(join_path(prefix_, name), offset, length, mask);
}

template <class T>
bool FieldReader::number(std::string_view name, T& v,
                         bool (wire::Reader::*read)(T&) noexcept) noexcept {
  std::size_t at = r_.offset();
  if (!(r_.*read)(v)) return false;
  record(name, at, sizeof(T));
  return true;
}

bool FieldReader::u8(std::string_view name, std::uint8_t& v) noexcept {
  return number(name, v, &wire::Reader::u8);
}
bool FieldReader::u16(std::string_view name, std::uint16_t& v) noexcept {
  return number(name, v, &wire::Reader::u16);
}
bool FieldReader::u32(std::string_view name, std::uint32_t& v) noexcept {
  return number(name, v, &wire::Reader::u32);
}
bool FieldReader::u64(std::string_view name, std::uint64_t& v) noexcept {
  return number(name, v, &wire::Reader::u64);
}

bool FieldReader::bytes(std::string_view name, std::size_t n, Bytes& out) noexcept {
  std::size_t at = r_.offset();
  ByteView v;
  if (!r_.bytes(n, v)) return false;
  out.assign(v.begin(), v.end());
  record(name, at, n);
  return true;
}

bool FieldReader::counted(const Counted& f, Bytes& out) noexcept {
  if (f.width == 1) {
    std::uint8_t len = 0;
    return u8(f.length, len) && bytes(f.data, len, out);
  }
  std::uint16_t len = 0;
  return u16(f.length, len) && bytes(f.data, len, out);
}

bool FieldReader::bits(std::uint8_t& byte, std::initializer_list<BitField> fields) noexcept {
  std::size_t at = r_.offset();
  if (!r_.u8(byte)) return false;
  for (const BitField& f : fields) record(f.name, at, 1, f.mask);
  return true;
}

bool FieldReader::bits16(std::uint16_t& v, std::initializer_list<BitField> high_byte_fields,
                         std::string_view value_name) noexcept {
  std::size_t at = r_.offset();
  if (!r_.u16(v)) return false;
  for (const BitField& f : high_byte_fields) record(f.name, at, 1, f.mask);
  record(value_name, at, 2);
  return true;
}

bool FieldReader::nested(std::string_view name, std::size_t n, FieldReader& out) noexcept {
  wire::Reader sub;
  if (!r_.sub(n, sub)) return false;
  out = child(name, where_);
  out.r_ = sub;
  return true;
}

template <class T>
void FieldWriter::number(std::string_view name, T v, void (wire::Writer::*write)(T)) {
  record(name, offset(), sizeof(T));
  (writer().*write)(v);
}

void FieldWriter::record(std::string_view name, std::size_t offset, std::size_t length,
                         std::uint8_t mask) {
  if (recording()) st_->layout->add(join_path(prefix_, name), offset, length, mask);
}

void FieldWriter::u8(std::string_view name, std::uint8_t v) { number(name, v, &wire::Writer::u8); }
void FieldWriter::u16(std::string_view name, std::uint16_t v) {
  number(name, v, &wire::Writer::u16);
}
void FieldWriter::u32(std::string_view name, std::uint32_t v) {
  number(name, v, &wire::Writer::u32);
}
void FieldWriter::u64(std::string_view name, std::uint64_t v) {
  number(name, v, &wire::Writer::u64);
}

void FieldWriter::bytes(std::string_view name, ByteView v) {
  record(name, offset(), v.size());
  writer().bytes(v);
}

void FieldWriter::counted(const Counted& f, ByteView v) {
  length(f.length, v.size(), f.width);
  bytes(f.data, v);
}

void FieldWriter::bits(std::uint8_t byte, std::initializer_list<BitField> fields) {
  for (const BitField& f : fields) record(f.name, offset(), 1, f.mask);
  writer().u8(byte);
}

void FieldWriter::bits16(std::uint16_t v, std::initializer_list<BitField> high_byte_fields,
                         std::string_view value_name) {
  for (const BitField& f : high_byte_fields) record(f.name, offset(), 1, f.mask);
  record(value_name, offset(), 2);
  writer().u16(v);
}

void FieldWriter::length(std::string_view name, std::size_t n, int width, std::size_t max) {
  std::size_t limit = max != 0 ? max : (width == 1 ? 0xffu : 0xffffu);
  if (n > limit) return fail(Errc::field_too_large);
  if (width == 1) {
    u8(name, static_cast<std::uint8_t>(n));
  } else {
    u16(name, static_cast<std::uint16_t>(n));
  }
}

}  // namespace mikey::codec
