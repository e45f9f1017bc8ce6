// The KMS-role case runner (kms_runner.h): settings, the request and raw sends, expectations.
#include "harness/kms_runner.h"

#include "codec/message.h"
#include "harness/checks/registry.h"
#include "harness/mutate.h"
#include "roles/credential.h"
#include "roles/message_util.h"
#include "roles/policy.h"

namespace mikeyconf::harness {

namespace {

std::string at(SourcePos p) {
  return p.line > 0 ? " (line " + std::to_string(p.line) + ")" : std::string();
}

}  // namespace

KmsSession::KmsSession(const Scenario& s, const SutProfile& p, SutDriver& d, std::uint64_t seed,
                       CaseResult& out)
    : sc_(s),
      prof_(p),
      drv_(d),
      rng_(seed),
      out_(out),
      time_(s.timeout_ms.value_or(p.timeouts.case_ms)) {
  last_.profile = &p;
}

void KmsCaseRunner::run() {
  session_.run([this](std::size_t i, const SendStep& step) {
    session_.send_resolve(i, step, session_.prepare_resolve(i, step));
  });
}

void KmsSession::run(const ResolveSend& resolve) {
  for (std::size_t i = 0; i < sc_.steps.size(); ++i) {
    time_.check_before(i);
    const Step& step = sc_.steps[i];
    if (const auto* send = std::get_if<SendStep>(&step.body)) {
      do_send(i, *send, resolve);
    } else if (const auto* create = std::get_if<CreateTicketStep>(&step.body)) {
      do_create(i, *create);
    } else if (const auto* wait = std::get_if<WaitStep>(&step.body)) {
      time_.wait(i, wait->ms);
    } else if (const auto* expect = std::get_if<ExpectStep>(&step.body)) {
      if (!do_expect(i, *expect)) return;
    }
  }
  out_.verdict = Verdict::pass;
}

const UserProfile& KmsSession::user_named(const std::string& name, SourcePos pos) const {
  const UserProfile* u = prof_.user(name);
  if (u == nullptr) {
    throw HarnessError("no user '" + name + "' in the SUT profile " + prof_.file + at(pos));
  }
  return *u;
}

KmsSession::Party KmsSession::settings(const std::vector<Setting>& set, Party party_default,
                                       const std::string& user) {
  Party p = std::move(party_default);
  p.user = &user_named(user, {});
  start_party_settings(p, prof_, set);
  roles::TicketRequest& t = p.ticket;
  t.responders = {user_named(prof_.responder, {}).identity};
  for (const Setting& s : set) {
    if (apply_party_setting(s, p)) continue;
    const std::string& k = s.key;
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
const roles::Clock& KmsSession::clock(std::int64_t offset_ms) {
  return time_.clock(offset_ms + prof_.sut_clock_offset_ms);
}

TranscriptEntry& KmsSession::local(std::size_t step, std::string label, ByteView message,
                                   std::string note) {
  TranscriptEntry e;
  e.step = step;
  e.kind = "local";
  e.label = std::move(label);
  e.mikey_built.assign(message.begin(), message.end());
  e.mikey_sent = e.mikey_built;
  e.note = std::move(note);
  e.start_ms = time_.since_start_ms();
  out_.transcript.push_back(std::move(e));
  return out_.transcript.back();
}

void KmsSession::do_create(std::size_t i, const CreateTicketStep& step) {
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
  holder_ = std::make_unique<roles::Initiator>(initiator_config(p), clock(p.clock_offset_ms), rng_);
  holder_user_ = p.user->name;
  auto created = holder_->create_ticket(p.ticket, tpk);
  if (!created.ok()) {
    throw HarnessError("create_ticket: the reference Initiator refused: " +
                       std::string(roles::to_string(created.error().failure)) + " " +
                       created.error().detail);
  }
  local(i, "mode-3 ticket created by " + p.user->name, {}, "Ticket Policy granted by itself");
}

void KmsSession::do_send(std::size_t i, const SendStep& step, const ResolveSend& resolve) {
  switch (step.message) {
    case MessageKind::request_init_psk:
      send_request(i, step);
      break;
    case MessageKind::resolve_init_psk:
      resolve(i, step);
      break;
    case MessageKind::raw_http:
      send_raw(i, step);
      break;
  }
}

// Mutates, re-protects, sends; fills the transcript and last_.
TranscriptEntry& KmsSession::transmit(std::size_t i, const SendStep& step, std::string label,
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
  e.start_ms = time_.since_start_ms();
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
  last_.record(step.message, sent, std::move(x));
  out_.transcript.push_back(std::move(e));
  time_.check_during(i);
  return out_.transcript.back();
}

// `set: {t_offset_ms: …}`: the T payload moved by the offset, the V MAC recomputed with the
// sender's keys (mutate.h re_protect), everything else as the party built it.
Bytes KmsSession::shift_t(std::size_t i, const Bytes& built, std::int64_t offset_ms,
                          const SentRequest& keys, bool resolve) const {
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

void KmsSession::send_request(std::size_t i, const SendStep& step) {
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

void KmsSession::send_raw(std::size_t i, const SendStep& step) {
  TranscriptEntry& e = transmit(i, step, "raw HTTP request", {}, SentRequest{},
                                mikey::transport::RequestType::ticket_request);
  last_.verify = {false, "nothing to verify: raw_http sends no MIKEY request"};
  annotate(e);
}

bool KmsSession::do_expect(std::size_t i, const ExpectStep& e) {
  last_.responder_psk = last_resolve_.psk;
  return judge_expect_step(
      i, e, [&](const Check& c) { return checks::judge(i, c, last_); }, out_);
}

}  // namespace mikeyconf::harness
