#include "harness/scenario.h"

#include <algorithm>

#include "codec/codepoints.h"
#include "harness/http_answer.h"
#include "harness/refusal.h"
#include "wire/hex.h"

namespace mikeyconf::harness {

namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::pair<std::string_view, E> (&table)[N], std::string_view s) {
  for (const auto& [name, value] : table)
    if (name == s) return value;
  return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const std::pair<std::string_view, E> (&table)[N], E v) {
  for (const auto& [name, value] : table)
    if (value == v) return name;
  return "?";
}

constexpr std::pair<std::string_view, Level> kLevels[] = {{"SHALL", Level::shall},
                                                          {"SHALL NOT", Level::shall_not},
                                                          {"SHOULD", Level::should},
                                                          {"SHOULD NOT", Level::should_not},
                                                          {"MAY", Level::may}};
constexpr std::pair<std::string_view, SutRole> kRoles[] = {{"kms", SutRole::kms},
                                                           {"kms_r", SutRole::kms_r},
                                                           {"kms_i", SutRole::kms_i},
                                                           {"initiator", SutRole::initiator},
                                                           {"responder", SutRole::responder}};
constexpr std::pair<std::string_view, MessageKind> kKinds[] = {
    {"REQUEST_INIT_PSK", MessageKind::request_init_psk},
    {"RESOLVE_INIT_PSK", MessageKind::resolve_init_psk},
    {"raw_http", MessageKind::raw_http}};
constexpr std::pair<std::string_view, Party> kParties[] = {
    {"initiator", Party::initiator}, {"responder", Party::responder}, {"kms_r", Party::kms_r}};
constexpr std::pair<std::string_view, Knob> kKnobs[] = {
    {"flip_bit", Knob::flip_bit},
    {"flip_mac_bit", Knob::flip_mac_bit},
    {"set", Knob::set},
    {"truncate", Knob::truncate},
    {"append", Knob::append},
    {"delete_field", Knob::delete_field},
    {"duplicate_payload", Knob::duplicate_payload},
    {"swap", Knob::swap}};
constexpr std::pair<std::string_view, BodyEncoding> kEncodings[] = {
    {"base64", BodyEncoding::base64},
    {"base64_wrapped", BodyEncoding::base64_wrapped},
    {"binary", BodyEncoding::binary}};
constexpr std::pair<std::string_view, CheckKey> kCheckKeys[] = {
    {"http.status", CheckKey::http_status},
    {"http.content_type", CheckKey::http_content_type},
    {"http.header", CheckKey::http_header},
    {"mikey.data_type", CheckKey::mikey_data_type},
    {"mikey.error_no", CheckKey::mikey_error_no},
    {"mikey.payloads_present", CheckKey::mikey_payloads_present},
    {"mikey.payloads_absent", CheckKey::mikey_payloads_absent},
    {"mikey.hdr.v", CheckKey::mikey_hdr_v},
    {"mikey.hdr.copied", CheckKey::mikey_hdr_copied},
    {"verify", CheckKey::verify},
    {"keys_equal", CheckKey::keys_equal},
    {"within_ms", CheckKey::within_ms},
    {"outcome", CheckKey::outcome},
    {"ue", CheckKey::ue},
    {"forwarded", CheckKey::forwarded},
    {"ticket", CheckKey::ticket},
    {"refused", CheckKey::refused},
    {"http.answer", CheckKey::http_answer}};
constexpr std::pair<std::string_view, UeOp> kUeOps[] = {{"initiate", UeOp::initiate},
                                                        {"transfer_resp", UeOp::transfer_resp},
                                                        {"transfer_init", UeOp::transfer_init}};

std::string join_numbers(const std::vector<int>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(v[i]);
  }
  return out;
}

std::string list_text(const std::vector<std::string>& items) {
  if (items.size() == 1) return items.front();
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out + "]";
}

}  // namespace

std::string_view to_string(Level l) noexcept { return name_of(kLevels, l); }
std::string_view to_string(SutRole r) noexcept { return name_of(kRoles, r); }
std::string_view to_string(MessageKind k) noexcept { return name_of(kKinds, k); }
std::string_view to_string(Party p) noexcept { return name_of(kParties, p); }
std::string_view to_string(Knob k) noexcept { return name_of(kKnobs, k); }
std::string_view to_string(BodyEncoding e) noexcept { return name_of(kEncodings, e); }
std::string_view to_string(CheckKey k) noexcept { return name_of(kCheckKeys, k); }
std::string_view to_string(UeOp op) noexcept { return name_of(kUeOps, op); }
std::optional<UeOp> parse_ue_op(std::string_view s) noexcept { return lookup(kUeOps, s); }

std::optional<Level> parse_level(std::string_view s) noexcept { return lookup(kLevels, s); }
std::optional<SutRole> parse_sut_role(std::string_view s) noexcept { return lookup(kRoles, s); }
std::optional<MessageKind> parse_message_kind(std::string_view s) noexcept {
  return lookup(kKinds, s);
}
std::optional<Party> parse_party(std::string_view s) noexcept { return lookup(kParties, s); }
std::optional<Knob> parse_knob(std::string_view s) noexcept { return lookup(kKnobs, s); }
std::optional<BodyEncoding> parse_body_encoding(std::string_view s) noexcept {
  return lookup(kEncodings, s);
}

std::string Mutation::describe() const {
  std::string out(to_string(knob));
  if (!field.empty()) out += " " + field;
  switch (knob) {
    case Knob::flip_bit:
      out += " bit " + std::to_string(bit);
      break;
    case Knob::set:
      if (int_value) out += " = " + std::to_string(*int_value);
      if (bytes) out += " = " + mikey::wire::to_hex(*bytes);
      break;
    case Knob::truncate:
      if (at) out += " at " + std::to_string(*at);
      if (drop_last) out += " drop_last " + std::to_string(*drop_last);
      break;
    case Knob::append:
      if (bytes) out += " " + mikey::wire::to_hex(*bytes);
      break;
    case Knob::swap:
      out += " with " + with;
      break;
    default:
      break;
  }
  return out;
}

bool HttpOverrides::any() const noexcept {
  return method || path || query || content_type || !headers.empty() || body_encoding || body_raw ||
         pad_header_bytes || pad_body_bytes || send_rest_after_ms;
}

std::string Check::expected_text() const {
  using mikey::codec::DataType;
  switch (key) {
    case CheckKey::http_status: {
      const auto& s = as<HttpStatusCheck>();
      std::vector<std::string> items;
      for (int n : s.codes) items.push_back(std::to_string(n));
      for (int c : s.classes) items.push_back(std::to_string(c) + "xx");
      return list_text(items);
    }
    case CheckKey::http_content_type:
    case CheckKey::verify:
    case CheckKey::outcome:
      return as<WordCheck>().word;
    case CheckKey::ue:
      return as<UeCheck>().expected;
    case CheckKey::forwarded: {
      const auto& f = as<ForwardedCheck>();
      if (f.name == "count") return std::to_string(f.count);
      return f.value ? "true" : "false";
    }
    case CheckKey::http_header: {
      const auto& h = as<HttpHeaderCheck>();
      if (h.absent) return "(absent)";
      return h.value == "*" ? "(present)" : h.value;
    }
    case CheckKey::mikey_data_type: {
      std::vector<std::string> items;
      for (int n : as<NumbersCheck>().values) {
        std::string_view name = mikey::codec::to_string(static_cast<DataType>(n));
        items.push_back(name.empty() ? std::to_string(n) : std::string(name));
      }
      return list_text(items);
    }
    case CheckKey::mikey_error_no:
    case CheckKey::mikey_hdr_v: {
      const auto& numbers = as<NumbersCheck>().values;
      return numbers.size() == 1 ? std::to_string(numbers.front())
                                 : "[" + join_numbers(numbers) + "]";
    }
    case CheckKey::mikey_payloads_present:
    case CheckKey::mikey_payloads_absent: {
      std::string out;
      for (std::uint8_t t : as<PayloadTypesCheck>().types) {
        out += (out.empty() ? "" : ", ") +
               std::string(mikey::codec::to_string(static_cast<mikey::codec::PayloadType>(t)));
      }
      return "[" + out + "]";
    }
    case CheckKey::mikey_hdr_copied:
    case CheckKey::keys_equal:
      return "true";
    case CheckKey::within_ms:
      return "<= " + std::to_string(as<DurationCheck>().ms) + " ms";
    case CheckKey::refused:
      return refusal_expectation(*this);
    case CheckKey::http_answer:
      return http_answer_expectation(*this);
    case CheckKey::ticket: {
      const auto& t = as<TicketCheck>();
      if (t.name != "lifetime_s") return t.value ? "true" : "false";
      if (t.min_s == t.max_s) return std::to_string(t.min_s);
      return std::to_string(t.min_s) + " .. " + std::to_string(t.max_s);
    }
  }
  return {};
}

std::string Check::name() const {
  switch (key) {
    case CheckKey::ue:
      return as<UeCheck>().name;  // ue.* / kms.*: the whole name
    case CheckKey::http_header:
      return "http.header." + as<HttpHeaderCheck>().name;
    case CheckKey::ticket:
      return "ticket." + as<TicketCheck>().name;
    case CheckKey::forwarded:
      return "forwarded." + as<ForwardedCheck>().name;
    default:
      return std::string(to_string(key));
  }
}

bool Scenario::has_tag(std::string_view t) const noexcept {
  return std::find(tags.begin(), tags.end(), t) != tags.end();
}

}  // namespace mikeyconf::harness
