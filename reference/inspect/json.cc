#include "inspect/json.h"

#include <algorithm>

namespace mikeyconf::inspect {

std::string dump_json(const Json& j, int indent, bool ascii) {
  return j.dump(indent, ' ', ascii, Json::error_handler_t::replace);
}

namespace {

// Reads a text only to learn where it goes wrong: every event is accepted, the first syntax
// error records its offset and stops the parse (sax_parse then returns false, never throws).
class ErrorOffset : public nlohmann::json_sax<Json> {
 public:
  std::size_t offset = 0;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception&) override {
    offset = position == 0 ? 0 : position - 1;  // position counts the offending byte
    return false;
  }
};

}  // namespace

std::optional<Json> parse_json(std::string_view text, std::size_t* error_offset) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) return j;
  if (error_offset != nullptr) {
    ErrorOffset sax;
    Json::sax_parse(text, &sax);
    *error_offset = std::min(sax.offset, text.size());
  }
  return std::nullopt;
}

const Json* find_member(const Json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(std::string(key));
  return it == j.end() ? nullptr : &*it;
}

}  // namespace mikeyconf::inspect
