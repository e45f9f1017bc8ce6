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

// What the key is for a message's own protection, and which IDR / RANDR payloads enter its
// MAC input and keys (RFC 6043 §5.1.2 label RANDs, §5.5 Table 5.2 identities).
struct MessagePlan {
  std::string_view key_role;
  codec::IdRole id_a;
  codec::IdRole id_b;
  codec::RandRole rand;
};

std::optional<MessagePlan> message_plan(codec::DataType t) noexcept {
  using codec::DataType;
  using codec::IdRole;
  switch (t) {
    case DataType::request_init_psk:
      return MessagePlan{"PSK", IdRole::idri, IdRole::idrkms, codec::RandRole::randri};
    case DataType::resolve_init_psk:
      return MessagePlan{"PSK", IdRole::idrr, IdRole::idrkms, codec::RandRole::randrr};
    case DataType::transfer_init:
      return MessagePlan{"MPKi", IdRole::idri, IdRole::idrr, codec::RandRole::randri};
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

// The message's own V and KEMAC under `key` taken as its PSK or MPKi.
KeyOpening open_message(const roles::Received& r, ByteView key) {
  const codec::Message& m = r.message();
  KeyOpening o{.target = "message"};
  std::optional<MessagePlan> plan = message_plan(m.hdr.data_type);
  if (!plan) {
    o.key_role = "PSK";
    o.problem = fmt::format(
        "not tried: a {} message's keys and MAC are not derived from the message alone "
        "(RFC 6043 §5.1.2, §5.5: a response also takes its initial message)",
        codec::to_string(m.hdr.data_type));
    return o;
  }
  o.key_role = plan->key_role;
  o.tried = true;
  roles::MessageProtection p;
  p.inkey = key;
  p.prf = m.hdr.prf_func;
  p.csb_id = m.hdr.csb_id;
  p.direction = roles::direction_of(m.hdr.data_type);
  const codec::RandWithRole* rand = roles::find_randr(m.payloads, plan->rand);
  (plan->rand == codec::RandRole::randri ? p.randri : p.randrr) =
      rand != nullptr ? ByteView(rand->rand) : ByteView();
  p.identity_a = id_data(m, plan->id_a);
  p.identity_b = id_data(m, plan->id_b);
  // An initial message is its own exchange's initial message: both IV readings are its T.
  if (const auto* t = roles::find_body<codec::Timestamp>(m.payloads)) {
    p.initial_t = roles::ts_iv_value(t->ts_type, t->value);
  }
  auto keys = roles::verify_message(r, p);
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

KeyReport open_with_key(ByteView message, ByteView key) {
  KeyReport report;
  roles::Received r = roles::receive(message);
  if (!r.parsed.ok()) return report;
  report.openings.push_back(open_message(r, key));
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
