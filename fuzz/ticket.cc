// A ticket format's Ticket Data parser (ticket_codec.h): MIKEY base ticket for
// MIKEY_FUZZ_TICKET_TYPE=1 (RFC 6043 App. A), the provisional Type 2 codec for 2
// (PROVISIONAL, NOT 3GPP: TS 33.328 Annex D unavailable). A parsed ticket must re-encode to
// the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "codec/ticket_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mikey::codec;
  const TicketCodec& codec =
      MIKEY_FUZZ_TICKET_TYPE == 1 ? mikey_base_ticket_codec() : provisional_type2_ticket_codec();
  ParseState st;
  TicketData td;
  ParseError e = codec.parse({data, size}, 0, st, "ticket_data", td);
  if (e.code != Errc::ok) {
    if (e.offset > size) __builtin_trap();
    return 0;
  }
  auto again = codec.serialize(td);
  if (!again.ok() || again.value().size() != size ||
      std::memcmp(again.value().data(), data, size) != 0) {
    __builtin_trap();
  }
  return 0;
}
