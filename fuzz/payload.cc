// One payload parser in isolation: the input is a payload starting at its Next payload byte
// (none for SIGN), parsed as the first element of a chain of type MIKEY_FUZZ_PAYLOAD_TYPE
// (a codec::PayloadType value, set per target in fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>

#include "codec/message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mikey::codec;
  constexpr auto kType = static_cast<PayloadType>(MIKEY_FUZZ_PAYLOAD_TYPE);
  ParseState st;
  FieldReader r(mikey::wire::Reader({data, size}), st, "", PayloadType::last);
  std::vector<Payload> out;
  ParseError e = parse_chain(r, kType, out);
  // A payload that parsed must serialise back to exactly the bytes it was read from.
  if (e.code == Errc::ok && !out.empty() && out.size() == 1 && out[0].type != PayloadType::sign) {
    SerializeState ws;
    FieldWriter w(ws, "");
    serialize_chain(w, out);
    if (!ws.ok()) __builtin_trap();
    const mikey::Bytes& b = ws.writer.data();
    // The chain parser read Next payload from the input; the serialiser writes 0 for a lone
    // payload, so compare everything after that byte.
    if (b.size() != out[0].length) __builtin_trap();
    for (std::size_t i = 1; i < b.size(); ++i)
      if (b[i] != data[i]) __builtin_trap();
  }
  return 0;
}
