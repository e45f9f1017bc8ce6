// Kms: request intake shared by REQUEST_INIT and RESOLVE_INIT (RFC 3830 §5.3 processing order),
// key lookup and Error replies.
#include <cstdlib>
#include <new>
#include <string>

#include "roles/error_message.h"
#include "roles/kms_exchange.h"

namespace mikey::roles {

using codec::DataType;
using codec::IdRole;

namespace kms_detail {

codec::EncrAlg encr_for(codec::MacAlg mac) noexcept {
  return mac == codec::MacAlg::hmac_sha256_256 ? codec::EncrAlg::aes_cm_256
                                               : codec::EncrAlg::aes_cm_128;
}

MessageProtection response_protection(const Kms::Exchange& x, const KmsPolicy& policy,
                                      codec::EncrAlg encr) {
  MessageProtection p = x.protection;
  p.direction = crypto::MessageDirection::response;
  p.initial_message = x.in.bytes;  // the whole request, MAC included (RFC 6043 §5.5)
  p.encr = encr;
  p.iv = policy.iv_timestamp;
  p.initial_t = ts_iv_value(x.t->ts_type, x.t->value);
  return p;
}

codec::Hdr response_hdr(const codec::Hdr& request, DataType type) {
  codec::Hdr h = request;
  h.data_type = type;
  h.v = false;
  return h;
}

KeyItem mpk_item(const crypto::SecureBytes& key, const Bytes& spi) {
  KeyItem k;
  k.type = codec::KeyDataType::mpk;
  k.key = key.clone();
  k.spi = spi;
  return k;
}

std::size_t payload_index(const codec::Message& m, codec::PayloadType t) noexcept {
  for (std::size_t i = 0; i < m.payloads.size(); ++i)
    if (m.payloads[i].type == t) return i;
  return m.payloads.size();
}

// The identities the requester may resolve for (RFC 6043 §4.2.3.4, §12.5). A peer KMS forwards
// the Responder's IDRr, which is what gets authorized (B.0-7); a user resolves for itself and the
// identities configured for it.
std::vector<Identity> candidates(const Kms::Exchange& x) {
  const auto* idr = find_idr(x.in.message().payloads, codec::IdRole::idrr);
  if (x.user->peer_kms)
    return idr != nullptr ? std::vector{identity_of(*idr)} : std::vector<Identity>{};
  std::vector<Identity> out{x.user->identity};
  out.insert(out.end(), x.user->resolves_for.begin(), x.user->resolves_for.end());
  return out;
}

// The answering endpoint, sent as the forking modifier's IDRr (§4.2.3.5): the IDRr the
// Responder (or the forwarding KMS) sent, else the user's identity.
Identity answering_endpoint(const Kms::Exchange& x) {
  const auto* idr = find_idr(x.in.message().payloads, codec::IdRole::idrr);
  return idr != nullptr ? identity_of(*idr) : x.user->identity;
}

}  // namespace kms_detail

using kms_detail::contains;

Kms::Kms(KmsConfig config, const Clock& clock, crypto::Rng& rng, KmsPeer* peers)
    : config_(std::move(config)),
      own_clock_(&clock, config_.policy.latitude.clock_offset_ms),
      clock_(&own_clock_),
      rng_(&rng),
      peers_(peers),
      replay_(config_.policy.replay_cache_size, config_.policy.clock_skew_s,
              config_.policy.replay_cache_reserve) {}

const KmsUser* Kms::user_by_psk_id(const Identity& id) const noexcept {
  for (const KmsUser& u : config_.users) {
    const PskCredential* psk = as_psk(u.credential.get());
    if (psk != nullptr && psk->psk_id() && *psk->psk_id() == id) return &u;
  }
  return nullptr;
}

const KmsUser* Kms::user_by_identity(const Identity& id, bool peer_kms) const noexcept {
  for (const KmsUser& u : config_.users)
    if (u.peer_kms == peer_kms && u.identity == id) return &u;
  return nullptr;
}

namespace {

std::string parse_detail(const codec::ParseError& e) {
  return std::string(codec::to_string(e.code)) + " at offset " + std::to_string(e.offset);
}

Result<bool, Refusal> check_structure(Kms::Exchange& x) {
  const codec::ParseOutcome& parsed = x.in.parsed;
  if (!parsed.ok()) {
    // The parser stops at a MAC alg it does not know: that is "MAC algorithm not supported".
    Failure f = parsed.error.code == codec::Errc::unknown_mac_alg ? Failure::unsupported_mac_alg
                                                                  : Failure::malformed_message;
    return refuse(f, parse_detail(parsed.error));
  }
  const codec::Message& m = parsed.message;
  // RFC 3830 §6.1: "version = 0x01 refers to MIKEY as defined in this document" (M-6.1-2). The
  // RFCs name no Error for another version; INTERPRETATION: treated as a malformed message.
  if (m.hdr.version != 1) {
    return refuse(Failure::malformed_message, "HDR version " + std::to_string(m.hdr.version));
  }
  const DataType psk_type = x.resolve ? DataType::resolve_init_psk : DataType::request_init_psk;
  const DataType pk_type = x.resolve ? DataType::resolve_init_pk : DataType::request_init_pk;
  if (m.hdr.data_type == DataType::error) return refuse(Failure::error_message_received);
  if (m.hdr.data_type == pk_type) return refuse(Failure::pk_not_implemented);
  if (m.hdr.data_type != psk_type) {
    return refuse(Failure::wrong_data_type,
                  "data type " + std::to_string(codec::raw(m.hdr.data_type)));
  }
  // RFC 6043 §4.2.1.1 / §4.2.3.1: HDR, T and RANDRi / RANDRr; §4.2.1.2 / §4.2.3.2: V last; and
  // the TP (request) or TICKET (resolve).
  x.t = find_body<codec::Timestamp>(m.payloads);
  x.rand = find_randr(m.payloads, x.resolve ? codec::RandRole::randrr : codec::RandRole::randri);
  x.v = last_v(m);
  const codec::PayloadType body = x.resolve ? codec::PayloadType::ticket : codec::PayloadType::tp;
  if (x.t == nullptr || x.rand == nullptr || x.v == nullptr || m.find(body) == nullptr) {
    return refuse(Failure::missing_payload);
  }
  return true;
}

// docs/latitude.md "trailing-bytes": bytes after the last payload (RFC 3830 §6 defines none).
// Rejected as malformed by default; ignored means the message is handled as if they were not
// there, MAC included.
Result<bool, Refusal> handle_trailing_bytes(Kms::Exchange& x, const KmsLatitude& latitude) {
  const std::size_t extra = x.in.parsed.ok() ? x.in.parsed.message.trailing.size() : 0;
  if (extra == 0) return true;
  if (!latitude.ignore_trailing_bytes) {
    return refuse(Failure::malformed_message,
                  std::to_string(extra) + " bytes after the last payload");
  }
  const Bytes kept(x.in.bytes.begin(), x.in.bytes.end() - static_cast<std::ptrdiff_t>(extra));
  x.in = receive(kept);
  return true;
}

// docs/latitude.md "rand-length": RFC 6043 §12.1, len(RANDRi) + len(RANDRr) >= the longest PSK.
// The KMS sees one of the two RANDs; a strict KMS wants each to carry half.
bool rand_too_short(const Kms::Exchange& x, const KmsLatitude& latitude) {
  if (!latitude.enforce_rand_length || x.psk == nullptr) return false;
  return 2 * x.rand->rand.size() < x.psk->psk().size();
}

}  // namespace

Result<bool, Refusal> Kms::find_key(Exchange& x) {
  const auto& ps = x.in.message().payloads;
  const codec::IdWithRole* idr = find_idr(ps, x.resolve ? IdRole::idrr : IdRole::idri);
  const codec::IdWithRole* psk_id = find_idr(ps, IdRole::idrpsk);
  const codec::IdWithRole* kms_id = find_idr(ps, IdRole::idrkms);
  if (kms_id != nullptr && !names_this_kms(*kms_id)) {
    return refuse(Failure::unknown_identity, "IDRkms names another KMS");
  }
  const KmsUser* u = nullptr;
  if (x.context.authenticated_peer) {
    u = user_by_identity(*x.context.authenticated_peer, true);
  } else if (psk_id != nullptr) {
    u = user_by_psk_id(identity_of(*psk_id));
  } else if (idr != nullptr) {
    u = user_by_identity(identity_of(*idr), false);  // B.0-6: never a peer KMS by its IDRr
  }
  if (u == nullptr) return refuse(Failure::unknown_identity, "no key for this identity / IDRpsk");
  if (u->peer_kms && !x.resolve) return refuse(Failure::unknown_identity, "peer KMS requesting");
  if (!u->peer_kms && idr != nullptr && identity_of(*idr) != u->identity &&
      !(x.resolve && contains(u->resolves_for, identity_of(*idr)))) {
    return refuse(Failure::unknown_identity, "the IDR contradicts the key's owner");
  }
  x.psk = as_psk(u->credential.get());
  if (x.psk == nullptr) return refuse(Failure::pk_not_implemented, "user has a PK credential");
  x.user = u;
  x.peer_id = idr != nullptr ? idr->data : u->identity.data;
  x.kms_id = kms_id != nullptr ? kms_id->data : config_.identity.data;
  return true;
}

Result<bool, Refusal> Kms::check_algorithms(const Exchange& x) const {
  const KmsPolicy& pol = config_.policy;
  if (!contains(pol.prfs, x.in.message().hdr.prf_func)) return refuse(Failure::unsupported_prf);
  if (!contains(pol.mac_algs, x.v->auth_alg)) return refuse(Failure::unsupported_mac_alg);
  return true;
}

Result<bool, Refusal> Kms::preflight(Exchange& x) {
  if (auto trailing = handle_trailing_bytes(x, config_.policy.latitude); !trailing.ok())
    return trailing.error();
  auto structure = check_structure(x);
  if (!structure.ok()) return structure.error();
  // RFC 3830 §5.3 step 1: the timestamp lies within the allowable clock skew.
  std::optional<std::int64_t> t = ts_unix_seconds(x.t->ts_type, x.t->value);
  if (!t || std::llabs(*t - now()) > std::int64_t{config_.policy.clock_skew_s}) {
    return refuse(Failure::timestamp_skew);
  }
  // Step 2: replay cache. INTERPRETATION: RFC 3830 §5.3 only discards replays; we answer Error 1
  // Invalid TS (the failed check is the timestamp's freshness).
  if (replay_.seen(x.v->mac, *t)) return refuse(Failure::replayed_message);
  // Step 3: identity → key; algorithms needed to use it.
  if (auto k = find_key(x); !k.ok()) return k.error();
  if (auto a = check_algorithms(x); !a.ok()) return a.error();
  // Step 4: the MAC (RFC 6043 §5.5: msg ‖ Identity_i|r ‖ Identity_kms).
  MessageProtection& p = x.protection;
  p.inkey = x.psk->psk();
  p.prf = x.in.message().hdr.prf_func;
  p.csb_id = x.in.message().hdr.csb_id;
  p.direction = crypto::MessageDirection::initial;
  (x.resolve ? p.randrr : p.randri) = x.rand->rand;  // §7.3: RANDRi for Request, RANDRr for Resolve
  p.identity_a = x.peer_id;
  p.identity_b = x.kms_id;
  if (auto verified = kms_detail::verify_request_mac(x); !verified.ok()) return verified.error();
  x.authenticated = true;
  if (rand_too_short(x, config_.policy.latitude)) {
    return refuse(Failure::policy_unacceptable, "RAND shorter than RFC 6043 §12.1 asks");
  }
  // Step 5: only authenticated messages enter the replay cache. Atomic: of two concurrent copies
  // the second is a replay here even though both passed step 2.
  const ReplayCache::Insertion kept = replay_.insert(x.v->mac, *t, now());
  if (auto refused = replay_.refusal_of(kept)) return *std::move(refused);
  return true;
}

// docs/latitude.md "idrkms-id-type": the ID Data must name this KMS; its ID Type may differ from
// the configured one when the policy allows it.
bool Kms::names_this_kms(const codec::IdWithRole& idrkms) const noexcept {
  const Identity named = identity_of(idrkms);
  if (named == config_.identity) return true;
  return config_.policy.latitude.accept_idrkms_other_type && named.data == config_.identity.data;
}

// KmsLatitude: the refusals whose MIKEY Error message a KMS may replace by an HTTP 4xx.
std::uint16_t Kms::http_status_for(Failure f) const noexcept {
  const KmsLatitude& l = config_.policy.latitude;
  switch (f) {
    case Failure::auth_failure:
    case Failure::unknown_identity:  // no key for the requester: it cannot be authenticated
      return l.auth_failure_status;
    case Failure::malformed_message:
      return l.malformed_status;
    case Failure::timestamp_skew:
    case Failure::replayed_message:
      return l.discarded_status;
    default:
      return 0;
  }
}

KmsReply Kms::reply_error(const Exchange& x, Refusal refusal) noexcept {
  KmsReply reply;
  reply.failure = refusal.failure;
  reply.detail = std::move(refusal.detail);
  // RFC 6043 §5.4: never an Error in answer to an Error.
  if (refusal.failure == Failure::error_message_received) return reply;
  // A.3-1: a KMS that cannot serve now (a busy peer KMS; no room to remember the message, where a
  // replay Error would be false) says so at the HTTP level; no MIKEY Error says "try later".
  reply.unavailable_retry_after_s = refusal.retry_after_s;
  if (reply.unavailable_retry_after_s != 0) return reply;
  reply.http_status = http_status_for(refusal.failure);
  const codec::ErrorNo no = error_no(refusal.failure, config_.policy.errors);
  // After the MAC verified, the Error is authenticated with the request's auth_key (§5.4);
  // before, it is not (RFC 3830 §5.1.2 recommends that after an authentication failure).
  const MessageProtection* auth = x.authenticated ? &x.protection : nullptr;
  reply.message = build_error(error_context(x.in.parsed), no, timestamps_.next(*clock_), auth,
                              x.v != nullptr ? x.v->auth_alg : codec::MacAlg::null);
  return reply;
}

KmsReply Kms::handle(Exchange& x) noexcept {
  try {
    auto r = x.resolve ? serve_resolve(x) : serve_request(x);
    if (r.ok()) return KmsReply{std::move(r).value(), std::nullopt, {}};
    return reply_error(x, r.error());
  } catch (const std::bad_alloc&) {  // allocation failure: answer what we still can
    return reply_error(x, refuse(Failure::internal_error));
  }
}

KmsReply Kms::handle_request_init(ByteView request) noexcept {
  try {
    Exchange x;
    x.in = receive(request);
    return handle(x);
  } catch (const std::bad_alloc&) {
    return KmsReply{{}, Failure::internal_error, {}};
  }
}

KmsReply Kms::handle_resolve_init(ByteView request, const RequestContext& context) noexcept {
  try {
    Exchange x;
    x.resolve = true;
    x.context = context;
    x.in = receive(request);
    return handle(x);
  } catch (const std::bad_alloc&) {
    return KmsReply{{}, Failure::internal_error, {}};
  }
}

}  // namespace mikey::roles
