// bytes → model → bytes must be the identity for every message the parser accepts, and the
// layout maps of parse and serialisation must agree. Aborts on any difference.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "codec/message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mikey::codec;
  ParseOutcome out = parse_message({data, size}, kWithLayout);
  if (!out.ok()) return 0;
  Layout layout;
  auto again = serialize_message(out.message, &layout);
  if (!again.ok()) __builtin_trap();
  if (again.value().size() != size || std::memcmp(again.value().data(), data, size) != 0) {
    __builtin_trap();
  }
  if (!(layout == out.layout)) __builtin_trap();
  return 0;
}
