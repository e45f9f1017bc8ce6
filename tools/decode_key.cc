#include "tools/decode_key.h"

#include <fmt/format.h>

#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "codec/ticket_codec.h"
#include "crypto/secure_bytes.h"
#include "roles/clock.h"
#include "roles/failure.h"
#include "roles/message_util.h"
#include "roles/protect.h"
#include "roles/ticket.h"
#include "wire/hex.h"

namespace mikeyconf::tools {

namespace {

namespace codec = mikey::codec;
namespace roles = mikey::roles;
using mikey::ByteView;

constexpr std::string_view kMacMismatch = "MAC does not match: wrong key or modified message";

// What the key is for a message's own protection, and which payloads enter its keys and MAC
// input (RFC 6043 §5.1.2 label RANDs, §5.5 Table 5.2). An initial message names its own
// identities and RANDR; a response takes the RANDR, CSB ID and T of its initial message (of
// data type `initial`), and a TRANSFER_RESP adds its own RANDRr (G flag).
struct MessagePlan {
  std::string_view key_role;
  codec::RandRole rand;
  codec::IdRole id_a = codec::IdRole::idri;
  codec::IdRole id_b = codec::IdRole::idrkms;
  std::optional<codec::DataType> initial;  // set for a response
};

std::optional<MessagePlan> message_plan(codec::DataType t) noexcept {
  using codec::DataType;
  using codec::IdRole;
  using codec::RandRole;
  switch (t) {
    case DataType::request_init_psk:
      return MessagePlan{"PSK", RandRole::randri, IdRole::idri, IdRole::idrkms, std::nullopt};
    case DataType::resolve_init_psk:
      return MessagePlan{"PSK", RandRole::randrr, IdRole::idrr, IdRole::idrkms, std::nullopt};
    case DataType::transfer_init:
      return MessagePlan{"MPKi", RandRole::randri, IdRole::idri, IdRole::idrr, std::nullopt};
    case DataType::request_resp:
      return MessagePlan{
          .key_role = "PSK", .rand = RandRole::randri, .initial = DataType::request_init_psk};
    case DataType::resolve_resp:
      return MessagePlan{
          .key_role = "PSK", .rand = RandRole::randrr, .initial = DataType::resolve_init_psk};
    case DataType::transfer_resp:
      return MessagePlan{.key_role = "MPKi or MPKr'",
                         .rand = RandRole::randri,
                         .initial = DataType::transfer_init};
    default:
      return std::nullopt;
  }
}

void fail(KeyOpening& o, roles::Failure f) {
  o.mac_mismatch =
      f == roles::Failure::auth_failure || f == roles::Failure::ticket_integrity_failure;
  o.problem = o.mac_mismatch ? std::string(kMacMismatch)
                             : fmt::format("{} ({})", roles::message(f), roles::to_string(f));
}

std::vector<OpenedKey> shown(const roles::KeySet& keys) {
  std::vector<OpenedKey> out;
  for (const roles::KeyItem& k : keys) {
    out.push_back({std::string(codec::to_string(k.type)), k.spi.empty() ? "Null" : "SPI/MKI",
                   mikey::wire::to_hex(k.key.view()), mikey::wire::to_hex(k.salt.view()),
                   mikey::wire::to_hex(k.spi)});
  }
  return out;
}

ByteView id_data(const codec::Message& m, codec::IdRole role) noexcept {
  const codec::IdWithRole* idr = roles::find_idr(m.payloads, role);
  return idr != nullptr ? ByteView(idr->data) : ByteView();
}

ByteView randr(const codec::Message& m, codec::RandRole role) noexcept {
  const codec::RandWithRole* rand = roles::find_randr(m.payloads, role);
  return rand != nullptr ? ByteView(rand->rand) : ByteView();
}

// The keys, label RANDs and MAC coverage of `m` under `key`, taken from `init`, the exchange's
// initial message (`m` itself for an initial message).
roles::MessageProtection protection(const codec::Message& m, const roles::Received& init,
                                    const MessagePlan& plan, ByteView key) {
  const codec::Message& im = init.message();
  roles::MessageProtection p;
  p.inkey = key;
  p.prf = im.hdr.prf_func;
  p.csb_id = im.hdr.csb_id;
  p.direction = roles::direction_of(m.hdr.data_type);
  (plan.rand == codec::RandRole::randri ? p.randri : p.randrr) = randr(im, plan.rand);
  if (m.hdr.data_type == codec::DataType::transfer_resp) {
    p.randrr = randr(m, codec::RandRole::randrr);
  }
  if (plan.initial) {
    p.initial_message = init.bytes;
  } else {
    p.identity_a = id_data(m, plan.id_a);
    p.identity_b = id_data(m, plan.id_b);
  }
  if (const auto* t = roles::find_body<codec::Timestamp>(im.payloads)) {
    p.initial_t = roles::ts_iv_value(t->ts_type, t->value);
  }
  return p;
}

// Why a response cannot be opened with the initial message given, or nullopt.
std::optional<std::string> initial_problem(const roles::Received& init, ByteView initial,
                                           codec::DataType want) {
  if (initial.empty()) {
    return fmt::format(
        "not tried: a response's keys and MAC take its initial message (RFC 6043 §5.1.2, "
        "§5.5); give the {} with --initial FILE",
        codec::to_string(want));
  }
  if (!init.parsed.ok()) return std::string("not tried: the --initial message does not parse");
  if (init.message().hdr.data_type != want) {
    return fmt::format("not tried: the --initial message is a {}, not a {}",
                       codec::to_string(init.message().hdr.data_type), codec::to_string(want));
  }
  return std::nullopt;
}

// The message's own V and KEMAC under `key` taken as its PSK, MPKi or MPKr'.
KeyOpening open_message(const roles::Received& r, ByteView key, ByteView initial) {
  const codec::Message& m = r.message();
  KeyOpening o{.target = "message", .key_role = "PSK"};
  std::optional<MessagePlan> plan = message_plan(m.hdr.data_type);
  if (!plan) {
    o.problem = fmt::format("not tried: --key does not open the protection of data type {} ({})",
                            codec::raw(m.hdr.data_type), codec::to_string(m.hdr.data_type));
    return o;
  }
  o.key_role = plan->key_role;
  roles::Received init = plan->initial ? roles::receive(initial) : roles::Received{};
  if (plan->initial) {
    if (auto problem = initial_problem(init, initial, *plan->initial)) {
      o.problem = std::move(*problem);
      return o;
    }
  }
  o.tried = true;
  auto keys = roles::verify_message(r, protection(m, plan->initial ? init : r, *plan, key));
  if (!keys.ok()) {
    fail(o, keys.error());
    return o;
  }
  o.mac_ok = true;
  o.keys = shown(keys.value());
  return o;
}

// The TICKET at payload `index` under `key` taken as the TPK that protects it.
KeyOpening open_ticket_at(const roles::Received& r, std::size_t index, const codec::Ticket& t,
                          ByteView key) {
  KeyOpening o{
      .target = fmt::format("payload[{}].TICKET", index), .key_role = "TPK", .tried = true};
  roles::TicketKey k;
  k.format = {t.policy.ticket_type, t.policy.subtype, t.policy.version};
  k.tpk = mikey::crypto::SecureBytes(key);
  // The IDRpsk of the Ticket Data names the TPK (App. A.1); the key given is taken to be it.
  codec::TicketData data;
  codec::ParseState st;
  st.options.record_layout = false;
  if (codec::parse_ticket_data(t, 0, st, "ticket_data", data).code == codec::Errc::ok) {
    if (const codec::IdWithRole* idr = roles::find_idr(data.payloads, codec::IdRole::idrpsk)) {
      k.id = idr->data;
    }
  }
  auto opened = roles::open_ticket(roles::payload_bytes(r.bytes, r.message().payloads[index]), t,
                                   std::span(&k, 1));
  if (!opened.ok()) {
    fail(o, opened.error());
    return o;
  }
  o.mac_ok = true;
  roles::KeySet keys;
  keys.push_back(std::move(opened->contents.mpk));
  for (roles::KeyItem& item : opened->contents.keys) keys.push_back(std::move(item));
  o.keys = shown(keys);
  return o;
}

}  // namespace

bool KeyReport::opened() const noexcept {
  for (const KeyOpening& o : openings)
    if (o.mac_ok) return true;
  return false;
}

KeyReport open_with_key(ByteView message, ByteView key, ByteView initial) {
  KeyReport report;
  roles::Received r = roles::receive(message);
  if (!r.parsed.ok()) return report;
  report.openings.push_back(open_message(r, key, initial));
  const std::vector<codec::Payload>& payloads = r.message().payloads;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    if (const auto* t = payloads[i].get<codec::Ticket>()) {
      report.openings.push_back(open_ticket_at(r, i, *t, key));
    }
  }
  return report;
}

std::string render_key_report(const KeyReport& report) {
  std::string out = "\n--key:\n";
  for (const KeyOpening& o : report.openings) {
    out += fmt::format("  {} (key as {}): ", o.target, o.key_role);
    if (!o.mac_ok) {
      out += o.problem + "\n";
      continue;
    }
    out += o.keys.empty() ? "MAC ok, no KEMAC\n" : "MAC ok, KEMAC decrypted\n";
    for (std::size_t i = 0; i < o.keys.size(); ++i) {
      const OpenedKey& k = o.keys[i];
      out += fmt::format("    key_data[{}] {} KV {} key {}", i, k.type, k.kv, k.key_hex);
      if (!k.salt_hex.empty()) out += " salt " + k.salt_hex;
      if (!k.spi_hex.empty()) out += " SPI " + k.spi_hex;
      out += "\n";
    }
  }
  if (!report.opened()) out += "  the key opened nothing\n";
  return out;
}

inspect::Json key_report_json(const KeyReport& report) {
  inspect::Json out = inspect::Json::array();
  for (const KeyOpening& o : report.openings) {
    inspect::Json j;
    j["target"] = o.target;
    j["key_as"] = o.key_role;
    j["tried"] = o.tried;
    j["mac"] = o.mac_ok ? "ok" : o.mac_mismatch ? "mismatch" : o.tried ? "error" : "not_checked";
    if (!o.mac_ok) j["problem"] = o.problem;
    inspect::Json keys = inspect::Json::array();
    for (const OpenedKey& k : o.keys) {
      keys.push_back({{"type", k.type},
                      {"kv", k.kv},
                      {"key_hex", k.key_hex},
                      {"salt_hex", k.salt_hex},
                      {"spi_hex", k.spi_hex}});
    }
    j["key_data"] = std::move(keys);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace mikeyconf::tools
