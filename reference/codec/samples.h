// Structurally valid sample messages of every MIKEY-TICKET message type (RFC 6043 §4.2) and
// every RFC 3830 message shape, built through the model. Used for fuzz seeds, benchmarks and
// round-trip tests. MACs, signatures and ciphertexts are placeholders (fixed patterns): these
// samples exercise the codec, not the crypto.
#pragma once

#include <string>
#include <vector>

#include "codec/message.h"

namespace mikey::codec {

struct NamedMessage {
  std::string name;  // e.g. "ticket_request_init_psk", stable: used as seed file names
  Message message;
};

std::vector<NamedMessage> sample_messages();

// Further RFC 3830 shapes with their optional payloads (IDs, CERT, several SPs), the responder
// and verification messages and the RFC 4650 DHHMAC I_MESSAGE. Kept apart from
// sample_messages() so the seeds and round-trip sets built from it stay as they are.
std::vector<NamedMessage> rfc3830_variant_messages();

// Pieces the samples are built from, for tests that need variations.
Payload sample_tp(bool with_kemac);
Payload sample_ticket(bool with_initiator_data);
Bytes sample_base_ticket_data();  // Ticket Type 1 Ticket Data: THDR, T, RAND, KEMAC, IDRpsk, V

}  // namespace mikey::codec
