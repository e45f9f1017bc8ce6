// `mikeyconf decode --key HEX`: a message's keys opened with a key the user holds, with the MAC
// that proves the key right. The key is tried on every protection the message carries:
//   * the message itself (V and KEMAC) as its PSK, MPKi or MPKr': RFC 6043 §5.1.2 keys
//     (RFC 3830 §4.1.4 PRF) and the §5.5 MAC of REQUEST_INIT_PSK, RESOLVE_INIT_PSK and
//     TRANSFER_INIT; of a response (REQUEST_RESP, RESOLVE_RESP, TRANSFER_RESP) too when its
//     initial message is given, whose CSB ID, RANDR and bytes its keys and MAC take;
//   * each TICKET's Ticket Data as the TPK (RFC 6043 App. A.1, A.2.1): its V, then its KEMAC.
// Both are the reference roles' own verification and decryption (roles/protect.h, ticket.h).
#pragma once

#include <string>
#include <vector>

#include "inspect/json.h"
#include "wire/bytes.h"

namespace mikeyconf::tools {

// One Key data sub-payload of an opened KEMAC (RFC 3830 §6.13; RFC 6043 §6.2.1).
struct OpenedKey {
  std::string type;  // Key data Type name ("MPK", "TGK", ...)
  std::string kv;    // "SPI/MKI" when an SPI is carried, "Null" otherwise
  std::string key_hex;
  std::string salt_hex;  // +SALT types
  std::string spi_hex;
};

// The key tried on one protection of the message.
struct KeyOpening {
  std::string target;         // "message" or the TICKET's path, e.g. "payload[2].TICKET"
  std::string key_role;       // what the key is taken for: "PSK", "MPKi", "TPK"
  bool tried = false;         // false: `problem` says why this protection cannot be opened
  bool mac_ok = false;        // the MAC verified under the key (then `keys` holds the KEMAC)
  bool mac_mismatch = false;  // the MAC was computed and differs: wrong key or modified message
  std::string problem;        // why not, when !mac_ok
  std::vector<OpenedKey> keys;
};

struct KeyReport {
  std::vector<KeyOpening> openings;
  // True when the key verified at least one MAC.
  bool opened() const noexcept;
};

// Tries `key` on `message` (which must parse; an unparsable message gives an empty report).
// `initial`: the exchange's initial message when `message` is a response (empty: none).
KeyReport open_with_key(mikey::ByteView message, mikey::ByteView key, mikey::ByteView initial = {});
// The text after the decode tree, one block per protection.
std::string render_key_report(const KeyReport& report);
// decode --json's "kemac_plaintext" member: one object per protection.
inspect::Json key_report_json(const KeyReport& report);

}  // namespace mikeyconf::tools
