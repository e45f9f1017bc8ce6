// The engine of the roles_sequence fuzz target (and its twin roles_sequence_fuzzmode): a
// FuzzedDataProvider-driven state machine over a whole MIKEY-TICKET exchange, in-process. The
// input picks a sequence of steps (Initiator → KMS, KMS → Initiator, Initiator → Responder,
// Responder → KMS, KMS → Responder, Responder → Initiator, CSB update, reuse of an earlier
// message, mode-3 ticket creation, time passing) and a mutation of each message in flight (bit
// flip, truncation, splice with an earlier message, byte overwrite). Alice, Bob and the KMS of
// fuzz/role_world.h run on a DeterministicRng seeded from the input and one ManualClock.
//
// Invariant (normal build only): whenever Initiator and Responder hold a completed transfer of
// the same exchange (same CSB ID and RANDRi) and have applied the same CSB updates (by MAC), their
// SRTP keys per crypto session are equal. No other acceptance is asserted: a mutation of a field
// the MAC does not cover may legitimately pass. In fuzzer mode the roles accept any MAC, so keys
// may legitimately differ; only "no crash, no sanitizer report" holds there.
//
// Header-only so that fuzz_assets (linked with the normal mikey_roles) runs the very same engine
// to produce the seeds and to prove that each one drives its happy path to the end.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

#include "codec/message.h"
#include "crypto/rng.h"
#include "role_world.h"
#include "roles/clock.h"
#include "roles/initiator.h"
#include "roles/kms.h"
#include "roles/protect.h"
#include "roles/responder.h"
#include "wire/bytes.h"

namespace mikey::fuzz::sequence {

enum class Step : std::uint8_t {
  request,        // Initiator builds REQUEST_INIT → KMS
  request_resp,   // KMS reply → Initiator
  transfer,       // Initiator builds TRANSFER_INIT → Responder (a later one reuses the ticket)
  resolve,        // Responder's RESOLVE_INIT → KMS
  resolve_resp,   // KMS reply → Responder
  transfer_resp,  // Responder's TRANSFER_RESP (or Transfer Error) → Initiator
  csb_update,     // Initiator builds a CSB update → Responder, its answer → Initiator
  reuse,          // a message sent earlier is delivered again to its receiver
  create_ticket,  // mode 3: the Initiator creates its ticket with a TPK
  time_passes,    // the shared clock moves forward
  count,
};
inline constexpr std::uint8_t kStepCount = static_cast<std::uint8_t>(Step::count);

enum class Mutation : std::uint8_t { none, bit_flip, truncate, splice, overwrite, count };
inline constexpr std::uint8_t kMutationCount = static_cast<std::uint8_t>(Mutation::count);

inline constexpr int kMaxSteps = 48;
inline constexpr std::size_t kHistory = 16;

// Reads the input. FuzzedDataProvider takes integers from the end of the data; a primitive past
// the end reads 0, and the sequence stops at a step boundary once the input is used up.
class Reader {
 public:
  Reader(const std::uint8_t* data, std::size_t size) : fdp_(data, size) {}
  bool done() { return fdp_.remaining_bytes() == 0; }
  void pick(std::uint8_t& v, std::uint8_t n) {
    v = n > 1 ? fdp_.ConsumeIntegralInRange<std::uint8_t>(0, static_cast<std::uint8_t>(n - 1)) : 0;
  }
  void flag(bool& v) { v = fdp_.ConsumeBool(); }
  void byte(std::uint8_t& v) { v = fdp_.ConsumeIntegral<std::uint8_t>(); }
  void u16(std::uint16_t& v) { v = fdp_.ConsumeIntegral<std::uint16_t>(); }
  void u64(std::uint64_t& v) { v = fdp_.ConsumeIntegral<std::uint64_t>(); }

 private:
  FuzzedDataProvider fdp_;
};

// The inverse of Reader, for seeds: each primitive appends what Reader would consume for that
// value (most significant byte first), and bytes() lays them out from the end of the input.
class Writer {
 public:
  void pick(std::uint8_t& v, std::uint8_t n) {
    if (n > 1) tail_.push_back(static_cast<std::uint8_t>(v % n));
  }
  void flag(bool& v) { tail_.push_back(v ? 1 : 0); }
  void byte(std::uint8_t& v) { tail_.push_back(v); }
  void u16(std::uint16_t& v) {
    tail_.push_back(static_cast<std::uint8_t>(v >> 8));
    tail_.push_back(static_cast<std::uint8_t>(v));
  }
  void u64(std::uint64_t& v) {
    for (int i = 7; i >= 0; --i) tail_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  Bytes bytes() const { return Bytes(tail_.rbegin(), tail_.rend()); }

 private:
  Bytes tail_;
};

// ---- What each step reads, in order (shared by Reader and Writer through io()) ----

struct MutationParams {
  std::uint8_t kind = 0;   // Mutation
  std::uint16_t pos = 0;   // byte position, truncation length or splice cut (modulo the size)
  std::uint8_t value = 0;  // bit number, byte value or history index
  std::uint16_t from = 0;  // splice: where the spliced-in tail starts in the earlier message
  template <class IO>
  void io(IO& x) {
    x.pick(kind, kMutationCount);
    if (kind == static_cast<std::uint8_t>(Mutation::none)) return;
    x.u16(pos);
    x.byte(value);
    if (kind == static_cast<std::uint8_t>(Mutation::splice)) x.u16(from);
  }
};

struct Header {
  std::uint64_t seed = 0;  // of the DeterministicRng every party shares
  std::uint8_t suite = 0;  // 0: 128-bit suite, 1: 256-bit suite (RFC 6043 §12.1)
  template <class IO>
  void io(IO& x) {
    x.u64(seed);
    x.pick(suite, 2);
  }
};

// Tweaks of the desired Ticket Policy (RFC 6043 §6.10).
enum Tweak : std::uint8_t {
  kReuse = 1,            // J
  kInitiatorKeys = 2,    // L
  kFreshRandrr = 4,      // G (and H = 0)
  kResponderKeys = 8,    // M
  kNoTransferResp = 16,  // F = 0
  kTekAndTgk = 32,       // desired KEMAC: TGK+SALT and TEK
  kNoLifetime = 64,      // no TRs/TRe
  kRawFlags = 128,       // all twelve flags from `raw`
};

struct RequestParams {      // request and create_ticket
  std::uint8_t format = 0;  // request: type 1 / PROVISIONAL type 2; create_ticket: mode-3 / KMS TPK
  bool forking = false;     // I (and E)
  std::uint8_t tweaks = 0;  // Tweak bits
  std::uint16_t raw = 0;    // with kRawFlags: D E F G H I J K L M N O from bit 0 up
  std::uint8_t lifetime = 0;  // 0: 600 s; else 8 s units
  MutationParams mutation;    // of REQUEST_INIT (request only; read for both)
  template <class IO>
  void io(IO& x) {
    x.pick(format, 2);
    x.flag(forking);
    x.byte(tweaks);
    if (tweaks & kRawFlags) x.u16(raw);
    x.byte(lifetime);
    mutation.io(x);
  }
};

struct TransferParams {
  std::uint8_t shape = 0;  // 0: one CS; 1: two CSs with an SP and SSRC; 2: to another responder
  MutationParams mutation;
  template <class IO>
  void io(IO& x) {
    x.pick(shape, 3);
    mutation.io(x);
  }
};

struct DeliverParams {  // request_resp, resolve, resolve_resp, transfer_resp
  MutationParams mutation;
  template <class IO>
  void io(IO& x) {
    mutation.io(x);
  }
};

struct UpdateParams {
  bool expect_response = true;  // the V flag
  bool new_keys = false;        // a new TGK in KEMAC (needs L = 1)
  bool policy = false;          // a new SP
  MutationParams update;
  MutationParams response;
  template <class IO>
  void io(IO& x) {
    x.flag(expect_response);
    x.flag(new_keys);
    x.flag(policy);
    update.io(x);
    response.io(x);
  }
};

struct ReuseParams {
  std::uint8_t index = 0;  // into the history of messages sent, newest last (modulo its size)
  MutationParams mutation;
  template <class IO>
  void io(IO& x) {
    x.byte(index);
    mutation.io(x);
  }
};

struct TimeParams {
  std::uint8_t seconds = 0;  // in 4 s units
  template <class IO>
  void io(IO& x) {
    x.byte(seconds);
  }
};

// What a run did (fuzz_assets checks that each seed reaches its goal).
struct Summary {
  int steps = 0;
  int key_checks = 0;       // times both sides held the same exchange and keys were compared
  int updates_checked = 0;  // of those, with at least one CSB update applied on both sides
};

// ---- The engine ----

class Sequence {
 public:
  explicit Sequence(const Header& h)
      : algs_(h.suite == 1 ? roles::kSuite256 : roles::kSuite128),
        rng_(h.seed),
        kms_(kms_config(algs_), clock_, rng_),
        alice_(alice_config(algs_), clock_, rng_),
        bob_(bob_config(algs_), clock_, rng_) {}

  void step(Step s, Reader& in) {
    switch (s) {
      case Step::request:
        run<RequestParams>(in, &Sequence::request);
        break;
      case Step::request_resp:
        deliver_slot(kms_to_alice_, Receiver::initiator_request_resp, in);
        break;
      case Step::transfer:
        run<TransferParams>(in, &Sequence::transfer);
        break;
      case Step::resolve:
        deliver_slot(bob_to_kms_, Receiver::kms_resolve, in);
        break;
      case Step::resolve_resp:
        deliver_slot(kms_to_bob_, Receiver::responder_resolve_resp, in);
        break;
      case Step::transfer_resp:
        deliver_slot(bob_to_alice_, Receiver::initiator_transfer_resp, in);
        break;
      case Step::csb_update:
        run<UpdateParams>(in, &Sequence::update);
        break;
      case Step::reuse: {
        ReuseParams p;
        p.io(in);
        if (!history_.empty()) {
          const Sent& old = history_[p.index % history_.size()];
          receive(old.to, mutate(old.bytes, p.mutation));
        }
        break;
      }
      case Step::create_ticket:
        run<RequestParams>(in, &Sequence::create_ticket);
        break;
      case Step::time_passes: {
        TimeParams p;
        p.io(in);
        clock_.advance_seconds(4 * std::int64_t{p.seconds});
        break;
      }
      case Step::count:
        break;
    }
    ++summary_.steps;
    check_keys();
  }

  const Summary& summary() const { return summary_; }

 private:
  enum class Receiver : std::uint8_t {
    kms_request,
    kms_resolve,
    initiator_request_resp,
    responder_transfer_init,
    responder_resolve_resp,
    initiator_transfer_resp,
    responder_update,
    initiator_update_resp,
  };
  struct Sent {
    Bytes bytes;
    Receiver to;
  };
  // Which exchange a completed transfer belongs to, and the CSB updates applied to it (by MAC).
  struct SessionTag {
    std::uint32_t csb_id = 0;
    Bytes randri;
    std::vector<Bytes> updates;
    bool present = false;
  };

  // Bob's answer to a message: a step to take, or a refusal.
  template <class Answer>
  void responder_answered(const Answer& s) {
    if (s.ok()) {
      responder_step(s.value());
    } else {
      responder_refused(s.error());
    }
  }

  // Reads a step's parameters and takes the step.
  template <class Params>
  void run(Reader& in, void (Sequence::*take)(const Params&)) {
    Params p;
    p.io(in);
    (this->*take)(p);
  }

  static Bytes mac_of(ByteView message) {
    codec::ParseOutcome out = codec::parse_message(message);
    if (!out.ok() || out.message.payloads.empty()) return {};
    const auto* v = out.message.payloads.back().get<codec::Verification>();
    return v != nullptr ? v->mac : Bytes{};
  }

  Bytes mutate(Bytes m, const MutationParams& p) const {
    switch (static_cast<Mutation>(p.kind)) {
      case Mutation::bit_flip:
        if (!m.empty()) m[p.pos % m.size()] ^= static_cast<std::uint8_t>(1u << (p.value & 7));
        break;
      case Mutation::truncate:
        if (!m.empty()) m.resize(p.pos % m.size());
        break;
      case Mutation::splice:
        if (!history_.empty()) {
          const Bytes& src = history_[p.value % history_.size()].bytes;
          m.resize(p.pos % (m.size() + 1));
          m.insert(m.end(), src.begin() + static_cast<std::ptrdiff_t>(p.from % (src.size() + 1)),
                   src.end());
        }
        break;
      case Mutation::overwrite:
        if (!m.empty()) m[p.pos % m.size()] = p.value;
        break;
      case Mutation::none:
      case Mutation::count:
        break;
    }
    return m;
  }

  // Records a message a party produced for `to` (before any mutation).
  void sent(const Bytes& bytes, Receiver to) {
    if (bytes.empty()) return;
    history_.push_back(Sent{bytes, to});
    if (history_.size() > kHistory) history_.erase(history_.begin());
  }

  void deliver_slot(const std::optional<Bytes>& slot, Receiver to, Reader& in) {
    DeliverParams p;
    p.io(in);
    if (slot) receive(to, mutate(*slot, p.mutation));
  }

  void responder_step(const roles::ResponderStep& s) {
    if (s.action == roles::ResponderAction::send_resolve_init) {
      bob_to_kms_ = s.message;
      sent(s.message, Receiver::kms_resolve);
    } else if (s.action == roles::ResponderAction::send_transfer_resp) {
      bob_to_alice_ = s.message;
      sent(s.message, Receiver::initiator_transfer_resp);
    }
  }

  void responder_refused(const roles::Refusal& r) {
    if (r.error_message.empty()) return;
    bob_to_alice_ = r.error_message;  // the Transfer Error message for the Initiator
    sent(r.error_message, Receiver::initiator_transfer_resp);
  }

  // Hands `bytes` to its receiver; whatever it answers goes into the slot of the next hop.
  void receive(Receiver to, const Bytes& bytes) {
    switch (to) {
      case Receiver::kms_request: {
        roles::KmsReply reply = kms_.handle_request_init(bytes);
        if (!reply.message.empty()) {
          kms_to_alice_ = reply.message;
          sent(reply.message, Receiver::initiator_request_resp);
        }
        break;
      }
      case Receiver::kms_resolve: {
        roles::KmsReply reply = kms_.handle_resolve_init(bytes);
        if (!reply.message.empty()) {
          kms_to_bob_ = reply.message;
          sent(reply.message, Receiver::responder_resolve_resp);
        }
        break;
      }
      case Receiver::initiator_request_resp:
        (void)alice_.process_request_resp(bytes);
        break;
      case Receiver::responder_transfer_init:
        responder_answered(bob_.process_transfer_init(bytes));
        break;
      case Receiver::responder_resolve_resp:
        responder_answered(bob_.process_resolve_resp(bytes));
        break;
      case Receiver::initiator_transfer_resp:
        (void)alice_.process_transfer_resp(bytes);
        break;
      case Receiver::responder_update: {
        sync_tags();
        auto s = bob_.process_update(bytes);
        if (!s.ok()) break;
        if (bob_tag_.present) bob_tag_.updates.push_back(mac_of(bytes));
        if (s->action == roles::ResponderAction::send_transfer_resp) {
          update_resp_ = s->message;
          sent(s->message, Receiver::initiator_update_resp);
        }
        break;
      }
      case Receiver::initiator_update_resp:
        sync_tags();
        if (alice_.process_update_resp(bytes).ok() && alice_tag_.present) {
          alice_tag_.updates.push_back(pending_update_mac_);
        }
        break;
    }
  }

  roles::TicketRequest desired(const RequestParams& p) const {
    roles::TicketRequest r = ticket_request(
        p.forking, p.format == 0 ? roles::kBaseTicket : roles::kProvisionalType2, algs_);
    if (p.tweaks & kReuse) r.flags.j = true;
    if (p.tweaks & kInitiatorKeys) r.flags.l = true;
    if (p.tweaks & kFreshRandrr) {
      r.flags.g = true;
      r.flags.h = false;
    }
    if (p.tweaks & kResponderKeys) r.flags.m = true;
    if (p.tweaks & kNoTransferResp) r.flags.f = false;
    if (p.tweaks & kTekAndTgk) {
      r.keys = {{codec::KeyDataType::tgk_salt, algs_.key_length()},
                {codec::KeyDataType::tek, algs_.key_length()}};
    }
    if (p.tweaks & kNoLifetime) r.lifetime_s.reset();
    if (p.lifetime != 0) r.lifetime_s = 8u * p.lifetime;
    if (p.tweaks & kRawFlags) {
      unsigned bit = 0;
      for (bool* f : {&r.flags.d, &r.flags.e, &r.flags.f, &r.flags.g, &r.flags.h, &r.flags.i,
                      &r.flags.j, &r.flags.k, &r.flags.l, &r.flags.m, &r.flags.n, &r.flags.o}) {
        *f = ((p.raw >> bit++) & 1u) != 0;
      }
    }
    return r;
  }

  void request(const RequestParams& p) {
    auto init = alice_.request_ticket(desired(p));
    if (!init.ok()) return;
    sent(init.value(), Receiver::kms_request);
    receive(Receiver::kms_request, mutate(init.value(), p.mutation));
  }

  void create_ticket(const RequestParams& p) {
    // The mode-3 key Alice shares with the KMS, or the KMS's own TPK (which she must not have).
    roles::TicketKey key =
        p.format == 0 ? mode3_key(algs_) : ticket_key(roles::kBaseTicket, algs_, "tpk-1", 0x80);
    (void)alice_.create_ticket(desired(p), key);
  }

  void transfer(const TransferParams& p) {
    roles::TransferOptions o;
    o.responder = p.shape == 2 ? roles::Identity::uri("sip:carol@example.org") : bob_id();
    if (p.shape == 1) {
      codec::SecurityPolicy sp{1, codec::ProtType::srtp, {{1, {16}}, {4, {14}}}};
      o.sessions = {roles::CryptoSession{1, sp, {0, 0, 0, 1}},
                    roles::CryptoSession{2, std::nullopt, {}}};
    }
    auto init = alice_.transfer_init(o);
    if (!init.ok()) return;
    sent(init.value(), Receiver::responder_transfer_init);
    receive(Receiver::responder_transfer_init, mutate(init.value(), p.mutation));
  }

  void update(const UpdateParams& p) {
    roles::UpdateOptions o;
    o.expect_response = p.expect_response;
    if (p.new_keys) {
      o.new_keys.push_back(roles::KeyItem{codec::KeyDataType::tgk,
                                          crypto::SecureBytes(rng_.bytes(algs_.key_length())),
                                          {},
                                          rng_.bytes(4)});
    }
    if (p.policy) o.policies.push_back({2, codec::ProtType::srtp, {{1, {16}}, {4, {14}}}});
    sync_tags();
    auto bytes = alice_.csb_update(o);
    if (!bytes.ok()) return;
    if (!p.expect_response) {
      if (alice_tag_.present) alice_tag_.updates.push_back(mac_of(bytes.value()));
    } else {
      pending_update_mac_ = mac_of(bytes.value());
    }
    sent(bytes.value(), Receiver::responder_update);
    update_resp_.reset();
    receive(Receiver::responder_update, mutate(bytes.value(), p.update));
    if (update_resp_) receive(Receiver::initiator_update_resp, mutate(*update_resp_, p.response));
  }

  // Follows each side's completed transfer: a new exchange starts a new tag without updates.
  static void sync_tag(SessionTag& tag, const roles::TransferSession* s) {
    if (s == nullptr) {
      tag = SessionTag{};
      return;
    }
    if (tag.present && tag.csb_id == s->csb_id && tag.randri == s->randri) return;
    tag = SessionTag{s->csb_id, s->randri, {}, true};
  }
  void sync_tags() {
    sync_tag(alice_tag_, alice_.session());
    sync_tag(bob_tag_, bob_.session());
  }

  void check_keys() {
    sync_tags();
    if (roles::fuzzer_mode()) return;  // MACs do not bind anything there
    if (!alice_tag_.present || !bob_tag_.present) return;
    if (alice_tag_.csb_id != bob_tag_.csb_id || alice_tag_.randri != bob_tag_.randri ||
        alice_tag_.updates != bob_tag_.updates) {
      return;
    }
    auto a = alice_.srtp_keys();
    auto b = bob_.srtp_keys();
    if (a.ok() != b.ok()) __builtin_trap();
    if (!a.ok()) return;
    if (a->size() != b->size()) __builtin_trap();
    for (std::size_t i = 0; i < a->size(); ++i) {
      const roles::SrtpKeys& x = (*a)[i];
      const roles::SrtpKeys& y = (*b)[i];
      if (x.cs_id != y.cs_id || x.spi != y.spi ||
          !crypto::constant_time_equal(x.master_key.view(), y.master_key.view()) ||
          !crypto::constant_time_equal(x.master_salt.view(), y.master_salt.view())) {
        __builtin_trap();
      }
    }
    ++summary_.key_checks;
    if (!alice_tag_.updates.empty()) ++summary_.updates_checked;
  }

  roles::ManualClock clock_{seed_time()};
  roles::Algorithms algs_;
  crypto::DeterministicRng rng_;
  roles::Kms kms_;
  roles::Initiator alice_;
  roles::Responder bob_;

  std::optional<Bytes> kms_to_alice_, bob_to_kms_, kms_to_bob_, bob_to_alice_, update_resp_;
  std::vector<Sent> history_;
  Bytes pending_update_mac_;
  SessionTag alice_tag_, bob_tag_;
  Summary summary_;
};

// Runs one input: the header, then steps until the input is used up (at most kMaxSteps).
inline Summary run(const std::uint8_t* data, std::size_t size) {
  Reader in(data, size);
  Header h;
  h.io(in);
  Sequence s(h);
  for (int i = 0; i < kMaxSteps && !in.done(); ++i) {
    std::uint8_t step = 0;
    in.pick(step, kStepCount);
    s.step(static_cast<Step>(step), in);
  }
  return s.summary();
}

// Builds inputs for run(): what Reader will read, step by step (fuzz_assets' seeds).
class Script {
 public:
  explicit Script(std::uint64_t seed, bool suite256 = false) {
    Header h{seed, static_cast<std::uint8_t>(suite256 ? 1 : 0)};
    h.io(w_);
  }
  template <class Params>
  Script& add(Step s, Params p) {
    std::uint8_t v = static_cast<std::uint8_t>(s);
    w_.pick(v, kStepCount);
    p.io(w_);
    return *this;
  }
  Script& add(Step s) { return add(s, DeliverParams{}); }
  Bytes bytes() const { return w_.bytes(); }

 private:
  Writer w_;
};

}  // namespace mikey::fuzz::sequence
