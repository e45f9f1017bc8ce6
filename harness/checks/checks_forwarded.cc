// sut_role kms_r: the forwarded.* checks on what the SUT forwarded to the harness KMS_I
// (TS 33.328 Annex B; chain.h check_forwarded).
#include <algorithm>

#include "crypto/secure_bytes.h"
#include "harness/chain.h"
#include "harness/chain_loader.h"
#include "harness/checks/registry.h"
#include "harness/reference_names.h"
#include "harness/yaml_util.h"
#include "roles/message_util.h"
#include "roles/protect.h"

namespace mikeyconf::harness {

namespace {

bool same(ByteView a, ByteView b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

std::string idr_text(const codec::IdWithRole* idr) {
  if (idr == nullptr) return "(none)";
  return std::string(idr->data.begin(), idr->data.end());
}

// Forwarded requests are the SUT's own messages (B.1-2), parsed here for the checks.
struct Parsed {
  roles::Received r;
  bool ok() const { return r.parsed.ok(); }
  const std::vector<codec::Payload>& payloads() const { return r.message().payloads; }
};

Parsed parse(ByteView bytes) { return Parsed{roles::receive(bytes)}; }

// B.0-5: the IDRr and TICKET of the Responder's RESOLVE_INIT, unchanged.
std::string copied_problem(const Parsed& fwd, const Parsed& req, ByteView fwd_bytes,
                           ByteView req_bytes) {
  std::string out;
  const auto* a = roles::find_idr(fwd.payloads(), codec::IdRole::idrr);
  const auto* b = roles::find_idr(req.payloads(), codec::IdRole::idrr);
  if (b != nullptr && (a == nullptr || !(*a == *b))) {
    out += "IDRr " + idr_text(a) + " (the Responder sent " + idr_text(b) + ")";
  }
  if (ticket_of(fwd_bytes) != ticket_of(req_bytes)) {
    out += std::string(out.empty() ? "" : "; ") + "TICKET differs";
  }
  return out;
}

// B.1-2: its own HDR (CSB ID), T and RANDRr; IDRkms naming KMS_I; a V. IDRkms is optional (RFC
// 6043 §4.2.3.1: MAY be left out when the KMS has a single identity) and its ID Type the sender's
// choice (docs/latitude.md "idrkms-id-type"): only present ID Data is judged.
std::string own_problem(const Parsed& fwd, const Parsed& req, const roles::Identity* kms_i) {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
  if (fwd.r.message().hdr.csb_id == req.r.message().hdr.csb_id) add("the Responder's CSB ID");
  const auto* t1 = roles::find_body<codec::Timestamp>(fwd.payloads());
  const auto* t2 = roles::find_body<codec::Timestamp>(req.payloads());
  if (t1 == nullptr) add("no T");
  if (t1 != nullptr && t2 != nullptr && t1->value == t2->value) add("the Responder's T");
  const auto* r1 = roles::find_randr(fwd.payloads(), codec::RandRole::randrr);
  const auto* r2 = roles::find_randr(req.payloads(), codec::RandRole::randrr);
  if (r1 == nullptr) add("no RANDRr");
  if (r1 != nullptr && r2 != nullptr && r1->rand == r2->rand) add("the Responder's RANDRr");
  const auto* kms = roles::find_idr(fwd.payloads(), codec::IdRole::idrkms);
  if (kms_i != nullptr && kms != nullptr && kms->data != kms_i->data) {
    add("IDRkms " + idr_text(kms) + " is not the KMS_I");
  }
  if (roles::last_v(fwd.r.message()) == nullptr) add("no V payload last");
  return out;
}

bool same_keys(const roles::KeySet& a, const roles::KeySet& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].spi != b[i].spi || !same(a[i].key.view(), b[i].key.view()) ||
        !same(a[i].salt.view(), b[i].salt.view())) {
      return false;
    }
  }
  return true;
}

// The forking modifier of a RESOLVE_RESP (RFC 6043 §4.2.3.5): its IDRr and RANDRkms.
std::string modifier_of(const Parsed& m) {
  const auto* idr = roles::find_idr(m.payloads(), codec::IdRole::idrr);
  const auto* rk = roles::find_randr(m.payloads(), codec::RandRole::randrkms);
  return idr_text(idr) + " / " +
         (rk == nullptr ? "(no RANDRkms)" : std::to_string(rk->rand.size()) + "-byte RANDRkms");
}

bool same_modifier(const Parsed& a, const Parsed& b) {
  const auto* i1 = roles::find_idr(a.payloads(), codec::IdRole::idrr);
  const auto* i2 = roles::find_idr(b.payloads(), codec::IdRole::idrr);
  const auto* r1 = roles::find_randr(a.payloads(), codec::RandRole::randrkms);
  const auto* r2 = roles::find_randr(b.payloads(), codec::RandRole::randrkms);
  const bool idr_same = (i1 == nullptr) == (i2 == nullptr) && (i1 == nullptr || *i1 == *i2);
  const bool rand_same = (r1 == nullptr) == (r2 == nullptr) && (r1 == nullptr || *r1 == *r2);
  return idr_same && rand_same;
}

// B.1-5: the key material and forking modifier the SUT gave the Responder are KMS_I's.
std::pair<bool, std::string> keys_kept(const ForwardedRequest& f, const ForwardedContext& x) {
  if (f.answer.empty()) return {false, "the harness KMS_I sent no MIKEY answer"};
  if (!x.sut_answer) return {false, "the SUT sent no MIKEY answer"};
  auto theirs = open_resolve_resp(f.request, f.answer, x.link_psk);
  if (!theirs.ok()) return {false, "the harness KMS_I's answer: " + theirs.error()};
  auto ours = open_resolve_resp(x.responder_request, *x.sut_answer, x.responder_psk);
  if (!ours.ok()) return {false, "the SUT's answer: " + ours.error()};
  if (!same_keys(theirs.value(), ours.value())) {
    return {false, "the KEMAC key material differs from the one KMS_I sent"};
  }
  const Parsed a = parse(f.answer);
  const Parsed b = parse(*x.sut_answer);
  if (!same_modifier(a, b)) {
    return {false, "forking modifier " + modifier_of(b) + " (KMS_I sent " + modifier_of(a) + ")"};
  }
  return {true, std::to_string(ours->size()) + " key(s) and the modifier as KMS_I sent them"};
}

void judge_one(ExpectationResult& r, const Check& c, const ForwardedRequest& f,
               const ForwardedContext& x) {
  const ForwardedCheck& want = c.as<ForwardedCheck>();
  const std::string& name = want.name;
  if (name == "accepted") {
    r.ok = f.accepted == want.value;
    r.actual = f.accepted ? "true" : "false (" + f.detail + ")";
    return;
  }
  if (name == "mutual_tls") {
    r.ok = f.mutual_tls;
    r.actual = f.mutual_tls ? "true" : "false (the link has no client-certificate check)";
    return;
  }
  if (name == "keys_kept") {
    auto [ok, detail] = keys_kept(f, x);
    r.ok = ok;
    r.actual = (ok ? "true (" : "false (") + detail + ")";
    return;
  }
  const Parsed fwd = parse(f.request);
  const Parsed req = parse(x.responder_request);
  if (!fwd.ok() || !req.ok()) {
    r.actual = !fwd.ok() ? "the forwarded RESOLVE_INIT does not parse"
                         : "the Responder's request as sent does not parse";
    return;
  }
  const std::string problem = name == "copied"
                                  ? copied_problem(fwd, req, f.request, x.responder_request)
                                  : own_problem(fwd, req, x.kms_i_identity);
  r.ok = problem.empty();
  r.actual = r.ok ? "true" : "false (" + problem + ")";
}

}  // namespace

mikey::Result<roles::KeySet, std::string> open_resolve_resp(ByteView request, ByteView answer,
                                                            ByteView psk) {
  const roles::Received req = roles::receive(request);
  if (!req.parsed.ok()) return std::string("the request does not parse");
  const roles::Received resp = roles::receive(answer);
  if (!resp.parsed.ok()) return std::string("does not parse");
  if (resp.message().hdr.data_type != codec::DataType::resolve_resp) {
    return "not a RESOLVE_RESP (data type " +
           std::to_string(codec::raw(resp.message().hdr.data_type)) + ")";
  }
  roles::MessageProtection p;
  p.inkey = psk;
  p.prf = req.message().hdr.prf_func;
  p.csb_id = req.message().hdr.csb_id;
  p.direction = mikey::crypto::MessageDirection::response;
  p.initial_message = req.bytes;
  if (const auto* r = roles::find_randr(req.message().payloads, codec::RandRole::randrr)) {
    p.randrr = r->rand;
  }
  // docs/latitude.md "iv-timestamp": the KEMAC IV may take the request's T (RFC 3830 §4.2.3
  // read as (b), the initial message's T); verify_message falls back to it when the answer's T (a)
  // gives no key data.
  if (const auto* t = roles::find_body<codec::Timestamp>(req.message().payloads)) {
    p.initial_t = roles::ts_iv_value(t->ts_type, t->value);
  }
  auto keys = roles::verify_message(resp, p);
  if (!keys.ok()) return "MAC/KEMAC check failed: " + std::string(roles::to_string(keys.error()));
  return std::move(keys).value();
}

ExpectationResult check_forwarded(const Check& c, const ForwardedContext& x) {
  ExpectationResult r;
  const ForwardedCheck& want = c.as<ForwardedCheck>();
  r.key = c.name();
  r.expected = c.expected_text();
  if (x.forwarded == nullptr) {
    r.actual = "no RESOLVE_INIT_PSK was sent to the SUT";
    return r;
  }
  const auto& all = *x.forwarded;
  if (want.name == "count") {
    r.ok = all.size() == static_cast<std::size_t>(want.count);
    r.actual = std::to_string(all.size());
    return r;
  }
  if (all.empty()) {
    r.actual = "the SUT sent no RESOLVE_INIT with this TICKET to the harness KMS_I";
    return r;
  }
  // Every forward must pass (a retry is judged like the first).
  for (const ForwardedRequest& f : all) {
    judge_one(r, c, f, x);
    if (!r.ok) break;
  }
  return r;
}

namespace checks {

namespace {

constexpr CheckKey kKeys[] = {CheckKey::forwarded};

ExpectationResult judge(const Check& c, const Evidence& e) {
  ForwardedContext fx;
  if (e.forwarded) fx.forwarded = &*e.forwarded;
  fx.responder_request = e.sent;
  if (e.http.mikey) fx.sut_answer = mikey::ByteView(*e.http.mikey);
  fx.responder_psk = e.responder_psk;
  if (e.profile->chaining) {
    fx.link_psk = e.profile->chaining->psk;
    fx.kms_i_identity = &e.profile->chaining->peer_identity;
  }
  return check_forwarded(c, fx);
}

}  // namespace

constexpr Family kForwardedFamily{"forwarded", kKeys, detail::read_chain_check, judge};

}  // namespace checks
}  // namespace mikeyconf::harness
