// Whole MIKEY message: HDR and the payload chain. Any input must yield a typed outcome.
#include <cstddef>
#include <cstdint>

#include "codec/message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mikey::codec::ParseOutcome out = mikey::codec::parse_message({data, size});
  // Every error must point inside (or just past) the input.
  if (!out.ok() && out.error.offset > size) __builtin_trap();
  return 0;
}
