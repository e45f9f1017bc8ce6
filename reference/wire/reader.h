// Reader: the bounds-checked cursor every byte of wire input goes through (BoringSSL CBS,
// s2n stuffer). Each read either succeeds and advances, or fails and leaves the cursor
// exactly where it was. Offsets are absolute within the outermost input so errors and the
// layout map name positions in the message as received.
#pragma once

#include <cstddef>
#include <cstdint>

#include "wire/bytes.h"

namespace mikey::wire {

class Reader {
 public:
  Reader() = default;
  // `base` is the absolute offset of data[0] in the outermost input.
  explicit Reader(ByteView data, std::size_t base = 0) noexcept : data_(data), base_(base) {}

  // Each returns false (cursor unmoved, `out` untouched) when too few bytes remain.
  [[nodiscard]] bool u8(std::uint8_t& out) noexcept;
  [[nodiscard]] bool u16(std::uint16_t& out) noexcept;
  [[nodiscard]] bool u24(std::uint32_t& out) noexcept;
  [[nodiscard]] bool u32(std::uint32_t& out) noexcept;
  [[nodiscard]] bool u64(std::uint64_t& out) noexcept;
  [[nodiscard]] bool bytes(std::size_t n, ByteView& out) noexcept;
  // A Reader over the next n bytes, with absolute offsets preserved.
  [[nodiscard]] bool sub(std::size_t n, Reader& out) noexcept;
  [[nodiscard]] bool skip(std::size_t n) noexcept;
  // Reads the next byte without consuming it.
  [[nodiscard]] bool peek_u8(std::uint8_t& out) const noexcept;

  std::size_t remaining() const noexcept { return data_.size() - pos_; }
  bool empty() const noexcept { return remaining() == 0; }
  // Absolute offset of the next byte to be read.
  std::size_t offset() const noexcept { return base_ + pos_; }
  // The unread bytes.
  ByteView rest() const noexcept { return data_.subspan(pos_); }
  // The bytes consumed since absolute offset `from` (clamped to this reader's data).
  ByteView since(std::size_t from) const noexcept;

 private:
  // Reads n bytes big-endian into out (n <= sizeof(T)).
  template <class T>
  bool read_be(std::size_t n, T& out) noexcept;

  ByteView data_;
  std::size_t pos_ = 0;
  std::size_t base_ = 0;
};

}  // namespace mikey::wire
