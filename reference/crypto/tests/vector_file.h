// Test helpers. Reader for the known-answer files in tests/data/crypto/: '[case]' opens a case,
// 'name = hex' or 'name = "ascii"' adds a field, an indented line continues the previous hex value,
// '#' starts a comment.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/errc.h"
#include "wire/bytes.h"
#include "wire/hex.h"
#include "wire/result.h"

namespace mikey::crypto::testing {

struct VectorCase {
  std::string name;
  std::map<std::string, Bytes, std::less<>> fields;

  bool has(std::string_view key) const { return fields.find(key) != fields.end(); }
  // The field's bytes; a missing field is a test failure (ADD_FAILURE) and gives empty bytes.
  const Bytes& get(std::string_view key) const;
  // The field as text (for "ascii" values).
  std::string text(std::string_view key) const;
  // Big-endian integers; a field of another width is a test failure and gives 0.
  std::uint8_t u8(std::string_view key) const;
  std::uint16_t u16(std::string_view key) const;
  std::uint32_t u32(std::string_view key) const;
  std::uint64_t u64(std::string_view key) const;
};

// Reads MIKEY_SOURCE_DIR/tests/data/crypto/<file>. A missing file or a malformed line is a test
// failure (ADD_FAILURE naming the line); the cases parsed so far are returned.
std::vector<VectorCase> load_vectors(std::string_view file);

// The error code of a result, Errc::ok for a value: lets a test assert the specific code
// without dereferencing the error of a successful result.
template <class T>
Errc code_of(const Result<T, Error>& r) {
  return r.ok() ? Errc::ok : r.error().code;
}

// The case called `name`, or nullptr.
const VectorCase* find_case(const std::vector<VectorCase>& cases, std::string_view name);
// The case called `name` in `file`, or nothing (the test asserts it is there).
std::optional<VectorCase> load_case(std::string_view file, std::string_view name);

using wire::to_hex;
// Hex text of a test constant to bytes.
inline Bytes unhex(std::string_view s) { return wire::from_hex(s).value(); }

}  // namespace mikey::crypto::testing
