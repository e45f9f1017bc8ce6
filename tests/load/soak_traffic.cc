// The traffic of the soak and how each answer is judged (tests/load/soak.h).
#include <algorithm>
#include <string>
#include <utility>

#include "codec/message.h"
#include "roles/error_message.h"
#include "roles/failure.h"
#include "roles/responder.h"
#include "roles/samples.h"
#include "tests/load/soak.h"

namespace mikeyconf::soak {
namespace {

using mikey::Bytes;
using mikey::ByteView;
using mikey::codec::DataType;
using mikey::codec::ErrorNo;
using transport::RequestType;

constexpr std::array<std::string_view, kKinds> kNames{"request", "resolve",          "replay",
                                                      "bad_mac", "unknown_identity", "bad_request"};

std::uint64_t mix64(std::uint64_t x) noexcept {  // splitmix64's finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string describe_refusal(const roles::Refusal& r) {
  return std::string(roles::to_string(r.failure)) + (r.detail.empty() ? "" : ": " + r.detail);
}

// What a MIKEY answer is, for samples: "REQUEST_RESP", "Error 1", "data type 9", "unparseable".
std::string describe_message(ByteView m) {
  auto parsed = mikey::codec::parse_message(m);
  if (parsed.error.code != mikey::codec::Errc::ok) return "an unparseable MIKEY message";
  const DataType dt = parsed.message.hdr.data_type;
  if (dt == DataType::error) {
    std::string s = "MIKEY Error";
    for (ErrorNo n : roles::error_numbers(parsed.message)) s += " " + std::to_string(int(n));
    return s;
  }
  if (dt == DataType::request_resp) return "REQUEST_RESP";
  if (dt == DataType::resolve_resp) return "RESOLVE_RESP";
  return "MIKEY data type " + std::to_string(int(dt));
}

std::string describe_response(const transport::ClientResponse& r) {
  std::string s = "HTTP " + std::to_string(r.status);
  if (r.mikey) return s + " with " + describe_message(*r.mikey);
  if (r.status == 200) return s + " without a MIKEY body (" + r.mikey_problem + ")";
  return s + (r.body.empty() ? "" : ": " + r.body.substr(0, 120));
}

// The MIKEY message of a 200 of the expected data type, else nullopt and `problem`.
std::optional<Bytes> answer_of_type(const transport::ClientResponse& r, DataType want,
                                    std::string_view want_name, std::string& problem) {
  if (r.status == 200 && r.mikey) {
    auto parsed = mikey::codec::parse_message(*r.mikey);
    if (parsed.error.code == mikey::codec::Errc::ok && parsed.message.hdr.data_type == want) {
      return r.mikey;
    }
  }
  problem = describe_response(r) + ", expected 200 with " + std::string(want_name);
  return std::nullopt;
}

// A refusal answered as configured: `status`, or (status 0) a 200 carrying a MIKEY Error with
// exactly the number `no`. "" when so, else what came instead.
std::string judge_refusal(const transport::ClientResponse& r, std::uint16_t status, ErrorNo no) {
  if (status != 0) {
    if (r.status == status) return "";
    return describe_response(r) + ", expected HTTP " + std::to_string(status);
  }
  if (r.status == 200 && r.mikey) {
    auto parsed = mikey::codec::parse_message(*r.mikey);
    if (parsed.error.code == mikey::codec::Errc::ok &&
        parsed.message.hdr.data_type == DataType::error &&
        roles::error_numbers(parsed.message) == std::vector<ErrorNo>{no}) {
      return "";
    }
  }
  return describe_response(r) + ", expected 200 with MIKEY Error " + std::to_string(int(no));
}

}  // namespace

std::string_view kind_name(Kind k) noexcept { return kNames[static_cast<std::size_t>(k)]; }

std::optional<Kind> kind_from_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kKinds; ++i)
    if (kNames[i] == name) return static_cast<Kind>(i);
  return std::nullopt;
}

Mix default_mix() noexcept { return {40, 30, 10, 10, 5, 5}; }

std::optional<Mix> parse_mix(std::string_view text, std::string& error) {
  Mix mix{};
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const std::size_t eq = item.find('=');
    const auto kind = kind_from_name(item.substr(0, eq));
    if (!kind || eq == std::string_view::npos) {
      error =
          "--mix: expected KIND=WEIGHT,... with KIND one of request, resolve, replay, "
          "bad_mac, unknown_identity, bad_request; got '" +
          std::string(item) + "'";
      return std::nullopt;
    }
    try {
      mix[static_cast<std::size_t>(*kind)] =
          static_cast<unsigned>(std::stoul(std::string(item.substr(eq + 1))));
    } catch (const std::exception&) {
      error = "--mix: bad weight in '" + std::string(item) + "'";
      return std::nullopt;
    }
  }
  unsigned total = 0;
  for (unsigned w : mix) total += w;
  if (total == 0) {
    error = "--mix: every weight is 0";
    return std::nullopt;
  }
  return mix;
}

Kind pick_kind(const Mix& mix, std::uint64_t k) noexcept {
  std::uint64_t total = 0;
  for (unsigned w : mix) total += w;
  std::uint64_t draw = mix64(k) % total;
  for (std::size_t i = 0; i < kKinds; ++i) {
    if (draw < mix[i]) return static_cast<Kind>(i);
    draw -= mix[i];
  }
  return Kind::request;
}

std::optional<World> load_world(const std::string& config_path, std::string& error) {
  auto loaded = mikey::config::load_kms_config(config_path);
  if (!loaded.ok()) {
    error = loaded.error().str();
    return std::nullopt;
  }
  const roles::KmsConfig& kms = loaded.value().kms;
  World w;
  w.kms_identity = kms.identity;
  for (const roles::KmsUser& u : kms.users)
    if (!u.peer_kms && roles::as_psk(u.credential.get()) != nullptr)
      w.users.push_back({u.identity, u.credential});
  if (w.users.size() < 2) {
    error = config_path + ": the soak needs two users with a PSK (an Initiator and a Responder)";
    return std::nullopt;
  }
  for (const roles::TicketKey& k : kms.ticket_keys) {
    if (!k.shared_with || !kms.policy.resolve_initiator_tickets) continue;
    for (std::size_t i = 0; i < w.users.size(); ++i)
      if (w.users[i].identity == *k.shared_with) {
        w.mode3_user = i;
        w.mode3_key = std::make_shared<const roles::TicketKey>(k.clone());
      }
  }
  w.formats = kms.policy.ticket_formats;
  mikey::crypto::OpenSslRng rng;
  w.stranger = {roles::Identity::uri("sip:soak-stranger@example.org"),
                std::make_shared<const roles::PskCredential>(
                    rng.secret(16), roles::Identity::byte_string("psk-soak-stranger"))};
  const roles::KmsLatitude& l = kms.policy.latitude;
  w.auth_failure_status = l.auth_failure_status;
  w.discarded_status = l.discarded_status;
  w.bad_mac_error = roles::error_no(roles::Failure::auth_failure, kms.policy.errors);
  w.unknown_identity_error = roles::error_no(roles::Failure::unknown_identity, kms.policy.errors);
  w.replay_error = roles::error_no(roles::Failure::replayed_message, kms.policy.errors);
  return w;
}

// ---- Worker ----

Worker::Worker(const World& world, transport::ClientOptions options, std::size_t index)
    : world_(world), client_(std::move(options)), turn_(index) {}

Outcome Worker::run(Kind kind) {
  Outcome o;
  o.kind = kind;
  switch (kind) {
    case Kind::request:
      return request(std::move(o));
    case Kind::resolve:
      return resolve(std::move(o));
    case Kind::replay:
      return replay(std::move(o));
    case Kind::bad_mac:
      return bad_mac(std::move(o));
    case Kind::unknown_identity:
      return unknown_identity(std::move(o));
    case Kind::bad_request:
      return bad_request(std::move(o));
  }
  return o;
}

std::optional<transport::ClientResponse> Worker::post(RequestType type, ByteView body, Outcome& o) {
  auto r = client_.post(type, body);
  if (!r.ok()) {
    o.problem =
        "transport: " + std::string(transport::to_string(r.error().code)) + ": " + r.error().detail;
    return std::nullopt;
  }
  if (r->status == 503 && r->header("Retry-After")) {
    o.unavailable = true;
    o.problem = "HTTP 503 Retry-After: " + std::string(*r->header("Retry-After"));
    return std::nullopt;
  }
  return std::move(r).value();
}

std::unique_ptr<roles::Initiator> Worker::new_initiator(const World::User& user) {
  return std::make_unique<roles::Initiator>(
      roles::samples::party_config<roles::InitiatorConfig>(user.identity, world_.kms_identity,
                                                           user.credential, roles::kSuite128),
      clock_, rng_);
}

Bytes Worker::fresh_request(const World::User& user, std::size_t responder,
                            std::unique_ptr<roles::Initiator>& initiator) {
  initiator = new_initiator(user);
  roles::TicketRequest desired;
  desired.format = world_.formats[turn_ % world_.formats.size()];
  desired.responders = {world_.users[responder].identity};
  desired.lifetime_s = 600;
  auto init = initiator->request_ticket(desired);
  return init.ok() ? std::move(init).value() : Bytes{};
}

Outcome Worker::request(Outcome o) {
  const std::size_t user = next_user();
  const std::size_t responder = (user + 1) % world_.users.size();
  std::unique_ptr<roles::Initiator> initiator;
  Bytes init = fresh_request(world_.users[user], responder, initiator);
  auto r = post(RequestType::ticket_request, init, o);
  if (!r) return o;
  auto resp = answer_of_type(*r, DataType::request_resp, "REQUEST_RESP", o.problem);
  if (!resp) return o;
  auto granted = initiator->process_request_resp(*resp);
  if (!granted.ok()) {
    o.problem = "REQUEST_RESP refused by the Initiator: " + describe_refusal(granted.error());
    return o;
  }
  o.expected = true;
  answered_ = std::move(init);
  if (granted_.size() >= 8) granted_.pop_front();
  granted_.push_back({std::move(initiator), responder});
  return o;
}

std::optional<Worker::Granted> Worker::ticket_for_resolve(std::string& problem) {
  if (!granted_.empty()) {
    Granted g = std::move(granted_.front());
    granted_.pop_front();
    return g;
  }
  // No ticket of our own yet: a mode-3 ticket (the Initiator seals it with its shared TPK), or
  // one REQUEST exchange first.
  if (world_.mode3_user) {
    const World::User& u = world_.users[*world_.mode3_user];
    const std::size_t responder = (*world_.mode3_user + 1) % world_.users.size();
    Granted g{new_initiator(u), responder};
    roles::TicketRequest desired;
    desired.responders = {world_.users[responder].identity};
    desired.lifetime_s = 600;
    auto made = g.initiator->create_ticket(desired, *world_.mode3_key);
    if (made.ok()) return g;
    problem = "mode-3 ticket not made: " + describe_refusal(made.error());
    return std::nullopt;
  }
  Outcome first = request(Outcome{});
  if (!first.expected) {
    problem = "the Ticket Request for the ticket to resolve: " + first.problem;
    return std::nullopt;
  }
  return ticket_for_resolve(problem);
}

Outcome Worker::resolve(Outcome o) {
  auto g = ticket_for_resolve(o.problem);
  if (!g) return o;
  roles::TransferOptions to;
  to.responder = world_.users[g->responder].identity;
  auto transfer = g->initiator->transfer_init(to);
  if (!transfer.ok()) {
    o.problem = "TRANSFER_INIT not made: " + describe_refusal(transfer.error());
    return o;
  }
  const World::User& ru = world_.users[g->responder];
  roles::Responder responder(roles::samples::party_config<roles::ResponderConfig>(
                                 ru.identity, world_.kms_identity, ru.credential, roles::kSuite128),
                             clock_, rng_);
  auto step = responder.process_transfer_init(*transfer);
  if (!step.ok() || step->action != roles::ResponderAction::send_resolve_init) {
    o.problem = "RESOLVE_INIT not made";
    return o;
  }
  auto r = post(RequestType::ticket_resolve, step->message, o);
  if (!r) return o;
  auto resp = answer_of_type(*r, DataType::resolve_resp, "RESOLVE_RESP", o.problem);
  if (!resp) return o;
  step = responder.process_resolve_resp(*resp);
  if (!step.ok() || step->action != roles::ResponderAction::send_transfer_resp) {
    o.problem = "RESOLVE_RESP refused by the Responder" +
                (step.ok() ? std::string() : ": " + describe_refusal(step.error()));
    return o;
  }
  // The keys the KMS sent Bob must be the ones Alice holds: she accepts his TRANSFER_RESP.
  auto done = g->initiator->process_transfer_resp(step->message);
  if (!done.ok()) {
    o.problem = "TRANSFER_RESP refused by the Initiator: " + describe_refusal(done.error());
    return o;
  }
  o.expected = true;
  return o;
}

Outcome Worker::replay(Outcome o) {
  // The last REQUEST_INIT granted on this client (it stays the one replayed until another is
  // granted); before the first, one authentic request is made.
  if (!answered_) {
    Outcome first = request(Outcome{});
    if (!first.expected) {
      o.problem = "the request to replay: " + first.problem;
      return o;
    }
  }
  return refused(std::move(o), RequestType::ticket_request, *answered_, world_.discarded_status,
                 world_.replay_error);
}

Outcome Worker::bad_mac(Outcome o) {
  Bytes init = fresh_request_of_next_user();
  if (!init.empty()) init.back() ^= 0x01;  // the V payload, and its MAC, come last
  return refused(std::move(o), RequestType::ticket_request, init, world_.auth_failure_status,
                 world_.bad_mac_error);
}

Outcome Worker::unknown_identity(Outcome o) {
  std::unique_ptr<roles::Initiator> initiator;
  const Bytes init = fresh_request(world_.stranger, next_user(), initiator);
  return refused(std::move(o), RequestType::ticket_request, init, world_.auth_failure_status,
                 world_.unknown_identity_error);
}

Outcome Worker::bad_request(Outcome o) {
  // TS 33.328 A.2-6: a REQUEST_INIT's data type does not match requesttype=ticketresolve.
  return refused(std::move(o), RequestType::ticket_resolve, fresh_request_of_next_user(), 400, {});
}

Bytes Worker::fresh_request_of_next_user() {
  const std::size_t user = next_user();
  std::unique_ptr<roles::Initiator> initiator;
  return fresh_request(world_.users[user], (user + 1) % world_.users.size(), initiator);
}

Outcome Worker::refused(Outcome o, RequestType type, ByteView body, std::uint16_t status,
                        ErrorNo error) {
  auto r = post(type, body, o);
  if (!r) return o;
  o.problem = judge_refusal(*r, status, error);
  o.expected = o.problem.empty();
  return o;
}

}  // namespace mikeyconf::soak
