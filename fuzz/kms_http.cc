// libFuzzer target kms_http (and its twin kms_http_fuzzmode, the same file linked against
// mikey_roles_fuzzmode): one HTTP request in, one response out, through the Annex A path the
// KMS server runs (transport::handle_request_bytes) with the real reference KMS behind it
// (fuzz/role_world.h). The seeds are REQUEST_INIT_PSK and RESOLVE_INIT_PSK requests recorded from
// the reference Initiator and Responder against this very KMS and clock, so they reach the KMS's
// MAC check (normal build) or everything behind it (fuzzer mode).
//
// Deterministic: every input gets a fresh Kms (empty replay cache, timestamp source), a fresh
// DeterministicRng and a clock fixed at the seeds' time; nothing survives between inputs.
//
// Checks: no crash, no sanitizer report; the output is an HTTP/1.1 response with a status the
// server can send; a 200 carries a base64 MIKEY message that our own parser reads and whose
// data type is REQUEST_RESP, RESOLVE_RESP or Error (the KMS never emits anything else).
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "codec/message.h"
#include "crypto/rng.h"
#include "role_world.h"
#include "roles/clock.h"
#include "roles/kms.h"
#include "transport/annex_a.h"
#include "transport/request_parser.h"
#include "wire/base64.h"

namespace {

using mikey::codec::DataType;

// The 200 body must be a message the KMS may send.
void check_answer(std::string_view body) {
  auto mikey = mikey::wire::base64_decode(body);
  if (!mikey.ok()) __builtin_trap();
  mikey::codec::ParseOutcome out = mikey::codec::parse_message(mikey.value());
  if (!out.ok()) __builtin_trap();
  const DataType t = out.message.hdr.data_type;
  if (t != DataType::request_resp && t != DataType::resolve_resp && t != DataType::error) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const mikey::Bytes out = mikey::fuzz::kms_http_response(mikey::ByteView(data, size));
  std::string_view text(reinterpret_cast<const char*>(out.data()), out.size());  // NOLINT
  if (text.substr(0, 9) != "HTTP/1.1 " || text.size() < 16) __builtin_trap();
  // Exactly three digits, and a status the server has a reason phrase for.
  std::uint16_t status = 0;
  const char* digits_end = text.data() + 12;
  if (std::from_chars(text.data() + 9, digits_end, status).ptr != digits_end) __builtin_trap();
  if (mikey::transport::reason_phrase(status).empty()) __builtin_trap();
  const std::size_t end = text.find("\r\n\r\n");
  if (end == std::string_view::npos) __builtin_trap();
  if (status == 200) check_answer(text.substr(end + 4));
  return 0;
}
