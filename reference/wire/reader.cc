#include "wire/reader.h"

namespace mikey::wire {

template <class T>
bool Reader::read_be(std::size_t n, T& out) noexcept {
  if (remaining() < n) return false;
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | data_[pos_ + i];
  pos_ += n;
  out = static_cast<T>(v);
  return true;
}

bool Reader::u8(std::uint8_t& out) noexcept { return read_be(1, out); }
bool Reader::u16(std::uint16_t& out) noexcept { return read_be(2, out); }
bool Reader::u24(std::uint32_t& out) noexcept { return read_be(3, out); }
bool Reader::u32(std::uint32_t& out) noexcept { return read_be(4, out); }
bool Reader::u64(std::uint64_t& out) noexcept { return read_be(8, out); }

bool Reader::bytes(std::size_t n, ByteView& out) noexcept {
  if (remaining() < n) return false;
  out = data_.subspan(pos_, n);
  pos_ += n;
  return true;
}

bool Reader::sub(std::size_t n, Reader& out) noexcept {
  if (remaining() < n) return false;
  out = Reader(data_.subspan(pos_, n), base_ + pos_);
  pos_ += n;
  return true;
}

bool Reader::skip(std::size_t n) noexcept {
  if (remaining() < n) return false;
  pos_ += n;
  return true;
}

bool Reader::peek_u8(std::uint8_t& out) const noexcept {
  if (empty()) return false;
  out = data_[pos_];
  return true;
}

ByteView Reader::since(std::size_t from) const noexcept {
  if (from < base_ || from > offset()) return {};
  return data_.subspan(from - base_, offset() - from);
}

}  // namespace mikey::wire
