// Checks every payload test applies: known bytes, both round trips, every truncation fails
// with the specific error.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/message.h"
#include "codec/payloads.h"
#include "wire/hex.h"

namespace mikey::codec::testing {

inline Bytes hex(std::string_view h) {
  auto r = wire::from_hex(h);
  EXPECT_TRUE(r.ok()) << "bad hex in test: " << h;
  return r.ok() ? r.value() : Bytes{};
}

// Parses `bytes` as one chain whose first payload has type `t` (bytes start with that
// payload's Next payload byte, which should be 0).
struct SingleOutcome {
  ParseError error;
  std::vector<Payload> payloads;
  ParseState state;
};
inline SingleOutcome parse_single(PayloadType t, ByteView bytes) {
  SingleOutcome out;
  out.state.options = kWithLayout;
  FieldReader r(wire::Reader(bytes), out.state, "", PayloadType::last);
  out.error = parse_chain(r, t, out.payloads);
  if (out.error.code == Errc::ok && r.remaining() != 0) {
    out.error = {Errc::inconsistent_model, static_cast<std::uint32_t>(r.offset()), t};
  }
  return out;
}

inline Result<Bytes, Errc> serialize_single(const Payload& p, Layout* layout = nullptr) {
  SerializeState st;
  st.layout = layout;
  FieldWriter w(st, "");
  serialize_chain(w, {p});
  if (!st.ok()) return st.status();
  return std::move(st.writer).take();
}

// The layout map places `path` at [offset, offset + length).
inline void expect_field_at(const Layout& layout, std::string_view path, std::size_t offset,
                            std::size_t length) {
  auto f = layout.find(path);
  ASSERT_TRUE(f.has_value()) << path;
  EXPECT_EQ(f->offset, offset) << path;
  EXPECT_EQ(f->length, length) << path;
}

// bytes → model → bytes is the identity, model → bytes → model too, the layout map of the parse
// equals the layout map of the serialisation, and every proper prefix fails with `truncated`
// at an offset inside the prefix.
inline void expect_payload_shapes(PayloadType t, const Bytes& bytes) {
  SingleOutcome parsed = parse_single(t, bytes);
  ASSERT_EQ(parsed.error.code, Errc::ok) << "at offset " << parsed.error.offset;
  ASSERT_EQ(parsed.payloads.size(), 1u);
  EXPECT_EQ(parsed.payloads[0].type, t);
  EXPECT_EQ(parsed.payloads[0].length, bytes.size());

  Layout out_layout;
  auto again = serialize_single(parsed.payloads[0], &out_layout);
  ASSERT_TRUE(again.ok()) << to_string(again.error());
  EXPECT_EQ(wire::to_hex(again.value()), wire::to_hex(bytes)) << "bytes→model→bytes differs";
  EXPECT_EQ(out_layout, parsed.state.layout) << "layout maps differ";

  SingleOutcome reparsed = parse_single(t, again.value());
  ASSERT_EQ(reparsed.error.code, Errc::ok);
  EXPECT_EQ(reparsed.payloads[0], parsed.payloads[0]) << "model→bytes→model differs";

  for (std::size_t n = 0; n < bytes.size(); ++n) {
    SingleOutcome cut = parse_single(t, ByteView(bytes).first(n));
    EXPECT_EQ(cut.error.code, Errc::truncated) << "prefix of " << n << " bytes";
    EXPECT_LE(cut.error.offset, n) << "prefix of " << n << " bytes";
    EXPECT_EQ(cut.error.where, t) << "prefix of " << n << " bytes";
  }
}

// n bytes first, first+1, ... (wrapping): stands in for long opaque values (DH values,
// signatures) where a byte-by-byte literal would hide the fields around it.
inline Bytes seq(std::size_t n, std::uint8_t first = 0) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

// The first payload parse_single gave, as a T, or nullptr.
template <class T>
inline const T* first_body(const SingleOutcome& o) {
  return o.payloads.empty() ? nullptr : o.payloads.front().get<T>();
}

// A parse error of this code, at this offset, in this payload.
inline void expect_error(const ParseError& e, Errc code, std::size_t offset, PayloadType where) {
  EXPECT_EQ(e.code, code) << "got: " << to_string(e.code) << ", want: " << to_string(code);
  EXPECT_EQ(e.offset, offset);
  EXPECT_EQ(e.where, where);
}

// What serialising `body` as a lone payload reports (Errc::ok when it serialises).
template <class T>
inline Errc serialize_error(T body, PayloadType type = PayloadType::last) {
  auto r = serialize_single(make_payload(std::move(body), type));
  return r.ok() ? Errc::ok : r.error();
}

// The layout map places `path` at [offset, offset + length) under `mask`.
inline void expect_field(const Layout& layout, std::string_view path, std::size_t offset,
                         std::size_t length, std::uint8_t mask = 0xff) {
  std::optional<FieldRange> f = layout.find(path);
  ASSERT_TRUE(f.has_value()) << "no field " << path;
  EXPECT_EQ(f->offset, offset) << path;
  EXPECT_EQ(f->length, length) << path;
  EXPECT_EQ(f->mask, mask) << path;
}

// Self-generated example, cross-checked against Python hmac (gen_vectors.py): the
// HMAC-SHA-1-160 MAC of the worked REQUEST_INIT_PSK.
inline const Bytes& sha1_mac() {
  static const Bytes b = hex("fcefb0bf9c6cef0e88ed958fc5e5b3e3bfa72eaf");
  return b;
}

}  // namespace mikey::codec::testing
