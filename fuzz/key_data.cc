// The key data sub-payload chain of a decrypted KEMAC (RFC 3830 §6.13, §6.14).
#include <cstddef>
#include <cstdint>

#include "codec/payloads.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mikey::codec;
  ParseState st;
  KeyDataChain chain;
  ParseError e = parse_key_data_chain({data, size}, 0, st, "key_data", chain);
  if (e.code == Errc::ok) {
    mikey::Bytes again;
    if (serialize_key_data_chain(chain, again) != Errc::ok) __builtin_trap();
    if (again.size() != size) __builtin_trap();
    for (std::size_t i = 0; i < size; ++i)
      if (again[i] != data[i]) __builtin_trap();
  }
  return 0;
}
