// Hex decoding; decoded input re-encodes to the same digits (case and spacing aside).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wire/hex.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mikey::wire;
  std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT: fuzz input
  auto r = from_hex(text);
  if (r.ok()) {
    auto back = from_hex(to_hex(r.value()));
    if (!back.ok() || back.value() != r.value()) __builtin_trap();
  } else if (r.error().offset > size) {
    __builtin_trap();
  }
  return 0;
}
