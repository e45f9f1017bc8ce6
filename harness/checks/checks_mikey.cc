// The checks on the MIKEY answer (RFC 3830 §6, RFC 6043 §6): mikey.data_type, mikey.error_no,
// mikey.payloads_present/absent, mikey.hdr.v, mikey.hdr.copied, and what it amounts to: outcome
// and refused (refusal.h).
#include <algorithm>

#include "harness/checks/read_values.h"
#include "harness/checks/registry.h"
#include "harness/checks/text.h"
#include "harness/names.h"
#include "harness/reference_names.h"
#include "harness/refusal.h"
#include "harness/refusal_loader.h"
#include "roles/error_message.h"
#include "transport/annex_a.h"

namespace mikeyconf::harness::checks {

namespace {

using detail::Ctx;

constexpr CheckKey kKeys[] = {CheckKey::mikey_data_type,
                              CheckKey::mikey_error_no,
                              CheckKey::mikey_payloads_present,
                              CheckKey::mikey_payloads_absent,
                              CheckKey::mikey_hdr_v,
                              CheckKey::mikey_hdr_copied,
                              CheckKey::outcome,
                              CheckKey::refused};

std::vector<int> code_point_list(const Ctx& ctx, const YAML::Node& v, std::string_view registry,
                                 std::string_view what) {
  std::vector<int> out;
  auto one = [&](const YAML::Node& n) {
    if (detail::plain_integer(n)) {
      out.push_back(static_cast<int>(ctx.integer(n, what, 0, 255)));
      return;
    }
    const std::string s = ctx.string(n, what);
    auto cp = code_point_value(registry, s);
    if (!cp) ctx.fail(n, "'" + s + "' is not a " + std::string(registry) + " name or number");
    out.push_back(static_cast<int>(*cp));
  };
  detail::each_value(ctx, v, what, one);
  return out;
}

std::optional<Check> read(const Ctx& ctx, const std::string& key, const YAML::Node& key_node,
                          const YAML::Node& v, SutRole /*role*/) {
  if (auto refused = detail::read_refusal_check(ctx, key, key_node, v)) return refused;
  Check c;
  c.pos = detail::pos_of(key_node);
  if (key == "mikey.data_type") {
    c.key = CheckKey::mikey_data_type;
    c.spec = NumbersCheck{code_point_list(ctx, v, "DataType", key)};
  } else if (key == "mikey.error_no") {
    c.key = CheckKey::mikey_error_no;
    c.spec = NumbersCheck{code_point_list(ctx, v, "ErrorNo", key)};
  } else if (key == "mikey.payloads_present" || key == "mikey.payloads_absent") {
    c.key = key == "mikey.payloads_present" ? CheckKey::mikey_payloads_present
                                            : CheckKey::mikey_payloads_absent;
    PayloadTypesCheck p;
    for (int t : code_point_list(ctx, v, "PayloadType", key))
      p.types.push_back(static_cast<std::uint8_t>(t));
    c.spec = std::move(p);
  } else if (key == "mikey.hdr.v") {
    c.key = CheckKey::mikey_hdr_v;
    c.spec = NumbersCheck{{static_cast<int>(ctx.integer(v, key, 0, 1))}};
  } else if (key == "mikey.hdr.copied") {
    c.key = CheckKey::mikey_hdr_copied;
    c.spec = TrueCheck{};
    if (!ctx.boolean(v, key)) ctx.fail(v, key + " can only be true (leave it out otherwise)");
  } else if (key == "outcome") {
    c.key = CheckKey::outcome;
    const std::string word = ctx.string(v, key);
    if (word != "granted" && word != "refused" && word != "answered" && word != "not_granted") {
      ctx.fail(v, "outcome must be granted, refused, answered or not_granted");
    }
    c.spec = WordCheck{word};
  } else {
    return std::nullopt;
  }
  return c;
}

bool listed(const std::vector<int>& v, int n) {
  return std::find(v.begin(), v.end(), n) != v.end();
}

void judge_error_no(const Check& c, const Evidence& e, ExpectationResult& r) {
  const codec::ParseOutcome& p = e.answer;
  if (!p.ok()) {
    r.actual = "the message does not parse";
    return;
  }
  if (p.message.hdr.data_type != codec::DataType::error) {
    r.actual = "not an Error message (" + data_type_name(codec::raw(p.message.hdr.data_type)) + ")";
    return;
  }
  const auto numbers = roles::error_numbers(p.message);
  r.actual = numbers_text(numbers);
  for (codec::ErrorNo n : numbers)
    if (listed(c.as<NumbersCheck>().values, codec::raw(n))) r.ok = true;
}

// Version, PRF func, CSB ID (and #CS, CS ID map type for a response) copied from the request
// (RFC 3830 §6.1).
void judge_copied(const Evidence& e, ExpectationResult& r) {
  const codec::ParseOutcome q = codec::parse_message(e.sent);
  if (!e.answer.ok()) {
    r.actual = "the answer does not parse";
    return;
  }
  if (!q.ok()) {
    r.actual = "the request as sent does not parse";
    return;
  }
  r.expected = "version, PRF func, CSB ID (and #CS, map type for a response) of the request";
  const codec::Hdr& a = e.answer.message.hdr;
  const codec::Hdr& b = q.message.hdr;
  std::string diff;
  auto cmp = [&](std::string_view name, std::uint64_t got, std::uint64_t want) {
    if (got != want) {
      diff += (diff.empty() ? "" : "; ") + std::string(name) + " " + std::to_string(got) +
              " (request: " + std::to_string(want) + ")";
    }
  };
  cmp("version", a.version, b.version);
  cmp("PRF func", codec::raw(a.prf_func), codec::raw(b.prf_func));
  cmp("CSB ID", a.csb_id, b.csb_id);
  if (a.data_type != codec::DataType::error) {
    cmp("#CS", a.cs_count, b.cs_count);
    cmp("CS ID map type", codec::raw(a.map_type), codec::raw(b.map_type));
  }
  r.ok = diff.empty();
  r.actual = r.ok ? "copied" : diff;
}

// granted | refused | not_granted | answered: what the answer amounts to (TS 33.328 Annex A).
void judge_outcome(const Check& c, const Evidence& e, ExpectationResult& r) {
  const HttpExchange& x = e.http;
  const std::string& want = c.as<WordCheck>().word;
  if (!x.responded) {
    r.ok = want == "not_granted";  // a refused connection or handshake grants nothing (B.0-1)
    r.actual = e.no_response();
    return;
  }
  const codec::ParseOutcome& p = e.answer;
  const bool is_error = x.mikey && p.ok() && p.message.hdr.data_type == codec::DataType::error;
  const codec::DataType granted = e.kind == MessageKind::resolve_init_psk
                                      ? codec::DataType::resolve_resp
                                      : codec::DataType::request_resp;
  const auto ct = x.header("Content-Type");
  const bool mikey_ok = x.status == 200 && x.mikey && p.ok() && x.mikey_problem.empty() && ct &&
                        mikey::transport::media_type_matches(*ct, e.profile->annex_a.content_type);
  std::string actual = std::to_string(x.status);
  if (x.mikey && x.mikey->size() >= 2) actual += " " + data_type_name((*x.mikey)[1]);
  if (is_error) actual += " " + numbers_text(roles::error_numbers(p.message));
  if (!x.mikey_problem.empty()) actual += " (" + x.mikey_problem + ")";
  if (want == "granted") {
    r.ok = mikey_ok && p.message.hdr.data_type == granted;
  } else if (want == "refused") {
    r.ok = x.status / 100 == 4 || (mikey_ok && is_error);
  } else if (want == "not_granted") {
    r.ok = !(mikey_ok && p.message.hdr.data_type == granted);
  } else {
    r.ok = x.status < 500;
  }
  r.actual = actual;
}

// The checks that need the MIKEY answer in full (parsed or not).
void judge_message(const Check& c, const Evidence& e, ExpectationResult& r) {
  const codec::ParseOutcome& p = e.answer;
  switch (c.key) {
    case CheckKey::mikey_error_no:
      judge_error_no(c, e, r);
      break;
    case CheckKey::mikey_payloads_present:
    case CheckKey::mikey_payloads_absent:
      if (!p.ok()) {
        r.actual = "the message does not parse";
        break;
      }
      r.actual = payload_names(p.message);
      r.ok = true;
      for (std::uint8_t t : c.as<PayloadTypesCheck>().types) {
        const bool has = p.message.find(static_cast<codec::PayloadType>(t)) != nullptr;
        if (has != (c.key == CheckKey::mikey_payloads_present)) r.ok = false;
      }
      break;
    default:  // mikey_hdr_copied
      judge_copied(e, r);
      break;
  }
}

ExpectationResult judge(const Check& c, const Evidence& e) {
  if (c.key == CheckKey::refused) return judge_refusal(c, e.http, *e.profile);
  ExpectationResult r = start(c);
  if (c.key == CheckKey::outcome) {
    judge_outcome(c, e, r);
    return r;
  }
  const std::optional<mikey::Bytes>& m = e.http.mikey;
  // The header octets are read raw so a message that does not parse still shows them.
  const std::size_t needed = c.key == CheckKey::mikey_data_type ? 2
                             : c.key == CheckKey::mikey_hdr_v   ? 4
                                                                : 0;
  if (!m || m->size() < needed) {
    r.actual = e.no_mikey();
    return r;
  }
  if (c.key == CheckKey::mikey_data_type) {
    const int dt = (*m)[1];
    r.actual = data_type_name(dt);
    if (!e.answer.ok()) r.actual += " (the message does not parse)";
    r.ok = listed(c.as<NumbersCheck>().values, dt);
  } else if (c.key == CheckKey::mikey_hdr_v) {
    const int v = ((*m)[3] & 0x80) != 0 ? 1 : 0;
    r.actual = std::to_string(v);
    r.ok = v == c.as<NumbersCheck>().values.front();
  } else {
    judge_message(c, e, r);
  }
  return r;
}

}  // namespace

constexpr Family kMikeyFamily{"mikey", kKeys, read, judge};

}  // namespace mikeyconf::harness::checks
