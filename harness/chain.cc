// The chaining helpers the engine uses (chain.h): the kms_i.answer names, which KMS a user talks
// to, the TICKET that matches a forward to its case (the forwarded.* checks on the tap of the
// harness KMS_I are checks/checks_forwarded.cc). Everything here reads wire bytes and never
// throws on bad input.
#include <algorithm>
#include <array>

#include "crypto/secure_bytes.h"
#include "harness/chain.h"
#include "harness/reference_names.h"
#include "roles/message_util.h"
#include "roles/protect.h"

namespace mikeyconf::harness {

namespace {

constexpr std::array<std::pair<std::string_view, KmsIAnswer>, 6> kAnswers{{
    {"normal", KmsIAnswer::normal},
    {"error", KmsIAnswer::error},
    {"http_500", KmsIAnswer::http_500},
    {"not_mikey", KmsIAnswer::not_mikey},
    {"bad_mac", KmsIAnswer::bad_mac},
    {"silent", KmsIAnswer::silent},
}};

}  // namespace

std::string_view to_string(KmsIAnswer a) noexcept {
  for (const auto& [name, value] : kAnswers)
    if (value == a) return name;
  return "?";
}

std::optional<KmsIAnswer> parse_kms_i_answer(std::string_view s) noexcept {
  for (const auto& [name, value] : kAnswers)
    if (name == s) return value;
  return std::nullopt;
}

std::string_view kms_i_answer_names() noexcept {
  return "normal, error, http_500, not_mikey, bad_mac, silent";
}

bool at_harness_kms(const UserProfile& u) noexcept { return u.home == UserHome::peer; }

const roles::Identity& home_kms_identity(const SutProfile& p, const UserProfile& u) {
  return at_harness_kms(u) && p.chaining ? p.chaining->peer_identity : p.kms_identity;
}

std::optional<roles::Identity> link_mac_identity_r(const SutProfile& p) {
  if (!p.chaining || p.latitude.reading("link-mac-identity") != "kms_r") return std::nullopt;
  return p.chaining->peer_identity;
}

Bytes ticket_of(ByteView resolve_init) {
  const roles::Received r = roles::receive(resolve_init);
  // A partial parse still locates a TICKET that came before the problem.
  const codec::Payload* t = roles::find_payload(r.message(), codec::PayloadType::ticket);
  if (t == nullptr) return {};
  ByteView bytes = roles::payload_bytes(r.bytes, *t);
  if (bytes.empty()) return {};
  return Bytes(bytes.begin() + 1, bytes.end());  // without the Next payload byte
}

}  // namespace mikeyconf::harness
