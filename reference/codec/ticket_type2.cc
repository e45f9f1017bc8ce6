// PROVISIONAL, NOT 3GPP: Ticket Type 2 ("3GPP base ticket", RFC 6043 §6.10 Table 6.15) whose
// format TS 33.328 Annex D defines. That text is not available; only D.1-1, the
// allocation of Subtype 0 / Version 0, is confirmed (TS 33.328 §6.2.3.4.2). This codec is a
// placeholder that reads and writes the MIKEY Base Ticket layout (RFC 6043 App. A) under
// Type 2 / Subtype 0 / Version 0; a lab replaces it with register_ticket_codec().
#include "codec/ticket_codec.h"

namespace mikey::codec {

namespace {

// PROVISIONAL, NOT 3GPP: the base-ticket layout under 2/0/0; provisional() is true so reports
// tag every test that depends on these bytes `unconfirmed-3gpp`.
class ProvisionalType2Codec final : public BaseLayoutTicketCodec {
 public:
  std::string_view name() const noexcept override {
    return "PROVISIONAL, NOT 3GPP: Ticket Type 2 2/0/0 (MIKEY Base Ticket layout)";
  }
  // PROVISIONAL, NOT 3GPP: other Subtype/Version pairs are not handled, so the KMS answers
  // Error 14 Invalid TICKET for them (D.1-4, itself an assumption).
  bool handles(TicketType type, std::uint8_t subtype,
               std::uint8_t version) const noexcept override {
    return type == TicketType::three_gpp_base_ticket && subtype == 0 && version == 0;
  }
  bool provisional() const noexcept override { return true; }
};

}  // namespace

// PROVISIONAL, NOT 3GPP: the built-in Type 2 codec (static lifetime).
const TicketCodec& provisional_type2_ticket_codec() noexcept {
  static const ProvisionalType2Codec codec;
  return codec;
}

}  // namespace mikey::codec
