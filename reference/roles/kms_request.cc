// Kms: the Ticket Request exchange (RFC 6043 §4.2.1.4, §4.2.1.5): ticket policy, ticket creation
// and REQUEST_RESP.
#include <algorithm>
#include <optional>

#include "roles/kms_exchange.h"
#include "roles/session_keys.h"

namespace mikey::roles {

using kms_detail::contains;

namespace {

struct WantedKey {
  codec::KeyDataType type;
  std::size_t length;
  Bytes spi;
};

// The grant: the Ticket Policy the ticket will carry, the keys it encodes, and the TPK.
struct Grant {
  codec::TicketPolicy policy;
  std::vector<WantedKey> keys;
  const TicketKey* key = nullptr;
  bool changed = false;  // the K flag (RFC 6043 §6.10)
};

std::size_t key_length_for(codec::PrfFunc prf) noexcept {
  return Algorithms{prf, {}, {}}.key_length();
}

Result<PolicyView, Refusal> check_desired(const KmsPolicy& pol, const codec::TicketPolicy& d) {
  const TicketFormat format{d.ticket_type, d.subtype, d.version};
  if (!contains(pol.ticket_formats, format) || codec::find_ticket_codec(d) == nullptr) {
    return refuse(Failure::unsupported_ticket_type);
  }
  codec::TicketFlags f = d.flags;
  f.k = false;  // §6.10: K SHALL be 0 in a TP and is ignored by the KMS
  // docs/latitude.md "inconsistent-policy": refused here, or repaired by granted_flags().
  if (auto rule = flag_violation(f); rule && !pol.latitude.repair_inconsistent_policy)
    return refuse(Failure::ticket_policy_invalid, std::string(*rule));
  if (!contains(pol.prfs, d.prf_func)) return refuse(Failure::unsupported_prf, "Ticket Policy PRF");
  auto view = view_policy(d);
  if (!view.ok()) return refuse(view.error());
  if (view->idrr.empty()) return refuse(Failure::ticket_policy_invalid, "no IDRr in TP Data");
  // §6.10: the desired KEMAC uses NULL encryption and NULL MAC.
  if (view->desired_kemac != nullptr && (view->desired_kemac->encr_alg != codec::EncrAlg::null ||
                                         view->desired_kemac->mac_alg != codec::MacAlg::null)) {
    return refuse(Failure::ticket_policy_invalid, "desired KEMAC is not NULL/NULL");
  }
  if (!pol.issue_tickets) return refuse(Failure::policy_unacceptable, "ticket issuing disabled");
  return std::move(view).value();
}

// RFC 6043 §4.2.1.5 (T-4.2.1.5-8): without a desired KEMAC, a single TGK. Otherwise the requested
// session keys (Key Data zero, ignored: T-6.10-13) with their lengths when 128 or 256 bits.
Result<std::vector<WantedKey>, Refusal> wanted_keys(const PolicyView& view, std::size_t len,
                                                    bool& changed) {
  std::vector<WantedKey> out;
  if (view.desired_kemac == nullptr) {
    out.push_back({codec::KeyDataType::tgk, len, {}});
    return out;
  }
  auto keys = decode_keys(view.desired_kemac->encr_data);
  if (!keys.ok()) return refuse(Failure::ticket_policy_invalid, "desired KEMAC key data");
  for (const KeyItem& k : keys.value()) {
    if (!is_session_key(k.type)) {
      changed = true;  // e.g. an MPK asked for: not a session key, dropped
      continue;
    }
    std::size_t n = k.key.size();
    if (n != 16 && n != 32) {
      changed = changed || n != 0;  // 0 = "any length": not a change
      n = len;
    }
    out.push_back({k.type, n, k.spi});
  }
  if (out.empty()) return refuse(Failure::ticket_policy_invalid, "desired KEMAC has no key");
  return out;
}

// docs/latitude.md "inconsistent-policy": the smallest change that satisfies every §6.10 flag
// rule (flag_violation): set the flag a rule asks for (G => F, I => E, M => F; NOT G => H and
// NOT H => G: H; K => D, NOT D => L hold since D = 1).
template <class Set>
void repair_flags(codec::TicketFlags& f, Set& set) {
  if (f.g || f.m) set(f.f, true);
  if (!f.g && !f.h) set(f.h, true);
  if (f.i) set(f.e, true);
  if (!f.d) set(f.l, true);
}

codec::TicketFlags granted_flags(const KmsPolicy& pol, codec::TicketFlags f, bool& changed) {
  f.k = false;
  auto set = [&](bool& flag, bool value) {
    changed = changed || flag != value;
    flag = value;
  };
  set(f.d, true);  // the KMS generates the ticket
  if (!pol.allow_forking) set(f.i, false);
  if (!pol.allow_reuse) set(f.j, false);
  if (f.i) set(f.f, true);  // T-6.10-2: F = 1 when I = 1 and a TGK is encoded (defaults do)
  if (pol.latitude.repair_inconsistent_policy) repair_flags(f, set);
  return f;
}

// The granted TRs and TRe (none: no defined end).
struct Validity {
  std::int64_t trs = 0;
  std::optional<std::int64_t> tre;
};

Result<Validity, Refusal> granted_validity(const KmsPolicy& pol, const PolicyView& view,
                                           std::int64_t now, bool& changed) {
  const std::int64_t trs = view.trs.value_or(now);
  // docs/latitude.md "open-ended-lifetime": no desired TRe, no defined end (§6.10).
  if (!view.tre && pol.latitude.open_ended_lifetime) {
    changed = changed || !view.trs;
    return Validity{trs, std::nullopt};
  }
  std::int64_t tre = view.tre.value_or(trs + pol.default_lifetime_s);
  if (tre < now) return refuse(Failure::ticket_policy_invalid, "desired TRe has passed");
  if (tre - trs > std::int64_t{pol.max_lifetime_s}) tre = trs + pol.max_lifetime_s;
  // INTERPRETATION: a granted end where the desired policy had none changes the policy (K = 1).
  changed = changed || !view.trs || !view.tre || *view.tre != tre;
  return Validity{trs, tre};
}

// TP Data = First Payload, [IDRkms], [IDRi], [TRs], [TRe], [TRr], {IDRapp}, (IDRr); no KEMAC in
// a granted policy (T-6.10-14). IDRkms names this KMS as the issuer (used by KMS_R to chain) and
// IDRi the requester (T-4.2.1.1-8). INTERPRETATION: adding these identities is not counted as a
// change of the desired policy.
codec::Chain granted_tp_data(const KmsConfig& cfg, const KmsUser& user, const PolicyView& view,
                             const Validity& validity) {
  codec::Chain c;
  c.present = true;
  // docs/latitude.md "granted-idrkms", "granted-idri": both optional in the TP Data.
  if (cfg.policy.latitude.add_idrkms)
    c.payloads.push_back(make_idr(codec::IdRole::idrkms, cfg.identity));
  if (cfg.policy.latitude.add_idri)
    c.payloads.push_back(make_idr(codec::IdRole::idri, user.identity));
  c.payloads.push_back(make_tr(codec::TsRole::trs, validity.trs));
  if (validity.tre) c.payloads.push_back(make_tr(codec::TsRole::tre, *validity.tre));
  if (view.trr) {
    c.payloads.push_back(codec::make_payload(
        codec::TimestampWithRole{codec::TsRole::trr, codec::TsType::ntp_utc_32, *view.trr}));
  }
  for (const Identity& a : view.idrapp) c.payloads.push_back(make_idr(codec::IdRole::idrapp, a));
  for (const Identity& r : view.idrr) c.payloads.push_back(make_idr(codec::IdRole::idrr, r));
  return c;
}

const TicketKey* kms_ticket_key(const KmsConfig& cfg, const codec::TicketPolicy& d) noexcept {
  const TicketFormat format{d.ticket_type, d.subtype, d.version};
  for (const TicketKey& k : cfg.ticket_keys)
    if (k.format == format && !k.shared_with) return &k;
  return nullptr;
}

Result<Grant, Refusal> grant(const KmsConfig& cfg, const KmsUser& user,
                             const codec::TicketPolicy& desired, std::int64_t now) {
  std::optional<codec::TicketPolicy> faulty;  // test-only fault (kms_faults.h)
  if (cfg.faults.ignore_flag_dependencies) faulty = kms_faults::flags_unchecked(desired);
  auto view = check_desired(cfg.policy, faulty ? *faulty : desired);
  if (!view.ok()) return view.error();
  if (cfg.faults.tr_era_late) kms_faults::read_tr_era_late(view.value());
  Grant g;
  g.key = kms_ticket_key(cfg, desired);
  if (g.key == nullptr) return refuse(Failure::unsupported_ticket_type, "no TPK for this format");
  auto keys = wanted_keys(view.value(), key_length_for(desired.prf_func), g.changed);
  if (!keys.ok()) return keys.error();
  g.keys = std::move(keys).value();
  auto validity = granted_validity(cfg.policy, view.value(), now, g.changed);
  if (!validity.ok()) return validity.error();
  g.policy = desired;
  g.policy.flags = granted_flags(cfg.policy, desired.flags, g.changed);
  g.policy.tp_data = granted_tp_data(cfg, user, view.value(), validity.value());
  g.policy.flags.k = g.changed;  // §6.10: K = 1 when the KMS changed the desired policy or KEMAC
  return g;
}

// A key, its salt and the SPI the KMS picks are drawn fresh from the generator in one call (one
// DRBG request instead of three; the same stream of bytes, in the same order).
KeyItem fresh_key(crypto::Rng& rng, codec::KeyDataType type, std::size_t len, Bytes spi) {
  const std::size_t salt_len = codec::has_salt(type) ? 14 : 0;  // an SRTP master salt (112 bits)
  // RFC 6043 §6.2.1: every key has an SPI/MKI; the KMS picks one when the request gave none.
  const std::size_t spi_len = spi.empty() ? 4 : 0;
  const crypto::SecureBytes drawn = rng.secret(len + salt_len + spi_len);
  const ByteView d = drawn.view();
  KeyItem k;
  k.type = type;
  k.key = crypto::SecureBytes(d.first(len));
  if (salt_len != 0) k.salt = crypto::SecureBytes(d.subspan(len, salt_len));
  k.spi = spi_len != 0 ? Bytes(d.begin() + static_cast<std::ptrdiff_t>(len + salt_len), d.end())
                       : std::move(spi);
  return k;
}

TicketContents make_contents(const Grant& g, crypto::Rng& rng) {
  TicketContents c;
  c.mpk = fresh_key(rng, codec::KeyDataType::mpk, key_length_for(g.policy.prf_func), {});
  for (const WantedKey& w : g.keys) c.keys.push_back(fresh_key(rng, w.type, w.length, w.spi));
  return c;
}

}  // namespace

Result<Bytes, Refusal> Kms::serve_request(Exchange& x) {
  if (auto ok = preflight(x); !ok.ok()) return ok.error();
  const codec::Message& m = x.in.message();
  auto g = grant(config_, *x.user, *find_body<codec::TicketPolicy>(m.payloads), now());
  if (!g.ok()) return g.error();
  const codec::EncrAlg encr = kms_detail::encr_for(x.v->auth_alg);
  if (!contains(config_.policy.encr_algs, encr)) return refuse(Failure::unsupported_encr_alg);
  TicketContents contents = make_contents(g.value(), *rng_);
  auto sealed = seal_ticket(g->policy, contents, *g->key, timestamps_.next(*clock_), *rng_);
  if (!sealed.ok()) return refuse(sealed.error());
  if (config_.faults.mpki_mpkr_swapped) std::swap(sealed->mpki, sealed->mpkr);
  // §4.2.1.5: KEMAC = E(encr_key, MPKi || [MPKr] || {TEK|TGK|GTGK}); MPKr only with forking.
  KeySet kemac;
  kemac.push_back(kms_detail::mpk_item(sealed->mpki, contents.mpk.spi));
  if (g->policy.flags.i) kemac.push_back(kms_detail::mpk_item(sealed->mpkr, contents.mpk.spi));
  for (const KeyItem& k : contents.keys) kemac.push_back(k.clone());
  codec::Message resp;
  resp.hdr = kms_detail::response_hdr(m.hdr, codec::DataType::request_resp);
  resp.payloads.push_back(make_t(timestamps_.next(*clock_)));  // fresh T (§4.2.1.5)
  resp.payloads.push_back(make_idr(codec::IdRole::idrkms, config_.identity));
  resp.payloads.push_back(codec::make_payload(std::move(sealed->ticket)));
  resp.payloads.push_back(codec::make_payload(codec::Kemac{}));
  resp.payloads.push_back(make_v(x.v->auth_alg));
  auto bytes = protect_message(std::move(resp),
                               kms_detail::response_protection(x, config_.policy, encr), &kemac);
  if (!bytes.ok()) return refuse(bytes.error());
  return std::move(bytes).value();
}

}  // namespace mikey::roles
