// The ticket-format registry and the MAC inputs that involve a TICKET payload.
#include "codec/ticket_codec.h"

#include <algorithm>
#include <array>
#include <mutex>
#include <new>
#include <optional>

namespace mikey::codec {

namespace {

struct Registry {
  std::mutex mu;
  std::vector<std::unique_ptr<const TicketCodec>> added;  // oldest first
};

Registry& registry() {
  static Registry r;
  return r;
}

// The built-ins, searched after every run-time registration.
std::array<const TicketCodec*, 2> builtins() noexcept {
  return {&mikey_base_ticket_codec(), &provisional_type2_ticket_codec()};
}

// TICKET offsets of RFC 6043 §6.10, read from one whole TICKET payload.
struct TicketOffsets {
  TicketType type{};
  std::uint8_t subtype = 0;
  std::uint8_t version = 0;
  std::size_t tp_data_len = 0;      // t
  std::size_t ticket_data_len = 0;  // d
  std::size_t ticket_data_at = 0;   // 12 + t
};

Result<TicketOffsets, Errc> ticket_offsets(ByteView ticket_payload) noexcept {
  wire::Reader r(ticket_payload);
  TicketOffsets o;
  std::uint16_t type = 0;
  std::uint16_t t = 0;
  std::uint16_t d = 0;
  std::uint16_t i = 0;
  // Next Payload (1), Ticket Type (2), Subtype (1), Version (1), flag bytes 5–7, TP Data length.
  if (!r.skip(1) || !r.u16(type) || !r.u8(o.subtype) || !r.u8(o.version) || !r.skip(3) ||
      !r.u16(t) || !r.skip(t) || !r.u16(d)) {
    return Errc::truncated;
  }
  o.ticket_data_at = r.offset();
  if (!r.skip(d) || !r.u16(i) || !r.skip(i)) return Errc::truncated;
  if (!r.empty()) return Errc::inconsistent_model;  // more than one TICKET payload
  o.type = static_cast<TicketType>(type);
  o.tp_data_len = t;
  o.ticket_data_len = d;
  return o;
}

// Splits a top-level payload path "payload[<k>].<rest>" of a message layout.
bool split_top_level(std::string_view path, std::size_t& index, std::string_view& rest) {
  constexpr std::string_view kHead = "payload[";
  if (path.substr(0, kHead.size()) != kHead) return false;
  std::size_t close = path.find(']', kHead.size());
  if (close == std::string_view::npos || close == kHead.size() || close + 1 >= path.size() ||
      path[close + 1] != '.') {
    return false;
  }
  std::size_t k = 0;
  for (std::size_t p = kHead.size(); p < close; ++p) {
    if (path[p] < '0' || path[p] > '9') return false;
    k = k * 10 + static_cast<std::size_t>(path[p] - '0');
  }
  index = k;
  rest = path.substr(close + 2);
  return true;
}

}  // namespace

// ---- Registry ----

const TicketCodec* find_ticket_codec(TicketType type, std::uint8_t subtype,
                                     std::uint8_t version) noexcept {
  {
    Registry& reg = registry();
    std::lock_guard<std::mutex> lock(reg.mu);
    for (auto it = reg.added.rbegin(); it != reg.added.rend(); ++it) {
      if ((*it)->handles(type, subtype, version)) return it->get();
    }
  }
  for (const TicketCodec* c : builtins()) {
    if (c->handles(type, subtype, version)) return c;
  }
  return nullptr;
}

const TicketCodec* find_ticket_codec(const TicketPolicy& policy) noexcept {
  return find_ticket_codec(policy.ticket_type, policy.subtype, policy.version);
}

const TicketCodec* register_ticket_codec(std::unique_ptr<const TicketCodec> codec) {
  if (codec == nullptr) return nullptr;
  Registry& reg = registry();
  std::lock_guard<std::mutex> lock(reg.mu);
  reg.added.push_back(std::move(codec));
  return reg.added.back().get();
}

bool unregister_ticket_codec(const TicketCodec* codec) noexcept {
  Registry& reg = registry();
  std::lock_guard<std::mutex> lock(reg.mu);
  auto it = std::find_if(reg.added.begin(), reg.added.end(),
                         [&](const auto& c) { return c.get() == codec; });
  if (it == reg.added.end()) return false;
  reg.added.erase(it);
  return true;
}

std::vector<const TicketCodec*> ticket_codecs() {
  std::vector<const TicketCodec*> out;
  {
    Registry& reg = registry();
    std::lock_guard<std::mutex> lock(reg.mu);
    for (auto it = reg.added.rbegin(); it != reg.added.rend(); ++it) out.push_back(it->get());
  }
  for (const TicketCodec* c : builtins()) out.push_back(c);
  return out;
}

ParseError parse_ticket_data(const Ticket& ticket, std::size_t base_offset, ParseState& state,
                             const std::string& prefix, TicketData& out) noexcept {
  const TicketCodec* codec = find_ticket_codec(ticket.policy);
  if (codec == nullptr) {
    return {Errc::unsupported_ticket_format, static_cast<std::uint32_t>(base_offset),
            PayloadType::ticket};
  }
  return codec->parse(ticket.ticket_data, base_offset, state, prefix, out);
}

Result<Bytes, Errc> serialize_ticket_data(const TicketPolicy& policy, const TicketData& in,
                                          Layout* layout, const std::string& prefix) {
  const TicketCodec* codec = find_ticket_codec(policy);
  if (codec == nullptr) return Errc::unsupported_ticket_format;
  return codec->serialize(in, layout, prefix);
}

// ---- MAC inputs ----

Result<ByteView, Errc> ticket_mac_input(ByteView ticket_payload, std::size_t mac_len) noexcept {
  Result<TicketOffsets, Errc> o = ticket_offsets(ticket_payload);
  if (!o.ok()) return o.error();
  if (mac_len > o->ticket_data_len) return Errc::inconsistent_model;
  // TICKET[1 .. 12+t+d−mac_len): Ticket Type through Ticket Data, minus the trailing MAC.
  return ticket_payload.subspan(1, o->ticket_data_at + o->ticket_data_len - mac_len - 1);
}

Result<ByteView, Errc> base_ticket_mac_input(ByteView ticket_payload) noexcept {
  Result<TicketOffsets, Errc> o = ticket_offsets(ticket_payload);
  if (!o.ok()) return o.error();
  const TicketCodec* codec = find_ticket_codec(o->type, o->subtype, o->version);
  if (codec == nullptr) return Errc::unsupported_ticket_format;
  try {
    ParseState st;
    st.options.record_layout = false;
    TicketData data;
    ParseError e = codec->parse(ticket_payload.subspan(o->ticket_data_at, o->ticket_data_len),
                                o->ticket_data_at, st, "ticket_data", data);
    if (e.code != Errc::ok) return e.code;
    // App. A.1: V is the last payload, so its MAC field ends the Ticket Data.
    const Verification* v =
        data.payloads.empty() ? nullptr : data.payloads.back().get<Verification>();
    if (v == nullptr || !data.trailing.empty()) return Errc::unexpected_payload_type;
    return ticket_mac_input(ticket_payload, v->mac.size());
  } catch (const std::bad_alloc&) {  // allocation failure
    return Errc::too_many_payloads;
  }
}

Result<Bytes, Errc> transfer_init_mac_input(ByteView message, const Layout& layout,
                                            ByteView identity_i, ByteView identity_r) {
  struct Cut {
    std::size_t at;
    std::size_t len;
  };
  std::optional<std::size_t> last_index;
  std::optional<std::size_t> mac_index;
  FieldRange mac;
  std::vector<std::pair<std::size_t, FieldRange>> id_lengths;  // (payload index, field)
  std::vector<std::pair<std::size_t, FieldRange>> id_fields;
  for (const FieldRange& f : layout.fields()) {
    std::size_t k = 0;
    std::string_view rest;
    if (!split_top_level(f.path, k, rest)) continue;
    if (!last_index || k > *last_index) last_index = k;
    if (rest == "V.mac" && (!mac_index || k >= *mac_index)) {
      mac_index = k;
      mac = f;
    } else if (rest == "TICKET.initiator_data_length") {
      id_lengths.emplace_back(k, f);
    } else if (rest == "TICKET.initiator_data") {
      id_fields.emplace_back(k, f);
    }
  }
  // RFC 6043 §4.2.2.1: the last payload SHALL be V, whose MAC field is left out.
  if (!mac_index || *mac_index != *last_index) return Errc::unexpected_payload_type;
  std::vector<Cut> cuts{{mac.offset, mac.length}};
  for (const auto& [index, len_field] : id_lengths) {
    std::size_t k = index;  // clang 14 cannot capture a structured binding
    auto data = std::find_if(id_fields.begin(), id_fields.end(),
                             [k](const auto& e) { return e.first == k; });
    if (data == id_fields.end() || len_field.length != 2 ||
        data->second.offset != len_field.offset + 2) {
      return Errc::inconsistent_model;
    }
    // INTERPRETATION (RFC 6043 §5.5): it says the MAC does not cover the Initiator Data
    // length and Initiator Data fields; they are removed from the input, not zeroed.
    cuts.push_back({len_field.offset, 2 + std::size_t{data->second.length}});
  }
  std::sort(cuts.begin(), cuts.end(), [](const Cut& a, const Cut& b) { return a.at < b.at; });
  Bytes out;
  out.reserve(message.size() + identity_i.size() + identity_r.size());
  std::size_t pos = 0;
  for (const Cut& c : cuts) {
    if (c.at < pos || c.at > message.size() || c.len > message.size() - c.at) {
      return Errc::inconsistent_model;
    }
    ByteView keep = message.subspan(pos, c.at - pos);
    out.insert(out.end(), keep.begin(), keep.end());
    pos = c.at + c.len;
  }
  ByteView tail = message.subspan(pos);
  out.insert(out.end(), tail.begin(), tail.end());
  out.insert(out.end(), identity_i.begin(), identity_i.end());
  out.insert(out.end(), identity_r.begin(), identity_r.end());
  return out;
}

}  // namespace mikey::codec
