// Writer: appends big-endian fields, patches length prefixes when a scope closes, and keeps a
// sticky error instead of truncating (BoringSSL CBB). Once an error is set every later call is
// a no-op and ok() stays false.
#pragma once

#include <cstddef>
#include <cstdint>

#include "wire/bytes.h"
#include "wire/errc.h"

namespace mikey::wire {

class Writer {
 public:
  // A length prefix reserved by begin_length(); closed by end_length().
  struct LengthScope {
    std::size_t at = 0;
    std::uint8_t width = 0;
  };

  void u8(std::uint8_t v) { put_be(v, 1); }
  void u16(std::uint16_t v) { put_be(v, 2); }
  void u24(std::uint32_t v);
  void u32(std::uint32_t v) { put_be(v, 4); }
  void u64(std::uint64_t v) { put_be(v, 8); }
  void bytes(ByteView v);

  // Reserves a `width`-byte (1 or 2) length prefix for what is written until end_length().
  LengthScope begin_length(std::uint8_t width);
  // Writes the byte count since begin_length() into the prefix; sets length_overflow when it
  // does not fit.
  void end_length(LengthScope scope);
  // Overwrites an already written byte (e.g. a Next Payload field known only later).
  void patch_u8(std::size_t at, std::uint8_t v);
  // Records `e` unless an error is already set.
  void fail(Errc e) noexcept;

  bool ok() const noexcept { return error_ == Errc::ok; }
  Errc error() const noexcept { return error_; }
  std::size_t size() const noexcept { return out_.size(); }
  const Bytes& data() const noexcept { return out_; }
  Bytes take() && { return std::move(out_); }

 private:
  void put_be(std::uint64_t v, std::size_t n);

  Bytes out_;
  Errc error_ = Errc::ok;
};

}  // namespace mikey::wire
