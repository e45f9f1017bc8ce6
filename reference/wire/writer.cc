#include "wire/writer.h"

namespace mikey::wire {

void Writer::put_be(std::uint64_t v, std::size_t n) {
  if (!ok()) return;
  for (std::size_t i = n; i > 0; --i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * (i - 1))));
}

void Writer::u24(std::uint32_t v) {
  if (v > 0xffffffu) return fail(Errc::length_overflow);
  put_be(v, 3);
}

void Writer::bytes(ByteView v) {
  if (!ok()) return;
  out_.insert(out_.end(), v.begin(), v.end());
}

Writer::LengthScope Writer::begin_length(std::uint8_t width) {
  LengthScope s{out_.size(), width};
  put_be(0, width);
  return s;
}

void Writer::end_length(LengthScope scope) {
  if (!ok()) return;
  std::size_t len = out_.size() - scope.at - scope.width;
  if (scope.width < 8 && len >= (std::uint64_t{1} << (8 * scope.width))) {
    return fail(Errc::length_overflow);
  }
  for (std::size_t i = 0; i < scope.width; ++i) {
    out_[scope.at + i] = static_cast<std::uint8_t>(len >> (8 * (scope.width - 1 - i)));
  }
}

void Writer::patch_u8(std::size_t at, std::uint8_t v) {
  if (!ok()) return;
  if (at >= out_.size()) return fail(Errc::truncated);
  out_[at] = v;
}

void Writer::fail(Errc e) noexcept {
  if (ok()) error_ = e;
}

}  // namespace mikey::wire
