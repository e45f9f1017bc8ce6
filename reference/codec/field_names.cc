#include "codec/field_names.h"

#include <string_view>

namespace mikey::codec {

namespace {

enum class Registry : std::uint8_t {
  none,
#define MIKEY_REGISTRY_ID(Enum, Under, LIST) Enum,
  MIKEY_REGISTRIES(MIKEY_REGISTRY_ID)
#undef MIKEY_REGISTRY_ID
};

// Field names that always hold the same registry, whatever payload they sit in. The names are
// the ones the payload parsers record (hdr.cc, kemac.cc, ...).
struct NameRow {
  std::string_view name;
  Registry registry;
};
constexpr NameRow kByName[] = {
    {"data_type", Registry::DataType},         // HDR
    {"next_payload", Registry::PayloadType},   // every payload, Key data, THDR
    {"first_payload", Registry::PayloadType},  // TP Data / Initiator Data containers
    {"prf_func", Registry::PrfFunc},           // HDR, TP/TICKET
    {"map_type", Registry::MapType},           // HDR
    {"encr_alg", Registry::EncrAlg},           // KEMAC
    {"mac_alg", Registry::MacAlg},             // KEMAC
    {"auth_alg", Registry::MacAlg},            // V (same code space, RFC 3830 §6.9)
    {"ts_type", Registry::TsType},             // T, TR
    {"id_type", Registry::IdType},             // ID, IDR
    {"cert_type", Registry::CertType},         // CERT
    {"hash_func", Registry::HashFunc},         // CHASH
    {"dh_group", Registry::DhGroup},           // DH
    {"group", Registry::DhGroup},              // DH (RFC figure name)
    {"s_type", Registry::SignType},            // SIGN
    {"prot_type", Registry::ProtType},         // SP, GENERIC-ID map
    {"error_no", Registry::ErrorNo},           // ERR
    {"ts_role", Registry::TsRole},             // TR
    {"id_role", Registry::IdRole},             // IDR
    {"rand_role", Registry::RandRole},         // RANDR
    {"ticket_type", Registry::TicketType},     // TP, TICKET
    {"kv", Registry::KvType},                  // Key data, DH
    {"key_id_type", Registry::KeyIdType},      // RFC 4563 Key ID information
};

// "param[3]" → "param"; "payload[2]" → "payload".
std::string_view base_name(std::string_view segment) noexcept {
  std::size_t bracket = segment.find('[');
  return bracket == std::string_view::npos ? segment : segment.substr(0, bracket);
}

}  // namespace

bool segment_names_payload(std::string_view segment, PayloadType t) noexcept {
  std::string_view name = to_string(t);
  if (name.empty() || segment.size() != name.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (segment[i] != name[i] && !(name[i] == ' ' && segment[i] == '_')) return false;
  }
  return true;
}

namespace {

Registry registry_of(std::string_view path) noexcept {
  std::size_t dot = path.rfind('.');
  std::string_view last = base_name(dot == std::string_view::npos ? path : path.substr(dot + 1));
  std::string_view parent;
  if (dot != std::string_view::npos) {
    std::string_view head = path.substr(0, dot);
    std::size_t pdot = head.rfind('.');
    parent = base_name(pdot == std::string_view::npos ? head : head.substr(pdot + 1));
  }
  for (const NameRow& row : kByName) {
    if (row.name == last) return row.registry;
  }
  if (last == "type") {
    // The generic name: the parent segment says which payload or sub-structure it is in.
    if (parent == "key_data") return Registry::KeyDataType;  // "...encr_data.key_data[0].type"
    if (segment_names_payload(parent, PayloadType::key_data)) return Registry::KeyDataType;
    if (parent == "param") return Registry::SrtpParam;  // "...SP.policy_param.param[0].type"
    if (segment_names_payload(parent, PayloadType::general_ext)) return Registry::GenExtType;
    if (parent == "key_id") return Registry::KeyIdType;
  }
  if (last == "c" && segment_names_payload(parent, PayloadType::pke)) return Registry::PkeCache;
  return Registry::none;
}

template <class E>
std::string_view name_in(std::uint32_t value) noexcept {
  using Under = std::underlying_type_t<E>;
  if (value > static_cast<std::uint32_t>(static_cast<Under>(~Under{0}))) return {};
  return to_string(static_cast<E>(static_cast<Under>(value)));
}

}  // namespace

std::string_view code_point_registry(std::string_view path) noexcept {
  switch (registry_of(path)) {
    case Registry::none:
      return {};
#define MIKEY_REGISTRY_NAME(Enum, Under, LIST) \
  case Registry::Enum:                         \
    return #Enum;
      MIKEY_REGISTRIES(MIKEY_REGISTRY_NAME)
#undef MIKEY_REGISTRY_NAME
  }
  return {};
}

bool is_code_point_field(std::string_view path) noexcept {
  return registry_of(path) != Registry::none;
}

std::string_view code_point_name(std::string_view path, std::uint32_t value) noexcept {
  switch (registry_of(path)) {
    case Registry::none:
      return {};
#define MIKEY_REGISTRY_LOOKUP(Enum, Under, LIST) \
  case Registry::Enum:                           \
    return name_in<Enum>(value);
      MIKEY_REGISTRIES(MIKEY_REGISTRY_LOOKUP)
#undef MIKEY_REGISTRY_LOOKUP
  }
  return {};
}

}  // namespace mikey::codec
