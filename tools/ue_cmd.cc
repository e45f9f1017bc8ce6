// `mikeyconf ue`: the sample UE hook (tools/ue_cmd.h).
#include "tools/ue_cmd.h"

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <istream>
#include <optional>
#include <ostream>
#include <thread>
#include <utility>

#include "crypto/rng.h"
#include "harness/party_util.h"
#include "harness/reference_names.h"
#include "harness/ue_kms.h"
#include "inspect/json.h"
#include "roles/clock.h"
#include "roles/credential.h"
#include "roles/error_message.h"
#include "roles/initiator.h"
#include "roles/responder.h"
#include "transport/client.h"
#include "transport/endpoint.h"
#include "wire/base64.h"
#include "wire/hex.h"

namespace mikeyconf::tools {

namespace harness = mikeyconf::harness;
using inspect::find_member;
using inspect::Json;

const std::string_view kUeUsage =
    "usage: mikeyconf ue --profile FILE [--user NAME] [--fault NAME] [--clock-offset-ms MS]\n"
    "\n"
    "The sample UE hook: the reference Initiator and Responder for one user of the SUT profile\n"
    "FILE (identity, PSK, mode-3 key, algorithms), driven by one JSON request per line on stdin\n"
    "and answering one JSON reply per line on stdout (harness/README.md \"UE hooks\"):\n"
    "  {\"op\":\"initiate\",\"kms_url\":URL,\"peer\":ID,\"mode\":1}     -> "
    "{\"mikey_b64\":TRANSFER_INIT}\n"
    "  {\"op\":\"transfer_resp\",\"mikey_b64\":B64}                -> {\"keys\":[...]}\n"
    "  {\"op\":\"transfer_init\",\"kms_url\":URL,\"mikey_b64\":B64}  -> "
    "{\"mikey_b64\":TRANSFER_RESP,"
    "\"keys\":[...]}\n"
    "  a refusal                                               -> {\"error\":TEXT}\n"
    "\n"
    "  --user NAME    the profile user it is (default: parties.initiator for role initiator,\n"
    "                 parties.responder for role responder)\n"
    "  --fault NAME   misbehave on purpose (tests): accept-bad-kms-mac, wrong-keys,\n"
    "                 crash-on-kms-error, hang-on-kms-error, garbage-on-kms-error,\n"
    "                 repeat-rands\n"
    "  --clock-offset-ms MS  run the UE's clock MS milliseconds ahead (negative: behind) of\n"
    "                 the host's, within the peers' allowed skew (docs/latitude.md\n"
    "                 \"clock-offset\")\n";

namespace {

constexpr std::pair<std::string_view, UeFault> kFaults[] = {
    {"accept-bad-kms-mac", UeFault::accept_bad_kms_mac},
    {"wrong-keys", UeFault::wrong_keys},
    {"crash-on-kms-error", UeFault::crash_on_kms_error},
    {"hang-on-kms-error", UeFault::hang_on_kms_error},
    {"garbage-on-kms-error", UeFault::garbage_on_kms_error},
    {"repeat-rands", UeFault::repeat_rands}};

// A refusal on the way: the reply's error text, and whether the KMS was what failed.
struct Stop {
  std::string error;
  bool kms_trouble = false;
  Bytes error_message;  // a Transfer Error for the peer (RFC 6043 §5.4), when there is one
};

std::string refusal_text(const roles::Refusal& r) {
  std::string out(roles::to_string(r.failure));
  if (!r.detail.empty()) out += ": " + r.detail;
  for (codec::ErrorNo n : r.peer_errors) out += " (Error " + std::to_string(codec::raw(n)) + ")";
  return out;
}

Json keys_json(const std::vector<roles::SrtpKeys>& keys, bool flip) {
  Json list = Json::array();
  for (const roles::SrtpKeys& k : keys) {
    Bytes key(k.master_key.view().begin(), k.master_key.view().end());
    if (flip && !key.empty()) key[0] ^= 0x01;
    Json item = Json::object();
    item["cs_id"] = Json(static_cast<std::int64_t>(k.cs_id));
    item["master_key"] = mikey::wire::to_hex(key);
    item["master_salt"] = mikey::wire::to_hex(k.master_salt.view());
    list.push_back(std::move(item));
  }
  return list;
}

// http://host:port/path → client options with the profile's Annex A settings. The port is
// required: the harness always names the KMS's port.
std::optional<transport::ClientOptions> kms_client(const harness::SutProfile& p,
                                                   const std::string& url) {
  auto endpoint = transport::parse_endpoint(url);
  if (!endpoint.ok() || endpoint->scheme != "http" || !endpoint->explicit_port) return std::nullopt;
  transport::ClientOptions o;
  o.host = endpoint->host;
  o.port = endpoint->port;
  o.profile = p.annex_a;
  if (!endpoint->path.empty()) o.profile.path = endpoint->path;
  o.connect_timeout = std::chrono::milliseconds(p.timeouts.connect_ms);
  o.total_timeout = std::chrono::milliseconds(p.timeouts.request_ms);
  o.user_agent = "mikeyconf-ue/0.1";
  return o;
}

}  // namespace

// Whether a refusal after the Ticket Resolve is about the KMS's RESOLVE_RESP rather than the
// peer's TRANSFER_INIT (whose MAC is checked last, with the MPKi the KMS returned).
bool kms_at_fault(const roles::Refusal& r) {
  switch (r.failure) {
    case roles::Failure::initiator_data_failure:
    case roles::Failure::policy_unacceptable:
      return false;
    case roles::Failure::auth_failure:
      return r.detail != "TRANSFER_INIT";
    default:
      return true;
  }
}

struct SampleUe::Impl {
  harness::SutProfile profile;
  const harness::UserProfile* user = nullptr;
  UeFault fault = UeFault::none;
  // docs/latitude.md "clock-offset": the UE's clock may differ from its peers' within the
  // allowed skew (RFC 3830 §5.3); --clock-offset-ms shifts it.
  roles::ShiftedClock clock{nullptr, 0};
  // Fresh RANDs, CSB IDs and keys in every run (M-4.2.2-1); the repeat_rands fault uses a fixed
  // seed instead.
  std::unique_ptr<mikey::crypto::Rng> rng;
  std::unique_ptr<roles::Initiator> initiator;
  std::unique_ptr<roles::Responder> responder;
  bool hanging = false;

  // What the reference Initiator and Responder both start from: this user and the profile.
  template <class RoleConfig>
  RoleConfig role_config(const Json& req) const {
    RoleConfig c;
    c.identity = user->identity;
    c.kms_identity = kms_identity(req);
    c.credential = harness::psk_credential(*user);
    c.algorithms = profile.algorithms;
    return c;
  }

  roles::Identity kms_identity(const Json& req) const {
    const Json* k = find_member(req, "kms_identity");
    if (k != nullptr && k->is_string()) {
      if (auto id = harness::parse_identity(k->get<std::string>())) return *id;
    }
    return profile.kms_identity;
  }

  // A.2-14: only a 200 with the profile's media type and a body that decodes is a KMS answer.
  std::optional<Bytes> post(const Json& req, transport::RequestType type, ByteView message,
                            Stop& stop) {
    const Json* url = find_member(req, "kms_url");
    auto options = url != nullptr && url->is_string() ? kms_client(profile, url->get<std::string>())
                                                      : std::nullopt;
    if (!options) {
      stop.error = "bad request: kms_url must be http://host:port/path";
      return std::nullopt;
    }
    transport::AnnexAClient client(*options);
    auto resp = client.post(type, message);
    stop.kms_trouble = true;
    if (!resp.ok()) {
      stop.error =
          "the KMS did not answer: " + std::string(transport::to_string(resp.error().code));
      return std::nullopt;
    }
    if (resp->status != 200 || !resp->mikey) {
      stop.error = "the KMS answered HTTP " + std::to_string(resp->status) +
                   (resp->mikey_problem.empty() ? "" : " (" + resp->mikey_problem + ")");
      return std::nullopt;
    }
    stop.kms_trouble = false;
    Bytes answer = std::move(*resp->mikey);
    if (fault == UeFault::accept_bad_kms_mac) {
      // The fault: the MAC is recomputed so any MAC passes, as if it were never checked.
      auto fixed = harness::re_protect_answer(answer, message, user->psk);
      if (fixed.ok()) answer = std::move(fixed).value();
    }
    return answer;
  }

  roles::TicketRequest ticket_request(const roles::Identity& peer) const {
    roles::TicketRequest t;
    t.format = profile.ticket_format;
    t.prf = profile.algorithms.prf;
    t.lifetime_s = profile.ticket_lifetime_s;
    t.responders = {peer};
    return t;
  }

  // RFC 6043 §4.2.1: the ticket from the KMS (mode 1), or made with the mode-3 TPK (§4.1.1).
  bool obtain_ticket(const Json& req, const roles::Identity& peer, Stop& stop) {
    initiator =
        std::make_unique<roles::Initiator>(role_config<roles::InitiatorConfig>(req), clock, *rng);
    const Json* mode = find_member(req, "mode");
    if (mode != nullptr && mode->is_number_integer() && mode->get<std::int64_t>() == 3) {
      if (!user->mode3_tpk) {
        stop.error = "mode 3: the profile gives this user no mode3_tpk";
        return false;
      }
      const roles::TicketKey tpk = harness::ticket_key(*user->mode3_tpk);
      roles::TicketRequest t = ticket_request(peer);
      t.format = tpk.format;
      auto created = initiator->create_ticket(t, tpk);
      if (!created.ok()) stop.error = "mode 3: " + refusal_text(created.error());
      return created.ok();
    }
    auto request = initiator->request_ticket(ticket_request(peer));
    if (!request.ok()) {
      stop.error = refusal_text(request.error());
      return false;
    }
    auto answer = post(req, transport::RequestType::ticket_request, request.value(), stop);
    if (!answer) return false;
    auto granted = initiator->process_request_resp(*answer);
    if (!granted.ok()) {
      stop.error = "REQUEST_RESP refused: " + refusal_text(granted.error());
      stop.kms_trouble = true;
    }
    return granted.ok();
  }

  std::optional<Json> initiate(const Json& req, Stop& stop) {
    const Json* peer_text = find_member(req, "peer");
    std::optional<roles::Identity> peer;
    if (peer_text != nullptr && peer_text->is_string())
      peer = harness::parse_identity(peer_text->get<std::string>());
    if (!peer) {
      stop.error = "bad request: peer must read type:data (uri:sip:bob@example.org)";
      return std::nullopt;
    }
    if (!obtain_ticket(req, *peer, stop)) return std::nullopt;
    roles::TransferOptions t;
    t.responder = *peer;
    auto ti = initiator->transfer_init(t);
    if (!ti.ok()) {
      stop.error = refusal_text(ti.error());
      return std::nullopt;
    }
    Json reply = Json::object();
    reply["mikey_b64"] = mikey::wire::base64_encode(ti.value());
    return reply;
  }

  std::optional<Bytes> message_of(const Json& req, Stop& stop) const {
    const Json* b64 = find_member(req, "mikey_b64");
    if (b64 == nullptr || !b64->is_string()) {
      stop.error = "bad request: mikey_b64 missing";
      return std::nullopt;
    }
    auto bytes = mikey::wire::base64_decode(b64->get<std::string>());
    if (!bytes.ok()) {
      stop.error = "bad request: mikey_b64 is not base64";
      return std::nullopt;
    }
    return std::move(bytes).value();
  }

  std::optional<Json> transfer_resp(const Json& req, Stop& stop) {
    auto resp = message_of(req, stop);
    if (!resp) return std::nullopt;
    if (!initiator) {
      stop.error = "no transfer in progress";
      return std::nullopt;
    }
    auto done = initiator->process_transfer_resp(*resp);
    if (!done.ok()) {
      stop.error = "TRANSFER_RESP refused: " + refusal_text(done.error());
      return std::nullopt;
    }
    return keys_reply(initiator->srtp_keys(), stop, std::nullopt);
  }

  std::optional<Json> keys_reply(
      const mikey::Result<std::vector<roles::SrtpKeys>, roles::Refusal>& keys, Stop& stop,
      const std::optional<Bytes>& message) const {
    if (!keys.ok()) {
      stop.error = "no SRTP keys: " + refusal_text(keys.error());
      return std::nullopt;
    }
    Json reply = Json::object();
    if (message) reply["mikey_b64"] = mikey::wire::base64_encode(*message);
    reply["keys"] = keys_json(keys.value(), fault == UeFault::wrong_keys);
    return reply;
  }

  // RFC 6043 §4.2.2.2, §4.2.3: early checks, Ticket Resolve with the KMS, TRANSFER_INIT's MAC
  // with MPKi, TRANSFER_RESP when F = 1. One Responder per process: its replay cache spans the
  // requests (a resent TRANSFER_INIT is refused).
  std::optional<Json> transfer_init(const Json& req, Stop& stop) {
    auto ti = message_of(req, stop);
    if (!ti) return std::nullopt;
    if (!responder) {
      responder =
          std::make_unique<roles::Responder>(role_config<roles::ResponderConfig>(req), clock, *rng);
    }
    auto st = responder->process_transfer_init(*ti);
    if (st.ok() && st->action == roles::ResponderAction::send_resolve_init) {
      auto answer = post(req, transport::RequestType::ticket_resolve, st->message, stop);
      if (!answer) return std::nullopt;
      st = responder->process_resolve_resp(*answer);
      if (!st.ok()) stop.kms_trouble = kms_at_fault(st.error());
    }
    if (!st.ok()) {
      stop.error = "TRANSFER_INIT refused: " + refusal_text(st.error());
      stop.error_message = st.error().error_message;
      return std::nullopt;
    }
    std::optional<Bytes> resp;
    if (st->action == roles::ResponderAction::send_transfer_resp) resp = st->message;
    return keys_reply(responder->srtp_keys(), stop, resp);
  }

  std::string refused(const Stop& stop) {
    if (stop.kms_trouble) {
      switch (fault) {
        case UeFault::crash_on_kms_error:
          std::abort();
        case UeFault::hang_on_kms_error:
          hanging = true;
          return {};
        case UeFault::garbage_on_kms_error:
          return "this is not JSON";
        default:
          break;
      }
    }
    Json reply = Json::object();
    reply["error"] = stop.error;
    if (!stop.error_message.empty()) {
      reply["mikey_b64"] = mikey::wire::base64_encode(stop.error_message);
    }
    return inspect::dump_json(reply);
  }

  std::string handle(std::string_view line) {
    auto req = inspect::parse_json(line);
    Stop stop;
    const Json* op = req && req->is_object() ? find_member(*req, "op") : nullptr;
    if (op == nullptr || !op->is_string()) {
      stop.error = "bad request: a JSON object with op expected";
      return refused(stop);
    }
    std::optional<Json> reply;
    if (op->get<std::string>() == "initiate") {
      reply = initiate(*req, stop);
    } else if (op->get<std::string>() == "transfer_resp") {
      reply = transfer_resp(*req, stop);
    } else if (op->get<std::string>() == "transfer_init") {
      reply = transfer_init(*req, stop);
    } else {
      stop.error = "bad request: unknown op '" + op->get<std::string>() + "'";
    }
    return reply ? inspect::dump_json(*reply) : refused(stop);
  }
};

SampleUe::SampleUe(harness::SutProfile profile, std::string user, UeFault fault,
                   std::int64_t clock_offset_ms)
    : impl_(std::make_unique<Impl>()) {
  impl_->clock = roles::ShiftedClock(nullptr, clock_offset_ms);
  impl_->profile = std::move(profile);
  impl_->user = impl_->profile.user(user);
  impl_->fault = fault;
  if (fault == UeFault::repeat_rands) {
    impl_->rng = std::make_unique<mikey::crypto::DeterministicRng>(1);
  } else {
    impl_->rng = std::make_unique<mikey::crypto::OpenSslRng>();
  }
}

SampleUe::~SampleUe() = default;

std::string SampleUe::handle(std::string_view request_line) noexcept {
  try {
    if (impl_->user == nullptr) return R"({"error":"unknown user"})";
    return impl_->handle(request_line);
  } catch (const std::exception& e) {
    Json reply = Json::object();
    reply["error"] = std::string("internal error: ") + e.what();
    return inspect::dump_json(reply);
  }
}

bool SampleUe::hanging() const noexcept { return impl_->hanging; }

namespace {

int ue_usage_error(Io& io, const std::string& message) {
  return command_usage_error(io, "ue", message, kUeUsage);
}

// Each option may be given again; the last one counts.
void define_ue(CLI::App& app) {
  for (const char* name : {"--profile", "--user", "--fault", "--clock-offset-ms"})
    value_option(app, name, true);
}

// A whole number of milliseconds within a day either way.
bool parse_offset(const std::string& text, std::int64_t& out) {
  constexpr std::int64_t kDayMs = 86'400'000;
  const char* end = text.data() + text.size();
  auto [ptr, err] = std::from_chars(text.data(), end, out);
  return err == std::errc() && ptr == end && out >= -kDayMs && out <= kDayMs;
}

int ue_parsed(const ParsedArgs& a, Io& io) {
  const std::string* profile_file = a.value("--profile");
  const std::string* user = a.value("--user");
  const std::string* fault_name = a.value("--fault");
  const std::string* clock_offset = a.value("--clock-offset-ms");
  if (profile_file == nullptr) return ue_usage_error(io, "--profile FILE is required");
  UeFault fault = UeFault::none;
  if (fault_name != nullptr) {
    bool known = false;
    for (const auto& [name, value] : kFaults) {
      if (name == *fault_name) {
        fault = value;
        known = true;
      }
    }
    if (!known) return ue_usage_error(io, "unknown fault '" + *fault_name + "'");
  }
  auto profile = harness::load_profile(*profile_file);
  if (!profile.ok()) {
    io.err << "mikeyconf ue: " << profile.error().to_string() << "\n";
    return kExitUsage;
  }
  const std::string name =
      user != nullptr ? *user
                      : (profile->role == harness::SutRole::responder ? profile->responder
                                                                      : profile->initiator);
  if (profile->user(name) == nullptr)
    return ue_usage_error(io, "no user '" + name + "' in the profile");
  std::int64_t offset_ms = 0;
  if (clock_offset != nullptr && !parse_offset(*clock_offset, offset_ms)) {
    return ue_usage_error(
        io, "--clock-offset-ms takes whole milliseconds, got '" + *clock_offset + "'");
  }
  SampleUe ue(std::move(profile).value(), name, fault, offset_ms);
  std::string line;
  while (std::getline(io.in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string reply = ue.handle(line);
    if (ue.hanging()) {
      // The fault: never answer again; the harness ends the process at its time limit.
      for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
    }
    io.out << reply << "\n" << std::flush;
  }
  return kExitOk;
}

}  // namespace

int ue_main(std::span<const std::string_view> args, Io& io) {
  return run_command({"ue", kUeUsage, &define_ue, &ue_parsed}, args, io);
}

}  // namespace mikeyconf::tools
