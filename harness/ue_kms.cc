// The harness KMS opposite a UE under test: reference Kms, tap, misbehaviour (ue_kms.h).
#include "harness/ue_kms.h"

#include <algorithm>
#include <mutex>

#include "codec/message.h"
#include "crypto/mac.h"
#include "crypto/rng.h"
#include "harness/embedded_kms.h"
#include "harness/mutate.h"
#include "harness/reference_names.h"
#include "roles/clock.h"
#include "roles/error_message.h"
#include "roles/message_util.h"
#include "roles/protect.h"
#include "service/kms_service.h"
#include "transport/server.h"

namespace mikeyconf::harness {

using Steady = std::chrono::steady_clock;

const UserProfile* requesting_user(const SutProfile& profile, ByteView request) {
  const codec::ParseOutcome p = codec::parse_message(request);
  if (p.message.payloads.empty()) return nullptr;
  const auto& ps = p.message.payloads;
  if (const auto* psk_id = roles::find_idr(ps, codec::IdRole::idrpsk)) {
    const roles::Identity id = roles::identity_of(*psk_id);
    for (const UserProfile& u : profile.users)
      if (u.psk_id && *u.psk_id == id) return &u;
  }
  const bool resolve = p.message.hdr.data_type == codec::DataType::resolve_init_psk;
  if (const auto* idr = roles::find_idr(ps, resolve ? codec::IdRole::idrr : codec::IdRole::idri)) {
    const roles::Identity id = roles::identity_of(*idr);
    for (const UserProfile& u : profile.users)
      if (u.identity == id) return &u;
  }
  return nullptr;
}

mikey::Result<Bytes, std::string> re_protect_answer(ByteView answer, ByteView request,
                                                    ByteView psk) {
  const roles::Received r = roles::receive(answer);
  const codec::ParseOutcome q = codec::parse_message(request);
  if (!r.parsed.ok() || !q.ok())
    return std::string("re_protect: the answer or request does not parse");
  const codec::Verification* v = roles::last_v(r.message());
  if (v == nullptr) return std::string("re_protect: the answer does not end with V");
  roles::MessageProtection p;
  p.inkey = psk;
  p.prf = r.message().hdr.prf_func;
  p.csb_id = r.message().hdr.csb_id;
  p.direction = mikey::crypto::MessageDirection::response;
  // RFC 6043 §5.1.2: REQUEST_RESP is keyed with RANDRi, RESOLVE_RESP with RANDRr.
  const bool resolve = q.message.hdr.data_type == codec::DataType::resolve_init_psk;
  const auto* rand = roles::find_randr(q.message.payloads,
                                       resolve ? codec::RandRole::randrr : codec::RandRole::randri);
  if (rand != nullptr) (resolve ? p.randrr : p.randri) = rand->rand;
  auto keys = roles::message_keys(p, codec::EncrAlg::null, v->auth_alg);
  if (!keys.ok()) return "re_protect: " + std::string(roles::to_string(keys.error()));
  const ByteView extra[] = {request};  // §5.5: the whole initial message follows
  auto input = roles::received_mac_input(r, extra);
  if (!input.ok()) return std::string("re_protect: the MAC input cannot be located");
  const ByteView parts[] = {input.value()};
  auto mac = mikey::crypto::compute_mac(roles::to_crypto(v->auth_alg), keys->auth.view(), parts);
  if (!mac.ok()) return std::string("re_protect: the MAC computation failed");
  auto field = roles::final_v_mac(r);
  if (!field || field->length != mac->size()) return std::string("re_protect: no MAC field");
  Bytes out(answer.begin(), answer.end());
  std::copy(mac->begin(), mac->end(), out.begin() + field->offset);
  return out;
}

std::string describe_kms_answer(const KmsAnswerStep& a) {
  std::string out = "kms_answer:";
  if (a.no_answer) out += " no answer";
  if (a.status) out += " HTTP " + std::to_string(*a.status);
  if (a.error_no) {
    out += " Error " + std::to_string(*a.error_no) + (a.authenticated ? " with V" : " without V");
  }
  for (const Mutation& m : a.mutate) out += " " + m.describe() + ";";
  if (a.re_protect) out += " re-protected";
  for (const std::string& u : a.grant_for) out += " granted for " + u;
  if (a.content_type) out += " Content-Type " + *a.content_type;
  if (a.body_raw) out += " body " + std::to_string(a.body_raw->size()) + " bytes";
  if (a.count) out += " (next " + std::to_string(*a.count) + " request(s))";
  return out;
}

struct TapKms::Impl {
  SutProfile profile;
  roles::SystemClock clock;
  std::unique_ptr<mikey::crypto::DeterministicRng> rng;
  std::unique_ptr<service::KmsService> service;
  Steady::time_point started = Steady::now();
  std::uint16_t port = 0;

  mutable std::mutex state_mu;  // answer, remaining, records
  std::optional<KmsAnswerStep> answer;
  std::optional<std::uint32_t> remaining;
  std::vector<TapRecord> records;

  // ---- answers ----

  roles::KmsReply reference(transport::RequestType type, ByteView request) {
    return service->kms().reply(type, request);
  }

  std::optional<KmsAnswerStep> take_answer() {
    const std::lock_guard<std::mutex> lock(state_mu);
    if (!answer) return std::nullopt;
    std::optional<KmsAnswerStep> a = answer;
    if (remaining && --*remaining == 0) {
      answer.reset();
      remaining.reset();
    }
    return a;
  }

  // RFC 6043 §5.4: an Error copies version, PRF and CSB ID of the request; with V it is keyed
  // like the request (the requester's PSK, label type initial, its RAND).
  Bytes error_answer(ByteView request, const KmsAnswerStep& a, TapRecord& rec) {
    const codec::ParseOutcome q = codec::parse_message(request);
    const roles::ErrorContext ctx = roles::error_context(q);
    const auto no = static_cast<codec::ErrorNo>(*a.error_no);
    if (!a.authenticated) return roles::build_error(ctx, no, clock.now());
    const UserProfile* user = requesting_user(profile, request);
    const codec::Verification* v = q.ok() ? roles::last_v(q.message) : nullptr;
    if (user == nullptr || v == nullptr) {
      rec.harness_error = "kms_answer: no key to authenticate the Error with (unknown requester)";
      return roles::build_error(ctx, no, clock.now());
    }
    roles::MessageProtection p;
    p.inkey = user->psk;
    p.prf = q.message.hdr.prf_func;
    p.csb_id = q.message.hdr.csb_id;
    p.direction = mikey::crypto::MessageDirection::initial;
    const bool resolve = q.message.hdr.data_type == codec::DataType::resolve_init_psk;
    const auto* rand = roles::find_randr(
        q.message.payloads, resolve ? codec::RandRole::randrr : codec::RandRole::randri);
    if (rand != nullptr) (resolve ? p.randrr : p.randri) = rand->rand;
    return roles::build_error(ctx, no, clock.now(), &p, v->auth_alg);
  }

  // The request with the desired policy's IDRr replaced by `users`, re-protected with the
  // requester's key, so the reference KMS grants a ticket for them; the answer is then
  // re-protected over the request as the UE sent it.
  Bytes granted_for_others(ByteView request, const KmsAnswerStep& a, TapRecord& rec) {
    const UserProfile* user = requesting_user(profile, request);
    codec::ParseOutcome q = codec::parse_message(request);
    codec::TicketPolicy* tp = nullptr;
    for (codec::Payload& p : q.message.payloads)
      if (auto* t = p.get<codec::TicketPolicy>()) tp = t;
    if (user == nullptr || !q.ok() || tp == nullptr) {
      rec.harness_error = "kms_answer grant_for: the request has no Ticket Policy or no known user";
      return {};
    }
    auto& d = tp->tp_data.payloads;
    d.erase(std::remove_if(d.begin(), d.end(),
                           [](const codec::Payload& p) {
                             const auto* idr = p.get<codec::IdWithRole>();
                             return idr != nullptr && idr->role == codec::IdRole::idrr;
                           }),
            d.end());
    for (const std::string& name : a.grant_for) {
      const UserProfile* other = profile.user(name);
      if (other == nullptr) {
        rec.harness_error = "kms_answer grant_for: no user '" + name + "' in the profile";
        return {};
      }
      d.push_back(roles::make_idr(codec::IdRole::idrr, other->identity));
    }
    auto bytes = codec::serialize_message(q.message);
    if (!bytes.ok()) {
      rec.harness_error = "kms_answer grant_for: the altered request does not serialise";
      return {};
    }
    ProtectionKeys pk;
    pk.psk = user->psk;
    pk.identity_peer = user->identity.data;
    pk.identity_kms = profile.kms_identity.data;
    auto altered = re_protect(bytes.value(), pk);
    if (!altered.ok()) {
      rec.harness_error = "kms_answer grant_for: " + altered.error();
      return {};
    }
    roles::KmsReply reply = reference(transport::RequestType::ticket_request, altered.value());
    auto answer = re_protect_answer(reply.message, request, user->psk);
    if (!answer.ok()) {
      rec.harness_error = "kms_answer grant_for: " + answer.error();
      return {};
    }
    return std::move(answer).value();
  }

  Bytes mutated(transport::RequestType type, ByteView request, const KmsAnswerStep& a,
                TapRecord& rec) {
    roles::KmsReply reply = reference(type, request);
    auto m = apply_mutations(reply.message, a.mutate);
    if (!m.ok()) {
      rec.harness_error = "kms_answer mutate: " + m.error();
      return reply.message;
    }
    if (!a.re_protect) return std::move(m).value();
    const UserProfile* user = requesting_user(profile, request);
    if (user == nullptr) {
      rec.harness_error = "kms_answer re_protect: unknown requester";
      return std::move(m).value();
    }
    auto rp = re_protect_answer(m.value(), request, user->psk);
    if (!rp.ok()) rec.harness_error = "kms_answer " + rp.error();
    return rp.ok() ? std::move(rp).value() : std::move(m).value();
  }

  Bytes mikey_answer(transport::RequestType type, ByteView request,
                     const std::optional<KmsAnswerStep>& a, TapRecord& rec) {
    if (!a || (!a->error_no && a->mutate.empty() && a->grant_for.empty())) {
      roles::KmsReply reply = reference(type, request);
      rec.note = a ? describe_kms_answer(*a) : "reference answer";
      if (reply.failure)
        rec.note += " (refused: " + std::string(roles::to_string(*reply.failure)) + ")";
      return reply.message;
    }
    rec.note = describe_kms_answer(*a);
    if (a->error_no) return error_answer(request, *a, rec);
    if (!a->grant_for.empty()) {
      if (type != transport::RequestType::ticket_request) return reference(type, request).message;
      return granted_for_others(request, *a, rec);
    }
    return mutated(type, request, *a, rec);
  }

  // The response for one complete request, or nullopt for no answer (close the connection).
  std::optional<transport::HttpResponse> answer_request(const transport::HttpRequestView& view,
                                                        std::string raw) {
    TapRecord rec;
    rec.request = std::move(raw);
    rec.at_ms = std::chrono::duration<double, std::milli>(Steady::now() - started).count();
    for (const auto& h : view.headers) rec.headers.emplace_back(h.name, h.value);
    auto valid = transport::validate_request(profile.annex_a, view);
    if (valid.ok()) {
      rec.type = valid->type;
      rec.mikey = valid->mikey;
    } else {
      rec.type = valid.error().type;
      rec.http_problem = std::to_string(transport::status_of(valid.error().code)) + " " +
                         std::string(transport::to_string(valid.error().code)) + " (" +
                         std::string(transport::requirement_of(valid.error().code)) +
                         "): " + valid.error().text;
    }
    const std::optional<KmsAnswerStep> a = take_answer();
    std::optional<transport::HttpResponse> resp = respond_with(view, a, rec);
    if (resp) {
      rec.status = resp->status;
      rec.response_headers = resp->headers;
      rec.response_body = resp->body;
    } else {
      rec.note = describe_kms_answer(*a);
    }
    const std::lock_guard<std::mutex> lock(state_mu);
    records.push_back(std::move(rec));
    return resp;
  }

  std::optional<transport::HttpResponse> respond_with(const transport::HttpRequestView& view,
                                                      const std::optional<KmsAnswerStep>& a,
                                                      TapRecord& rec) {
    if (a && a->no_answer) return std::nullopt;
    if (a && a->status) {
      transport::HttpResponse r;
      r.status = *a->status;
      r.headers = {{"Content-Type", "text/plain"}};
      r.body = "harness KMS: answering " + std::to_string(*a->status) + " on purpose\n";
      r.close = true;
      rec.note = describe_kms_answer(*a);
      return r;
    }
    transport::KmsHandler handler = [&](transport::RequestType type,
                                        ByteView request) -> transport::KmsAnswer {
      transport::KmsAnswer out;
      out.mikey = mikey_answer(type, request, a, rec);
      out.kms_failed = out.mikey.empty();
      if (!out.mikey.empty()) rec.response_mikey = out.mikey;
      return out;
    };
    transport::HttpResponse r = transport::respond(profile.annex_a, handler, view);
    if (a && a->content_type) {
      for (auto& [name, value] : r.headers)
        if (transport::iequals(name, "Content-Type")) value = *a->content_type;
      rec.note = describe_kms_answer(*a);
    }
    if (a && a->body_raw) {
      r.body = *a->body_raw;
      rec.note = describe_kms_answer(*a);
    }
    return r;
  }

  // Every request the UE sends, parsed or not: recorded, then answered (or not) as armed.
  transport::HttpReply on_request(const transport::ReceivedRequest& r) {
    if (r.view == nullptr) {
      transport::HttpResponse resp =
          transport::make_error_response(r.rejection->code, r.rejection->text);
      TapRecord rec;
      rec.request = std::string(r.raw);
      rec.http_problem =
          std::string(transport::to_string(r.rejection->code)) + ": " + r.rejection->text;
      rec.status = resp.status;
      rec.note = "the request is not HTTP the harness KMS can read";
      const std::lock_guard<std::mutex> lock(state_mu);
      records.push_back(std::move(rec));
      return resp;
    }
    std::optional<transport::HttpResponse> resp = answer_request(*r.view, std::string(r.raw));
    if (!resp) return transport::DropConnection{"kms_answer: no answer"};
    return std::move(*resp);
  }
};

TapKms::TapKms() : impl_(std::make_unique<Impl>()) {}

TapKms::~TapKms() { stop(); }

mikey::Result<std::unique_ptr<TapKms>, std::string> TapKms::start(
    const SutProfile& profile, std::uint64_t seed, std::chrono::milliseconds read_timeout) {
  if (profile.scheme != "http") {
    return std::string("the harness KMS for a UE serves plain HTTP: use an http:// base_url");
  }
  auto config = kms_config_from_profile(profile);
  if (!config.ok()) return config.error();
  // The UE under test writes its desired TRs with its own clock, which may run ahead of ours
  // within the skew: the harness KMS resolves such a ticket (docs/latitude.md "clock-offset").
  config.value().policy.latitude.ticket_start_grace_s = config.value().policy.clock_skew_s;
  std::unique_ptr<TapKms> self(new TapKms());
  Impl& impl = *self->impl_;
  impl.profile = profile;
  impl.rng = std::make_unique<mikey::crypto::DeterministicRng>(seed);
  service::ServiceOptions so;
  so.server.host = profile.host;
  so.server.port = profile.port;
  so.server.profile = profile.annex_a;
  so.server.read_timeout = read_timeout;
  so.server.idle_timeout = read_timeout;
  so.server.server_header = "mikeyconf-harness-kms";
  so.server.shutdown_grace = std::chrono::milliseconds(500);
  so.server.access_log = [](std::string_view) {};
  // Every request is the tap's: recorded, then answered as the armed kms_answer says.
  so.http_hook = [&impl](const transport::ReceivedRequest& r, const transport::HttpHandler&) {
    return impl.on_request(r);
  };
  impl.service = std::make_unique<service::KmsService>(std::move(config).value(), impl.clock,
                                                       *impl.rng, std::move(so));
  auto port = impl.service->start();
  if (!port.ok()) {
    return "the harness KMS could not start: " +
           std::string(transport::to_string(port.error().code)) + " " + port.error().detail;
  }
  impl.port = port.value();
  return self;
}

std::string TapKms::url() const {
  const bool v6 = impl_->profile.host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + impl_->profile.host + "]" : impl_->profile.host;
  return "http://" + host + ":" + std::to_string(impl_->port) + impl_->profile.annex_a.path;
}

std::uint16_t TapKms::port() const noexcept { return impl_->port; }

void TapKms::set_answer(const KmsAnswerStep& answer) {
  const std::lock_guard<std::mutex> lock(impl_->state_mu);
  impl_->answer = answer;
  impl_->remaining = answer.count;
}

std::vector<TapRecord> TapKms::records() const {
  const std::lock_guard<std::mutex> lock(impl_->state_mu);
  return impl_->records;
}

std::size_t TapKms::request_count() const {
  const std::lock_guard<std::mutex> lock(impl_->state_mu);
  return impl_->records.size();
}

roles::KmsReply TapKms::handle_direct(transport::RequestType type, ByteView request) {
  return impl_->reference(type, request);
}

void TapKms::stop() {
  if (impl_->service) impl_->service->stop();
}

}  // namespace mikeyconf::harness
