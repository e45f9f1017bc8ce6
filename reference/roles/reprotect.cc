#include "roles/reprotect.h"

#include <algorithm>
#include <string>

#include "codec/message.h"
#include "crypto/mac.h"
#include "roles/message_util.h"
#include "roles/protect.h"

namespace mikey::roles {

namespace {

ReprotectError error(ReprotectErrc code) {
  ReprotectError e;
  e.code = code;
  return e;
}

// RFC 6043 §5.1.2: auth_key from the PSK and the label the mutated message implies.
Result<crypto::MessageKeys, Failure> auth_key(const codec::Message& m, const ReprotectKeys& keys,
                                              codec::MacAlg alg) noexcept {
  const auto* rand =
      find_randr(m.payloads, keys.resolve ? codec::RandRole::randrr : codec::RandRole::randri);
  MessageProtection p;
  p.inkey = keys.psk;
  p.prf = m.hdr.prf_func;
  p.csb_id = m.hdr.csb_id;
  p.direction = crypto::MessageDirection::initial;
  // RFC 6043 §5.1.2: an omitted RAND contributes only its length byte 0.
  if (rand != nullptr) (keys.resolve ? p.randrr : p.randri) = rand->rand;
  return message_keys(p, codec::EncrAlg::null, alg);
}

}  // namespace

Result<Bytes, ReprotectError> re_protect(ByteView bytes, const ReprotectKeys& keys) {
  Received r;
  r.bytes.assign(bytes.begin(), bytes.end());
  // The MAC input and the MAC field are located from the final V's place (final_v_mac).
  r.parsed = codec::parse_message(r.bytes);
  if (!r.parsed.ok()) {
    ReprotectError e = error(ReprotectErrc::unparsable);
    e.parse = r.parsed.error;
    return e;
  }
  const codec::Message& m = r.message();
  const codec::Verification* v = last_v(m);
  if (v == nullptr) return error(ReprotectErrc::no_final_v);
  auto auth = auth_key(m, keys, v->auth_alg);
  if (!auth.ok()) {
    ReprotectError e = error(ReprotectErrc::no_auth_key);
    e.prf = m.hdr.prf_func;
    e.auth_alg = v->auth_alg;
    e.failure = auth.error();
    return e;
  }
  // RFC 6043 §5.5 Table 5.2: MAC input = message ‖ Identity_i|r ‖ Identity_kms.
  const auto peer_role = keys.resolve ? codec::IdRole::idrr : codec::IdRole::idri;
  const Identity peer{codec::IdType::uri,
                      Bytes(keys.identity_peer.begin(), keys.identity_peer.end())};
  const Identity kms{codec::IdType::uri, Bytes(keys.identity_kms.begin(), keys.identity_kms.end())};
  const ByteView extra[] = {keys.identity_peer_wins
                                ? keys.identity_peer
                                : id_data_or(find_idr(m.payloads, peer_role), peer),
                            id_data_or(find_idr(m.payloads, codec::IdRole::idrkms), kms)};
  auto input = received_mac_input(r, extra);
  if (!input.ok()) return error(ReprotectErrc::no_mac_input);
  const ByteView parts[] = {input.value()};
  auto mac = crypto::compute_mac(to_crypto(v->auth_alg), auth->auth.view(), parts);
  if (!mac.ok()) return error(ReprotectErrc::mac_failed);
  auto field = final_v_mac(r);
  if (!field || field->length != mac->size()) return error(ReprotectErrc::mac_length);
  Bytes out(bytes.begin(), bytes.end());
  std::copy(mac->begin(), mac->end(), out.begin() + field->offset);
  return out;
}

}  // namespace mikey::roles
