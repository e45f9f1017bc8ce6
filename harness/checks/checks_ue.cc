// The checks of a UE under test (ue_checks.h): every key judged against what the UE answered,
// its hook reply and the requests the tap recorded; and the ue.* / kms.* keys' family, whose
// reader also says which checks a UE role cannot use.
#include "harness/ue_checks.h"

#include <algorithm>

#include "codec/message.h"
#include "crypto/secure_bytes.h"
#include "harness/checks/registry.h"
#include "harness/checks/text.h"
#include "harness/names.h"
#include "harness/reference_names.h"
#include "harness/ue_loader.h"
#include "harness/yaml_util.h"
#include "roles/error_message.h"
#include "roles/message_util.h"
#include "roles/protect.h"
#include "transport/annex_a.h"

namespace mikeyconf::harness {

namespace {

bool has_type(const std::optional<Bytes>& m, codec::DataType t) {
  return m && m->size() >= 2 && (*m)[1] == codec::raw(t);
}

const TapRecord* last_request(const UeEvidence& e) {
  return e.tap.empty() ? nullptr : &e.tap.back();
}

std::string no_answer_text(const UeEvidence& e) {
  if (!e.present) return "no ue: step ran";
  if (!e.reply.answered) return "no reply from the UE: " + e.reply.problem;
  if (e.reply.error) return "the UE returned no MIKEY message (error: " + *e.reply.error + ")";
  return "the UE returned no MIKEY message";
}

// mikey.data_type / payloads_present / payloads_absent / hdr.v on one message.
// `numbers`: data types or hdr.v; `types`: payload types.
void judge_message(CheckKey key, const std::vector<int>& numbers,
                   const std::vector<std::uint8_t>& types, const std::optional<Bytes>& msg,
                   const std::string& none, ExpectationResult& r) {
  if (!msg || msg->size() < 4) {
    r.actual = msg ? "a message of " + std::to_string(msg->size()) + " bytes" : none;
    return;
  }
  const codec::ParseOutcome p = codec::parse_message(*msg);
  switch (key) {
    case CheckKey::mikey_data_type:
      r.actual = data_type_name((*msg)[1]) + (p.ok() ? "" : " (the message does not parse)");
      r.ok = std::find(numbers.begin(), numbers.end(), (*msg)[1]) != numbers.end();
      return;
    case CheckKey::mikey_hdr_v: {
      const int v = ((*msg)[3] & 0x80) != 0 ? 1 : 0;
      r.actual = std::to_string(v);
      r.ok = v == numbers.front();
      return;
    }
    default:
      break;
  }
  if (!p.ok()) {
    r.actual = "the message does not parse (" + std::string(codec::to_string(p.error.code)) +
               " at offset " + std::to_string(p.error.offset) + ")";
    return;
  }
  r.actual = payload_names(p.message);
  r.ok = true;
  for (std::uint8_t t : types) {
    const bool has = p.message.find(static_cast<codec::PayloadType>(t)) != nullptr;
    if (has != (key == CheckKey::mikey_payloads_present)) r.ok = false;
  }
}

void judge_error_no(const Check& c, const UeEvidence& e, ExpectationResult& r) {
  if (!e.reply.mikey) {
    r.actual = no_answer_text(e);
    return;
  }
  const codec::ParseOutcome p = codec::parse_message(*e.reply.mikey);
  if (!p.ok() || p.message.hdr.data_type != codec::DataType::error) {
    r.actual = p.ok() ? "not an Error message (" +
                            data_type_name(codec::raw(p.message.hdr.data_type)) + ")"
                      : "the message does not parse";
    return;
  }
  std::string shown;
  for (codec::ErrorNo n : roles::error_numbers(p.message)) {
    shown += (shown.empty() ? "" : ", ") + std::to_string(codec::raw(n));
    const std::vector<int>& want = c.as<NumbersCheck>().values;
    if (std::find(want.begin(), want.end(), codec::raw(n)) != want.end()) r.ok = true;
  }
  r.actual = "[" + shown + "]";
}

// RFC 6043 §4.2.2.3 / §5.4: TRANSFER_RESP and Error copy version, PRF func and CSB ID.
void judge_copied(const UeEvidence& e, ExpectationResult& r) {
  r.expected = "version, PRF func and CSB ID of the message handed to the UE";
  if (!e.reply.mikey) {
    r.actual = no_answer_text(e);
    return;
  }
  const codec::ParseOutcome a = codec::parse_message(*e.reply.mikey);
  const codec::ParseOutcome b = codec::parse_message(e.sent);
  if (!a.ok() || !b.ok()) {
    r.actual = !a.ok() ? "the answer does not parse" : "no message was handed to the UE";
    return;
  }
  std::string diff;
  auto cmp = [&](std::string_view name, std::uint64_t got, std::uint64_t want) {
    if (got != want) {
      diff += (diff.empty() ? "" : "; ") + std::string(name) + " " + std::to_string(got) +
              " (sent: " + std::to_string(want) + ")";
    }
  };
  cmp("version", a.message.hdr.version, b.message.hdr.version);
  cmp("PRF func", codec::raw(a.message.hdr.prf_func), codec::raw(b.message.hdr.prf_func));
  cmp("CSB ID", a.message.hdr.csb_id, b.message.hdr.csb_id);
  r.ok = diff.empty();
  r.actual = r.ok ? "copied" : diff;
}

// ---- kms.request.* ----

std::optional<std::string> header_of(const TapRecord& t, std::string_view name) {
  for (const auto& [n, v] : t.headers)
    if (mikey::transport::iequals(n, name)) return v;
  return std::nullopt;
}

// The request's V MAC with the UE's PSK, as the KMS checks it (RFC 6043 §5.1.2, §5.5): identities
// from its IDRi|IDRr / IDRkms, else the UE's configured identity and the KMS identity.
void judge_request_mac(const TapRecord& t, const UeEvidence& e, ExpectationResult& r) {
  const roles::Received rec = roles::receive(t.mikey);
  if (!rec.parsed.ok()) {
    r.actual = "fail (the request does not parse)";
    r.ok = false;
    return;
  }
  const codec::Message& m = rec.message();
  const bool resolve = m.hdr.data_type == codec::DataType::resolve_init_psk;
  roles::MessageProtection p;
  p.inkey = e.ue_user->psk;
  p.prf = m.hdr.prf_func;
  p.csb_id = m.hdr.csb_id;
  p.direction = mikey::crypto::MessageDirection::initial;
  const auto* rand =
      roles::find_randr(m.payloads, resolve ? codec::RandRole::randrr : codec::RandRole::randri);
  if (rand != nullptr) (resolve ? p.randrr : p.randri) = rand->rand;
  p.identity_a = roles::id_data_or(
      roles::find_idr(m.payloads, resolve ? codec::IdRole::idrr : codec::IdRole::idri),
      e.ue_user->identity);
  p.identity_b = roles::id_data_or(roles::find_idr(m.payloads, codec::IdRole::idrkms),
                                   e.profile->kms_identity);
  auto v = roles::verify_message(rec, p);
  const bool ok = v.ok();
  r.actual = ok ? "ok (MAC verified with the UE's PSK)"
                : "fail (" + std::string(roles::to_string(v.error())) + ")";
  r.ok = ok == (r.expected == "ok");
}

std::string identity_problems(const codec::Message& m, const UeEvidence& e) {
  const bool resolve = m.hdr.data_type == codec::DataType::resolve_init_psk;
  const auto own_role = resolve ? codec::IdRole::idrr : codec::IdRole::idri;
  std::string out;
  const auto* own = roles::find_idr(m.payloads, own_role);
  if (own == nullptr) {
    out += std::string(resolve ? "no IDRr" : "no IDRi");
  } else if (!(roles::identity_of(*own) == e.ue_user->identity)) {
    out += std::string(resolve ? "IDRr" : "IDRi") + " is " +
           identity_text(roles::identity_of(*own)) + ", not the UE's " +
           identity_text(e.ue_user->identity);
  }
  if (const auto* kms = roles::find_idr(m.payloads, codec::IdRole::idrkms)) {
    if (!(roles::identity_of(*kms) == e.profile->kms_identity)) {
      out += std::string(out.empty() ? "" : "; ") + "IDRkms is " +
             identity_text(roles::identity_of(*kms));
    }
  }
  if (!resolve && e.peer != nullptr) {
    const codec::TicketPolicy* tp = roles::find_body<codec::TicketPolicy>(m.payloads);
    bool names_peer = false;
    if (tp != nullptr) {
      for (const auto* idr : roles::find_all_idr(tp->tp_data.payloads, codec::IdRole::idrr))
        names_peer = names_peer || roles::identity_of(*idr) == e.peer->identity;
    }
    if (!names_peer) {
      out += std::string(out.empty() ? "" : "; ") + "the desired Ticket Policy does not name " +
             identity_text(e.peer->identity) + " in an IDRr";
    }
  }
  return out;
}

void judge_request_check(const UeCheck& c, const UeEvidence& e, ExpectationResult& r) {
  const std::string& name = c.name;
  const TapRecord* t = last_request(e);
  if (t == nullptr) {
    r.actual = "the UE sent no request to the harness KMS";
    return;
  }
  const std::optional<Bytes> msg = t->mikey.empty() ? std::nullopt : std::optional<Bytes>(t->mikey);
  const std::string none = "not a valid Annex A request (" + t->http_problem + ")";
  constexpr std::string_view kHeader = "kms.request.http.header.";
  if (name == "kms.request.mikey.data_type") {
    judge_message(CheckKey::mikey_data_type, c.numbers, c.payload_types, msg, none, r);
  } else if (name == "kms.request.mikey.payloads_present") {
    judge_message(CheckKey::mikey_payloads_present, c.numbers, c.payload_types, msg, none, r);
  } else if (name == "kms.request.mikey.payloads_absent") {
    judge_message(CheckKey::mikey_payloads_absent, c.numbers, c.payload_types, msg, none, r);
  } else if (name == "kms.request.mikey.hdr.v") {
    judge_message(CheckKey::mikey_hdr_v, c.numbers, c.payload_types, msg, none, r);
  } else if (name == "kms.request.http") {
    // A.2-1..A.2-6 through the KMS's own validation (A.2-9), and A.2-4's full authority.
    const auto host = header_of(*t, "Host");
    if (!t->http_problem.empty()) {
      r.actual = t->http_problem;
    } else if (!host || !mikey::transport::iequals(*host, e.kms_authority)) {
      r.actual = "Host " + (host ? "'" + *host + "'" : std::string("(absent)")) + ", expected '" +
                 e.kms_authority + "' (A.2-4)";
    } else {
      r.actual = "valid";
      r.ok = true;
    }
  } else if (name == "kms.request.http.content_type") {
    const auto ct = header_of(*t, "Content-Type");
    r.actual = ct ? *ct : "(none)";
    r.ok = ct && mikey::transport::media_type_matches(*ct, c.expected);
  } else if (name.substr(0, kHeader.size()) == kHeader) {
    const auto h = header_of(*t, name.substr(kHeader.size()));
    r.actual = h ? *h : "(absent)";
    r.ok = c.absent ? !h : (h && (c.expected == "*" || *h == c.expected));
  } else if (!msg) {
    r.actual = none;
  } else if (name == "kms.request.verify") {
    judge_request_mac(*t, e, r);
  } else {
    const codec::ParseOutcome p = codec::parse_message(*msg);
    if (!p.ok()) {
      r.actual = "the request does not parse";
    } else if (name == "kms.request.hdr.empty_map") {
      // RFC 6043 §4.2.1.1 / §4.2.3.1: #CS 0, CS ID map type Empty map.
      r.ok = p.message.hdr.cs_count == 0 && p.message.hdr.map_type == codec::MapType::empty;
      r.actual = "#CS " + std::to_string(p.message.hdr.cs_count) + ", map type " +
                 std::string(codec::to_string(p.message.hdr.map_type));
    } else if (name == "kms.request.identities") {
      const std::string problems = identity_problems(p.message, e);
      r.ok = problems.empty() == (c.expected == "ok");
      r.actual = problems.empty() ? "ok" : "fail (" + problems + ")";
    } else if (name == "kms.request.fresh") {
      const std::string& f = e.tap_fresh.back();
      r.ok = f.empty();
      r.actual = r.ok ? "true (RAND and CSB ID not seen before in this run)" : "false (" + f + ")";
    } else if (name == "kms.request.rand_min_bytes") {
      const auto* rand = roles::find_body<codec::RandWithRole>(p.message.payloads);
      const std::size_t n = rand != nullptr ? rand->rand.size() : 0;
      r.actual = rand != nullptr ? std::to_string(n) + " bytes" : "no RANDR payload";
      const std::size_t psk = e.ue_user != nullptr ? e.ue_user->psk.size() : 0;
      const std::size_t want = c.min_bytes == 0 ? std::max<std::size_t>(psk, 16) : c.min_bytes;
      r.ok = rand != nullptr && n >= want;
    }
  }
}

// ---- ue.* ----

void judge_ue_named(const UeCheck& c, const UeEvidence& e, ExpectationResult& r) {
  const std::string& name = c.name;
  if (name == "kms.requests") {
    r.actual = std::to_string(e.tap.size());
    r.ok = std::find(c.numbers.begin(), c.numbers.end(), static_cast<int>(e.tap.size())) !=
           c.numbers.end();
  } else if (name.rfind("kms.request.", 0) == 0) {
    judge_request_check(c, e, r);
  } else if (name == "ue.outcome") {
    std::string what;
    const UeOutcome o = classify_reply(e, what);
    r.actual = what;
    r.ok = c.expected == "answered"
               ? e.reply.answered
               : (c.expected == "accepted" ? o == UeOutcome::accepted : o == UeOutcome::refused);
  } else if (!e.reply.mikey) {
    r.actual = no_answer_text(e);
  } else if (name == "ue.fresh") {
    r.ok = e.fresh_problem.empty();
    r.actual = r.ok ? "true (RANDs and CSB ID not seen before in this run)"
                    : "false (" + e.fresh_problem + ")";
  } else if (name == "ue.hdr.map_type") {
    const codec::ParseOutcome p = codec::parse_message(*e.reply.mikey);
    if (!p.ok()) {
      r.actual = "the message does not parse";
      return;
    }
    const int map = codec::raw(p.message.hdr.map_type);
    const std::string_view n = codec::to_string(p.message.hdr.map_type);
    r.actual = n.empty() ? std::to_string(map) : std::string(n);
    r.ok = std::find(c.numbers.begin(), c.numbers.end(), map) != c.numbers.end();
  }
}

}  // namespace

void compare_ue_keys(const mikey::Result<std::vector<roles::SrtpKeys>, roles::Refusal>& mine,
                     const std::string& who, UeEvidence& e) {
  if (!mine.ok()) {
    e.keys_equal = false;
    e.keys_detail = who +
                    " has no SRTP keys: " + std::string(roles::to_string(mine.error().failure)) +
                    (mine.error().detail.empty() ? "" : " (" + mine.error().detail + ")");
    return;
  }
  if (!e.reply.keys || e.reply.keys->empty()) {
    e.keys_equal = false;
    e.keys_detail = "the UE reported no keys";
    return;
  }
  const auto& theirs = *e.reply.keys;
  bool equal = theirs.size() == mine->size();
  for (const roles::SrtpKeys& k : *mine) {
    const auto it = std::find_if(theirs.begin(), theirs.end(),
                                 [&](const HookKeys& h) { return h.cs_id == k.cs_id; });
    equal = equal && it != theirs.end() && !k.master_key.empty() &&
            mikey::crypto::constant_time_equal(k.master_key.view(), it->master_key) &&
            mikey::crypto::constant_time_equal(k.master_salt.view(), it->master_salt);
  }
  e.keys_equal = equal;
  e.keys_detail = equal ? std::to_string(mine->size()) +
                              " crypto session(s): the UE's SRTP master keys and salts equal " +
                              who + "'s"
                        : "the UE's SRTP master keys or salts differ from " + who + "'s";
}

UeOutcome classify_reply(const UeEvidence& e, std::string& what) {
  if (!e.present) {
    what = "no ue: step ran";
    return UeOutcome::other;
  }
  const HookReply& x = e.reply;
  if (!x.answered) {
    what = "no usable reply (" + x.problem + ")";
    return UeOutcome::other;
  }
  const bool keys = x.keys && !x.keys->empty();
  bool accepted = false;
  switch (e.op) {
    case UeOp::initiate:
      accepted = has_type(x.mikey, codec::DataType::transfer_init);
      break;
    case UeOp::transfer_resp:
      accepted = keys;
      break;
    case UeOp::transfer_init:
      accepted = has_type(x.mikey, codec::DataType::transfer_resp) || (!x.mikey && keys);
      break;
  }
  if (accepted && !x.error) {
    what = "accepted (" +
           (x.mikey ? data_type_name((*x.mikey)[1]) + (keys ? " and keys" : "") : "keys") + ")";
    return UeOutcome::accepted;
  }
  if (x.error || has_type(x.mikey, codec::DataType::error)) {
    what = "refused" + (x.error ? ": " + *x.error : std::string()) +
           (has_type(x.mikey, codec::DataType::error) ? " (MIKEY Error message)" : "");
    return UeOutcome::refused;
  }
  what = x.mikey && x.mikey->size() >= 2
             ? "answered with " + data_type_name((*x.mikey)[1]) + ", which is not what was asked"
             : "answered without the expected message or keys";
  return UeOutcome::other;
}

ExpectationResult judge_ue_check(std::size_t step, const Check& c, const UeEvidence& e) {
  ExpectationResult r;
  r.step = step;
  r.key = c.name();
  r.expected = c.expected_text();
  const std::string none = no_answer_text(e);
  switch (c.key) {
    case CheckKey::mikey_data_type:
    case CheckKey::mikey_hdr_v:
      judge_message(c.key, c.as<NumbersCheck>().values, {}, e.reply.mikey, none, r);
      break;
    case CheckKey::mikey_payloads_present:
    case CheckKey::mikey_payloads_absent:
      judge_message(c.key, {}, c.as<PayloadTypesCheck>().types, e.reply.mikey, none, r);
      break;
    case CheckKey::mikey_error_no:
      judge_error_no(c, e, r);
      break;
    case CheckKey::mikey_hdr_copied:
      judge_copied(e, r);
      break;
    case CheckKey::verify:
      r.ok = e.verify_ok == (c.as<WordCheck>().word == "ok");
      r.actual = (e.verify_ok ? "ok (" : "fail (") + e.verify_detail + ")";
      break;
    case CheckKey::keys_equal:
      r.ok = e.keys_equal.value_or(false);
      r.actual = (r.ok ? "true (" : "false (") + e.keys_detail + ")";
      break;
    case CheckKey::within_ms:
      r.actual = std::to_string(static_cast<long>(e.reply.duration_ms)) + " ms";
      r.ok = e.present && e.reply.answered && e.reply.duration_ms <= c.as<DurationCheck>().ms;
      break;
    case CheckKey::ue:
      judge_ue_named(c.as<UeCheck>(), e, r);
      break;
    default:  // http.*, outcome and the other roles' checks: the loader keeps them out
      r.actual = "does not apply to a UE under test";
      break;
  }
  return r;
}

}  // namespace mikeyconf::harness

namespace mikeyconf::harness::checks {

namespace {

constexpr CheckKey kKeys[] = {CheckKey::ue};

ExpectationResult judge(const Check& c, const Evidence& /*e*/) {
  ExpectationResult r = start(c);
  r.actual = "a UE-role check: only for sut_role initiator or responder";
  return r;
}

}  // namespace

constexpr Family kUeFamily{"ue", kKeys, detail::read_ue_check, judge};

}  // namespace mikeyconf::harness::checks
