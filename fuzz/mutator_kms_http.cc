// The structure-aware custom mutator of kms_http and kms_http_fuzzmode (TS 33.328 Annex A: one
// HTTP POST whose body is a base64 MIKEY message). The request is split into its head and the
// MIKEY message (a chunked body is read and written back chunked), the message is mutated over
// the codec model (mikey::mutator) and re-protected with the fixed world's keys (role_world.h):
// the V MAC is recomputed with the PSK of the user the message names (IDRi for a ticket request,
// IDRr for a resolve, RFC 6043 §5.1.2 / §5.5), so in the normal build the KMS's MAC check passes
// and the logic behind it is reached. Then the body is base64-encoded again and Content-Length
// fixed. Some mutations change the HTTP layer instead (the request type, or libFuzzer's own
// mutator over the head); a quarter, and all with MIKEY_FUZZ_MUTATOR=plain, are libFuzzer's own
// over the whole request (mutator_libfuzzer.h).
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "mutator/mutator.h"
#include "mutator_libfuzzer.h"
#include "role_world.h"
#include "roles/message_util.h"
#include "roles/reprotect.h"
#include "wire/base64.h"

namespace {

using mikey::Bytes;
using mikey::ByteView;

struct Request {
  std::string head;  // request line and headers, through the blank line
  Bytes mikey;
  bool chunked = false;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RFC 7230 §4.1: chunk-size [extensions] CRLF data CRLF ... 0 CRLF CRLF.
std::optional<std::string> dechunk(std::string_view body) {
  std::string out;
  while (true) {
    const std::size_t eol = body.find("\r\n");
    if (eol == std::string_view::npos) return std::nullopt;
    std::size_t n = 0;
    try {
      n = std::stoul(std::string(body.substr(0, eol)), nullptr, 16);
    } catch (...) {
      return std::nullopt;
    }
    if (n == 0) return out;
    if (body.size() < eol + 2 + n) return std::nullopt;
    out.append(body.substr(eol + 2, n));
    body.remove_prefix(std::min(body.size(), eol + 4 + n));
  }
}

std::optional<Request> split(ByteView data) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());  // NOLINT
  const std::size_t end = text.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  Request r;
  r.head = std::string(text.substr(0, end + 4));
  r.chunked = lower(r.head).find("transfer-encoding: chunked") != std::string::npos;
  std::optional<std::string> body = std::string(text.substr(end + 4));
  if (r.chunked) body = dechunk(*body);
  if (!body) return std::nullopt;
  auto mikey = mikey::wire::base64_decode(*body, mikey::wire::Base64Mode::lenient);
  if (!mikey.ok()) return std::nullopt;
  r.mikey = std::move(mikey).value();
  return r;
}

// The head with Content-Length set to n (when it has one).
std::string with_length(std::string head, std::size_t n) {
  const std::size_t at = lower(head).find("\r\ncontent-length:");
  if (at == std::string::npos) return head;
  const std::size_t value = at + 17;
  const std::size_t eol = head.find("\r\n", value);
  return head.replace(value, eol - value, " " + std::to_string(n));
}

Bytes rebuild(const Request& r, ByteView mikey) {
  const std::string b64 = mikey::wire::base64_encode(mikey);
  std::string text;
  if (r.chunked) {
    char size[20];
    std::snprintf(size, sizeof size, "%zx", b64.size());
    text = r.head + size + "\r\n" + b64 + "\r\n0\r\n\r\n";
  } else {
    text = with_length(r.head, b64.size()) + b64;
  }
  return Bytes(text.begin(), text.end());
}

bool is_resolve(const Request& r) {
  return r.head.find("requesttype=ticketresolve") != std::string::npos;
}

// The world's user a message names: IDRi (ticket request) or IDRr (resolve), else Alice / Bob.
const mikey::roles::KmsUser& user_of(ByteView mikey, bool resolve) {
  static const mikey::roles::KmsConfig config = mikey::fuzz::kms_config();
  const auto parsed =
      mikey::codec::parse_message(mikey, mikey::codec::ParseOptions{.record_layout = false});
  const auto* idr = mikey::roles::find_idr(
      parsed.message.payloads, resolve ? mikey::codec::IdRole::idrr : mikey::codec::IdRole::idri);
  for (const mikey::roles::KmsUser& u : config.users)
    if (idr != nullptr && idr->data == u.identity.data) return u;
  return config.users[resolve ? 1 : 0];  // kms_config(): Alice, then Bob
}

mikey::mutator::Options options_for(const Request& r, std::size_t max_mikey) {
  const bool resolve = is_resolve(r);
  const mikey::roles::KmsUser& user = user_of(r.mikey, resolve);
  mikey::mutator::Options o;
  o.max_size = max_mikey;
  o.protection.re_mac = [&user, resolve](Bytes& m) {
    static const Bytes kms = mikey::fuzz::kms_id().data;
    const auto* psk = mikey::roles::as_psk(user.credential.get());
    if (psk == nullptr) return false;
    auto out = mikey::roles::re_protect(m, {psk->psk(), user.identity.data, kms, resolve});
    if (!out.ok()) return false;
    m = std::move(out).value();
    return true;
  };
  return o;
}

// Room for the MIKEY message once base64 (4 characters per 3 bytes) and the head are added.
std::size_t mikey_budget(const Request& r, std::size_t max_size) {
  const std::size_t overhead = r.head.size() + 32;
  return max_size > overhead ? (max_size - overhead) / 4 * 3 : 0;
}

// The HTTP layer: the other request type, or libFuzzer's mutator over the head alone.
std::size_t mutate_http(Request& r, std::uint8_t* data, std::size_t max_size, unsigned seed) {
  if (seed % 2 == 0) {
    const bool resolve = is_resolve(r);
    const std::string from = resolve ? "ticketresolve" : "ticketrequest";
    const std::size_t at = r.head.find(from);
    if (at != std::string::npos)
      r.head.replace(at, from.size(), resolve ? "ticketrequest" : "ticketresolve");
    return mikey::fuzz::emit(rebuild(r, r.mikey), data, max_size);
  }
  Bytes head(r.head.begin(), r.head.end());
  head.resize(head.size() + 64);
  head.resize(mikey::fuzz::libfuzzer_mutate(head.data(), r.head.size(), head.size()));
  r.head.assign(head.begin(), head.end());
  const Bytes out = rebuild(r, r.mikey);
  return mikey::fuzz::emit(out, data, max_size);
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
  if (mikey::fuzz::plain_mutator() || seed % 4 == 0) {
    return mikey::fuzz::libfuzzer_mutate(data, size, max_size);
  }
  std::optional<Request> r = split(ByteView(data, size));
  const std::size_t budget = r ? mikey_budget(*r, max_size) : 0;
  if (!r || budget < 16) return mikey::fuzz::libfuzzer_mutate(data, size, max_size);
  if (seed % 16 == 1) return mutate_http(*r, data, max_size, seed / 16);
  const Bytes mutant = mikey::mutator::mutate(r->mikey, seed, options_for(*r, budget));
  return mikey::fuzz::emit(rebuild(*r, mutant), data, max_size);
}

extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2,
                                                 std::uint8_t* out, std::size_t max_out_size,
                                                 unsigned int seed) {
  const ByteView a(data1, size1);
  const ByteView b(data2, size2);
  std::optional<Request> ra = mikey::fuzz::plain_mutator() ? std::nullopt : split(a);
  std::optional<Request> rb = ra ? split(b) : std::nullopt;
  const std::size_t budget = ra ? mikey_budget(*ra, max_out_size) : 0;
  if (!rb || budget < 16) return mikey::fuzz::splice_bytes(a, b, out, max_out_size, seed);
  // b's payloads in a's message, protected for a's sender, sent with a's head.
  const Bytes mutant =
      mikey::mutator::cross_over(ra->mikey, rb->mikey, seed, options_for(*ra, budget));
  return mikey::fuzz::emit(rebuild(*ra, mutant), out, max_out_size);
}
