#include "roles/policy.h"

#include <algorithm>
#include <new>

#include "roles/clock.h"
#include "roles/message_util.h"

namespace mikey::roles {

std::optional<std::string_view> flag_violation(const codec::TicketFlags& f) noexcept {
  struct Rule {
    bool holds;
    std::string_view text;
  };
  const Rule rules[] = {
      {f.d || f.l, "NOT D => L"}, {!f.g || f.f, "G => F"}, {f.g || f.h, "NOT G => H"},
      {f.h || f.g, "NOT H => G"}, {!f.i || f.e, "I => E"}, {!f.k || f.d, "K => D"},
      {!f.m || f.f, "M => F"},
  };
  for (const Rule& r : rules)
    if (!r.holds) return r.text;
  return std::nullopt;
}

bool is_tgk(codec::KeyDataType t) noexcept {
  return t == codec::KeyDataType::tgk || t == codec::KeyDataType::tgk_salt;
}

namespace {

Result<std::optional<std::int64_t>, Failure> tr_time(const codec::TimestampWithRole* tr) {
  if (tr == nullptr) return std::optional<std::int64_t>{};
  auto s = ts_unix_seconds(tr->ts_type, tr->value);
  if (!s) return Failure::ticket_policy_invalid;  // §6.10: TRs/TRe are times in 1968–2104
  return std::optional<std::int64_t>{*s};
}

}  // namespace

Result<PolicyView, Failure> view_policy(const codec::TicketPolicy& tp) noexcept {
  try {
    PolicyView v;
    const auto& ps = tp.tp_data.payloads;
    if (const auto* kms = find_idr(ps, codec::IdRole::idrkms)) v.idrkms = identity_of(*kms);
    if (const auto* i = find_idr(ps, codec::IdRole::idri)) v.idri = identity_of(*i);
    auto trs = tr_time(find_tr(ps, codec::TsRole::trs));
    auto tre = tr_time(find_tr(ps, codec::TsRole::tre));
    if (!trs.ok() || !tre.ok()) return Failure::ticket_policy_invalid;
    v.trs = trs.value();
    v.tre = tre.value();
    if (v.trs && v.tre && *v.tre < *v.trs) return Failure::ticket_policy_invalid;
    if (const auto* trr = find_tr(ps, codec::TsRole::trr)) {
      if (trr->ts_type != codec::TsType::ntp_utc_32) return Failure::ticket_policy_invalid;
      v.trr = static_cast<std::uint32_t>(trr->value);
    }
    v.desired_kemac = find_body<codec::Kemac>(ps);
    for (const auto* a : find_all_idr(ps, codec::IdRole::idrapp))
      v.idrapp.push_back(identity_of(*a));
    for (const auto* r : find_all_idr(ps, codec::IdRole::idrr)) v.idrr.push_back(identity_of(*r));
    return v;
  } catch (const std::bad_alloc&) {
    return Failure::internal_error;
  }
}

Result<PolicyView, Failure> check_validity(PolicyView view, std::int64_t now,
                                           std::int64_t early_s) noexcept {
  if (view.trs && now + early_s < *view.trs) return Failure::ticket_not_yet_valid;
  if (view.tre && now > *view.tre) return Failure::ticket_expired;
  return view;
}

Result<PolicyView, Failure> check_ticket_policy(const codec::TicketPolicy& tp, std::int64_t now,
                                                std::int64_t early_s) noexcept {
  if (flag_violation(tp.flags)) return Failure::ticket_policy_invalid;
  auto view = view_policy(tp);
  if (!view.ok()) return view.error();
  // §6.10: "(IDRr)": at least one authorized responder.
  if (view->idrr.empty()) return Failure::ticket_policy_invalid;
  return check_validity(std::move(view).value(), now, early_s);
}

bool authorizes(const PolicyView& view, const std::vector<Identity>& candidates) noexcept {
  return std::any_of(view.idrr.begin(), view.idrr.end(), [&](const Identity& r) {
    return std::find(candidates.begin(), candidates.end(), r) != candidates.end();
  });
}

codec::Payload make_tr(codec::TsRole role, std::int64_t unix_seconds) {
  return codec::make_payload(
      codec::TimestampWithRole{role, codec::TsType::ntp_utc_32, unix_to_ntp_seconds(unix_seconds)});
}

}  // namespace mikey::roles
