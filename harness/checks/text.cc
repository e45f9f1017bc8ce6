#include "harness/checks/text.h"

#include "harness/names.h"
#include "harness/reference_names.h"

namespace mikeyconf::harness {

std::string data_type_name(int n) {
  const std::string_view name = code_point_name("DataType", static_cast<std::uint32_t>(n));
  return name.empty() ? "data type " + std::to_string(n) : std::string(name);
}

std::string payload_names(const codec::Message& m) {
  std::string out = "HDR";
  for (const codec::Payload& p : m.payloads) {
    const std::string_view n = codec::to_string(p.type);
    out += " " + (n.empty() ? std::to_string(codec::raw(p.type)) : std::string(n));
  }
  return out;
}

std::string numbers_text(const std::vector<codec::ErrorNo>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    out += (i > 0 ? ", " : "") + std::to_string(codec::raw(v[i]));
    const std::string_view n = codec::to_string(v[i]);
    if (!n.empty()) out += " " + std::string(n);
  }
  return out + "]";
}

}  // namespace mikeyconf::harness
