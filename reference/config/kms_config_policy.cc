// The KMS configuration's policy, latitude and HTTP choices (docs/latitude.md).
#include <array>
#include <chrono>
#include <string_view>
#include <vector>

#include "config/kms_config_loader.h"

namespace mikey::config::detail {

roles::Algorithms Loader::algorithms(const Field& f) const {
  Map m(*this, f, {"prf", "encr", "mac"});
  roles::Algorithms a = roles::kSuite128;
  if (const Field* p = m.get("prf")) a.prf = code_point<codec::PrfFunc>(*p, "PrfFunc");
  if (const Field* p = m.get("encr")) a.encr = code_point<codec::EncrAlg>(*p, "EncrAlg");
  if (const Field* p = m.get("mac")) a.mac = code_point<codec::MacAlg>(*p, "MacAlg");
  return a;
}

void Loader::load_policy(const Map& root, LoadedKmsConfig& out) {
  roles::KmsPolicy& p = out.kms.policy;
  // A configuration file describes a served KMS: its replay cache is allocated and made resident
  // at start, so its memory does not grow while the skew window fills (roles/replay_cache.h).
  p.replay_cache_reserve = true;
  if (const Field* f = root.get("lifetimes")) {
    Map l(*this, *f, {"default", "max", "open_end"});
    // docs/latitude.md "open-ended-lifetime": a desired TP without TRe gets the default end, or
    // none.
    if (const Field* o = l.get("open_end")) {
      p.latitude.open_ended_lifetime = either(*o, "default", "open");
    }
    if (const Field* d = l.get("default")) {
      p.default_lifetime_s = static_cast<std::uint32_t>(integer(*d, 1, 0xFFFFFFFF));
    }
    if (const Field* m = l.get("max")) {
      p.max_lifetime_s = static_cast<std::uint32_t>(integer(*m, 1, 0xFFFFFFFF));
    }
    if (p.default_lifetime_s > p.max_lifetime_s) {
      fail(f->mark, f->path + ": default (" + std::to_string(p.default_lifetime_s) +
                        " s) exceeds max (" + std::to_string(p.max_lifetime_s) + " s)");
    }
  }
  const Field* f = root.get("policy");
  if (f == nullptr) return;
  Map m(*this, *f,
        {"prfs", "encr_algs", "mac_algs", "ticket_formats", "modes", "forking", "reuse",
         "clock_skew", "replay_cache_size", "iv", "errors", "clock_offset_ms", "answers", "granted",
         "trailing_bytes", "idrkms_id_type", "inconsistent_policy", "enforce_rand_length",
         "ticket_start_grace"});
  load_latitude(m, p.latitude);
  if (const Field* x = m.get("prfs")) p.prfs = code_points<codec::PrfFunc>(*x, "PrfFunc");
  if (const Field* x = m.get("encr_algs")) p.encr_algs = code_points<codec::EncrAlg>(*x, "EncrAlg");
  if (const Field* x = m.get("mac_algs")) p.mac_algs = code_points<codec::MacAlg>(*x, "MacAlg");
  if (const Field* x = m.get("ticket_formats")) {
    p.ticket_formats.clear();
    for (const Field& e : list(*x)) {
      roles::TicketFormat t = ticket_format(e);
      if (std::find(p.ticket_formats.begin(), p.ticket_formats.end(), t) !=
          p.ticket_formats.end()) {
        fail(e.mark, e.path + ": listed twice");
      }
      p.ticket_formats.push_back(t);
    }
  }
  if (const Field* x = m.get("modes")) {
    // RFC 6043 §4.1.1: modes 1 and 2 need the Ticket Request (the KMS issues tickets); mode 3
    // needs the KMS to resolve tickets an Initiator created; mode 4 involves no KMS.
    p.issue_tickets = false;
    p.resolve_initiator_tickets = false;
    for (const Field& e : list(*x)) {
      std::uint64_t mode = integer(e, 1, 4);
      if (mode == 4) fail(e.mark, e.path + ": mode 4 involves no KMS (allowed: 1, 2, 3)");
      if (mode == 3) {
        p.resolve_initiator_tickets = true;
      } else {
        p.issue_tickets = true;
      }
    }
  }
  if (const Field* x = m.get("forking")) p.allow_forking = boolean(*x);
  if (const Field* x = m.get("reuse")) p.allow_reuse = boolean(*x);
  if (const Field* x = m.get("clock_skew")) {
    p.clock_skew_s = static_cast<std::uint32_t>(integer(*x, 0, 86400));
  }
  if (const Field* x = m.get("replay_cache_size")) {
    // The most authenticated messages remembered within the skew window (RFC 3830 §5.4).
    p.replay_cache_size = static_cast<std::size_t>(integer(*x, 1, 10'000'000));
  }
  if (const Field* x = m.get("iv")) {
    // Which T enters the AES-CM IV of a response's KEMAC: RFC 3830 §4.2.3 reads two ways, neither
    // confirmed (docs/latitude.md "iv-timestamp").
    std::string v = string(*x);
    if (v == "a") {
      p.iv_timestamp = roles::IvTimestamp::carrying_message;
    } else if (v == "b") {
      p.iv_timestamp = roles::IvTimestamp::initial_message;
    } else {
      fail(x->mark, x->path +
                        ": expected a (T of the message carrying the KEMAC) or b (T of the "
                        "exchange's initial message)");
    }
  }
  if (const Field* x = m.get("errors")) {
    Map e(*this, *x, {"malformed", "ticket_validity", "unauthorized_responder"});
    auto choice = [&](const char* key, std::initializer_list<std::uint64_t> allowed,
                      codec::ErrorNo& slot) {
      const Field* c = e.get(key);
      if (c == nullptr) return;
      std::uint64_t v = integer(*c, 0, 255);
      if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
        std::string list;
        for (std::uint64_t a : allowed) list += (list.empty() ? "" : " or ") + std::to_string(a);
        fail(c->mark, c->path + ": " + std::to_string(v) +
                          " is not a choice here (allowed: " + list + ", docs/errors.md)");
      }
      slot = static_cast<codec::ErrorNo>(v);
    };
    choice("malformed", {12, 13}, p.errors.malformed);
    choice("ticket_validity", {14, 15}, p.errors.ticket_validity);
    choice("unauthorized_responder", {7, 0}, p.errors.unauthorized_responder);
  }
}

// `no` → false, `yes` → true; anything else is an error naming both.
bool Loader::either(const Field& f, std::string_view no, std::string_view yes) {
  const std::string v = string(f);
  if (v != no && v != yes) {
    fail(f.mark, f.path + ": expected " + std::string(no) + " or " + std::string(yes));
  }
  return v == yes;
}

// `error` (the MIKEY Error message in a 200, A.2-12) or an HTTP status 400..499 (A.3-1).
std::uint16_t Loader::refusal_answer(const Field& f) {
  if (f.node.IsScalar() && f.node.Scalar() == "error") return 0;
  const std::string s = f.node.IsScalar() ? f.node.Scalar() : std::string();
  const bool digits =
      s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || s[0] != '4') {
    fail(f.mark, f.path +
                     ": expected error (a MIKEY Error message in a 200) or an HTTP status "
                     "400..499");
  }
  return static_cast<std::uint16_t>(std::stoi(s));
}

// The points where the specifications allow more than one behaviour (docs/latitude.md): each
// key selects the reading this KMS follows.
void Loader::load_latitude(const Map& m, roles::KmsLatitude& l) {
  if (const Field* x = m.get("clock_offset_ms")) {
    // A signed number of milliseconds, at most a day either way.
    const std::string s = x->node.IsScalar() ? x->node.Scalar() : std::string();
    const bool negative = !s.empty() && s[0] == '-';
    const std::optional<std::uint64_t> v = parse_uint(negative ? s.substr(1) : s);
    if (!v || *v > 86'400'000) {
      fail(x->mark, x->path +
                        ": expected a whole number of milliseconds from -86400000 to "
                        "86400000");
    }
    l.clock_offset_ms = negative ? -static_cast<std::int64_t>(*v) : static_cast<std::int64_t>(*v);
  }
  if (const Field* x = m.get("answers")) {
    Map a(*this, *x, {"auth_failure", "malformed", "discarded"});
    if (const Field* c = a.get("auth_failure")) l.auth_failure_status = refusal_answer(*c);
    if (const Field* c = a.get("malformed")) l.malformed_status = refusal_answer(*c);
    if (const Field* c = a.get("discarded")) l.discarded_status = refusal_answer(*c);
  }
  if (const Field* x = m.get("granted")) {
    Map g(*this, *x, {"idri", "idrkms"});
    if (const Field* c = g.get("idri")) l.add_idri = !either(*c, "add", "omit");
    if (const Field* c = g.get("idrkms")) l.add_idrkms = !either(*c, "add", "omit");
  }
  if (const Field* x = m.get("trailing_bytes")) {
    l.ignore_trailing_bytes = either(*x, "reject", "ignore");
  }
  if (const Field* x = m.get("idrkms_id_type")) {
    l.accept_idrkms_other_type = either(*x, "exact", "any");
  }
  if (const Field* x = m.get("inconsistent_policy")) {
    l.repair_inconsistent_policy = either(*x, "refuse", "repair");
  }
  if (const Field* x = m.get("enforce_rand_length")) l.enforce_rand_length = boolean(*x);
  if (const Field* x = m.get("ticket_start_grace")) {
    l.ticket_start_grace_s = static_cast<std::uint32_t>(integer(*x, 0, 86400));
  }
}

// The `http:` section: where RFC 7230/7231 let the server answer in more than one way.
void Loader::load_http(const Map& root, LoadedKmsConfig& out) {
  const Field* f = root.get("http");
  if (f == nullptr) return;
  std::vector<std::string_view> keys = {"unknown_method_status", "oversized_body"};
  for (const ServerLimit& l : server_limits()) keys.push_back(l.key);
  Map m(*this, *f, keys);
  for (const ServerLimit& l : server_limits()) {
    if (const Field* x = m.get(l.key)) out.http.limits.emplace_back(&l, integer(*x, l.min, l.max));
  }
  if (const Field* x = m.get("unknown_method_status")) {
    // docs/latitude.md "unknown-method": RFC 7231 §6.5.5 (405) or §6.6.2 (501).
    const std::uint64_t v = integer(*x, 405, 501);
    if (v != 405 && v != 501) fail(x->mark, x->path + ": expected 405 or 501");
    out.http.unknown_method_status = static_cast<std::uint16_t>(v);
  }
  if (const Field* x = m.get("oversized_body")) {
    // docs/latitude.md "announced-body-too-large".
    const std::string v = string(*x);
    if (v == "early-413") {
      out.http.oversized_body = OversizedBody::early_413;
    } else if (v == "close") {
      out.http.oversized_body = OversizedBody::close;
    } else if (v == "wait") {
      out.http.oversized_body = OversizedBody::wait;
    } else {
      fail(x->mark, x->path + ": expected early-413, close or wait");
    }
  }
}

}  // namespace mikey::config::detail

namespace mikey::config {

namespace {

using Options = transport::ServerOptions;
using std::chrono::milliseconds;
constexpr std::uint64_t kHour = 3'600'000;  // ms
constexpr std::uint64_t kMany = 1'000'000;

// RFC 7230 §6.5 leaves connection timeouts to the server; A.3-1 lets a KMS that cannot serve
// say so (503 with Retry-After).
constexpr std::array<ServerLimit, 11> kLimits = {{
    {"max_connections", 1, kMany,
     [](Options& o, std::uint64_t v) { o.max_connections = static_cast<std::size_t>(v); }},
    {"max_connections_per_address", 0, kMany,
     [](Options& o, std::uint64_t v) {
       o.max_connections_per_address = static_cast<std::size_t>(v);
     }},
    {"reclaim", 0, 1, [](Options& o, std::uint64_t v) { o.reclaim = v != 0; }},
    {"reclaim_after_ms", 0, kHour,
     [](Options& o, std::uint64_t v) { o.reclaim_after = milliseconds(v); }},
    {"handshake_timeout_ms", 1, kHour,
     [](Options& o, std::uint64_t v) { o.handshake_timeout = milliseconds(v); }},
    {"header_timeout_ms", 1, kHour,
     [](Options& o, std::uint64_t v) { o.header_timeout = milliseconds(v); }},
    {"body_timeout_ms", 1, kHour,
     [](Options& o, std::uint64_t v) { o.body_timeout = milliseconds(v); }},
    {"read_timeout_ms", 1, kHour,
     [](Options& o, std::uint64_t v) { o.read_timeout = milliseconds(v); }},
    {"idle_timeout_ms", 1, kHour,
     [](Options& o, std::uint64_t v) { o.idle_timeout = milliseconds(v); }},
    {"write_timeout_ms", 1, kHour,
     [](Options& o, std::uint64_t v) { o.write_timeout = milliseconds(v); }},
    {"retry_after_s", 0, 86'400,
     [](Options& o, std::uint64_t v) { o.retry_after_seconds = static_cast<unsigned>(v); }},
}};

}  // namespace

std::span<const ServerLimit> server_limits() noexcept { return kLimits; }

namespace {

// RFC 6043 §10: bounds that keep a slow or absent KMS_I from stalling KMS_R (kms_config.h).
constexpr LinkLimit kLinkLimits[] = {
    {"max_in_flight", 1, 256, &PeerEndpoint::max_in_flight},
    {"connect_timeout_ms", 1, 600'000, &PeerEndpoint::connect_timeout_ms},
    {"timeout_ms", 1, 600'000, &PeerEndpoint::timeout_ms},
};

}  // namespace

std::span<const LinkLimit> link_limits() noexcept { return kLinkLimits; }

void apply_server_limits(const HttpChoices& http, transport::ServerOptions& options) {
  for (const auto& [limit, value] : http.limits) limit->apply(options, value);
}

}  // namespace mikey::config
