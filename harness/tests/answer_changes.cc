#include "harness/tests/answer_changes.h"

#include <algorithm>

#include "crypto/derive.h"

namespace mikeyconf::harness::mutants {

// A PSK of the profile that is not `psk` (another user's).
Bytes another_psk(const SutProfile& profile, ByteView psk) {
  for (const UserProfile& u : profile.users)
    if (!std::equal(u.psk.begin(), u.psk.end(), psk.begin(), psk.end())) return u.psk;
  return {};
}

bool csb_id_not_copied(AnswerEdit& e) {
  e.answer.model.hdr.csb_id ^= 0x5a5a5a5a;
  return true;
}

bool v_flag_set(AnswerEdit& e) {
  e.answer.model.hdr.v = true;
  return true;
}

// T one hour before the request's: not fresh (RFC 3830 §5.3 would refuse it).
bool stale_timestamp(AnswerEdit& e) {
  for (codec::Payload& p : e.answer.model.payloads) {
    if (auto* t = p.get<codec::Timestamp>(); t != nullptr && t->ts_type == codec::TsType::ntp_utc) {
      t->value -= std::uint64_t{3600} << 32;
      return true;
    }
  }
  return false;
}

bool without_mpki(AnswerEdit& e) {
  roles::KeySet& k = e.answer.keys;
  if (k.empty() || k.front().type != codec::KeyDataType::mpk) return false;
  k.erase(k.begin());
  return true;
}

bool mac_without_request(AnswerEdit& e) {
  e.seal.mac_covers_request = false;
  return true;
}

std::optional<Modifier> modifier_of(const AnswerEdit& e) {
  const auto& ps = e.answer.model.payloads;
  const auto* idrr = roles::find_idr(ps, codec::IdRole::idrr);
  const auto* rk = roles::find_randr(ps, codec::RandRole::randrkms);
  const auto* ticket = roles::find_body<codec::Ticket>(e.request.message().payloads);
  if (idrr == nullptr || rk == nullptr || ticket == nullptr || !ticket->policy.flags.i) {
    return std::nullopt;
  }
  return Modifier{idrr->data, rk->rand, ticket->policy.prf_func};
}

// RFC 6043 §5.1.1 forks only TGKs and MPKr: these fork keys of `types` as if they were TGKs.
AnswerChange forking_also(std::vector<codec::KeyDataType> types) {
  return [types](AnswerEdit& e) {
    auto mod = modifier_of(e);
    if (!mod) return false;
    bool changed = false;
    for (roles::KeyItem& k : e.answer.keys) {
      if (std::find(types.begin(), types.end(), k.type) == types.end()) continue;
      auto forked = mikey::crypto::fork_tgk(roles::to_crypto(mod->prf), k.key.view(), mod->id_data,
                                            mod->randrkms);
      if (!forked.ok()) return false;
      k.key = std::move(forked).value();
      changed = true;
    }
    return changed;
  };
}

// MPKr' and the TGKs forked again from the ticket's own keys (opened with the KMS's TPK), the
// ID Data of the modifier left out or not, the TGKs with `tgk_constant` (RFC 6043 §5.1.1 wants
// IDRr ID Data ‖ RANDRkms, and 0x1512B54A for TGK').
AnswerChange reforked(bool without_idrr, std::uint32_t tgk_constant) {
  return [without_idrr, tgk_constant](AnswerEdit& e) {
    auto mod = modifier_of(e);
    const auto tpks = ticket_keys(e.profile);
    auto ticket = mod ? open_ticket_of(e.request.bytes, tpks) : std::nullopt;
    roles::KeySet& keys = e.answer.keys;
    if (!ticket || keys.size() != 2 + ticket->contents.keys.size()) return false;
    const auto prf = roles::to_crypto(mod->prf);
    const Bytes id = without_idrr ? Bytes{} : mod->id_data;
    auto mpkr = mikey::crypto::fork_mpkr(prf, ticket->mpkr.view(), id, mod->randrkms);
    if (!mpkr.ok()) return false;
    keys[1].key = std::move(mpkr).value();
    for (std::size_t i = 0; i < ticket->contents.keys.size(); ++i) {
      const roles::KeyItem& plain = ticket->contents.keys[i];
      if (plain.type != codec::KeyDataType::tgk && plain.type != codec::KeyDataType::tgk_salt) {
        continue;
      }
      auto tgk =
          mikey::crypto::derive_forked_key(prf, plain.key.view(), tgk_constant, id, mod->randrkms);
      if (!tgk.ok()) return false;
      keys[2 + i].key = std::move(tgk).value();
    }
    return true;
  };
}

bool without_mpkr_prime(AnswerEdit& e) {
  roles::KeySet& k = e.answer.keys;
  if (!modifier_of(e) || k.size() < 2 || k[1].type != codec::KeyDataType::mpk) return false;
  k.erase(k.begin() + 1);
  return true;
}

bool without_randrkms(AnswerEdit& e) {
  if (!modifier_of(e)) return false;
  std::erase_if(e.answer.model.payloads, [](const codec::Payload& p) {
    const auto* r = p.get<codec::RandWithRole>();
    return r != nullptr && r->role == codec::RandRole::randrkms;
  });
  return true;
}

bool modifier_names_another_endpoint(AnswerEdit& e) {
  if (!modifier_of(e)) return false;
  for (codec::Payload& p : e.answer.model.payloads) {
    auto* idr = p.get<codec::IdWithRole>();
    if (idr != nullptr && idr->role == codec::IdRole::idrr && !idr->data.empty()) {
      idr->data.back() ^= 0x01;
      return true;
    }
  }
  return false;
}

bool kemac_for_another_user(AnswerEdit& e) {
  auto other = exchange_keys(e.keys.request, another_psk(e.profile, e.keys.psk));
  if (!other || other->psk.empty()) return false;
  e.kemac_keys = std::move(other);
  return true;
}

}  // namespace mikeyconf::harness::mutants
