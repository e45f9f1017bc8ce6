// Byte containers shared by every layer.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace mikey {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) noexcept {
  // The one sanctioned char → byte view conversion outside Reader/Writer.
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};  // NOLINT
}

inline Bytes to_bytes(std::string_view s) {
  ByteView v = as_bytes(s);
  return Bytes(v.begin(), v.end());
}

inline Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace mikey
