// Base64 decoding (RFC 4648) in both modes; a decoded strict input must re-encode to itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wire/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mikey::wire;
  std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT: fuzz input
  auto strict = base64_decode(text, Base64Mode::strict);
  auto lenient = base64_decode(text, Base64Mode::lenient);
  if (strict.ok()) {
    if (!lenient.ok() || lenient.value() != strict.value()) __builtin_trap();
    if (base64_encode(strict.value()) != text) __builtin_trap();
  } else if (strict.error().offset > size) {
    __builtin_trap();
  }
  return 0;
}
