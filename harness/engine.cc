#include "harness/engine.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "codec/message.h"
#include "crypto/rng.h"
#include "harness/chain.h"
#include "harness/http_answer.h"
#include "harness/mutate.h"
#include "harness/names.h"
#include "harness/party_util.h"
#include "harness/refusal.h"
#include "harness/ue_runner.h"
#include "roles/credential.h"
#include "roles/error_message.h"
#include "roles/initiator.h"
#include "roles/message_util.h"
#include "roles/policy.h"
#include "roles/protect.h"
#include "roles/responder.h"
#include "transport/annex_a.h"

namespace mikeyconf::harness {

namespace roles = mikey::roles;
namespace codec = mikey::codec;
using mikey::Bytes;
using mikey::ByteView;
using Steady = std::chrono::steady_clock;

std::uint64_t case_seed(std::uint64_t run_seed, std::string_view id) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (char c : id) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  std::uint64_t z = run_seed ^ h;  // splitmix64 finaliser
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

const Scenario* find_sanity(const std::vector<Scenario>& suite, SutRole role) noexcept {
  for (const Scenario& s : suite)
    if (s.sut_role == role && s.has_tag("sanity")) return &s;
  return nullptr;
}

namespace {

// A harness-side problem inside a case: the verdict is error, never blamed on the SUT.
class HarnessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string at(SourcePos p) {
  return p.line > 0 ? " (line " + std::to_string(p.line) + ")" : std::string();
}

std::string data_type_name(int n) {
  std::string_view name = code_point_name("DataType", static_cast<std::uint32_t>(n));
  return name.empty() ? "data type " + std::to_string(n) : std::string(name);
}

std::string payload_names(const codec::Message& m) {
  std::string out;
  for (const codec::Payload& p : m.payloads) {
    std::string_view n = codec::to_string(p.type);
    out += (out.empty() ? "" : " ") +
           (n.empty() ? std::to_string(codec::raw(p.type)) : std::string(n));
  }
  return "HDR" + (out.empty() ? "" : " " + out);
}

std::string numbers_text(const std::vector<codec::ErrorNo>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    out += (i > 0 ? ", " : "") + std::to_string(codec::raw(v[i]));
    std::string_view n = codec::to_string(v[i]);
    if (!n.empty()) out += " " + std::string(n);
  }
  return out + "]";
}

bool ticket_flag(const codec::TicketFlags& f, char name) {
  const std::pair<char, bool> flags[] = {{'d', f.d}, {'e', f.e}, {'f', f.f}, {'g', f.g},
                                         {'h', f.h}, {'i', f.i}, {'j', f.j}, {'k', f.k},
                                         {'l', f.l}, {'m', f.m}, {'n', f.n}, {'o', f.o}};
  for (const auto& [n, value] : flags)
    if (n == name) return value;
  return false;
}

// ticket.lifetime_s / ticket.flags.X: the Ticket Policy of the TICKET in the answer, i.e. what
// the KMS granted (RFC 6043 §6.10: TRe − TRs; the flags, K = 1 when it changed the desired one).
void check_ticket(const Check& c, const std::optional<Bytes>& answer, ExpectationResult& r) {
  const codec::ParseOutcome p = answer ? codec::parse_message(*answer) : codec::ParseOutcome{};
  const codec::Payload* payload = p.ok() ? p.message.find(codec::PayloadType::ticket) : nullptr;
  const codec::Ticket* ticket = payload != nullptr ? payload->get<codec::Ticket>() : nullptr;
  if (ticket == nullptr) {
    r.actual = !answer   ? "no MIKEY message"
               : !p.ok() ? "the answer does not parse"
                         : "no TICKET payload in the answer";
    return;
  }
  if (c.header == "open_ended") {
    auto view = roles::view_policy(ticket->policy);
    const bool open = view.ok() && !view->tre;
    r.actual = !view.ok() ? "the TP Data cannot be read" : open ? "true (no TRe)" : "false";
    r.ok = view.ok() && open == (c.numbers.front() != 0);
    return;
  }
  if (c.header == "flags_consistent") {
    const auto broken = roles::flag_violation(ticket->policy.flags);
    r.actual = broken ? "false (" + std::string(*broken) + ")" : "true";
    r.ok = !broken == (c.numbers.front() != 0);
    return;
  }
  if (c.header != "lifetime_s") {
    const bool value = ticket_flag(ticket->policy.flags, c.header.back());
    r.actual = value ? "true" : "false";
    r.ok = value == (c.numbers.front() != 0);
    return;
  }
  auto view = roles::view_policy(ticket->policy);
  if (!view.ok() || !view->trs || !view->tre) {
    r.actual =
        !view.ok() ? "the TP Data cannot be read" : "the granted Ticket Policy lacks TRs or TRe";
    return;
  }
  const std::int64_t lifetime = *view->tre - *view->trs;
  r.actual = std::to_string(lifetime) + " s";
  r.ok = lifetime >= c.numbers.front() && lifetime <= c.numbers.back();
}

struct VerifyOutcome {
  bool ok = false;
  std::string detail;
};

// What the engine knows about the last send step (what expect steps judge).
struct LastExchange {
  bool present = false;
  MessageKind kind = MessageKind::request_init_psk;
  Bytes sent;  // the MIKEY message as sent (empty for raw_http)
  HttpExchange http;
  VerifyOutcome verify;
  std::optional<bool> keys_equal;
  std::string keys_detail;
  // sut_role kms_r: what the SUT forwarded to the harness KMS_I for this RESOLVE (chain.h).
  std::optional<std::vector<ForwardedRequest>> forwarded;
};

// A sent request kept for `resend: true`.
struct SentRequest {
  Bytes bytes;
  Bytes psk;
  roles::Identity peer;
  bool valid = false;
  // Chaining roles: where it went and the KMS it was addressed to (re_protect's Identity_kms;
  // empty: the profile's kms_identity).
  Route route = Route::sut;
  roles::Identity kms{};
  bool without_client_certificate = false;
  bool peer_is_mac_identity = false;  // re_protect: `peer` even when there is an IDRr (chain.h)
};

// sut_role kms_i: the harness KMS_R sends this RESOLVE_INIT_PSK (chain.h).
bool via_kms_r(const SendStep& s) noexcept { return s.from == Party::kms_r; }

class CaseRunner {
 public:
  CaseRunner(const Scenario& s, const SutProfile& p, SutDriver& d, std::uint64_t seed,
             CaseResult& out)
      : sc_(s), prof_(p), drv_(d), rng_(seed), out_(out) {
    const std::uint32_t limit = s.timeout_ms.value_or(p.timeouts.case_ms);
    deadline_ = start_ + std::chrono::milliseconds(limit);
    limit_ms_ = limit;
  }

  void run() {
    for (std::size_t i = 0; i < sc_.steps.size(); ++i) {
      check_deadline(i);
      const Step& step = sc_.steps[i];
      if (const auto* send = std::get_if<SendStep>(&step.body)) {
        do_send(i, *send);
      } else if (const auto* create = std::get_if<CreateTicketStep>(&step.body)) {
        do_create(i, *create);
      } else if (const auto* wait = std::get_if<WaitStep>(&step.body)) {
        if (Steady::now() + std::chrono::milliseconds(wait->ms) > deadline_) {
          throw HarnessError("step " + std::to_string(i + 1) + ": waiting " +
                             std::to_string(wait->ms) + " ms would exceed the case limit of " +
                             std::to_string(limit_ms_) + " ms");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(wait->ms));
      } else if (const auto* expect = std::get_if<ExpectStep>(&step.body)) {
        if (!do_expect(i, *expect)) return;
      }
    }
    out_.verdict = Verdict::pass;
  }

 private:
  // ---- settings ----

  // A harness party's settings (party_util.h; `to`, for a resolve: the user the TRANSFER_INIT is
  // addressed to) and the chaining roles' own.
  struct Party : PartySettings {
    KmsIAnswer kms_i_answer = KmsIAnswer::normal;  // sut_role kms_r (chain.h)
    bool link_client_certificate = true;           // from: kms_r
  };

  const UserProfile& user_named(const std::string& name, SourcePos pos) const {
    const UserProfile* u = prof_.user(name);
    if (u == nullptr) {
      throw HarnessError("no user '" + name + "' in the SUT profile " + prof_.file + at(pos));
    }
    return *u;
  }

  Party settings(const std::vector<Setting>& set, Party party_default, const std::string& user) {
    Party p = std::move(party_default);
    p.user = &user_named(user, {});
    start_party_settings(p, prof_, set);
    roles::TicketRequest& t = p.ticket;
    t.responders = {user_named(prof_.responder, {}).identity};
    for (const Setting& s : set) {
      if (apply_party_setting(s, p)) continue;
      const std::string& k = s.key;
      const auto* b = std::get_if<bool>(&s.value);
      const auto* str = std::get_if<std::string>(&s.value);
      const auto* list = std::get_if<std::vector<std::string>>(&s.value);
      if (k == "as") {
        p.user = &user_named(*str, s.pos);
      } else if (k == "to") {
        p.to = &user_named(*str, s.pos);
      } else if (k == "ticket_policy.responders") {
        t.responders.clear();
        for (const std::string& name : *list)
          t.responders.push_back(user_named(name, s.pos).identity);
      } else if (k == "kms_i.answer") {
        p.kms_i_answer = parse_kms_i_answer(*str).value_or(KmsIAnswer::normal);
      } else if (k == "link.client_certificate") {
        p.link_client_certificate = *b;
      }
    }
    // The Ticket Policy's own PRF wins over algorithms.prf whatever the order.
    for (const Setting& s : set) {
      if (s.key == "ticket_policy.prf")
        t.prf = static_cast<codec::PrfFunc>(std::get<std::int64_t>(s.value));
    }
    return p;
  }

  // The party's clock: the KMS's time (docs/latitude.md "clock-offset"), plus the case's offset.
  const roles::Clock& clock(std::int64_t offset_ms) {
    clocks_.push_back(
        std::make_unique<roles::ShiftedClock>(nullptr, offset_ms + prof_.sut_clock_offset_ms));
    return *clocks_.back();
  }

  // Chaining: a KMS_I user's Initiator asks the KMS_I (chain.h).
  roles::InitiatorConfig initiator_config(const Party& p) const {
    return harness::initiator_config(p, home_kms_identity(prof_, *p.user));
  }

  double since_start_ms() const {
    return std::chrono::duration<double, std::milli>(Steady::now() - start_).count();
  }

  void check_deadline(std::size_t step) const {
    if (Steady::now() > deadline_) {
      throw HarnessError("the case exceeded its time limit of " + std::to_string(limit_ms_) +
                         " ms before step " + std::to_string(step + 1));
    }
  }

  TranscriptEntry& local(std::size_t step, std::string label, ByteView message, std::string note) {
    TranscriptEntry e;
    e.step = step;
    e.kind = "local";
    e.label = std::move(label);
    e.mikey_built.assign(message.begin(), message.end());
    e.mikey_sent = e.mikey_built;
    e.note = std::move(note);
    e.start_ms = since_start_ms();
    out_.transcript.push_back(std::move(e));
    return out_.transcript.back();
  }

  // ---- steps ----

  void do_create(std::size_t i, const CreateTicketStep& step) {
    Party p = settings(step.set, Party{}, prof_.initiator);
    if (!p.user->mode3_tpk) {
      throw HarnessError("create_ticket: user '" + p.user->name +
                         "' has no mode3_tpk in the SUT profile");
    }
    const roles::TicketKey tpk = ticket_key(*p.user->mode3_tpk);
    bool format_set = false;
    for (const Setting& s : step.set)
      format_set = format_set || s.key.rfind("ticket_policy.ticket_type", 0) == 0;
    if (!format_set) p.ticket.format = tpk.format;
    holder_ =
        std::make_unique<roles::Initiator>(initiator_config(p), clock(p.clock_offset_ms), rng_);
    holder_user_ = p.user->name;
    auto created = holder_->create_ticket(p.ticket, tpk);
    if (!created.ok()) {
      throw HarnessError("create_ticket: the reference Initiator refused: " +
                         std::string(roles::to_string(created.error().failure)) + " " +
                         created.error().detail);
    }
    local(i, "mode-3 ticket created by " + p.user->name, {}, "Ticket Policy granted by itself");
  }

  void do_send(std::size_t i, const SendStep& step) {
    switch (step.message) {
      case MessageKind::request_init_psk:
        send_request(i, step);
        break;
      case MessageKind::resolve_init_psk:
        send_resolve(i, step);
        break;
      case MessageKind::raw_http:
        send_raw(i, step);
        break;
    }
  }

  // Mutates, re-protects, sends; fills the transcript and last_.
  TranscriptEntry& transmit(std::size_t i, const SendStep& step, std::string label,
                            const Bytes& built, const SentRequest& keys,
                            mikey::transport::RequestType type) {
    TranscriptEntry e;
    e.step = i;
    e.kind = "http";
    e.label = std::move(label);
    e.mikey_built = built;
    Bytes sent = built;
    if (!step.mutate.empty()) {
      auto m = apply_mutations(built, step.mutate);
      if (!m.ok()) throw HarnessError("step " + std::to_string(i + 1) + ": " + m.error());
      sent = std::move(m).value();
      for (const Mutation& mu : step.mutate) e.mutations.push_back(mu.describe());
    }
    if (step.re_protect) {
      ProtectionKeys pk;
      pk.psk = keys.psk;
      pk.identity_peer = keys.peer.data;
      pk.identity_kms = keys.kms.data.empty() ? prof_.kms_identity.data : keys.kms.data;
      pk.resolve = type == mikey::transport::RequestType::ticket_resolve;
      pk.identity_peer_wins = keys.peer_is_mac_identity;
      auto rp = re_protect(sent, pk);
      if (!rp.ok()) throw HarnessError("step " + std::to_string(i + 1) + ": " + rp.error());
      sent = std::move(rp).value();
      e.re_protected = true;
    }
    e.mikey_sent = sent;
    e.start_ms = since_start_ms();
    HttpRequestSpec spec{type, sent, step.http.any() ? &step.http : nullptr};
    spec.route = keys.route;
    spec.without_client_certificate = keys.without_client_certificate;
    HttpExchange x = drv_.exchange(spec);
    if (x.unreachable || x.transport_error == "harness_exception") {
      throw HarnessError("the SUT could not be reached (" + x.transport_error + ": " +
                         x.transport_detail + ")");
    }
    e.request = x.request;
    e.duration_ms = x.duration_ms;
    if (!x.responded) {
      e.transport_error = x.transport_error + ": " + x.transport_detail;
    } else {
      e.status = x.status;
      e.reason = x.reason;
      e.headers = x.headers;
      e.body = x.body;
      e.response_mikey = x.mikey;
      e.mikey_problem = x.mikey_problem;
    }
    last_ = LastExchange{};
    last_.present = true;
    last_.kind = step.message;
    last_.sent = sent;
    last_.http = std::move(x);
    out_.transcript.push_back(std::move(e));
    if (Steady::now() > deadline_) {
      throw HarnessError("the case exceeded its time limit of " + std::to_string(limit_ms_) +
                         " ms during step " + std::to_string(i + 1));
    }
    return out_.transcript.back();
  }

  // `set: {t_offset_ms: …}`: the T payload moved by the offset, the V MAC recomputed with the
  // sender's keys (mutate.h re_protect), everything else as the party built it.
  Bytes shift_t(std::size_t i, const Bytes& built, std::int64_t offset_ms, const SentRequest& keys,
                bool resolve) const {
    if (offset_ms == 0) return built;
    const codec::ParseOutcome p = codec::parse_message(built);
    const auto* t = p.ok() ? roles::find_body<codec::Timestamp>(p.message.payloads) : nullptr;
    if (t == nullptr || t->ts_type != codec::TsType::ntp_utc) {
      throw HarnessError("step " + std::to_string(i + 1) +
                         ": t_offset_ms needs an NTP-UTC T payload in the message");
    }
    const std::uint64_t moved = roles::shifted(t->value, offset_ms);
    Mutation m;
    m.knob = Knob::set;
    m.field = "payload[T].ts_value";
    m.bytes = Bytes(8);
    for (std::size_t b = 0; b < 8; ++b)
      (*m.bytes)[b] = static_cast<std::uint8_t>(moved >> (56 - 8 * b));
    auto mutated = apply_mutation(built, m);
    if (!mutated.ok()) throw HarnessError("step " + std::to_string(i + 1) + ": " + mutated.error());
    ProtectionKeys pk;
    pk.psk = keys.psk;
    pk.identity_peer = keys.peer.data;
    pk.identity_kms = keys.kms.data.empty() ? prof_.kms_identity.data : keys.kms.data;
    pk.resolve = resolve;
    auto protected_bytes = re_protect(mutated.value(), pk);
    if (!protected_bytes.ok())
      throw HarnessError("step " + std::to_string(i + 1) + ": " + protected_bytes.error());
    return std::move(protected_bytes).value();
  }

  // Verifies the answer with the sender's keys over the bytes as sent (independent of the party's
  // state, so it also works for mutated and resent requests).
  VerifyOutcome verify_answer(const SentRequest& keys, bool resolve) const {
    const HttpExchange& x = last_.http;
    if (!x.responded) return {false, "no HTTP response"};
    if (!x.mikey) {
      return {false, "no MIKEY message in the answer (HTTP " + std::to_string(x.status) +
                         (x.mikey_problem.empty() ? "" : ": " + x.mikey_problem) + ")"};
    }
    roles::Received resp = roles::receive(*x.mikey);
    if (!resp.parsed.ok()) {
      return {false, "the answer does not parse (" +
                         std::string(codec::to_string(resp.parsed.error.code)) + " at offset " +
                         std::to_string(resp.parsed.error.offset) + ")"};
    }
    const codec::ParseOutcome req = codec::parse_message(last_.sent);
    if (!req.ok()) return {false, "the request as sent does not parse, so no keys to verify with"};
    roles::MessageProtection p;
    p.inkey = keys.psk;
    p.prf = req.message.hdr.prf_func;
    p.csb_id = req.message.hdr.csb_id;
    set_iv_reading(p, req.message);
    const auto* rand = roles::find_randr(
        req.message.payloads, resolve ? codec::RandRole::randrr : codec::RandRole::randri);
    if (rand != nullptr) (resolve ? p.randrr : p.randri) = rand->rand;
    const codec::DataType type = resp.message().hdr.data_type;
    const codec::DataType expected =
        resolve ? codec::DataType::resolve_resp : codec::DataType::request_resp;
    if (type == codec::DataType::error) {
      if (roles::last_v(resp.message()) == nullptr) {
        return {false, "unauthenticated Error message (no V) " +
                           numbers_text(roles::error_numbers(resp.message()))};
      }
      p.direction = mikey::crypto::MessageDirection::initial;  // RFC 6043 §5.4
    } else if (type != expected) {
      return {false, "unexpected data type " + data_type_name(codec::raw(type))};
    } else {
      p.direction = mikey::crypto::MessageDirection::response;
      p.initial_message = last_.sent;
    }
    auto v = roles::verify_message(resp, p);
    if (!v.ok()) {
      return {false, "the MAC/KEMAC check failed: " + std::string(roles::to_string(v.error()))};
    }
    return {true, type == codec::DataType::error ? "authenticated Error message"
                                                 : "MAC verified, KEMAC decrypted"};
  }

  // docs/latitude.md "iv-timestamp": the KEMAC IV takes the T of the answer (a) or of the
  // request (b); verify_message tries both unless the profile declares one.
  void set_iv_reading(roles::MessageProtection& p, const codec::Message& request) const {
    if (const auto* t = roles::find_body<codec::Timestamp>(request.payloads))
      p.initial_t = roles::ts_iv_value(t->ts_type, t->value);
    const std::string_view declared = prof_.latitude.reading("iv-timestamp");
    p.iv = declared == "b" ? roles::IvTimestamp::initial_message
                           : roles::IvTimestamp::carrying_message;
    p.only_this_iv = declared != "any";
  }

  void annotate(TranscriptEntry& e) const {
    const HttpExchange& x = last_.http;
    if (!x.responded) {
      e.note = "no response";
      return;
    }
    std::string note = std::to_string(x.status);
    if (x.mikey) {
      auto parsed = codec::parse_message(*x.mikey);
      if (x.mikey->size() >= 2) note += " " + data_type_name(static_cast<int>((*x.mikey)[1]));
      if (parsed.ok() && parsed.message.hdr.data_type == codec::DataType::error) {
        note += " " + numbers_text(roles::error_numbers(parsed.message));
      }
      if (!parsed.ok()) note += " (does not parse)";
    }
    note += last_.verify.ok ? "; verified" : "; not verified: " + last_.verify.detail;
    e.note = note;
  }

  void send_request(std::size_t i, const SendStep& step) {
    Bytes built;
    SentRequest keys;
    std::string who;
    roles::Initiator* party = nullptr;
    if (step.resend) {
      keys = last_request_;
      built = keys.bytes;
      who = "resent";
    } else {
      Party p = settings(step.set, Party{}, prof_.initiator);
      holder_ =
          std::make_unique<roles::Initiator>(initiator_config(p), clock(p.clock_offset_ms), rng_);
      holder_user_ = p.user->name;
      auto bytes = holder_->request_ticket(p.ticket);
      if (!bytes.ok()) {
        throw HarnessError("step " + std::to_string(i + 1) +
                           ": the reference Initiator could not build REQUEST_INIT_PSK: " +
                           std::string(roles::to_string(bytes.error().failure)) + " " +
                           bytes.error().detail);
      }
      built = std::move(bytes).value();
      keys = SentRequest{built, p.user->psk, p.user->identity, true};
      keys.kms = home_kms_identity(prof_, *p.user);  // chaining: a KMS_I user asks the KMS_I
      built = shift_t(i, built, p.t_offset_ms, keys, false);
      keys.bytes = built;
      if (at_harness_kms(*p.user)) keys.route = Route::harness_kms;
      who = p.user->name;
      party = holder_.get();
    }
    TranscriptEntry& e = transmit(i, step, "REQUEST_INIT_PSK from initiator (" + who + ")", built,
                                  keys, mikey::transport::RequestType::ticket_request);
    last_request_ = keys;
    last_request_.bytes = last_.sent;
    last_.verify = verify_answer(keys, false);
    const bool altered = step.resend || !step.mutate.empty();
    if (party != nullptr && !altered && last_.http.mikey && last_.verify.ok) {
      const codec::ParseOutcome resp = codec::parse_message(*last_.http.mikey);
      if (resp.ok() && resp.message.hdr.data_type == codec::DataType::request_resp) {
        auto granted = party->process_request_resp(*last_.http.mikey);
        if (!granted.ok()) {
          last_.verify = {false, "the reference Initiator refused the REQUEST_RESP: " +
                                     std::string(roles::to_string(granted.error().failure)) + " " +
                                     granted.error().detail};
        } else {
          last_.verify.detail += "; ticket accepted by the reference Initiator";
        }
      }
    }
    annotate(e);
  }

  void send_resolve(std::size_t i, const SendStep& step) {
    Bytes built;
    SentRequest keys;
    std::string who;
    roles::Responder* responder = nullptr;
    KmsIAnswer kms_i_answer = KmsIAnswer::normal;
    if (step.resend) {
      keys = last_resolve_;
      built = keys.bytes;
      who = "resent";
    } else {
      if (!holder_ || !holder_->has_ticket()) {
        throw HarnessError("step " + std::to_string(i + 1) +
                           ": RESOLVE_INIT_PSK needs a ticket: an earlier REQUEST_INIT_PSK must be "
                           "granted (or a create_ticket step)");
      }
      Party p = settings(step.set, Party{}, prof_.responder);
      const UserProfile& to = p.to != nullptr ? *p.to : *p.user;
      roles::TransferOptions topt;
      topt.responder = to.identity;
      auto ti = holder_->transfer_init(topt);
      if (!ti.ok()) {
        throw HarnessError("step " + std::to_string(i + 1) +
                           ": the reference Initiator could not build TRANSFER_INIT: " +
                           std::string(roles::to_string(ti.error().failure)) + " " +
                           ti.error().detail);
      }
      if (via_kms_r(step) && !prof_.chaining) {
        throw HarnessError("step " + std::to_string(i + 1) +
                           ": from: kms_r needs a SUT profile of role kms_i (chaining:)");
      }
      // Chaining: the Responder asks its own KMS (kms_i: the harness KMS_R).
      const roles::Identity& kms =
          via_kms_r(step) ? prof_.chaining->peer_identity : home_kms_identity(prof_, *p.user);
      kms_i_answer = p.kms_i_answer;
      responder_ = std::make_unique<roles::Responder>(responder_config(p, to, kms),
                                                      clock(p.clock_offset_ms), rng_);
      auto st = responder_->process_transfer_init(ti.value());
      local(i,
            "TRANSFER_INIT " + holder_user_ + " -> " + to.name +
                (&to != p.user ? " (handled by " + p.user->name + ")" : ""),
            ti.value(),
            st.ok() ? "the reference Responder asks the KMS (RESOLVE_INIT)"
                    : "refused: " + std::string(roles::to_string(st.error().failure)));
      if (!st.ok() || st->action != roles::ResponderAction::send_resolve_init) {
        throw HarnessError("step " + std::to_string(i + 1) +
                           ": the reference Responder did not produce a RESOLVE_INIT_PSK (" +
                           (st.ok() ? std::string("it resolved without the KMS")
                                    : std::string(roles::to_string(st.error().failure)) + " " +
                                          st.error().detail) +
                           ")");
      }
      built = st->message;
      keys = SentRequest{built, p.user->psk, p.user->identity, true};
      keys.kms = kms;
      built = shift_t(i, built, p.t_offset_ms, keys, true);
      keys.bytes = built;
      who = p.user->name;
      responder = responder_.get();
      if (via_kms_r(step)) {
        relay_resolve(i, step, p, built, *responder);
        return;
      }
    }
    // sut_role kms_r: the harness KMS_I records what the SUT forwards for this ticket (chain.h).
    KmsITap* tap = drv_.kms_i_tap();
    const Bytes ticket = tap != nullptr ? ticket_of(built) : Bytes{};
    if (tap != nullptr) tap->arm(ticket, kms_i_answer);
    TranscriptEntry& e = transmit(i, step, "RESOLVE_INIT_PSK from responder (" + who + ")", built,
                                  keys, mikey::transport::RequestType::ticket_resolve);
    if (tap != nullptr) last_.forwarded = tap->take_forwarded(ticket);
    last_resolve_ = keys;
    last_resolve_.bytes = last_.sent;
    last_.verify = verify_answer(keys, true);
    annotate(e);
    if (last_.forwarded) log_forwarded(i, *last_.forwarded);
    const bool altered = step.resend || !step.mutate.empty();
    if (responder == nullptr || altered || !last_.http.mikey || !last_.verify.ok) {
      last_.keys_detail = altered ? "the request was altered, so the transfer was not completed"
                                  : "the Ticket Resolve did not succeed";
      return;
    }
    const codec::ParseOutcome resp = codec::parse_message(*last_.http.mikey);
    if (!resp.ok() || resp.message.hdr.data_type != codec::DataType::resolve_resp) {
      last_.keys_detail = "no RESOLVE_RESP";
      return;
    }
    complete_transfer(i, *responder, *last_.http.mikey);
  }

  // sut_role kms_r: what the SUT sent the harness KMS_I and what that answered, for the report.
  void log_forwarded(std::size_t i, const std::vector<ForwardedRequest>& forwarded) {
    for (const ForwardedRequest& f : forwarded) {
      local(i, "RESOLVE_INIT_PSK the SUT forwarded to the harness KMS_I", f.request,
            (f.accepted ? std::string("accepted by the reference KMS_I")
                        : "refused by the reference KMS_I: " + f.detail) +
                (f.mutual_tls ? "; over mutual TLS" : ""));
      local(i, "answer of the harness KMS_I -> SUT", f.answer,
            f.answer.empty() ? "no MIKEY answer" : "as sent (kms_i.answer applied)");
    }
  }

  // sut_role kms_i (from: kms_r): the Responder's RESOLVE_INIT goes to the harness KMS_R, whose
  // own RESOLVE_INIT to the SUT (B.1-2) is what this step mutates, sends and judges, with the
  // KMS-to-KMS keys; the KMS_R's re-encoded answer then completes the transfer (keys_equal).
  void relay_resolve(std::size_t i, const SendStep& step, const Party& p, const Bytes& request,
                     roles::Responder& responder) {
    KmsRRelay* relay = drv_.kms_r_relay();
    if (relay == nullptr) {
      throw HarnessError("step " + std::to_string(i + 1) +
                         ": from: kms_r needs the kms_i driver (the harness plays KMS_R)");
    }
    local(i, "RESOLVE_INIT_PSK from responder (" + p.user->name + ") to the harness KMS_R", request,
          "the harness KMS_R sends its own RESOLVE_INIT to the SUT");
    std::exception_ptr failure;
    bool forwarded = false;
    const KmsRRelay::Forward forward = [&](ByteView fwd) -> mikey::Result<Bytes, roles::PeerError> {
      try {  // nothing may unwind through the reference Kms (noexcept)
        const SentRequest keys = link_keys(fwd, p);
        TranscriptEntry& e =
            transmit(i, step, "RESOLVE_INIT_PSK from the harness KMS_R (for " + p.user->name + ")",
                     keys.bytes, keys, mikey::transport::RequestType::ticket_resolve);
        forwarded = true;
        last_resolve_ = keys;
        last_resolve_.bytes = last_.sent;
        last_.verify = verify_answer(keys, true);
        annotate(e);
        const HttpExchange& x = last_.http;
        if (!x.responded) return roles::PeerError{x.transport_error + " " + x.transport_detail};
        if (x.status != 200 || !x.mikey)
          return roles::PeerError{"HTTP " + std::to_string(x.status)};
        return *x.mikey;
      } catch (...) {
        failure = std::current_exception();
        return roles::PeerError{"harness error"};
      }
    };
    const roles::KmsReply reply = relay->relay(request, forward);
    if (failure) std::rethrow_exception(failure);
    const std::string refusal =
        reply.failure ? std::string(roles::to_string(*reply.failure)) + " " + reply.detail : "";
    if (!forwarded) {
      throw HarnessError("step " + std::to_string(i + 1) +
                         ": the harness KMS_R refused the Responder and forwarded nothing (" +
                         refusal + ")");
    }
    local(i, "answer of the harness KMS_R -> responder (" + p.user->name + ")", reply.message,
          refusal.empty() ? "re-encoded for the Responder" : "refused: " + refusal);
    const codec::ParseOutcome answer = codec::parse_message(reply.message);
    if (!step.mutate.empty() || !last_.verify.ok || !answer.ok() ||
        answer.message.hdr.data_type != codec::DataType::resolve_resp) {
      last_.keys_detail = !step.mutate.empty()
                              ? "the request was altered, so the transfer was not completed"
                              : "the Ticket Resolve did not succeed";
      return;
    }
    complete_transfer(i, responder, reply.message);
  }

  // The harness KMS_R's RESOLVE_INIT `fwd` as a sent request: keyed with the KMS-to-KMS PSK, its
  // IDRr as Identity_r (B.0-5), the SUT as Identity_kms, over the link.
  SentRequest link_keys(ByteView fwd, const Party& p) const {
    SentRequest k;
    k.bytes.assign(fwd.begin(), fwd.end());
    k.psk = prof_.chaining->psk;
    const roles::Received r = roles::receive(fwd);
    const auto* idr =
        r.parsed.ok() ? roles::find_idr(r.message().payloads, codec::IdRole::idrr) : nullptr;
    k.peer = idr != nullptr ? roles::identity_of(*idr) : p.user->identity;
    if (auto own = link_mac_identity_r(prof_)) {  // docs/latitude.md "link-mac-identity"
      k.peer = *own;
      k.peer_is_mac_identity = true;
    }
    k.valid = true;
    k.route = Route::kms_link;
    k.kms = prof_.kms_identity;
    k.without_client_certificate = !p.link_client_certificate;
    return k;
  }

  // RESOLVE_RESP → TRANSFER_RESP → the Initiator; then compare both sides' SRTP keys.
  void complete_transfer(std::size_t i, roles::Responder& responder, ByteView answer) {
    auto st = responder.process_resolve_resp(answer);
    if (!st.ok()) {
      last_.verify = {false, "the reference Responder refused the RESOLVE_RESP: " +
                                 std::string(roles::to_string(st.error().failure)) + " " +
                                 st.error().detail};
      last_.keys_detail = last_.verify.detail;
      return;
    }
    last_.verify.detail += "; keys accepted by the reference Responder";
    if (st->action == roles::ResponderAction::send_transfer_resp) {
      auto done = holder_->process_transfer_resp(st->message);
      local(i, "TRANSFER_RESP -> " + holder_user_, st->message,
            done.ok() ? "accepted by the reference Initiator"
                      : "refused: " + std::string(roles::to_string(done.error().failure)));
      if (!done.ok()) {
        last_.keys_equal = false;
        last_.keys_detail = "the reference Initiator refused TRANSFER_RESP: " +
                            std::string(roles::to_string(done.error().failure));
        return;
      }
    }
    auto a = holder_->srtp_keys();
    auto b = responder.srtp_keys();
    if (!a.ok() || !b.ok()) {
      last_.keys_equal = false;
      last_.keys_detail =
          "SRTP keys unavailable on " + std::string(!a.ok() ? "the Initiator" : "the Responder");
      return;
    }
    bool equal = a->size() == b->size() && !a->empty();
    for (std::size_t k = 0; equal && k < a->size(); ++k) {
      const roles::SrtpKeys& x = (*a)[k];
      const roles::SrtpKeys& y = (*b)[k];
      equal = x.cs_id == y.cs_id && !x.master_key.empty() &&
              mikey::crypto::constant_time_equal(x.master_key.view(), y.master_key.view()) &&
              mikey::crypto::constant_time_equal(x.master_salt.view(), y.master_salt.view());
    }
    last_.keys_equal = equal;
    last_.keys_detail =
        equal ? std::to_string(a->size()) + " crypto session(s), same SRTP master keys and salts"
              : "the SRTP master keys differ";
  }

  void send_raw(std::size_t i, const SendStep& step) {
    TranscriptEntry& e = transmit(i, step, "raw HTTP request", {}, SentRequest{},
                                  mikey::transport::RequestType::ticket_request);
    last_.verify = {false, "nothing to verify: raw_http sends no MIKEY request"};
    annotate(e);
  }

  // ---- expectations ----

  ExpectationResult check(std::size_t step, const Check& c) const {
    ExpectationResult r;
    r.step = step;
    r.key = std::string(to_string(c.key));
    if (c.key == CheckKey::http_header || c.key == CheckKey::ticket) r.key += "." + c.header;
    r.expected = c.expected_text();
    const HttpExchange& x = last_.http;
    const std::string no_response =
        "no response (" + x.transport_error + ": " + x.transport_detail + ")";
    auto parsed = [&]() {
      return x.mikey ? codec::parse_message(*x.mikey) : codec::ParseOutcome{};
    };
    auto no_mikey = [&]() {
      return "no MIKEY message" +
             (x.mikey_problem.empty() ? std::string() : " (" + x.mikey_problem + ")");
    };
    switch (c.key) {
      case CheckKey::http_status: {
        if (!x.responded) {
          r.actual = no_response;
          break;
        }
        r.actual = std::to_string(x.status);
        r.ok = std::find(c.numbers.begin(), c.numbers.end(), x.status) != c.numbers.end() ||
               std::find(c.status_classes.begin(), c.status_classes.end(), x.status / 100) !=
                   c.status_classes.end();
        break;
      }
      case CheckKey::http_content_type: {
        if (!x.responded) {
          r.actual = no_response;
          break;
        }
        auto ct = x.header("Content-Type");
        r.actual = ct ? std::string(*ct) : "(none)";
        r.ok = ct && mikey::transport::media_type_matches(*ct, c.text);
        break;
      }
      case CheckKey::http_header: {
        if (!x.responded) {
          r.actual = no_response;
          break;
        }
        auto h = x.header(c.header);
        r.actual = h ? std::string(*h) : "(absent)";
        r.ok = c.absent ? !h : (h && (c.text == "*" || *h == c.text));
        break;
      }
      case CheckKey::mikey_data_type: {
        if (!x.mikey || x.mikey->size() < 2) {
          r.actual = x.responded ? no_mikey() : no_response;
          break;
        }
        const int dt = (*x.mikey)[1];
        r.actual = data_type_name(dt);
        if (!parsed().ok()) r.actual += " (the message does not parse)";
        r.ok = std::find(c.numbers.begin(), c.numbers.end(), dt) != c.numbers.end();
        break;
      }
      case CheckKey::mikey_error_no: {
        if (!x.mikey) {
          r.actual = x.responded ? no_mikey() : no_response;
          break;
        }
        const codec::ParseOutcome p = parsed();
        if (!p.ok()) {
          r.actual = "the message does not parse";
          break;
        }
        if (p.message.hdr.data_type != codec::DataType::error) {
          r.actual =
              "not an Error message (" + data_type_name(codec::raw(p.message.hdr.data_type)) + ")";
          break;
        }
        const auto numbers = roles::error_numbers(p.message);
        r.actual = numbers_text(numbers);
        for (codec::ErrorNo n : numbers)
          if (std::find(c.numbers.begin(), c.numbers.end(), codec::raw(n)) != c.numbers.end())
            r.ok = true;
        break;
      }
      case CheckKey::mikey_payloads_present:
      case CheckKey::mikey_payloads_absent: {
        const codec::ParseOutcome p = parsed();
        if (!x.mikey || !p.ok()) {
          r.actual =
              !x.mikey ? (x.responded ? no_mikey() : no_response) : "the message does not parse";
          break;
        }
        r.actual = payload_names(p.message);
        r.ok = true;
        for (std::uint8_t t : c.payload_types) {
          const bool has = p.message.find(static_cast<codec::PayloadType>(t)) != nullptr;
          if (has != (c.key == CheckKey::mikey_payloads_present)) r.ok = false;
        }
        break;
      }
      case CheckKey::mikey_hdr_v: {
        if (!x.mikey || x.mikey->size() < 4) {
          r.actual = x.responded ? no_mikey() : no_response;
          break;
        }
        const int v = ((*x.mikey)[3] & 0x80) != 0 ? 1 : 0;
        r.actual = std::to_string(v);
        r.ok = v == c.numbers.front();
        break;
      }
      case CheckKey::mikey_hdr_copied: {
        const codec::ParseOutcome p = parsed();
        const codec::ParseOutcome q = codec::parse_message(last_.sent);
        if (!x.mikey || !p.ok()) {
          r.actual =
              !x.mikey ? (x.responded ? no_mikey() : no_response) : "the answer does not parse";
          break;
        }
        if (!q.ok()) {
          r.actual = "the request as sent does not parse";
          break;
        }
        r.expected = "version, PRF func, CSB ID (and #CS, map type for a response) of the request";
        const codec::Hdr& a = p.message.hdr;
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
        break;
      }
      case CheckKey::verify:
        r.actual = last_.verify.ok ? "ok (" + last_.verify.detail + ")"
                                   : "fail (" + last_.verify.detail + ")";
        r.ok = last_.verify.ok == (c.text == "ok");
        break;
      case CheckKey::keys_equal:
        if (last_.kind != MessageKind::resolve_init_psk) {
          r.actual = "no key comparison: the last exchange was not a Ticket Resolve";
          break;
        }
        r.ok = last_.keys_equal.value_or(false);
        r.actual = (r.ok ? "true (" : "false (") + last_.keys_detail + ")";
        break;
      case CheckKey::within_ms:
        if (!x.responded) {
          r.actual =
              no_response + " after " + std::to_string(static_cast<long>(x.duration_ms)) + " ms";
          break;
        }
        r.actual = std::to_string(x.duration_ms) + " ms";
        r.ok = x.duration_ms <= c.ms;
        break;
      case CheckKey::ue:
        r.actual = "a UE-role check: only for sut_role initiator or responder";
        break;
      case CheckKey::ticket:
        check_ticket(c, x.mikey, r);
        break;
      case CheckKey::refused:
        r = judge_refusal(c, x, prof_);
        r.step = step;
        break;
      case CheckKey::http_answer:
        r = judge_http_answer(c, x);
        r.step = step;
        break;
      case CheckKey::forwarded: {
        ForwardedContext fx;
        if (last_.forwarded) fx.forwarded = &*last_.forwarded;
        fx.responder_request = last_.sent;
        if (x.mikey) fx.sut_answer = ByteView(*x.mikey);
        fx.responder_psk = last_resolve_.psk;
        if (prof_.chaining) {
          fx.link_psk = prof_.chaining->psk;
          fx.kms_i_identity = &prof_.chaining->peer_identity;
        }
        r = check_forwarded(c, fx);
        r.step = step;
        break;
      }
      case CheckKey::outcome: {
        if (!x.responded) {
          // not_granted: a refused connection or handshake grants nothing (B.0-1).
          r.ok = c.text == "not_granted";
          r.actual = no_response;
          break;
        }
        const codec::ParseOutcome p = parsed();
        const bool is_error =
            x.mikey && p.ok() && p.message.hdr.data_type == codec::DataType::error;
        const codec::DataType granted = last_.kind == MessageKind::resolve_init_psk
                                            ? codec::DataType::resolve_resp
                                            : codec::DataType::request_resp;
        const auto ct = x.header("Content-Type");
        const bool mikey_ok = x.status == 200 && x.mikey && p.ok() && x.mikey_problem.empty() &&
                              ct &&
                              mikey::transport::media_type_matches(*ct, prof_.annex_a.content_type);
        std::string actual = std::to_string(x.status);
        if (x.mikey && x.mikey->size() >= 2) actual += " " + data_type_name((*x.mikey)[1]);
        if (is_error) actual += " " + numbers_text(roles::error_numbers(p.message));
        if (!x.mikey_problem.empty()) actual += " (" + x.mikey_problem + ")";
        if (c.text == "granted") {
          r.ok = mikey_ok && p.message.hdr.data_type == granted;
        } else if (c.text == "refused") {
          r.ok = x.status / 100 == 4 || (mikey_ok && is_error);
        } else if (c.text == "not_granted") {
          r.ok = !(mikey_ok && p.message.hdr.data_type == granted);
        } else {
          r.ok = x.status < 500;
        }
        r.actual = actual;
        break;
      }
    }
    return r;
  }

  bool do_expect(std::size_t i, const ExpectStep& e) {
    return judge_expect_step(
        i, e, [&](const Check& c) { return check(i, c); }, out_);
  }

  const Scenario& sc_;
  const SutProfile& prof_;
  SutDriver& drv_;
  mikey::crypto::DeterministicRng rng_;
  CaseResult& out_;
  Steady::time_point start_ = Steady::now();
  Steady::time_point deadline_;
  std::uint32_t limit_ms_ = 0;
  std::deque<std::unique_ptr<roles::ShiftedClock>>
      clocks_;                                // the parties' clocks (set: clock_offset_ms)
  std::unique_ptr<roles::Initiator> holder_;  // the Initiator holding the current ticket
  std::string holder_user_;
  std::unique_ptr<roles::Responder> responder_;
  LastExchange last_;
  SentRequest last_request_;
  SentRequest last_resolve_;
};

}  // namespace

void fill_header(CaseResult& r, const Scenario& s) {
  r.id = s.id;
  r.title = s.title;
  r.file = s.file;
  r.requirements = s.requirements;
  r.level = s.level;
  r.sut_role = s.sut_role;
  r.tags = s.tags;
  r.needs = s.needs;
}

CaseResult run_case(const Scenario& scenario, const SutProfile& profile, SutDriver& driver,
                    std::uint64_t seed) {
  CaseResult r;
  fill_header(r, scenario);
  r.seed = seed;
  const auto start = Steady::now();
  try {
    if (scenario.sut_role == SutRole::initiator || scenario.sut_role == SutRole::responder) {
      run_ue_case(scenario, profile, driver, seed, r);  // the UE under test: ue_runner.h
    } else {
      CaseRunner runner(scenario, profile, driver, seed, r);
      runner.run();
    }
  } catch (const HarnessError& e) {
    r.verdict = Verdict::error;
    r.reason = e.what();
  } catch (const std::exception& e) {
    r.verdict = Verdict::error;
    r.reason = std::string("harness exception: ") + e.what();
  }
  r.duration_ms = std::chrono::duration<double, std::milli>(Steady::now() - start).count();
  return r;
}

}  // namespace mikeyconf::harness
