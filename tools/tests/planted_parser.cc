// A MIKEY parser with two planted bugs, the target of the `mikeyconf fuzz --exec` tests. It reads
// one message from standard input (or from the file named by its argument), parses it with the
// reference codec and, like many real parsers, acts on each field as soon as it is read, so a
// message that fails later still triggers:
//   - abort() (SIGABRT) when a MIKEY-TICKET message (RFC 6043 §6.1 data types) starts with a
//     T payload whose TS type is not NTP-UTC (RFC 3830 §6.6): a TS type it "never expected";
//   - waits forever when a response (REQUEST_RESP, RESOLVE_RESP, TRANSFER_RESP) has the HDR V
//     flag set, as if waiting for the verification message RFC 6043 §4.2 never sends for them,
//     or names a PRF other than MIKEY-1 (RFC 3830 §6.1), as if waiting for one to appear.
// Both are reached by one changed field of a seed, so a campaign of seconds finds them.
// Otherwise it prints the parse verdict and exits 0 (valid) or 1 (malformed).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>

#include "codec/errc.h"
#include "codec/message.h"

namespace {

using mikey::codec::DataType;

bool is_ticket_type(DataType t) {
  return t >= DataType::request_init_psk && t <= DataType::resolve_resp;
}

bool is_response(DataType t) {
  return t == DataType::request_resp || t == DataType::resolve_resp || t == DataType::transfer_resp;
}

}  // namespace

int main(int argc, char** argv) {
  std::ifstream file;
  if (argc > 1) file.open(argv[1], std::ios::binary);
  std::istream& in = argc > 1 ? static_cast<std::istream&>(file) : std::cin;
  const mikey::Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const mikey::codec::ParseOutcome out =
      mikey::codec::parse_message(bytes, mikey::codec::kWithLayout);
  const mikey::codec::Layout& layout = out.layout;
  const mikey::codec::Hdr& hdr = out.message.hdr;
  if (layout.find("hdr.prf_func") && is_response(hdr.data_type) &&
      (hdr.v || hdr.prf_func != mikey::codec::PrfFunc::mikey_1)) {
    for (;;) ::pause();
  }
  if (auto ts = layout.find("payload[0].T.ts_type");
      ts && is_ticket_type(hdr.data_type) && bytes[ts->offset] != 0) {
    std::abort();
  }
  if (!out.ok()) {
    std::fprintf(stderr, "planted_parser: malformed: %s\n",
                 make_error_code(out.error.code).message().c_str());
    return 1;
  }
  std::printf("planted_parser: valid, %zu payloads\n", out.message.payloads.size());
  return 0;
}
