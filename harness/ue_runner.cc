// The UE-role case runner (ue_runner.h).
#include "harness/ue_runner.h"

#include <algorithm>
#include <chrono>

#include "codec/message.h"
#include "crypto/rng.h"
#include "harness/case_time.h"
#include "harness/checks/registry.h"
#include "harness/mutate.h"
#include "harness/party_util.h"
#include "harness/reference_names.h"
#include "harness/role_runner.h"
#include "harness/ue_checks.h"
#include "harness/ue_kms.h"
#include "harness/ue_transcript.h"
#include "roles/clock.h"
#include "roles/credential.h"
#include "roles/initiator.h"
#include "roles/message_util.h"
#include "roles/responder.h"
#include "wire/base64.h"

namespace mikeyconf::harness {

using Steady = std::chrono::steady_clock;

namespace {

std::string step_text(std::size_t i) { return "step " + std::to_string(i + 1); }

std::string refusal_text(const roles::Refusal& r) {
  return std::string(roles::to_string(r.failure)) + (r.detail.empty() ? "" : " (" + r.detail + ")");
}

// A harness party's settings (party_util.h) and what the UE runner also needs to know of them.
struct UePartySettings : PartySettings {
  bool format_set = false;  // a ticket_policy format key was given (else the mode-3 TPK's)
  bool to_set = false;      // `to` was given (else the default the step chose)
};

class UeCaseRunner {
 public:
  UeCaseRunner(const Scenario& s, const SutProfile& p, UeDriver& d, std::uint64_t seed,
               CaseResult& out)
      : sc_(s),
        prof_(p),
        drv_(d),
        seed_(seed),
        rng_(seed),
        out_(out),
        time_(s.timeout_ms.value_or(p.timeouts.case_ms)) {
    const bool initiator = s.sut_role == SutRole::initiator;
    ue_user_ = &user_named(initiator ? p.initiator : p.responder);
    peer_user_ = &user_named(initiator ? p.responder : p.initiator);
  }

  ~UeCaseRunner() { finish_session(); }
  UeCaseRunner(const UeCaseRunner&) = delete;
  UeCaseRunner& operator=(const UeCaseRunner&) = delete;

  void run() {
    start_kms();
    for (std::size_t i = 0; i < sc_.steps.size(); ++i) {
      time_.check_before(i);
      const Step& step = sc_.steps[i];
      if (const auto* ue = std::get_if<UeStep>(&step.body)) {
        do_ue(i, *ue);
      } else if (const auto* k = std::get_if<KmsAnswerStep>(&step.body)) {
        kms_->set_answer(*k);
        local(i, "harness KMS", describe_kms_answer(*k), {});
      } else if (const auto* c = std::get_if<CreateTicketStep>(&step.body)) {
        do_create(i, *c);
      } else if (const auto* w = std::get_if<WaitStep>(&step.body)) {
        do_wait(i, *w);
      } else if (const auto* e = std::get_if<ExpectStep>(&step.body)) {
        if (!do_expect(i, *e)) return finish_session();
      } else {
        throw HarnessError(step_text(i) + ": send: steps are for the KMS roles");
      }
    }
    finish_session();
    out_.verdict = Verdict::pass;
  }

  // Ends the hook session and the KMS, keeping what they said in the transcript. Idempotent.
  void finish_session() noexcept {
    try {
      if (session_) {
        const std::string ended = session_->close();
        hook_log(last_step(), session_->take_log());
        local(last_step(), "UE hook ended", ended, {});
        session_.reset();
      }
      if (kms_) {
        kms_->stop();
        ingest_tap(last_step());
      }
    } catch (...) {
      // The transcript is best effort at this point; the verdict is already decided.
    }
  }

 private:
  std::size_t last_step() const { return sc_.steps.empty() ? 0 : sc_.steps.size() - 1; }

  // ---- setup ----

  const UserProfile& user_named(const std::string& name) const {
    const UserProfile* u = prof_.user(name);
    if (u == nullptr) throw HarnessError("no user '" + name + "' in the SUT profile " + prof_.file);
    return *u;
  }

  void start_kms() {
    // The KMS's keys and RANDs repeat with the case seed too, from a stream of their own (the
    // parties' generator is consumed in step order).
    auto kms = TapKms::start(prof_, seed_ ^ 0x6b6d73ULL,
                             std::chrono::milliseconds(prof_.timeouts.request_ms));
    if (!kms.ok()) throw HarnessError(kms.error());
    kms_ = std::move(kms).value();
    const std::string url = kms_->url();
    const auto host_start = url.find("://") + 3;
    kms_authority_ = prof_.host_header.empty()
                         ? url.substr(host_start, url.find('/', host_start) - host_start)
                         : prof_.host_header;
  }

  HookSession& session() {
    if (session_) return *session_;
    if (!prof_.hook) throw HarnessError("the profile " + prof_.file + " names no hook");
    auto s = open_hook_session(*prof_.hook, drv_.vars());
    if (!s.ok()) throw HarnessError("the UE hook could not be started: " + s.error());
    session_ = std::move(s).value();
    return *session_;
  }

  const roles::Clock& clock(std::int64_t offset_ms) { return time_.clock(offset_ms); }

  UePartySettings settings(const std::vector<Setting>& set, const UserProfile& as,
                           const UserProfile& to) const {
    UePartySettings p;
    p.user = &as;
    p.to = &to;
    start_party_settings(p, prof_, set);
    for (const Setting& s : set) apply(s, p);
    if (p.ticket.responders.empty()) p.ticket.responders = {p.to->identity};
    return p;
  }

  // The shared keys (party_util.h) in the order given, then the user keys and the Ticket
  // Policy's own PRF, which here also apply in the order given.
  void apply(const Setting& s, UePartySettings& p) const {
    const std::string& k = s.key;
    if (k.rfind("ticket_policy.ticket_type", 0) == 0 || k == "ticket_policy.subtype" ||
        k == "ticket_policy.version") {
      p.format_set = true;
    }
    if (apply_party_setting(s, p)) return;
    const auto* i = std::get_if<std::int64_t>(&s.value);
    const auto* str = std::get_if<std::string>(&s.value);
    const auto* list = std::get_if<std::vector<std::string>>(&s.value);
    if (k == "as") p.user = &user_named(*str);
    if (k == "to") {
      p.to = &user_named(*str);
      p.to_set = true;
    }
    if (k == "ticket_policy.prf") p.ticket.prf = static_cast<codec::PrfFunc>(*i);
    if (k == "ticket_policy.responders") {
      for (const std::string& name : *list)
        p.ticket.responders.push_back(user_named(name).identity);
    }
  }

  // ---- harness parties ----

  std::unique_ptr<roles::Initiator> make_initiator(const PartySettings& p) {
    return std::make_unique<roles::Initiator>(initiator_config(p, prof_.kms_identity),
                                              clock(p.clock_offset_ms), rng_);
  }

  std::unique_ptr<roles::Responder> make_responder(const PartySettings& p) {
    return std::make_unique<roles::Responder>(responder_config(p, *p.to, prof_.kms_identity),
                                              clock(p.clock_offset_ms), rng_);
  }

  // SUT Responder: the harness Initiator gets its ticket from the harness KMS in-process.
  void get_ticket(std::size_t i, const PartySettings& p) {
    holder_ = make_initiator(p);
    holder_user_ = p.user->name;
    auto request = holder_->request_ticket(p.ticket);
    if (!request.ok()) {
      throw HarnessError(step_text(i) +
                         ": the harness Initiator could not build "
                         "REQUEST_INIT_PSK: " +
                         refusal_text(request.error()));
    }
    const roles::KmsReply reply =
        kms_->handle_direct(transport::RequestType::ticket_request, request.value());
    auto granted = holder_->process_request_resp(reply.message);
    local(i, "REQUEST_INIT_PSK " + p.user->name + " -> harness KMS (in-process)",
          granted.ok() ? "ticket granted" : "refused: " + refusal_text(granted.error()),
          request.value());
    if (!granted.ok()) {
      throw HarnessError(step_text(i) +
                         ": the harness KMS did not grant the harness Initiator "
                         "a ticket: " +
                         refusal_text(granted.error()));
    }
  }

  void do_create(std::size_t i, const CreateTicketStep& step) {
    UePartySettings p = settings(step.set, *peer_user_, *ue_user_);
    if (!p.user->mode3_tpk) {
      throw HarnessError("create_ticket: user '" + p.user->name +
                         "' has no mode3_tpk in the SUT profile");
    }
    const roles::TicketKey tpk = ticket_key(*p.user->mode3_tpk);
    if (!p.format_set) p.ticket.format = tpk.format;
    holder_ = make_initiator(p);
    holder_user_ = p.user->name;
    auto created = holder_->create_ticket(p.ticket, tpk);
    if (!created.ok()) {
      throw HarnessError("create_ticket: the reference Initiator refused: " +
                         refusal_text(created.error()));
    }
    mode3_holder_ = true;
    local(i, "mode-3 ticket created by " + p.user->name + " (harness Initiator)",
          "Ticket Policy granted by itself", {});
  }

  void do_wait(std::size_t i, const WaitStep& w) { time_.wait(i, w.ms); }

  // ---- ue: steps ----

  void do_ue(std::size_t i, const UeStep& step) {
    switch (step.op) {
      case UeOp::initiate:
        initiate(i, step);
        break;
      case UeOp::transfer_resp:
        transfer_resp(i, step);
        break;
      case UeOp::transfer_init:
        transfer_init(i, step);
        break;
    }
  }

  std::string request_head(std::string_view op) const {
    return "{\"op\":" + json_quote(op) + ",\"case\":" + json_quote(sc_.id) +
           ",\"kms_url\":" + json_quote(kms_->url()) +
           ",\"kms_identity\":" + json_quote(identity_text(prof_.kms_identity)) +
           ",\"identity\":" + json_quote(identity_text(ue_user_->identity));
  }

  // SUT Initiator: "start a session towards `to`".
  void initiate(std::size_t i, const UeStep& step) {
    const UePartySettings p = settings(step.set, *peer_user_, *peer_user_);
    const UserProfile& to = p.to_set ? *p.to : *p.user;  // default: the handling user
    std::string request = request_head("initiate") +
                          ",\"peer\":" + json_quote(identity_text(to.identity)) +
                          ",\"mode\":" + std::to_string(step.mode) + "}";
    begin_exchange(UeOp::initiate, {});
    call_ue(i, "initiate harness -> " + ue_user_->name + " (UE hook: towards " + to.name + ")",
            request, {}, {}, {}, to.name);
    pending_resp_.reset();
    responder_.reset();
    const std::optional<Bytes>& ti = last_.reply.mikey;
    if (!ti || ti->size() < 2 || (*ti)[1] != codec::raw(codec::DataType::transfer_init)) {
      last_.verify_detail = "the UE returned " + ue_data_type_of(ti) + ", not a TRANSFER_INIT";
      return;
    }
    UePartySettings rp = p;
    rp.to = &to;
    responder_ = make_responder(rp);
    responder_user_ = p.user->name;
    resolve_transfer(i, *ti);
  }

  // The harness Responder takes the UE's TRANSFER_INIT: early checks, Ticket Resolve with the
  // harness KMS in-process, MAC with MPKi (RFC 6043 §4.2.2.2, §4.2.3.6).
  void resolve_transfer(std::size_t i, const Bytes& ti) {
    auto st = responder_->process_transfer_init(ti);
    if (st.ok() && st->action == roles::ResponderAction::send_resolve_init) {
      const roles::KmsReply reply =
          kms_->handle_direct(transport::RequestType::ticket_resolve, st->message);
      local(i, "RESOLVE_INIT_PSK " + responder_user_ + " -> harness KMS (in-process)",
            reply.failure
                ? "refused: " + std::string(roles::to_string(*reply.failure)) + " " + reply.detail
                : "RESOLVE_RESP",
            st->message);
      st = responder_->process_resolve_resp(reply.message);
    }
    if (!st.ok()) {
      last_.verify_detail =
          "the harness Responder refused the UE's TRANSFER_INIT: " + refusal_text(st.error());
      return;
    }
    last_.verify_ok = true;
    last_.verify_detail = "the harness Responder verified TRANSFER_INIT with MPKi from the KMS";
    if (st->action == roles::ResponderAction::send_transfer_resp) pending_resp_ = st->message;
    if (st->action == roles::ResponderAction::done) {
      last_.verify_detail += "; no TRANSFER_RESP is due (F = 0)";
      compare_ue_keys(responder_->srtp_keys(), "the harness Responder", last_);
    }
  }

  // SUT Initiator: the harness Responder's TRANSFER_RESP (possibly mutated) goes to the UE.
  void transfer_resp(std::size_t i, const UeStep& step) {
    if (!pending_resp_ || !responder_) {
      throw HarnessError(step_text(i) +
                         ": transfer_resp needs a TRANSFER_INIT from the UE that "
                         "the harness Responder accepted (check verify: ok after "
                         "ue: initiate)");
    }
    const Bytes built = *pending_resp_;
    const Bytes sent = mutated(i, built, step.mutate);
    begin_exchange(UeOp::transfer_resp, sent);
    altered_ = !step.mutate.empty();
    const std::string request = "{\"op\":\"transfer_resp\",\"case\":" + json_quote(sc_.id) +
                                ",\"mikey_b64\":" + json_quote(mikey::wire::base64_encode(sent)) +
                                "}";
    call_ue(i, "TRANSFER_RESP " + responder_user_ + " -> " + ue_user_->name + " (UE hook)", request,
            built, sent, step.mutate, responder_user_);
    last_.verify_ok = last_.reply.keys.has_value() && !last_.reply.keys->empty();
    last_.verify_detail = last_.verify_ok ? "the UE reported keys for the completed transfer"
                                          : "the UE reported no keys";
    compare_ue_keys(responder_->srtp_keys(), "the harness Responder", last_);
  }

  // SUT Responder: the harness Initiator's TRANSFER_INIT goes to the UE.
  void transfer_init(std::size_t i, const UeStep& step) {
    Bytes built;
    Bytes sent;
    if (step.resend) {
      if (last_transfer_init_.empty()) {
        throw HarnessError(step_text(i) + ": resend needs an earlier ue: transfer_init");
      }
      built = sent = last_transfer_init_;
    } else {
      UePartySettings p = settings(step.set, *peer_user_, *ue_user_);
      if (!mode3_holder_ || !holder_) get_ticket(i, p);
      mode3_holder_ = false;  // a ticket created for one transfer_init
      roles::TransferOptions topt;
      topt.responder = p.to->identity;
      auto ti = holder_->transfer_init(topt);
      if (!ti.ok()) {
        throw HarnessError(step_text(i) +
                           ": the harness Initiator could not build "
                           "TRANSFER_INIT: " +
                           refusal_text(ti.error()));
      }
      built = std::move(ti).value();
      sent = mutated(i, built, step.mutate);
    }
    begin_exchange(UeOp::transfer_init, sent);
    altered_ = step.resend || !step.mutate.empty();
    last_transfer_init_ = sent;
    const std::string request = request_head("transfer_init") +
                                ",\"peer\":" + json_quote(identity_text(peer_user_->identity)) +
                                ",\"mikey_b64\":" + json_quote(mikey::wire::base64_encode(sent)) +
                                "}";
    call_ue(i,
            "TRANSFER_INIT " + holder_user_ + " -> " + ue_user_->name +
                (step.resend ? " (UE hook, resent)" : " (UE hook)"),
            request, built, sent, step.mutate, holder_user_);
    judge_transfer_resp();
  }

  void judge_transfer_resp() {
    const std::optional<Bytes>& resp = last_.reply.mikey;
    if (altered_) {
      last_.verify_detail =
          "the TRANSFER_INIT was altered, so the harness Initiator cannot judge "
          "an answer";
      last_.keys_detail = last_.verify_detail;
      return;
    }
    if (!resp) {
      last_.verify_detail = "the UE returned no TRANSFER_RESP";
      if (last_.reply.keys) compare_ue_keys(holder_->srtp_keys(), "the harness Initiator", last_);
      return;
    }
    auto done = holder_->process_transfer_resp(*resp);
    last_.verify_ok = done.ok();
    last_.verify_detail = done.ok() ? "the harness Initiator accepted the TRANSFER_RESP"
                                    : "the harness Initiator refused the TRANSFER_RESP: " +
                                          refusal_text(done.error());
    if (done.ok()) compare_ue_keys(holder_->srtp_keys(), "the harness Initiator", last_);
  }

  Bytes mutated(std::size_t i, const Bytes& built, const std::vector<Mutation>& knobs) {
    if (knobs.empty()) return built;
    auto m = apply_mutations(built, knobs);
    if (!m.ok()) throw HarnessError(step_text(i) + ": " + m.error());
    return std::move(m).value();
  }

  void begin_exchange(UeOp op, const Bytes& sent) {
    last_ = UeEvidence{};
    last_.present = true;
    last_.op = op;
    last_.sent = sent;
  }

  // Sends one request to the UE and records everything that happened meanwhile.
  // `peer`: whom the UE's MIKEY answer is for (the transcript's "<TYPE> ue -> peer" entry).
  void call_ue(std::size_t i, std::string label, const std::string& request, const Bytes& built,
               const Bytes& sent, const std::vector<Mutation>& knobs, const std::string& peer) {
    HookSession& s = session();
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(time_.deadline() - Steady::now());
    const auto limit = std::chrono::milliseconds(prof_.hook->timeout_ms);
    const bool case_limit = left < limit;
    const auto wait = std::max(std::min(left, limit), std::chrono::milliseconds(1));
    TranscriptEntry e = ue_entry(i, "hook", std::move(label), built, sent);
    for (const Mutation& m : knobs) e.mutations.push_back(m.describe());
    e.request = request;
    e.start_ms = time_.since_start_ms();
    last_.reply = s.call(request, wait);
    e.duration_ms = last_.reply.duration_ms;
    e.body = last_.reply.line;
    e.response_mikey = last_.reply.mikey;
    // The request and reply lines in the note: reports show a note for every kind of entry.
    e.note = hook_reply_note(last_.reply) + "; request: " + clipped(request) +
             "; reply: " + clipped(last_.reply.line);
    out_.transcript.push_back(std::move(e));
    ingest_tap(i);
    if (last_.reply.mikey) {
      local(i, ue_data_type_of(last_.reply.mikey) + " " + ue_user_->name + " -> " + peer,
            "returned by the UE", *last_.reply.mikey);
    }
    hook_log(i, s.take_log());
    if (last_.reply.timed_out && case_limit) {
      throw HarnessError("the case exceeded its time limit of " + std::to_string(time_.limit_ms()) +
                         " ms during " + step_text(i) + " (the UE did not answer)");
    }
    if (last_.reply.mikey) last_.fresh_problem = drv_.registry().record(*last_.reply.mikey);
  }

  // ---- transcript ----

  void local(std::size_t i, std::string label, std::string note, const Bytes& message) {
    TranscriptEntry e = ue_entry(i, "local", std::move(label), message, message);
    e.note = std::move(note);
    e.start_ms = time_.since_start_ms();
    out_.transcript.push_back(std::move(e));
  }

  void hook_log(std::size_t i, const std::string& text) {
    if (text.empty()) return;
    local(i, "UE hook stderr", text, {});
  }

  // Moves new tap records into the transcript and the evidence; a kms_answer the harness could
  // not carry out is a harness error.
  void ingest_tap(std::size_t i) {
    if (!kms_) return;
    std::vector<TapRecord> all = kms_->records();
    for (std::size_t k = tap_.size(); k < all.size(); ++k) {
      const TapRecord& t = all[k];
      tap_fresh_.push_back(t.mikey.empty() ? std::string() : drv_.registry().record(t.mikey));
      out_.transcript.push_back(tap_entry(
          i, t, sc_.sut_role == SutRole::initiator ? "initiator" : "responder", ue_user_->name));
      if (!t.harness_error.empty()) pending_error_ = t.harness_error;
    }
    tap_ = std::move(all);
    if (!pending_error_.empty()) throw HarnessError(pending_error_);
  }

  // ---- expectations ----

  bool do_expect(std::size_t i, const ExpectStep& e) {
    UeEvidence ev = last_;
    ev.profile = &prof_;
    ev.ue_user = ue_user_;
    ev.peer = peer_user_;
    ev.tap = tap_;
    ev.tap_fresh = tap_fresh_;
    ev.kms_authority = kms_authority_;
    Evidence evidence;
    evidence.profile = &prof_;
    evidence.ue = &ev;
    return judge_expect_step(
        i, e, [&](const Check& c) { return checks::judge(i, c, evidence); }, out_);
  }

  const Scenario& sc_;
  const SutProfile& prof_;
  UeDriver& drv_;
  std::uint64_t seed_;
  mikey::crypto::DeterministicRng rng_;
  CaseResult& out_;
  CaseTime time_;  // the limit and the parties' clocks
  const UserProfile* ue_user_ = nullptr;
  const UserProfile* peer_user_ = nullptr;
  std::unique_ptr<TapKms> kms_;
  std::string kms_authority_;
  std::unique_ptr<HookSession> session_;
  std::vector<TapRecord> tap_;
  std::vector<std::string> tap_fresh_;
  std::string pending_error_;
  // SUT Initiator: the harness Responder and the TRANSFER_RESP it owes the UE.
  std::unique_ptr<roles::Responder> responder_;
  std::string responder_user_;
  std::optional<Bytes> pending_resp_;
  // SUT Responder: the harness Initiator holding the ticket.
  std::unique_ptr<roles::Initiator> holder_;
  std::string holder_user_;
  bool mode3_holder_ = false;
  Bytes last_transfer_init_;
  bool altered_ = false;  // the message handed to the UE was mutated or resent
  UeEvidence last_;
};

}  // namespace

void run_ue_case(const Scenario& scenario, const SutProfile& profile, SutDriver& driver,
                 std::uint64_t seed, CaseResult& out) noexcept {
  try {
    auto* ue = dynamic_cast<UeDriver*>(&driver);
    if (ue == nullptr) {
      out.verdict = Verdict::error;
      out.reason = "sut_role " + std::string(to_string(scenario.sut_role)) +
                   " needs the UE driver (prepare_ue), not " + driver.describe();
      return;
    }
    std::unique_ptr<UeCaseRunner> runner;
    try {
      runner = std::make_unique<UeCaseRunner>(scenario, profile, *ue, seed, out);
      runner->run();
    } catch (const HarnessError& e) {
      if (runner) runner->finish_session();
      out.verdict = Verdict::error;
      out.reason = e.what();
    }
  } catch (const std::exception& e) {
    out.verdict = Verdict::error;
    out.reason = std::string("harness exception: ") + e.what();
  } catch (...) {
    out.verdict = Verdict::error;
    out.reason = "harness exception";
  }
}

}  // namespace mikeyconf::harness
