#include "roles/transfer.h"

#include <new>

#include "crypto/derive.h"
#include "roles/message_util.h"

namespace mikey::roles {

Result<std::vector<SrtpKeys>, Failure> session_srtp_keys(const TransferSession& s) noexcept {
  SessionKeyInputs in;
  in.prf = s.prf;
  in.sessions = &s.sessions;
  in.policies = &s.policies;
  in.keys = &s.keys;
  in.h = s.flags.h;
  in.g = s.flags.g;
  in.randri = s.randri;
  in.randrr = s.randrr;
  return derive_srtp_keys(in);
}

Result<std::vector<SrtpKeys>, Refusal> completed_srtp_keys(
    const std::optional<TransferSession>& s) noexcept {
  if (!s) return refuse(Failure::invalid_state, "no completed transfer");
  auto keys = session_srtp_keys(*s);
  if (!keys.ok()) return refuse(keys.error());
  return std::move(keys).value();
}

MessageProtection update_protection(const TransferSession& s) {
  MessageProtection p;
  p.inkey = s.update_inkey.view();
  p.prf = s.prf;
  p.csb_id = s.csb_id;
  p.direction = s.update_direction;
  p.randri = s.randri;
  p.randrr = s.flags.g ? ByteView(s.randrr) : ByteView{};
  p.identity_a = s.initiator.data;
  p.identity_b = s.responder.data;
  p.encr = s.encr;
  return p;
}

bool response_map_ok(const codec::Hdr& hdr) noexcept {
  if (hdr.map_type != codec::MapType::generic_id) return false;
  for (const codec::GenericIdEntry& e : hdr.generic_id)
    if (e.policies.size() != 1 || e.prot_type != codec::ProtType::srtp) return false;
  return true;
}

Result<KeySet, Failure> forked_session_keys(const KeySet& keys, codec::PrfFunc tp_prf,
                                            ByteView modifier_id, ByteView randrkms) noexcept {
  try {
    KeySet out;
    for (const KeyItem& k : keys) {
      KeyItem f = k.clone();
      if (k.type == codec::KeyDataType::tgk || k.type == codec::KeyDataType::tgk_salt) {
        auto tgk = crypto::fork_tgk(to_crypto(tp_prf), k.key.view(), modifier_id, randrkms);
        if (!tgk.ok()) return Failure::internal_error;
        f.key = std::move(tgk).value();
      }
      out.push_back(std::move(f));
    }
    return out;
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

}  // namespace mikey::roles
