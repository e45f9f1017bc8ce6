#include "vector_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "wire/hex.h"

namespace mikey::crypto::testing {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::uint64_t big_endian(const Bytes& b) {
  std::uint64_t v = 0;
  for (std::uint8_t x : b) v = (v << 8) | x;
  return v;
}

}  // namespace

const Bytes& VectorCase::get(std::string_view key) const {
  static const Bytes kEmpty;
  auto it = fields.find(key);
  if (it == fields.end()) {
    ADD_FAILURE() << "case [" << name << "] has no field '" << key << "'";
    return kEmpty;
  }
  return it->second;
}

std::string VectorCase::text(std::string_view key) const {
  const Bytes& b = get(key);
  return std::string(b.begin(), b.end());
}

std::uint8_t VectorCase::u8(std::string_view key) const {
  const Bytes& b = get(key);
  if (b.size() != 1) ADD_FAILURE() << "[" << name << "] " << key << " is not 1 byte";
  return b.size() == 1 ? b[0] : 0;
}

std::uint16_t VectorCase::u16(std::string_view key) const {
  const Bytes& b = get(key);
  if (b.size() != 2) ADD_FAILURE() << "[" << name << "] " << key << " is not 2 bytes";
  return b.size() == 2 ? static_cast<std::uint16_t>(big_endian(b)) : 0;
}

std::uint32_t VectorCase::u32(std::string_view key) const {
  const Bytes& b = get(key);
  if (b.size() != 4) ADD_FAILURE() << "[" << name << "] " << key << " is not 4 bytes";
  return b.size() == 4 ? static_cast<std::uint32_t>(big_endian(b)) : 0;
}

std::uint64_t VectorCase::u64(std::string_view key) const {
  const Bytes& b = get(key);
  if (b.size() != 8) ADD_FAILURE() << "[" << name << "] " << key << " is not 8 bytes";
  return b.size() == 8 ? big_endian(b) : 0;
}

std::vector<VectorCase> load_vectors(std::string_view file) {
  const std::string path =
      std::string(MIKEY_SOURCE_DIR) + "/tests/data/crypto/" + std::string(file);
  std::ifstream in(path);
  std::vector<VectorCase> cases;
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return cases;
  }
  std::string raw;
  std::string last_key;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    std::string_view line = raw;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    if (trim(line).empty()) continue;
    const bool continuation = line.front() == ' ' || line.front() == '\t';
    line = trim(line);
    if (continuation) {
      auto more = wire::from_hex(line);
      if (cases.empty() || last_key.empty() || !more.ok()) {
        ADD_FAILURE() << path << ":" << line_no << ": bad continuation line";
        continue;
      }
      Bytes& value = cases.back().fields[last_key];
      value.insert(value.end(), more->begin(), more->end());
      continue;
    }
    if (line.front() == '[') {
      if (line.back() != ']') ADD_FAILURE() << path << ":" << line_no << ": bad case header";
      cases.push_back(VectorCase{std::string(line.substr(1, line.size() - 2)), {}});
      last_key.clear();
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos || cases.empty()) {
      ADD_FAILURE() << path << ":" << line_no << ": expected 'name = value' inside a case";
      continue;
    }
    std::string key(trim(line.substr(0, eq)));
    std::string_view value = trim(line.substr(eq + 1));
    Bytes bytes;
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      bytes = to_bytes(value.substr(1, value.size() - 2));
    } else {
      auto decoded = wire::from_hex(value);
      if (!decoded.ok()) {
        ADD_FAILURE() << path << ":" << line_no << ": bad hex value";
        continue;
      }
      bytes = std::move(decoded).value();
    }
    if (!cases.back().fields.emplace(key, std::move(bytes)).second) {
      ADD_FAILURE() << path << ":" << line_no << ": duplicate field " << key;
    }
    last_key = key;
  }
  return cases;
}

const VectorCase* find_case(const std::vector<VectorCase>& cases, std::string_view name) {
  for (const VectorCase& c : cases) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::optional<VectorCase> load_case(std::string_view file, std::string_view name) {
  const auto cases = load_vectors(file);
  const VectorCase* c = find_case(cases, name);
  if (c == nullptr) return std::nullopt;
  return *c;
}

}  // namespace mikey::crypto::testing
